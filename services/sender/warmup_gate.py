"""Whether an account's warm-up may step up: the project's rolling rates, as the events service computes them,
must stay under its warn thresholds.

The rates are the guard's: counted feedback (hard bounces, real complaints — `email_events.counted`) over the
volume sent in the 24-hour and 7-day windows (the guard's `guard_since` restarts them after a resume). The volume
is the larger of the events service's hourly buckets and our own sent rows, so an account whose SES
configuration publishes no Send events is still judged. A guard already at `warning` or `paused` blocks too, and
so does a week without any mail (no evidence that the current step is healthy).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.types import utcnow
from shared.feedback_counts import counted_feedback
from shared.guard_thresholds import project_thresholds
from shared.models.events import ProjectGuard, ReputationBucket
from shared.models.sender import Message

WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7)}


@dataclass
class WarmupVerdict:
    ok: bool
    reason: str | None
    windows: list[dict[str, Any]] = field(default_factory=list)


async def _window(session: AsyncSession, project_id: int, start: datetime) -> dict[str, Any]:
    hour = start.replace(minute=0, second=0, microsecond=0)
    bucket_sent = await session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ReputationBucket.sent), 0)).where(
            ReputationBucket.project_id == project_id, ReputationBucket.hour >= hour
        )
    )
    own_sent = await session.scalar(
        sa.select(sa.func.count())
        .select_from(Message)
        .where(Message.project_id == project_id, Message.sent_at.is_not(None), Message.sent_at >= start)
    )
    b, c = await counted_feedback(session, project_id, start)
    sent = max(int(bucket_sent or 0), int(own_sent or 0))
    return {
        "sent": sent,
        "hard_bounces": b,
        "complaints": c,
        "bounce_rate": round(b / sent, 6) if sent else None,
        "complaint_rate": round(c / sent, 6) if sent else None,
    }


async def warmup_verdict(
    session: AsyncSession, project_id: int, now: datetime | None = None
) -> WarmupVerdict:
    """May the warm-up step up now? With the reason when not."""
    now = now or utcnow()
    th, state = await project_thresholds(session, project_id)
    since = await session.scalar(
        sa.select(ProjectGuard.guard_since).where(ProjectGuard.project_id == project_id)
    )
    windows = []
    problems = []
    if state in ("warning", "paused"):
        problems.append(f"the reputation guard is at {state}")
    for name, span in WINDOWS.items():
        start = now - span
        if since is not None and since > start:
            start = since
        w = {"window": name, **await _window(session, project_id, start)}
        windows.append(w)
        for metric in ("bounce", "complaint"):
            rate, limit = w[f"{metric}_rate"], th[f"warn_{metric}_rate"]
            if rate is not None and rate >= limit:
                problems.append(
                    f"{metric} rate {rate:.2%} over the last {name} is at or over the warning threshold {limit:.2%}"
                )
    if windows and windows[-1]["sent"] == 0:
        problems.append("nothing was sent over the last 7d")
    if problems:
        return WarmupVerdict(False, "; ".join(dict.fromkeys(problems)), windows)
    return WarmupVerdict(True, None, windows)
