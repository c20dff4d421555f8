"""Campaigns: content + lists, send now or at a time, progress per state, pause / resume / cancel / retry-failed,
and the canary (services/sender/canary.py): `canary` auto | on | off, a held campaign released or cancelled."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Query, Response
from pydantic import AfterValidator, BaseModel, Field, field_validator

from services.sender.api.common import CoreDep, checked_address, iso
from services.sender.api.schemas import CampaignOut, CampaignPage, CanaryPolicyOut, legacy_page
from services.sender.api.templates import load_template
from services.sender.canary import canary_json, canary_policy, plan_canary, release
from services.sender.fanout import fan_out
from services.sender.templating import validate_parts
from shared import domain_log
from shared.db.types import utcnow
from shared.errors import BadRequest, Conflict, NotFound
from shared.internal_auth import ProjectId
from shared.models.sender import Campaign, Message
from shared.models.subscriptions import MailingList
from shared.pagination import PAGE_LIMIT_DEFAULT, CursorQuery, LimitQuery, next_page, start_id
from shared.service_app import DbSession, RuntimeDep

router = APIRouter(prefix="/v1/campaigns", tags=["campaigns"])
STATES = ("queued", "sending", "sent", "failed", "suppressed", "delayed", "cancelled", "held")


# The field rules, one place for create (CampaignIn) and edit (CampaignPatch).
Name = Annotated[str, Field(min_length=1, max_length=200)]
ListIds = Annotated[list[int], Field(min_length=1, max_length=100)]
Subject = Annotated[str, Field(max_length=2000)]
Body = Annotated[str, Field(max_length=500_000)]
Address = Annotated[str, Field(max_length=400), AfterValidator(checked_address)]
CanaryMode = Annotated[
    Literal["auto", "on", "off"],
    Field(description="Send a random sample first and hold the rest through a feedback window."),
]
CanaryWindow = Annotated[
    int, Field(ge=0, le=7 * 86400, description="This campaign's feedback window (default: the project's).")
]


class CampaignIn(BaseModel):
    name: Name
    list_ids: ListIds
    template_id: int | None = None
    subject: Subject | None = None
    html: Body | None = None
    text: Body | None = None
    from_address: Address | None = Field(None, alias="from")
    reply_to: Address | None = None
    send_at: datetime | None = None
    send_now: bool = False
    canary: CanaryMode = "auto"
    canary_window_seconds: CanaryWindow | None = None
    # Open / click tracking through SES (services/sender/tracking.py); null: the project's setting (default on).
    track_opens: bool | None = None
    track_clicks: bool | None = None

    model_config = {"populate_by_name": True}


class CampaignPatch(BaseModel):
    """Only the fields given change; an explicit null clears a field (`send_at: null` makes a scheduled campaign a
    draft again). Content is checked as a whole once any of template_id / subject / html / text is given."""

    name: Name | None = None
    list_ids: ListIds | None = None
    template_id: int | None = None
    subject: Subject | None = None
    html: Body | None = None
    text: Body | None = None
    from_address: Address | None = Field(None, alias="from")
    reply_to: Address | None = None
    send_at: datetime | None = Field(None, description="a time: scheduled for then; null: back to a draft")
    canary: CanaryMode | None = None
    canary_window_seconds: CanaryWindow | None = None
    track_opens: bool | None = None
    track_clicks: bool | None = None

    model_config = {"populate_by_name": True, "extra": "forbid"}

    @field_validator("name", "list_ids", "canary")
    @classmethod
    def _not_null(cls, v: Any) -> Any:
        if v is None:  # only an explicit null gets here: an omitted field keeps its default unvalidated
            raise ValueError("cannot be null")
        return v


class SendIn(BaseModel):
    send_at: datetime | None = None


def _aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


async def _load(session: Any, project_id: int, campaign_id: int, *, lock: bool = False) -> Campaign:
    q = sa.select(Campaign).where(Campaign.id == campaign_id, Campaign.project_id == project_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    c = (await session.execute(q)).scalar_one_or_none()
    if c is None:
        raise NotFound("campaign not found")
    return c  # type: ignore[no-any-return]


def _empty_progress() -> dict[str, Any]:
    return {"counts": dict.fromkeys(STATES, 0), "feedback": {}, "total": 0}


async def _count_into(session: Any, out: dict[int, dict[str, Any]], campaign_ids: list[int]) -> None:
    """Messages per state and per feedback of these campaigns (ix_messages_campaign_state), added to `out`."""
    rows = (
        await session.execute(
            sa.select(Message.campaign_id, Message.state, sa.func.count())
            .where(Message.campaign_id.in_(campaign_ids))
            .group_by(Message.campaign_id, Message.state)
        )
    ).all()
    for cid, state, n in rows:
        out[cid]["counts"][state] = int(n)
        out[cid]["total"] += int(n)
    fb = (
        await session.execute(
            sa.select(Message.campaign_id, Message.feedback, sa.func.count())
            .where(Message.campaign_id.in_(campaign_ids), Message.feedback.is_not(None))
            .group_by(Message.campaign_id, Message.feedback)
        )
    ).all()
    for cid, label, n in fb:
        out[cid]["feedback"][label] = int(n)


async def _progress(session: Any, campaign_id: int) -> dict[str, Any]:
    out = {campaign_id: _empty_progress()}
    await _count_into(session, out, [campaign_id])
    return out[campaign_id]


def campaign_json(
    c: Campaign, progress: dict[str, Any] | None = None, canary: dict[str, Any] | None = None
) -> dict[str, Any]:
    out = {
        "id": c.id,
        "name": c.name,
        "status": c.status,
        "list_ids": c.list_ids,
        "template_id": c.template_id,
        "subject": c.subject,
        "from": c.from_address,
        "reply_to": c.reply_to,
        "track_opens": c.track_opens,
        "track_clicks": c.track_clicks,
        "send_at": iso(c.send_at),
        "recipients": c.recipients,
        "fanout_at": iso(c.fanout_at),
        "finished_at": iso(c.finished_at),
        "created_at": iso(c.created_at),
    }
    out["canary"] = canary or {
        "mode": c.canary or "auto",
        "state": c.canary_state,
        "size": c.canary_size or 0,
        "window_seconds": c.canary_window_seconds,
        "until": iso(c.canary_until),
        "reason": c.canary_reason,
    }
    if progress is not None:
        out["progress"] = progress
    return out


async def _full(session: Any, c: Campaign) -> dict[str, Any]:
    """One campaign with its progress, canary and own content (what an edit starts from)."""
    out = campaign_json(c, await _progress(session, c.id), await canary_json(session, c))
    out["html"], out["text"] = c.html, c.text
    return out


async def _checked_lists(session: Any, project_id: int, list_ids: list[int]) -> list[int]:
    """The campaign's lists, deduplicated and sorted; 404 naming those not (or no longer) in the project."""
    ids = sorted(set(list_ids))
    found = set(
        (
            await session.execute(
                sa.select(MailingList.id).where(
                    MailingList.id.in_(ids),
                    MailingList.project_id == project_id,
                    MailingList.deleted_at.is_(None),
                )
            )
        ).scalars()
    )
    if missing := [i for i in ids if i not in found]:
        raise NotFound(f"lists not found: {missing}")
    return ids


