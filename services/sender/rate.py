"""The send rate shared by every sender replica: a GCRA token bucket per SES account, held in `rate_buckets`.

Each account's row stores `tat`, the epoch time of its next free send slot. Taking n tokens is one short
transaction (row lock on Postgres, BEGIN IMMEDIATE on SQLite): slots start at max(tat, now), are spaced
1 / (rate × safety) apart, and may be reserved at most `horizon` seconds ahead; `tat` moves past the last slot
granted. The caller waits for each slot before its SES call. There is no burst allowance, and the spacing leaves
room for `jitter` seconds of lateness between a slot and the moment its request reaches SES (see
`effective_rate`), so no one-second window ever holds more than the SES max send rate. Replicas on different hosts must share a clock (NTP): an offset of ε seconds lets at
most ε × rate extra sends into one window.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db.types import utcnow
from shared.db.upsert import dialect_name, insert
from shared.models.sender import RateBucket

UNLIMITED = float("inf")


@dataclass
class Grant:
    slots: list[float]  # epoch seconds, one per granted token
    retry_at: float | None = None  # when nothing was granted: try again at this time


class SharedRateLimiter:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        safety: float = 1.0,
        horizon: float = 0.5,
        jitter: float = 0.025,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._safety = safety
        self._jitter = jitter
        self._horizon = horizon

    def effective_rate(self, max_send_rate: float) -> float:
        """Slots per second handed out for an SES max send rate R.

        Slots 1/r apart put ⌊T·r⌋ + 1 slots into any window of length T. For at most R sends in any one-second
        window even when a request reaches SES up to `jitter` seconds late, (1 + jitter)·r + 1 ≤ R, so
        r = (R − 1) / (1 + jitter) (R = 50, jitter 25 ms → 47.8/s, 95.6 % of R), times `safety`.
        """
        if max_send_rate is None or max_send_rate <= 0 or math.isinf(max_send_rate):
            return UNLIMITED
        if max_send_rate <= 1:
            return max_send_rate / (1.0 + self._jitter)
        return (max_send_rate - 1.0) / (1.0 + self._jitter) * self._safety

    def unlimited(self, max_send_rate: float) -> bool:
        return self.effective_rate(max_send_rate) == UNLIMITED

    async def take(self, key: str, max_send_rate: float, n: int) -> Grant:
        """Reserve up to `n` slots now (possibly fewer, possibly none with a retry time)."""
        rate = self.effective_rate(max_send_rate)
        if rate == UNLIMITED or n <= 0:
            return Grant([time.time()] * max(n, 0))
        interval = 1.0 / rate
        async with self._sessionmaker() as session, session.begin():
            q = sa.select(RateBucket.tat).where(RateBucket.key == key)
            if dialect_name(session) == "postgresql":
                q = q.with_for_update()
            tat = (await session.execute(q)).scalar_one_or_none()
            if tat is None:
                stmt = insert(RateBucket.__table__, session).values(
                    key=key, rate=rate, tat=0.0, updated_at=utcnow()
                )
                await session.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))
                tat = (await session.execute(q)).scalar_one()
            now = time.time()
            start = max(float(tat), now)
            room = now + self._horizon - start
            granted = min(n, int(room / interval) + 1) if room >= 0 else 0
            if granted <= 0:
                return Grant([], retry_at=start - self._horizon)
            new_tat = start + granted * interval
            await session.execute(
                sa.update(RateBucket)
                .where(RateBucket.key == key)
                .values(tat=new_tat, rate=rate, updated_at=utcnow())
            )
        return Grant([start + i * interval for i in range(granted)])

    async def acquire(self, key: str, max_send_rate: float, n: int) -> list[float]:
        """Slots for all `n` tokens, waiting (without holding any lock) while the bucket is ahead."""
        slots: list[float] = []
        while len(slots) < n:
            grant = await self.take(key, max_send_rate, n - len(slots))
            slots.extend(grant.slots)
            if grant.retry_at is not None:
                await asyncio.sleep(max(0.0, grant.retry_at - time.time()))
        return slots

    async def penalize(self, key: str, seconds: float) -> None:
        """SES throttled us anyway: push every replica's next slot back (the bucket slows down for a while)."""
        async with self._sessionmaker() as session, session.begin():
            now = time.time()
            await session.execute(
                sa.update(RateBucket)
                .where(RateBucket.key == key)
                .values(
                    tat=sa.func.max(RateBucket.tat, now + seconds)
                    if dialect_name(session) == "sqlite"
                    else sa.func.greatest(RateBucket.tat, now + seconds)
                )
            )


async def wait_until(slot: float) -> None:
    delay = slot - time.time()
    if delay > 0:
        await asyncio.sleep(delay)
