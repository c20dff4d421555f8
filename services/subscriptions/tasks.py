"""Background loops: paused subscriptions whose pause is over go back to `active` (logged, source system).

Readers never depend on this loop for correctness: `shared.models.subscriptions.receiving_clause` already treats
a pause whose `paused_until` has passed as active; the loop makes the stored state and the change log catch up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import sqlalchemy as sa

from services.subscriptions.membership import set_status
from shared.db.types import utcnow
from shared.db.upsert import dialect_name
from shared.models.subscriptions import Subscription
from shared.runtime import Runtime

log = logging.getLogger("sesame.subscriptions.tasks")


async def resume_due(rt: Runtime, batch: int = 500) -> int:
    """Flip every paused subscription whose pause ended; returns how many."""
    total = 0
    while True:
        async with rt.uow() as session:
            q = (
                sa.select(Subscription)
                .where(
                    Subscription.status == "paused",
                    Subscription.paused_until.is_not(None),
                    Subscription.paused_until <= utcnow(),
                )
                .order_by(Subscription.id)
                .limit(batch)
                .execution_options(populate_existing=True)
            )
            if dialect_name(session) == "postgresql":
                q = q.with_for_update(skip_locked=True)
            subs = list((await session.scalars(q)).all())
            for sub in subs:
                await set_status(session, sub, "active", "system", detail="pause ended")
        total += len(subs)
        if len(subs) < batch:
            return total


def resume_loop(interval: float) -> Callable[[Runtime], Awaitable[None]]:
    async def resume_paused_subscriptions(rt: Runtime) -> None:
        while True:
            try:
                n = await resume_due(rt)
                if n:
                    log.info("resumed %d paused subscriptions", n)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - try again next round
                log.warning("resuming paused subscriptions failed: %r", exc)
            await asyncio.sleep(interval)

    return resume_paused_subscriptions
