"""The reputation guard: per-project warn / pause thresholds, one notification per crossing, explicit resume."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.events import metrics
from services.events.notify import mail_owner
from services.events.reputation import WINDOWS, window_rates
from services.events.settings import EventsSettings
from shared.contracts.project import ProjectPaused, ProjectResumed
from shared.db.types import utcnow
from shared.db.upsert import dialect_name, insert
from shared.errors import Conflict
from shared.models.events import ProjectGuard
from shared.outbox import enqueue

log = logging.getLogger("sesame.events.guard")
THRESHOLDS = ("warn_bounce_rate", "warn_complaint_rate", "pause_bounce_rate", "pause_complaint_rate")


async def guard_row(session: AsyncSession, project_id: int, *, lock: bool = False) -> ProjectGuard:
    """The project's guard row, created with defaults on first use (locked FOR UPDATE on Postgres if asked)."""
    await session.flush()  # pending changes to the row must not be overwritten by the reload below
    q = (
        sa.select(ProjectGuard)
        .where(ProjectGuard.project_id == project_id)
        .execution_options(populate_existing=True)
    )
    if lock and dialect_name(session) == "postgresql":
        q = q.with_for_update()
    row = (await session.scalars(q)).first()
    if row is not None:
        return row
    await session.execute(
        insert(ProjectGuard.__table__, session)
        .values(
            project_id=project_id,
            state="ok",
            digest="daily",
            crossings=0,
            pause_transactional=False,
            updated_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["project_id"])
    )
    return (await session.scalars(q)).one()


def thresholds(g: ProjectGuard, settings: EventsSettings) -> dict[str, float]:
    return {k: (getattr(g, k) if getattr(g, k) is not None else getattr(settings, k)) for k in THRESHOLDS}


@dataclass
class Verdict:
    level: str  # ok | warning | paused
    reason: str | None
    detail: str
    windows: list[dict[str, Any]]


async def assess(session: AsyncSession, g: ProjectGuard, settings: EventsSettings, now: datetime) -> Verdict:
    th = thresholds(g, settings)
    level, reason, detail = "ok", None, "rates within thresholds"
    windows = []
    rank = {"ok": 0, "warning": 1, "paused": 2}
    for w in WINDOWS:
        r = await window_rates(
            session, g.project_id, w, min_volume=settings.min_volume, now=now, since=g.guard_since
        )
        windows.append(r.as_dict())
        for metric, rate in (("bounce", r.bounce_rate), ("complaint", r.complaint_rate)):
            if rate is None:
                continue
            for lvl, key in (("paused", f"pause_{metric}_rate"), ("warning", f"warn_{metric}_rate")):
                if rate >= th[key] and rank[lvl] > rank[level]:
                    level, reason = lvl, f"{metric}_rate"
                    detail = (
                        f"{metric} rate {rate:.2%} over the last {w} ({r.sent} sent) reached the "
                        f"{'pause' if lvl == 'paused' else 'warning'} threshold {th[key]:.2%}"
                    )
    return Verdict(level, reason, detail, windows)


async def evaluate(
    session: AsyncSession, project_id: int, settings: EventsSettings, now: datetime | None = None
) -> str:
    """Re-assess a project after counted feedback; acts once per crossing. Returns the guard state."""
    now = now or utcnow()
    g = await guard_row(session, project_id, lock=True)
    verdict = await assess(session, g, settings, now)
    current = g.state
    if current == "paused":
        return current  # only an explicit resume leaves "paused"
    if verdict.level == current:
        return current
    g.state = verdict.level
    g.state_reason = verdict.detail
    g.state_changed_at = now
    g.updated_at = now
    if verdict.level == "ok":
        return g.state  # warning cleared: no mail
    g.crossings += 1
    crossing = g.crossings
    metrics.GUARD.labels(verdict.level).inc()
    if verdict.level == "paused":
        paused = ProjectPaused(
            project_id=project_id,
            reason=verdict.reason or "bounce_rate",
            detail=verdict.detail,
            pause_transactional=g.pause_transactional,
            at=now,
        )
        enqueue(
            session,
            ProjectPaused.ROUTING_KEY,
            paused.payload(),
            message_id=f"guard-pause-{project_id}-{crossing}",
        )
        log.warning("project %s paused by the guard: %s", project_id, verdict.detail)
        await mail_owner(
            session,
            project_id,
            subject="Sesame paused marketing sends for your project",
            text=(
                f"{verdict.detail}.\n\nMarketing sends are paused"
                f"{' (transactional mail too)' if g.pause_transactional else ' (transactional mail continues)'}"
                " to protect your Amazon SES account. Review recent bounces and complaints, clean the lists, "
                "then resume sending explicitly (POST /v1/guard/resume)."
            ),
            key=f"guard-pause:{project_id}:{crossing}",
        )
    else:
        await mail_owner(
            session,
            project_id,
            subject="Sesame warning: your bounce or complaint rate is rising",
            text=f"{verdict.detail}.\n\nIf it keeps rising, Sesame pauses marketing sends.",
            key=f"guard-warn:{project_id}:{crossing}",
        )
    return g.state


async def resume(
    session: AsyncSession, project_id: int, by: str, now: datetime | None = None
) -> ProjectGuard:
    """Explicit operator/owner resume: paused → ok, publishes project.resumed; the guard starts afresh."""
    now = now or utcnow()
    g = await guard_row(session, project_id, lock=True)
    if g.state != "paused":
        raise Conflict("the project is not paused", error="not_paused")
    g.state = "ok"
    g.state_reason = f"resumed by {by}"
    g.state_changed_at = now
    g.guard_since = now
    g.resumed_by = by
    g.updated_at = now
    event = ProjectResumed(project_id=project_id, by=by, at=now)
    enqueue(
        session,
        ProjectResumed.ROUTING_KEY,
        event.payload(),
        message_id=f"guard-resume-{project_id}-{g.crossings}",
    )
    return g


async def describe(session: AsyncSession, project_id: int, settings: EventsSettings) -> dict[str, Any]:
    g = await guard_row(session, project_id)
    verdict = await assess(session, g, settings, utcnow())
    return {
        "state": g.state,
        "reason": g.state_reason,
        "state_changed_at": g.state_changed_at.isoformat() if g.state_changed_at else None,
        "crossings": g.crossings,
        "resumed_by": g.resumed_by,
        "guard_since": g.guard_since.isoformat() if g.guard_since else None,
        "thresholds": thresholds(g, settings),
        "pause_transactional": g.pause_transactional,
        "min_volume": settings.min_volume,
        "current": {"level": verdict.level, "detail": verdict.detail, "windows": verdict.windows},
        "policy": {
            "soft_bounce_threshold": g.soft_bounce_threshold or settings.soft_bounce_threshold,
            "soft_bounce_window_days": g.soft_bounce_window_days or settings.soft_bounce_window_days,
            "digest": g.digest,
        },
    }
