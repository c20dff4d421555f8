"""Transactional outbox: `enqueue` writes the message with the state change; `OutboxRelay` publishes after commit.

Nothing is published for a rolled-back transaction (the row never existed). A crash between commit and
publish leaves the row unpublished, and the relay's periodic sweep publishes it later: delayed, never lost.
A crash between publish and marking may publish twice, so every consumer is idempotent (message_id).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.bus.protocol import Bus, OutgoingMessage
from shared.db.types import utcnow
from shared.db.upsert import dialect_name
from shared.domain_log import log_published
from shared.models.core import OutboxMessage

log = logging.getLogger("sesame.outbox")


def enqueue(
    session: AsyncSession,
    routing_key: str,
    payload: dict[str, Any],
    *,
    message_id: str | None = None,
    headers: dict[str, Any] | None = None,
) -> str:
    """Add a message to the current transaction's outbox; returns its message id."""
    mid = message_id or uuid.uuid4().hex
    session.add(
        OutboxMessage(message_id=mid, routing_key=routing_key, payload=payload, headers=headers or {})
    )
    mark_enqueued(session)
    return mid


_INSERT_MANY_PG = sa.text(
    "INSERT INTO outbox (message_id, routing_key, payload, headers, created_at, attempts)"
    " SELECT v.mid, v.rk, CAST(v.p AS jsonb), CAST('{}' AS jsonb), :now, 0"
    " FROM unnest(CAST(:mids AS text[]), CAST(:rks AS text[]), CAST(:ps AS text[])) WITH ORDINALITY AS v(mid, rk, p, n)"
    " ORDER BY v.n"
)


async def enqueue_many(
    session: AsyncSession,
    messages: list[tuple[str, dict[str, Any]]],
    *,
    message_ids: list[str] | None = None,
) -> None:
    """Add many (routing_key, payload) messages to the current transaction's outbox, in order, in one statement
    on Postgres (an executemany runs its INSERT once per row); `message_ids` when the caller keys them."""
    if not messages:
        return
    now = utcnow()
    if message_ids is not None and len(message_ids) != len(messages):
        raise ValueError("one message id per message")
    mids = message_ids if message_ids is not None else [uuid.uuid4().hex for _ in messages]
    if dialect_name(session) == "postgresql":
        await session.execute(
            _INSERT_MANY_PG,
            {
                "mids": mids,
                "rks": [rk for rk, _ in messages],
                "ps": [json.dumps(p) for _, p in messages],
                "now": now,
            },
        )
    else:
        await session.execute(
            sa.insert(cast(sa.Table, OutboxMessage.__table__)),
            [
                {
                    "message_id": mid,
                    "routing_key": rk,
                    "payload": p,
                    "headers": {},
                    "created_at": now,
                    "attempts": 0,
                }
                for mid, (rk, p) in zip(mids, messages, strict=True)
            ],
        )
    mark_enqueued(session)


def mark_enqueued(session: AsyncSession) -> None:
    """This transaction wrote outbox rows (by `enqueue` or its own INSERT): wake the relay once it commits."""
    session.info["outbox_dirty"] = True


def _headers(stored: str | None) -> dict[str, Any]:
    return json.loads(stored) if stored and stored != "{}" else {}


class OutboxRelay:
    """Publishes committed outbox rows in id order, with publisher confirms, in batches."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        bus: Bus,
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        keep_published_seconds: float = 3600.0,
        final_flush_seconds: float = 5.0,
        linger_seconds: float = 0.025,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._bus = bus
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._keep = keep_published_seconds
        self.final_flush_seconds = final_flush_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_cleanup = 0.0
        self._linger = linger_seconds
        self._last_flush = 0.0

    def notify(self) -> None:
        """Something was committed: publish it now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        # A last publish of what committed meanwhile; bounded, since the broker may be the reason we stop.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.flush(), self.final_flush_seconds)

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._poll_interval)
            # Group the commits of a busy moment into one batch: a flush starts at least `linger` after the
            # previous one ended (no delay when idle). Under load, one batch per commit cost ~230 µs of this process
            # per row, plus the database's share (bench/gateway_signup.py at ~1,500 signups/s).
            wait = self._last_flush + self._linger - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._wake.clear()
            try:
                await self.flush()
                self._last_flush = loop.time()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - keep relaying; the rows stay for the next sweep
                log.warning("outbox relay failed, will retry: %r", exc)
                await asyncio.sleep(self._poll_interval)

    async def flush(self) -> int:
        """Publish every committed, unpublished row; returns how many were published."""
        total = 0
        while True:
            n = await self._publish_batch()
            total += n
            if n < self._batch_size:
                break
        loop_time = asyncio.get_running_loop().time()
        if loop_time - self._last_cleanup > 60:
            self._last_cleanup = loop_time
            await self._cleanup()
        return total

    async def _publish_batch(self) -> int:
        # Core rows, not ORM objects: no identity map to fill and re-synchronise for every relayed message. The
        # payload is read as the JSON text it is stored as and sent as is (decoding and encoding it again was
        # most of the relay's CPU per message), and on Postgres the rows are marked with one array parameter
        # rather than an IN list compiled per row.
        t = cast(sa.Table, OutboxMessage.__table__)
        async with self._sessionmaker() as session, session.begin():
            postgres = dialect_name(session) == "postgresql"
            q = (
                sa.select(t.c.id, t.c.routing_key, sa.cast(t.c.payload, sa.Text).label("body"), t.c.message_id,
                          sa.cast(t.c.headers, sa.Text).label("headers"))
                .where(t.c.published_at.is_(None))
                .order_by(t.c.id)
                .limit(self._batch_size)
            )  # fmt: skip
            if postgres:
                q = q.with_for_update(skip_locked=True)
            rows = (await session.execute(q)).all()
            if not rows:
                return 0
            await self._bus.publish_many(
                [
                    OutgoingMessage(r.routing_key, {}, r.message_id, _headers(r.headers), r.body.encode())
                    for r in rows
                ]
            )
            ids = [r.id for r in rows]
            which = (
                t.c.id == sa.any_(sa.cast(sa.bindparam("ids", ids), ARRAY(sa.BigInteger)))
                if postgres
                else t.c.id.in_(ids)
            )
            await session.execute(
                sa.update(t).where(which).values(published_at=utcnow(), attempts=t.c.attempts + 1)
            )
        # Once published and marked: a batch published again after a failed mark is described only once.
        log_published((r.routing_key, r.body) for r in rows)
        return len(rows)

    async def _cleanup(self) -> None:
        cutoff = utcnow().timestamp() - self._keep
        from datetime import UTC, datetime

        async with self._sessionmaker() as session, session.begin():
            await session.execute(
                sa.delete(OutboxMessage).where(
                    OutboxMessage.published_at.is_not(None),
                    OutboxMessage.published_at < datetime.fromtimestamp(cutoff, UTC),
                )
            )
