"""Canary sends: a campaign's random first sample goes out, the rest waits (`held`) through a feedback window,
then the sample's bounce and complaint rates decide: under the project's pause thresholds → the rest is queued
(the worker's warm-up cap and rate bucket apply as to any mail); at or over → the campaign stays held and the
owner gets one mail. The owner may release or cancel a held campaign at any time.

Sample size: ceil(canary_percent × n) clamped to [canary_min, canary_max]. A campaign no larger than its sample
would be (n ≤ canary_min with the defaults) has no canary: sending "a sample of all of it" first protects
nothing. `canary: auto` (the default) applies it when n is larger than the most mail the project sent in one day
over the last `canary_lookback_days` (a new account: any campaign over the minimum); `on` always; `off` never.

States (campaigns.canary_state): sampling (status `sending`, the rest `held`) → waiting (status `canary_hold`,
from the moment no sample mail is left to send until `canary_until`) → released (status `sending`) | held
(status `canary_hold`, owner mailed). Every step is one guarded UPDATE committed together with its effects
(the rest queued, the owner's mail written with a fixed idempotency key), so a restart repeats at most a
step that did not commit, and of several sender replicas exactly one wins each step.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.sender.consumers import insert_transactional
from services.sender.settings import SenderSettings
from shared.db.types import utcnow
from shared.guard_thresholds import project_thresholds
from shared.models.core import Project
from shared.models.events import EmailEvent
from shared.models.sender import Campaign, Message
from shared.runtime import Runtime
from shared.suppression import address_hash

log = logging.getLogger("sesame.sender.canary")
M = Message.__table__
MODES = ("auto", "on", "off")
OPEN = ("queued", "sending", "delayed")


async def recent_daily_volume(session: AsyncSession, project_id: int, days: int, now: datetime) -> int:
    """The most mail the project sent within one 24-hour span of the last `days` (one query, portable)."""
    since = now - timedelta(days=days)
    spans = [
        sa.func.sum(
            sa.case(
                (
                    sa.and_(
                        M.c.sent_at > now - timedelta(days=d + 1), M.c.sent_at <= now - timedelta(days=d)
                    ),
                    1,
                ),
                else_=0,
            )
        )
        for d in range(days)
    ]
    row = (
        await session.execute(
            sa.select(*spans).where(
                M.c.project_id == project_id, M.c.sent_at.is_not(None), M.c.sent_at > since
            )
        )
    ).one()
    return max(int(v or 0) for v in row)


def sample_size(n: int, settings: SenderSettings) -> int:
    """How many of n recipients the canary sends first; 0 when the campaign is no larger than a sample."""
    k = min(max(math.ceil(n * settings.canary_percent), settings.canary_min), settings.canary_max)
    return k if k < n else 0


async def project_window(session: AsyncSession, project_id: int, settings: SenderSettings) -> tuple[int, str]:
    """(seconds, "project" | "default"): the project's `canary_window_seconds` setting, else the sender's."""
    project_settings = await session.scalar(sa.select(Project.settings).where(Project.id == project_id))
    own = (project_settings or {}).get("canary_window_seconds")
    if isinstance(own, int) and not isinstance(own, bool) and own >= 0:
        return own, "project"
    return settings.canary_window_seconds, "default"


async def window_seconds(session: AsyncSession, c: Campaign, settings: SenderSettings) -> int:
    """The campaign's own window, else the project's `canary_window_seconds` setting, else the default."""
    if c.canary_window_seconds is not None:
        return int(c.canary_window_seconds)
    return (await project_window(session, c.project_id, settings))[0]


async def canary_policy(session: AsyncSession, project_id: int, settings: SenderSettings) -> dict[str, Any]:
    """The figures the canary applies to this project's campaigns (what a form explaining it needs to say)."""
    window, source = await project_window(session, project_id, settings)
    return {
        "sample_percent": round(settings.canary_percent * 100, 6),
        "sample_min": settings.canary_min,
        "sample_max": settings.canary_max,
        "window_seconds": window,
        "window_source": source,
        "default_window_seconds": settings.canary_window_seconds,
        "lookback_days": settings.canary_lookback_days,
    }


