"""API routes: feedback endpoint, recent events, reputation, guard (`/v1/…` per project, `/admin/projects/{id}/…`)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.events import guard as guard_mod
from services.events.reputation import SERIES, WINDOWS, series, window_rates
from services.events.schemas import EventPage, FeedbackEndpointOut, GuardOut, ReputationOut
from services.events.sns_signature import is_topic_arn
from shared.db.types import utcnow
from shared.email_address import email_hash, normalize_email
from shared.errors import BadRequest, NotFound
from shared.internal_auth import Internal, ProjectId
from shared.models.core import Project
from shared.models.events import EmailEvent, SnsEndpoint, SnsInbox, SnsSubscription
from shared.pagination import PAGE_LIMIT_DEFAULT, CursorQuery, LimitQuery, next_page, start_id
from shared.service_app import DbSession

v1 = APIRouter(prefix="/v1")
admin = APIRouter(prefix="/admin", dependencies=[Internal])


def _ctx(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state.events


# ---------------------------------------------------------------- feedback endpoint


class EndpointUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    allowed_topic_arns: list[str] = Field(max_length=50)

    @field_validator("allowed_topic_arns")
    @classmethod
    def _arns(cls, v: list[str]) -> list[str]:
        bad = [a for a in v if not is_topic_arn(a)]
        if bad:
            raise ValueError(f"not SNS topic ARNs: {bad[:3]}")
        return sorted(set(v))


async def _endpoint_row(session: Any, project_id: int, *, create: bool) -> SnsEndpoint:
    row = (await session.scalars(sa.select(SnsEndpoint).where(SnsEndpoint.project_id == project_id))).first()
    if row is None:
        if not create:
            raise NotFound("no feedback endpoint yet")
        if await session.get(Project, project_id) is None:
            raise NotFound("unknown project")
        row = SnsEndpoint(project_id=project_id, token=secrets.token_urlsafe(24), allowed_topic_arns=[])
        session.add(row)
        await session.flush()
    return row


async def _endpoint_view(session: Any, request: Request, row: SnsEndpoint) -> dict[str, Any]:
    base = request.app.state.runtime.settings.runtime.public_url.rstrip("/")
    subs = (
        await session.scalars(
            sa.select(SnsSubscription)
            .where(SnsSubscription.project_id == row.project_id)
            .order_by(SnsSubscription.id)
        )
    ).all()
    return {
        "url": f"{base}/webhooks/sns/{row.token}",
        "token": row.token,
        "allowed_topic_arns": row.allowed_topic_arns or [],
        "subscriptions": [
            {
                "topic_arn": s.topic_arn,
                "status": s.status,
                "detail": s.detail,
                "updated_at": s.updated_at.isoformat(),
            }
            for s in subs
        ],
    }


async def get_endpoint(session: Any, request: Request, project_id: int) -> dict[str, Any]:
    return await _endpoint_view(session, request, await _endpoint_row(session, project_id, create=True))


async def put_endpoint(
    session: Any, request: Request, project_id: int, body: EndpointUpdate
) -> dict[str, Any]:
    row = await _endpoint_row(session, project_id, create=True)
    row.allowed_topic_arns = body.allowed_topic_arns
    row.updated_at = utcnow()
    _ctx(request).forget_endpoints()
    return await _endpoint_view(session, request, row)


@v1.get("/feedback/endpoint", response_model=FeedbackEndpointOut)
async def v1_get_endpoint(project_id: ProjectId, session: DbSession, request: Request) -> dict[str, Any]:
    """The project's SNS webhook URL (created on first call) and its allowed topics."""
    return await get_endpoint(session, request, project_id)


@v1.put("/feedback/endpoint", response_model=FeedbackEndpointOut)
async def v1_put_endpoint(
    body: EndpointUpdate, project_id: ProjectId, session: DbSession, request: Request
) -> dict[str, Any]:
    return await put_endpoint(session, request, project_id, body)


@v1.post("/feedback/endpoint/rotate", response_model=FeedbackEndpointOut)
async def v1_rotate_endpoint(project_id: ProjectId, session: DbSession, request: Request) -> dict[str, Any]:
    """A new secret URL (the old one stops working; re-subscribe the topics to the new one)."""
    row = await _endpoint_row(session, project_id, create=True)
    row.token = secrets.token_urlsafe(24)
    row.updated_at = utcnow()
    _ctx(request).forget_endpoints()
    return await _endpoint_view(session, request, row)


# ---------------------------------------------------------------- events


def _event_view(e: EmailEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "type": e.event_type,
        "email": e.email,
        "ses_message_id": e.ses_message_id,
        "message_id": e.message_id,
        "bounce_type": e.bounce_type,
        "bounce_subtype": e.bounce_subtype,
        "feedback_type": e.feedback_type,
        "suppressed": e.suppressed,
        "soft_bounce": e.soft_bounce,
        "counted": e.counted,
        "diagnostic": e.diagnostic,
        "detail": e.detail,
        "occurred_at": e.occurred_at.isoformat(),
        "received_at": e.created_at.isoformat(),
    }