async def _check_content(
    session: Any,
    project_id: int,
    template_id: int | None,
    subject: str | None,
    html: str | None,
    text: str | None,
) -> None:
    """A template of the project, or inline parts that compile — not both."""
    if template_id is not None:
        if subject or html or text:
            raise BadRequest("give either template_id or subject/html/text, not both")
        await load_template(session, project_id, template_id)
    else:
        validate_parts(subject, html, text)


@router.post("", status_code=201, response_model=CampaignOut, response_model_exclude_unset=True)
async def create_campaign(
    body: CampaignIn, session: DbSession, project_id: ProjectId, rt: RuntimeDep, core: CoreDep
) -> dict[str, Any]:
    list_ids = await _checked_lists(session, project_id, body.list_ids)
    await _check_content(session, project_id, body.template_id, body.subject, body.html, body.text)
    send_at = _aware(body.send_at)
    if body.send_now and send_at:
        raise BadRequest("give send_now or send_at, not both")
    c = Campaign(
        project_id=project_id,
        name=body.name,
        template_id=body.template_id,
        subject=body.subject,
        html=body.html,
        text=body.text,
        from_address=body.from_address,
        reply_to=body.reply_to,
        list_ids=list_ids,
        canary=body.canary,
        canary_window_seconds=body.canary_window_seconds,
        track_opens=body.track_opens,
        track_clicks=body.track_clicks,
        status="scheduled" if (send_at or body.send_now) else "draft",
        send_at=send_at or (utcnow() if body.send_now else None),
    )
    session.add(c)
    await session.flush()
    if body.send_now:
        c.status = "sending"
        n = await fan_out(session, c)
        await plan_canary(session, c, n, core.settings)
        domain_log.campaign_started(session, project_id, c.id, c.name, n)
        core.dispatcher.notify()
    return campaign_json(c)