async def plan_canary(session: AsyncSession, c: Campaign, n: int, settings: SenderSettings) -> int:
    """Right after the fan-out, in its transaction: hold all but a random sample; returns the sample size."""
    mode = c.canary or "auto"
    k = sample_size(n, settings) if mode != "off" else 0
    if k and mode == "auto":
        volume = await recent_daily_volume(session, c.project_id, settings.canary_lookback_days, utcnow())
        if n <= volume:
            k = 0
            c.canary_reason = f"no canary: {n} recipients, not more than the {volume} sent in one recent day"
    if not k:
        return 0
    sample = (
        sa.select(M.c.id).where(M.c.campaign_id == c.id).order_by(sa.func.random()).limit(k).scalar_subquery()
    )
    await session.execute(
        sa.update(M)
        .where(M.c.campaign_id == c.id, M.c.state == "queued", M.c.id.not_in(sample))
        .values(state="held")
    )
    c.canary_state, c.canary_size = "sampling", k
    c.canary_reason = f"canary of {k} of {n} recipients"
    return k


@dataclass
class SampleFigures:
    sent: int
    bounced: int
    complained: int

    @property
    def bounce_rate(self) -> float:
        return self.bounced / self.sent if self.sent else 0.0

    @property
    def complaint_rate(self) -> float:
        return self.complained / self.sent if self.sent else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "bounced": self.bounced,
            "complained": self.complained,
            "bounce_rate": round(self.bounce_rate, 6),
            "complaint_rate": round(self.complaint_rate, 6),
        }


async def sample_figures(session: AsyncSession, campaign_id: int) -> SampleFigures:
    """Sent mail of the sample and the counted bounces / complaints the events service recorded for it."""
    sample = sa.and_(M.c.campaign_id == campaign_id, M.c.state != "held", M.c.sent_at.is_not(None))
    sent = int(await session.scalar(sa.select(sa.func.count()).select_from(M).where(sample)) or 0)
    E = EmailEvent.__table__
    rows = (
        await session.execute(
            sa.select(E.c.event_type, sa.func.count(sa.distinct(E.c.message_id)))
            .select_from(E.join(M, M.c.id == E.c.message_id))
            .where(sample, E.c.counted.is_(True), E.c.event_type.in_(("bounce", "complaint")))
            .group_by(E.c.event_type)
        )
    ).all()
    counts = {t: int(v) for t, v in rows}
    return SampleFigures(sent, counts.get("bounce", 0), counts.get("complaint", 0))


