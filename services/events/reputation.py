"""Reputation figures: hourly buckets of volume and feedback, rolling rates computed the way AWS does.

AWS's bounce rate counts hard bounces only (auto-replies, soft bounces and account-suppression-list bounces
excluded) over the volume sent; the complaint rate counts complaints over sent mail. A rate over too little
volume says nothing, so a window below `min_volume` sends has no rate (None) and never moves the guard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.types import utcnow
from shared.db.upsert import dialect_name, insert
from shared.feedback_counts import counted_feedback
from shared.models.events import ReputationBucket

WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7)}
SERIES = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
COUNTERS = ("sent", "delivered", "hard_bounces", "soft_bounces", "complaints", "rejects")


def hour_of(ts: datetime) -> datetime:
    return ts.replace(minute=0, second=0, microsecond=0)


_UPSERTS: dict[tuple[str, tuple[str, ...]], Any] = {}


async def add_to_bucket(session: AsyncSession, project_id: int, hour: datetime, **increments: int) -> None:
    """Add counts to one (project, hour) bucket in one upsert statement (built once per set of counters)."""
    incs = {k: v for k, v in increments.items() if v}
    if not incs:
        return
    key = (dialect_name(session), tuple(sorted(incs)))
    stmt = _UPSERTS.get(key)
    if stmt is None:
        table = ReputationBucket.__table__
        base = insert(table, session)
        stmt = _UPSERTS[key] = base.on_conflict_do_update(
            index_elements=["project_id", "hour"], set_={k: table.c[k] + base.excluded[k] for k in key[1]}
        )
    await session.execute(stmt, {"project_id": project_id, "hour": hour_of(hour), **incs})


@dataclass
class WindowRates:
    window: str
    sent: int
    hard_bounces: int
    complaints: int
    bounce_rate: float | None
    complaint_rate: float | None

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


async def window_rates(
    session: AsyncSession,
    project_id: int,
    window: str,
    *,
    min_volume: int,
    now: datetime | None = None,
    since: datetime | None = None,
) -> WindowRates:
    """Volume from the hourly buckets, counted feedback from the events themselves (exact to the second)."""
    now = now or utcnow()
    start = now - WINDOWS[window]
    if since is not None and since > start:
        start = since
    sent = await session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ReputationBucket.sent), 0)).where(
            ReputationBucket.project_id == project_id, ReputationBucket.hour >= hour_of(start)
        )
    )
    bounces, complaints = await counted_feedback(session, project_id, start)
    sent = int(sent or 0)
    meaningful = sent >= max(min_volume, 1)
    return WindowRates(
        window=window,
        sent=sent,
        hard_bounces=bounces,
        complaints=complaints,
        bounce_rate=round(bounces / sent, 6) if meaningful else None,
        complaint_rate=round(complaints / sent, 6) if meaningful else None,
    )


async def series(
    session: AsyncSession, project_id: int, span: str, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Hourly buckets over `span` (24h, 7d, 30d), oldest first; hours without activity are omitted."""
    now = now or utcnow()
    start = hour_of(now - SERIES[span])
    rows = (
        await session.scalars(
            sa.select(ReputationBucket)
            .where(ReputationBucket.project_id == project_id, ReputationBucket.hour >= start)
            .order_by(ReputationBucket.hour)
        )
    ).all()
    return [{"hour": r.hour.isoformat(), **{c: getattr(r, c) for c in COUNTERS}} for r in rows]