@router.get("", response_model=CampaignPage, response_model_exclude_unset=True)
async def list_campaigns(
    session: DbSession,
    project_id: ProjectId,
    response: Response,
    cursor: CursorQuery = None,
    limit: LimitQuery = PAGE_LIMIT_DEFAULT,
    before_id: Annotated[int | None, Query(deprecated=True, description="old paging: use cursor")] = None,
    progress: Annotated[bool, Query(description="add each campaign's counts per state")] = False,
) -> dict[str, Any]:
    """Newest first; `next_cursor` pages on. `progress=true` adds each listed campaign's counts per state and
    per feedback, as GET /{id} has them (grouped queries for the whole page, not one per campaign)."""
    start = start_id(response, cursor, before_id)
    q = sa.select(Campaign).where(Campaign.project_id == project_id)
    if start is not None:
        q = q.where(Campaign.id < start)
    rows = (await session.execute(q.order_by(Campaign.id.desc()).limit(limit + 1))).scalars().all()
    next_id, next_cursor = next_page([c.id for c in rows], limit)
    rows = rows[:limit]
    counts: dict[int, dict[str, Any]] = {}
    if progress:
        counts = {c.id: _empty_progress() for c in rows}
        fanned = [c.id for c in rows if c.fanout_at is not None]
        if fanned:
            await _count_into(session, counts, fanned)
    return legacy_page([campaign_json(c, counts.get(c.id)) for c in rows], next_id, next_cursor, "campaigns")


# Declared before /{campaign_id}, which would otherwise take "canary-policy" for an id (and refuse it).
@router.get("/canary-policy", response_model=CanaryPolicyOut)
async def get_canary_policy(session: DbSession, project_id: ProjectId, core: CoreDep) -> dict[str, Any]:
    """The canary's figures for this project: sample share and bounds, feedback window, the auto rule's
    look-back. They follow the sender's settings, so a form explaining `canary` can quote them."""
    return await canary_policy(session, project_id, core.settings)


@router.get("/{campaign_id}", response_model=CampaignOut, response_model_exclude_unset=True)
async def get_campaign(campaign_id: int, session: DbSession, project_id: ProjectId) -> dict[str, Any]:
    c = await _load(session, project_id, campaign_id)
    return await _full(session, c)


EDITABLE = ("draft", "scheduled")


