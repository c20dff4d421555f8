"""The campaign report and a contact's engagement (`GET /v1/campaigns/{id}/report`, `GET /v1/contacts/{id}/engagement`),
read from the engagement aggregates this service rolls up, the guard thresholds it owns, and — read only — the
sender's campaign and message states and the subscriptions' change log (unsubscribes attributed to a campaign)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Request
from pydantic import BaseModel

from services.events.guard import THRESHOLDS
from shared.errors import NotFound
from shared.internal_auth import ProjectId
from shared.models.core import Project
from shared.models.engagement import FIRSTS, CampaignLink, CampaignMinute, ContactEngagement
from shared.models.events import ProjectGuard
from shared.models.sender import Campaign, Message
from shared.models.subscriptions import Contact, SubscriptionChange
from shared.service_app import DbSession

router = APIRouter(prefix="/v1", tags=["reports"])
MAX_LINKS = 100
MINUTE_SPAN = timedelta(hours=1)  # the first hour after the start per minute, then per hour


class Bounced(BaseModel):
    hard: int
    soft: int


class UniqueTotal(BaseModel):
    unique: int
    total: int


class LinkStat(BaseModel):
    url: str
    unique: int
    total: int


class GuardedRate(BaseModel):
    value: float
    warn: float
    pause: float


class Rates(BaseModel):
    bounce: GuardedRate
    complaint: GuardedRate
    open: float
    click: float


class Tracking(BaseModel):
    opens: bool
    clicks: bool


class Point(BaseModel):
    at: datetime
    resolution: Literal["minute", "hour"]
    delivered: int
    opened: int
    clicked: int
    bounced: int
    complained: int
    unsubscribed: int


class Timeseries(BaseModel):
    points: list[Point]


class CampaignReport(BaseModel):
    campaign_id: int
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    recipients: int
    sent: int
    failed: int
    skipped: int
    delivered: int
    bounced: Bounced
    complained: int
    rejected: int
    opened: UniqueTotal
    clicked: UniqueTotal
    links: list[LinkStat]
    unsubscribed: int
    paused: int
    rates: Rates
    tracking: Tracking
    timeseries: Timeseries


class ContactEngagementOut(BaseModel):
    contact_id: int
    last_delivered_at: datetime | None
    last_opened_at: datetime | None
    last_clicked_at: datetime | None
    delivered: int
    opened: int
    clicked: int
    campaigns_received: int


def _ratio(n: int, d: int) -> float:
    return round(n / d, 6) if d else 0.0


async def _thresholds(session: Any, request: Request, project_id: int) -> dict[str, float]:
    settings = request.app.state.events.settings
    g = await session.get(ProjectGuard, project_id)
    return {k: float(getattr(g, k) if g is not None and getattr(g, k) is not None else getattr(settings, k))
            for k in THRESHOLDS}  # fmt: skip


async def _tracking(session: Any, c: Campaign) -> Tracking:
    """The campaign's own choice (`track_opens` / `track_clicks`) where it made one, else the project's setting
    `tracking` ({"opens": bool, "clicks": bool}, both on unless turned off) — as the sender decides it."""
    settings = await session.scalar(sa.select(Project.settings).where(Project.id == c.project_id))
    conf = (settings or {}).get("tracking")
    conf = conf if isinstance(conf, dict) else {}
    out = {}
    for kind, attr in (("opens", "track_opens"), ("clicks", "track_clicks")):
        own = getattr(c, attr, None)  # the columns come with the tracking change
        out[kind] = bool(own) if own is not None else conf.get(kind, True) is not False
    return Tracking(**out)


def _points(minutes: list[Any], unsubscribed: list[datetime], start: datetime | None) -> list[Point]:
    cells: dict[tuple[datetime, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def cell(at: datetime) -> dict[str, int]:
        at = at.replace(second=0, microsecond=0)
        if start is not None and at >= start + MINUTE_SPAN:
            return cells[(at.replace(minute=0), "hour")]
        return cells[(at, "minute")]

    for m in minutes:
        c = cell(m.minute)
        c["delivered"] += m.delivered
        c["opened"] += m.opened
        c["clicked"] += m.clicked
        c["bounced"] += m.hard_bounced + m.soft_bounced
        c["complained"] += m.complained
    for at in unsubscribed:
        cell(at)["unsubscribed"] += 1
    keys = ("delivered", "opened", "clicked", "bounced", "complained", "unsubscribed")
    return [
        Point(at=at, resolution=res, **{k: v.get(k, 0) for k in keys})  # type: ignore[arg-type]
        for (at, res), v in sorted(cells.items())
        if any(v.values())
    ]


@router.get("/campaigns/{campaign_id}/report", response_model=CampaignReport)
async def campaign_report(
    campaign_id: int, project_id: ProjectId, session: DbSession, request: Request
) -> CampaignReport:
    """What a campaign did: sending progress, the seven outcomes, opens and clicks, links, unsubscribes, rates."""
    c = (
        await session.scalars(
            sa.select(Campaign).where(Campaign.id == campaign_id, Campaign.project_id == project_id)
        )
    ).first()
    if c is None:
        raise NotFound("campaign not found")
    states = dict(
        (await session.execute(
            sa.select(Message.state, sa.func.count()).where(Message.campaign_id == c.id).group_by(Message.state)
        )).all()
    )  # fmt: skip
    minutes = (
        (await session.execute(sa.select(CampaignMinute).where(CampaignMinute.campaign_id == c.id)))
        .scalars()
        .all()
    )
    sums = {k: sum(getattr(m, k) for m in minutes) for k in (*FIRSTS, "opens", "clicks")}
    links = (
        await session.scalars(
            sa.select(CampaignLink)
            .where(CampaignLink.campaign_id == c.id)
            .order_by(CampaignLink.total.desc(), CampaignLink.uniq.desc(), CampaignLink.url)
            .limit(MAX_LINKS)
        )
    ).all()
    changes = (
        await session.execute(
            sa.select(SubscriptionChange.status, SubscriptionChange.contact_id, SubscriptionChange.created_at)
            .where(
                SubscriptionChange.campaign_id == c.id,
                SubscriptionChange.project_id == project_id,
                SubscriptionChange.status.in_(("unsubscribed", "paused")),
            )
            .order_by(SubscriptionChange.id)
        )
    ).all()
    first_unsub: dict[int, datetime] = {}
    paused: set[int] = set()
    for status, contact_id, at in changes:
        if status == "unsubscribed":
            first_unsub.setdefault(contact_id, at)
        else:
            paused.add(contact_id)
    sent = int(states.get("sent", 0))
    delivered = sums["delivered"]
    th = await _thresholds(session, request, project_id)
    started = c.fanout_at
    return CampaignReport(
        campaign_id=c.id,
        status=c.status,
        started_at=started,
        finished_at=c.finished_at,
        recipients=c.recipients,
        sent=sent,
        failed=int(states.get("failed", 0)),
        skipped=int(states.get("suppressed", 0)) + int(states.get("cancelled", 0)),
        delivered=delivered,
        bounced=Bounced(hard=sums["hard_bounced"], soft=sums["soft_bounced"]),
        complained=sums["complained"],
        rejected=sums["rejected"],
        opened=UniqueTotal(unique=sums["opened"], total=sums["opens"]),
        clicked=UniqueTotal(unique=sums["clicked"], total=sums["clicks"]),
        links=[LinkStat(url=link.url, unique=link.uniq, total=link.total) for link in links],
        unsubscribed=len(first_unsub),
        paused=len(paused),
        rates=Rates(
            bounce=GuardedRate(
                value=_ratio(sums["hard_bounced"], sent),
                warn=th["warn_bounce_rate"],
                pause=th["pause_bounce_rate"],
            ),
            complaint=GuardedRate(
                value=_ratio(sums["complained"], sent),
                warn=th["warn_complaint_rate"],
                pause=th["pause_complaint_rate"],
            ),
            open=_ratio(sums["opened"], delivered),
            click=_ratio(sums["clicked"], delivered),
        ),
        tracking=await _tracking(session, c),
        timeseries=Timeseries(points=_points(list(minutes), list(first_unsub.values()), started)),
    )


@router.get("/contacts/{contact_id}/engagement", response_model=ContactEngagementOut)
async def contact_engagement(
    contact_id: int, project_id: ProjectId, session: DbSession
) -> ContactEngagementOut:
    """A contact's last delivery, open and click, and how many messages reached each."""
    exists = await session.scalar(
        sa.select(Contact.id).where(Contact.id == contact_id, Contact.project_id == project_id)
    )
    if exists is None:
        raise NotFound("contact not found")
    row = await session.get(ContactEngagement, contact_id)
    if row is None or row.project_id != project_id:
        return ContactEngagementOut(
            contact_id=contact_id, last_delivered_at=None, last_opened_at=None, last_clicked_at=None,
            delivered=0, opened=0, clicked=0, campaigns_received=0,
        )  # fmt: skip
    return ContactEngagementOut(
        contact_id=contact_id,
        last_delivered_at=row.last_delivered_at,
        last_opened_at=row.last_opened_at,
        last_clicked_at=row.last_clicked_at,
        delivered=row.delivered,
        opened=row.opened,
        clicked=row.clicked,
        campaigns_received=row.campaigns_received,
    )
