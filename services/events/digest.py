"""Owner digests of bounces and complaints: immediate (one mail per notification), hourly or daily."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.events.notify import mail_owner
from shared.db.types import utcnow
from shared.models.events import EmailEvent, ProjectGuard

if TYPE_CHECKING:
    from services.events.context import EventsContext
    from services.events.policy import Outcome
    from shared.runtime import Runtime

log = logging.getLogger("sesame.events.digest")
PERIODS = {"hourly": timedelta(hours=1), "daily": timedelta(days=1)}


async def immediate_digest(
    session: AsyncSession,
    project_id: int,
    outcome: Outcome,
    *,
    key: str,
    modes: dict[int, str | None] | None = None,
) -> None:
    """Mail the owner now if the project's digest is `immediate` (`modes`: a per-batch cache of the setting)."""
    if modes is not None and project_id in modes:
        mode = modes[project_id]
    else:
        mode = await session.scalar(
            sa.select(ProjectGuard.digest).where(ProjectGuard.project_id == project_id)
        )
        if modes is not None:
            modes[project_id] = mode
    if mode != "immediate":
        return
    lines = [f"{outcome.bounces} bounce(s), {outcome.complaints} complaint(s)."]
    if outcome.suppressed:
        lines.append("Suppressed: " + ", ".join(sorted(set(outcome.suppressed))))
    await mail_owner(
        session,
        project_id,
        subject="Sesame: new bounces or complaints",
        text="\n".join(lines),
        key=f"digest-now:{project_id}:{key}",
    )
    await session.execute(
        sa.update(EmailEvent)
        .where(EmailEvent.id.in_(outcome.events), EmailEvent.digested_at.is_(None))
        .values(digested_at=utcnow())
    )


async def send_due_digests(session: AsyncSession, now: datetime | None = None) -> int:
    """One digest per project whose period elapsed and that has undigested bounces/complaints."""
    now = now or utcnow()
    sent = 0
    guards = (
        await session.scalars(sa.select(ProjectGuard).where(ProjectGuard.digest.in_(tuple(PERIODS))))
    ).all()
    for g in guards:
        period = PERIODS[g.digest]
        if g.digest_sent_at is not None and now - g.digest_sent_at < period:
            continue
        pending = (
            EmailEvent.project_id == g.project_id,
            EmailEvent.digested_at.is_(None),
            EmailEvent.event_type.in_(("bounce", "complaint")),
        )
        rows = (
            await session.execute(
                sa.select(
                    EmailEvent.event_type, EmailEvent.bounce_type, sa.func.count(), sa.func.max(EmailEvent.id)
                )
                .where(*pending)
                .group_by(EmailEvent.event_type, EmailEvent.bounce_type)
            )
        ).all()
        if not rows:
            continue
        top = max(r[3] for r in rows)
        summary: dict[str, Any] = {}
        for etype, btype, n, _ in rows:
            summary[f"{etype}{'/' + btype if btype else ''}"] = int(n)
        suppressed = (
            await session.scalars(
                sa.select(EmailEvent.email)
                .where(*pending, EmailEvent.suppressed.is_(True), EmailEvent.id <= top)
                .order_by(EmailEvent.id)
                .limit(50)
            )
        ).all()
        text = "\n".join(
            [f"Feedback since the last {g.digest} digest:"]
            + [f"  {k}: {v}" for k, v in sorted(summary.items())]
            + (
                ["", "Suppressed addresses (first 50):"] + [f"  {e}" for e in suppressed if e]
                if suppressed
                else []
            )
        )
        await mail_owner(
            session,
            g.project_id,
            subject=f"Sesame {g.digest} digest: bounces and complaints",
            text=text,
            key=f"digest:{g.project_id}:{g.digest}:{top}",
        )
        await session.execute(
            sa.update(EmailEvent).where(*pending, EmailEvent.id <= top).values(digested_at=now)
        )
        g.digest_sent_at = now
        sent += 1
    return sent


async def digest_loop(rt: Runtime, ctx: EventsContext) -> None:
    while True:
        await asyncio.sleep(ctx.settings.digest_interval_seconds)
        try:
            async with rt.uow() as session:
                await send_due_digests(session)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - next round retries
            log.warning("digest round failed: %r", exc)