async def list_events(
    session: Any,
    project_id: int,
    *,
    message_id: int | None,
    ses_message_id: str | None,
    email: str | None,
    type_: str | None,
    before: int | None,
    limit: int,
) -> dict[str, Any]:
    q = sa.select(EmailEvent).where(EmailEvent.project_id == project_id)
    if message_id is not None:
        q = q.where(EmailEvent.message_id == message_id)
    if ses_message_id:
        q = q.where(EmailEvent.ses_message_id == ses_message_id)
    if email:
        q = q.where(EmailEvent.email_hash == email_hash(normalize_email(email)))
    if type_:
        q = q.where(EmailEvent.event_type == type_)
    if before is not None:
        q = q.where(EmailEvent.id < before)
    rows = (await session.scalars(q.order_by(EmailEvent.id.desc()).limit(limit + 1))).all()
    next_id, next_cursor = next_page([e.id for e in rows], limit)
    items = [_event_view(e) for e in rows[:limit]]
    # `events` / `next_before`: the old names, kept for one release
    return {"data": items, "next_cursor": next_cursor, "events": items, "next_before": next_id}


EventType = Literal[
    "send",
    "reject",
    "bounce",
    "complaint",
    "delivery",
    "delivery_delay",
    "open",
    "click",
    "rendering_failure",
    "subscription",
]


@v1.get("/events", response_model=EventPage)
async def v1_events(
    project_id: ProjectId,
    session: DbSession,
    response: Response,
    message_id: int | None = None,
    ses_message_id: str | None = None,
    email: str | None = None,
    type: EventType | None = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = PAGE_LIMIT_DEFAULT,
    before: Annotated[int | None, Query(deprecated=True, description="old paging: use cursor")] = None,  # noqa: A002
) -> dict[str, Any]:
    """Recent feedback events of the project, newest first, filtered by message, contact address or type;
    `next_cursor` pages on."""
    return await list_events(
        session,
        project_id,
        message_id=message_id,
        ses_message_id=ses_message_id,
        email=email,
        type_=type,
        before=start_id(response, cursor, before, "before"),
        limit=limit,
    )


# ---------------------------------------------------------------- reputation


async def reputation(session: Any, request: Request, project_id: int, span: str | None) -> dict[str, Any]:
    settings = _ctx(request).settings
    if span is not None and span not in SERIES:
        raise BadRequest(f"series must be one of {', '.join(SERIES)}")
    out: dict[str, Any] = {"project_id": project_id, "min_volume": settings.min_volume, "windows": {}}
    for w in WINDOWS:
        out["windows"][w] = (
            await window_rates(session, project_id, w, min_volume=settings.min_volume)
        ).as_dict()
    g = await guard_mod.guard_row(session, project_id)
    out["guard"] = {"state": g.state, "thresholds": guard_mod.thresholds(g, settings)}
    if span:
        out["series"] = {"span": span, "buckets": await series(session, project_id, span)}
    return out


@v1.get("/reputation", response_model=ReputationOut, response_model_exclude_unset=True)
async def v1_reputation(
    project_id: ProjectId, session: DbSession, request: Request, series: str | None = None
) -> dict[str, Any]:  # noqa: A002
    """Rolling bounce / complaint rates over 24 h and 7 d; `?series=24h|7d|30d` adds hourly buckets."""
    return await reputation(session, request, project_id, series)


# ---------------------------------------------------------------- guard


class GuardUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    warn_bounce_rate: float | None = Field(None, gt=0, lt=1)
    warn_complaint_rate: float | None = Field(None, gt=0, lt=1)
    pause_bounce_rate: float | None = Field(None, gt=0, lt=1)
    pause_complaint_rate: float | None = Field(None, gt=0, lt=1)
    pause_transactional: bool | None = None
    soft_bounce_threshold: int | None = Field(None, ge=1, le=100)
    soft_bounce_window_days: int | None = Field(None, ge=1, le=90)
    digest: Literal["off", "immediate", "hourly", "daily"] | None = None


async def patch_guard(session: Any, request: Request, project_id: int, body: GuardUpdate) -> dict[str, Any]:
    settings = _ctx(request).settings
    if await session.get(Project, project_id) is None:
        raise NotFound("unknown project")
    g = await guard_mod.guard_row(session, project_id, lock=True)
    for k, v in body.model_dump(exclude_unset=True).items():
        if v is None and k in ("pause_transactional", "digest"):
            continue
        setattr(g, k, v)  # None resets a threshold to the service default
    th = guard_mod.thresholds(g, settings)
    for metric in ("bounce", "complaint"):
        if th[f"warn_{metric}_rate"] > th[f"pause_{metric}_rate"]:
            raise BadRequest(
                f"warn_{metric}_rate must not exceed pause_{metric}_rate", error="invalid_thresholds"
            )
    g.updated_at = utcnow()
    await session.flush()
    return await guard_mod.describe(session, project_id, settings)