async def release(
    session: AsyncSession,
    c: Campaign,
    now: datetime,
    *,
    why: str,
    states: tuple[str, ...] = ("waiting", "held"),
) -> int | None:
    """canary_hold → sending, the held rest queued; guarded by the canary state: None when another won."""
    r = await session.execute(
        sa.update(Campaign)
        .where(Campaign.id == c.id, Campaign.status == "canary_hold", Campaign.canary_state.in_(states))
        .values(status="sending", canary_state="released", canary_reason=why, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if not r.rowcount:
        return None
    q = await session.execute(
        sa.update(M)
        .where(M.c.campaign_id == c.id, M.c.state == "held")
        .values(state="queued", send_after=now, claimed_until=None, updated_at=now)
    )
    c.status, c.canary_state, c.canary_reason = "sending", "released", why
    return int(q.rowcount or 0)


async def close_samples(session: AsyncSession, settings: SenderSettings, now: datetime) -> int:
    """sampling → waiting for campaigns whose sample has nothing left to send; the window starts now."""
    open_rows = sa.exists().where(M.c.campaign_id == Campaign.id, M.c.state.in_(OPEN))
    rows = (
        (
            await session.execute(
                sa.select(Campaign).where(
                    Campaign.status == "sending", Campaign.canary_state == "sampling", ~open_rows
                )
            )
        )
        .scalars()
        .all()
    )
    n = 0
    for c in rows:
        until = now + timedelta(seconds=await window_seconds(session, c, settings))
        r = await session.execute(
            sa.update(Campaign)
            .where(Campaign.id == c.id, Campaign.status == "sending", Campaign.canary_state == "sampling")
            .values(status="canary_hold", canary_state="waiting", canary_until=until, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        n += int(r.rowcount or 0)
    return n


async def judge(session: AsyncSession, c: Campaign, now: datetime) -> str | None:
    """The window ended: release the rest, or hold and mail the owner once. The outcome, None if lost the race."""
    fig = await sample_figures(session, c.id)
    th, _ = await project_thresholds(session, c.project_id)
    over = []
    if fig.sent == 0:
        over.append("no mail of the sample was sent")
    if fig.sent and fig.bounce_rate >= th["pause_bounce_rate"]:
        over.append(
            f"bounce rate {fig.bounce_rate:.2%} reached the pause threshold {th['pause_bounce_rate']:.2%}"
        )
    if fig.sent and fig.complaint_rate >= th["pause_complaint_rate"]:
        over.append(
            f"complaint rate {fig.complaint_rate:.2%} reached the pause threshold {th['pause_complaint_rate']:.2%}"
        )
    figures = f"{fig.sent} sent, {fig.bounced} bounced, {fig.complained} complained"
    if not over:
        n = await release(session, c, now, why=f"canary passed ({figures})", states=("waiting",))
        if n is None:
            return None
        log.info("campaign %s: canary passed (%s), %d released", c.id, figures, n)
        return "released"
    reason = f"canary held the campaign: {'; '.join(over)} ({figures})"
    r = await session.execute(
        sa.update(Campaign)
        .where(Campaign.id == c.id, Campaign.status == "canary_hold", Campaign.canary_state == "waiting")
        .values(canary_state="held", canary_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if not r.rowcount:
        return None
    held = int(
        await session.scalar(
            sa.select(sa.func.count()).select_from(M).where(M.c.campaign_id == c.id, M.c.state == "held")
        )
        or 0
    )
    await _mail_owner(session, c, reason, held, now)
    log.warning("campaign %s: %s", c.id, reason)
    return "held"


async def _mail_owner(session: AsyncSession, c: Campaign, reason: str, held: int, now: datetime) -> None:
    owner = await session.scalar(sa.select(Project.owner_email).where(Project.id == c.project_id))
    if not owner:
        log.warning(
            "project %s has no owner_email: the canary hold of campaign %s is not mailed", c.project_id, c.id
        )
        return
    text = (
        f"Your campaign {c.name!r} sent its canary sample and then stopped: {reason}.\n\n"
        f"The other {held} recipients have not been mailed. Sending them would likely push your Amazon SES "
        "account's bounce or complaint rate past what AWS tolerates. Clean the list (remove the addresses "
        "that bounced or complained, check where they came from), then release the campaign if you are sure, "
        "or cancel it — from the campaign's page or with POST /v1/campaigns/{id}/release or /cancel.\n"
    ).replace("{id}", str(c.id))
    await insert_transactional(
        session,
        {
            "project_id": c.project_id,
            "kind": "notification",
            "state": "queued",
            "to_address": owner,
            "email_hash": address_hash(owner),
            "subject": f"Sesame held your campaign {c.name!r} after its canary",
            "text": text,
            "data": {"headers": {}, "tags": {}, "meta": {"campaign_id": c.id}},
            "idempotency_key": f"canary-held:{c.id}",
            "attempts": 0,
            "send_after": now,
            "created_at": now,
            "updated_at": now,
        },
    )


async def advance_canaries(rt: Runtime, settings: SenderSettings) -> dict[str, int]:
    """One sweep step: close finished samples, judge ended windows (each campaign in its own transaction)."""
    now = utcnow()
    out = {"waiting": 0, "released": 0, "held": 0}
    async with rt.uow() as session:
        out["waiting"] = await close_samples(session, settings, now)
    async with rt.uow() as session:
        due = list(
            (
                await session.execute(
                    sa.select(Campaign.id)
                    .where(
                        Campaign.status == "canary_hold",
                        Campaign.canary_state == "waiting",
                        Campaign.canary_until <= now,
                    )
                    .limit(20)
                )
            ).scalars()
        )
    for cid in due:
        async with rt.uow() as session:
            c = (await session.execute(sa.select(Campaign).where(Campaign.id == cid))).scalar_one()
            outcome = await judge(session, c, now)
        if outcome:
            out[outcome] += 1
    return out


async def canary_json(session: AsyncSession, c: Campaign) -> dict[str, Any]:
    """The campaign's canary as the API shows it (sample figures while it matters)."""
    out: dict[str, Any] = {
        "mode": c.canary or "auto",
        "state": c.canary_state,
        "size": c.canary_size or 0,
        "window_seconds": c.canary_window_seconds,
        "until": c.canary_until.isoformat() if c.canary_until else None,
        "reason": c.canary_reason,
    }
    if c.canary_state is not None:
        out["sample"] = (
            (await sample_figures(session, c.id)).as_dict() if c.canary_state != "released" else None
        )
    return out