@router.patch(
    "/{campaign_id}",
    response_model=CampaignOut,
    response_model_exclude_unset=True,
    responses={
        409: {"description": "`campaign_not_editable`: sending began (only a draft or scheduled campaign)"}
    },
)
async def update_campaign(
    campaign_id: int, body: CampaignPatch, session: DbSession, project_id: ProjectId, core: CoreDep
) -> dict[str, Any]:
    """Change a campaign before it starts sending (draft or scheduled), with the rules of create."""
    c = await _load(session, project_id, campaign_id, lock=True)
    if c.status not in EDITABLE or c.fanout_at is not None:
        raise _not_editable(c.status)
    given = body.model_fields_set
    values: dict[str, Any] = {k: getattr(body, k) for k in given}
    if "list_ids" in values:
        values["list_ids"] = await _checked_lists(session, project_id, values["list_ids"])
    if given & {"template_id", "subject", "html", "text"}:
        merged = {k: values.get(k, getattr(c, k)) for k in ("template_id", "subject", "html", "text")}
        await _check_content(session, project_id, **merged)
    if "send_at" in values:
        values["send_at"] = _aware(values["send_at"])
        values["status"] = "scheduled" if values["send_at"] is not None else "draft"
    values["updated_at"] = utcnow()
    # Guarded: the dispatcher starts a due scheduled campaign with the same guard (status, fanout_at), one wins.
    r = await session.execute(
        sa.update(Campaign)
        .where(Campaign.id == c.id, Campaign.status.in_(EDITABLE), Campaign.fanout_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(c)
    if not r.rowcount:
        raise _not_editable(c.status)
    if c.status == "scheduled":
        core.dispatcher.notify()
    return await _full(session, c)


def _not_editable(status: str) -> Conflict:
    return Conflict(
        f"campaign is {status}: only a draft or scheduled campaign can be changed",
        error="campaign_not_editable",
    )


@router.post("/{campaign_id}/send", response_model=CampaignOut, response_model_exclude_unset=True)
async def send_campaign(
    campaign_id: int,
    session: DbSession,
    project_id: ProjectId,
    rt: RuntimeDep,
    core: CoreDep,
    body: SendIn | None = None,
) -> dict[str, Any]:
    """Send now (fan-out happens in this request; no body needed) or schedule for `send_at`."""
    body = body or SendIn()
    c = await _load(session, project_id, campaign_id, lock=True)
    if c.status not in ("draft", "scheduled"):
        raise Conflict(f"campaign is {c.status}")
    send_at = _aware(body.send_at)
    now = utcnow()
    c.send_at, c.updated_at = send_at or now, now
    if send_at is None or send_at <= now:
        c.status = "sending"
        n = await fan_out(session, c)  # one INSERT … SELECT, committed with the status change
        await plan_canary(session, c, n, core.settings)
        domain_log.campaign_started(session, project_id, c.id, c.name, n)
        core.dispatcher.notify()
    else:
        c.status = "scheduled"
    return campaign_json(c, await _progress(session, c.id))


async def _transition(
    session: Any, project_id: int, campaign_id: int, allowed: tuple[str, ...], to: str
) -> Campaign:
    c = await _load(session, project_id, campaign_id, lock=True)
    if c.status not in allowed:
        raise Conflict(f"campaign is {c.status}")
    c.status, c.updated_at = to, utcnow()
    return c


@router.post("/{campaign_id}/pause", response_model=CampaignOut, response_model_exclude_unset=True)
async def pause_campaign(campaign_id: int, session: DbSession, project_id: ProjectId) -> dict[str, Any]:
    c = await _transition(session, project_id, campaign_id, ("sending", "scheduled"), "paused")
    return campaign_json(c, await _progress(session, c.id))


@router.post("/{campaign_id}/resume", response_model=CampaignOut, response_model_exclude_unset=True)
async def resume_campaign(
    campaign_id: int, session: DbSession, project_id: ProjectId, core: CoreDep
) -> dict[str, Any]:
    c = await _load(session, project_id, campaign_id, lock=True)
    if c.status != "paused":
        raise Conflict(f"campaign is {c.status}")
    c.status = "sending" if c.fanout_at is not None else "scheduled"
    c.updated_at = utcnow()
    core.dispatcher.notify()
    return campaign_json(c, await _progress(session, c.id))


@router.post("/{campaign_id}/cancel", response_model=CampaignOut, response_model_exclude_unset=True)
async def cancel_campaign(campaign_id: int, session: DbSession, project_id: ProjectId) -> dict[str, Any]:
    c = await _transition(
        session,
        project_id,
        campaign_id,
        ("draft", "scheduled", "sending", "paused", "canary_hold"),
        "cancelled",
    )
    now = utcnow()
    await session.execute(
        sa.update(Message)
        .where(Message.campaign_id == c.id, Message.state.in_(("queued", "delayed", "held")))
        .values(state="cancelled", claimed_until=None, updated_at=now)
    )
    c.finished_at = now
    return campaign_json(c, await _progress(session, c.id))


@router.post("/{campaign_id}/release", response_model=CampaignOut, response_model_exclude_unset=True)
async def release_campaign(
    campaign_id: int, session: DbSession, project_id: ProjectId, core: CoreDep
) -> dict[str, Any]:
    """The owner sends the rest of a campaign its canary holds (during the window or after a failed canary)."""
    c = await _load(session, project_id, campaign_id, lock=True)
    if c.status != "canary_hold":
        raise Conflict(f"campaign is {c.status}, not held by its canary", error="not_held")
    was = c.canary_state
    n = await release(session, c, utcnow(), why=f"released by the owner (canary {was})")
    if n is None:
        raise Conflict("campaign is no longer held", error="not_held")
    core.dispatcher.notify()
    out = await _full(session, c)
    out["released"] = n
    return out


@router.post("/{campaign_id}/retry-failed", response_model=CampaignOut, response_model_exclude_unset=True)
async def retry_failed(
    campaign_id: int, session: DbSession, project_id: ProjectId, core: CoreDep
) -> dict[str, Any]:
    """Queue the campaign's failed messages again (suppression and subscription are re-checked at send time)."""
    c = await _load(session, project_id, campaign_id, lock=True)
    if c.status in ("draft", "scheduled", "cancelled"):
        raise Conflict(f"campaign is {c.status}")
    now = utcnow()
    r = await session.execute(
        sa.update(Message)
        .where(Message.campaign_id == c.id, Message.state == "failed")
        .values(
            state="queued", attempts=0, send_after=now, claimed_until=None, last_error=None, updated_at=now
        )
    )
    if r.rowcount and c.status == "sent":
        c.status, c.finished_at = "sending", None
    c.updated_at = now
    core.dispatcher.notify()
    out = campaign_json(c, await _progress(session, c.id))
    out["requeued"] = int(r.rowcount or 0)
    return out