@v1.get("/guard", response_model=GuardOut)
async def v1_guard(project_id: ProjectId, session: DbSession, request: Request) -> dict[str, Any]:
    """Guard state, thresholds (effective values), current rates and policy knobs."""
    return await guard_mod.describe(session, project_id, _ctx(request).settings)


@v1.patch("/guard", response_model=GuardOut)
async def v1_patch_guard(
    body: GuardUpdate, project_id: ProjectId, session: DbSession, request: Request
) -> dict[str, Any]:
    return await patch_guard(session, request, project_id, body)


@v1.post("/guard/resume", response_model=GuardOut)
async def v1_resume(project_id: ProjectId, session: DbSession, request: Request) -> dict[str, Any]:
    """Resume a paused project explicitly (publishes project.resumed)."""
    await guard_mod.resume(session, project_id, by="api")
    return await guard_mod.describe(session, project_id, _ctx(request).settings)


# ---------------------------------------------------------------- admin (dashboard / operator)


@admin.get("/projects/{project_id}/feedback/endpoint")
async def admin_endpoint(project_id: int, session: DbSession, request: Request) -> dict[str, Any]:
    return await get_endpoint(session, request, project_id)


@admin.put("/projects/{project_id}/feedback/endpoint")
async def admin_put_endpoint(
    project_id: int, body: EndpointUpdate, session: DbSession, request: Request
) -> dict[str, Any]:
    return await put_endpoint(session, request, project_id, body)


@admin.get("/projects/{project_id}/events")
async def admin_events(
    project_id: int,
    session: DbSession,
    message_id: int | None = None,
    ses_message_id: str | None = None,
    email: str | None = None,
    type: EventType | None = None,
    before: int | None = None,  # noqa: A002
    limit: int = Query(50, ge=1, le=500),
) -> dict[str, Any]:
    return await list_events(
        session,
        project_id,
        message_id=message_id,
        ses_message_id=ses_message_id,
        email=email,
        type_=type,
        before=before,
        limit=limit,
    )


@admin.get("/projects/{project_id}/reputation")
async def admin_reputation(
    project_id: int, session: DbSession, request: Request, series: str | None = None
) -> dict[str, Any]:  # noqa: A002
    return await reputation(session, request, project_id, series)


@admin.get("/projects/{project_id}/guard")
async def admin_guard(project_id: int, session: DbSession, request: Request) -> dict[str, Any]:
    return await guard_mod.describe(session, project_id, _ctx(request).settings)


@admin.patch("/projects/{project_id}/guard")
async def admin_patch_guard(
    project_id: int, body: GuardUpdate, session: DbSession, request: Request
) -> dict[str, Any]:
    return await patch_guard(session, request, project_id, body)


@admin.post("/projects/{project_id}/guard/resume")
async def admin_resume(project_id: int, session: DbSession, request: Request) -> dict[str, Any]:
    await guard_mod.resume(session, project_id, by="operator")
    return await guard_mod.describe(session, project_id, _ctx(request).settings)


@admin.get("/projects/{project_id}/inbox")
async def admin_inbox(
    project_id: int, session: DbSession, status: str = "failed", limit: int = Query(50, ge=1, le=500)
) -> dict[str, Any]:
    """Inbox rows by status (failed / rejected / received / processed) with their errors."""
    rows = (
        await session.scalars(
            sa.select(SnsInbox)
            .where(SnsInbox.project_id == project_id, SnsInbox.status == status)
            .order_by(SnsInbox.id.desc())
            .limit(limit)
        )
    ).all()
    return {
        "items": [
            {
                "id": r.id,
                "source": r.source,
                "message_id": r.message_id,
                "topic_arn": r.topic_arn,
                "status": r.status,
                "attempts": r.attempts,
                "last_error": r.last_error,
                "received_at": r.received_at.isoformat(),
                "processed_at": r.processed_at.isoformat() if r.processed_at else None,
            }
            for r in rows
        ]
    }


@admin.post("/inbox/{inbox_id}/retry")
async def admin_retry(inbox_id: int, session: DbSession, request: Request) -> dict[str, Any]:
    """Put a failed or rejected row back in line (attempts reset)."""
    row = await session.get(SnsInbox, inbox_id)
    if row is None:
        raise NotFound("unknown inbox row")
    if row.status == "processed":
        raise BadRequest("already processed", error="already_processed")
    row.status, row.attempts, row.dispatched_at = "received", 0, None
    _ctx(request).wake.set()
    return {"id": row.id, "status": row.status}
