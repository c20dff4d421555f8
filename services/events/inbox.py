"""The inbox: raw notifications stored once, dispatched in batches over the bus, processed from the stored row.

The webhook only inserts the row (unique per project + SNS MessageId, ON CONFLICT DO NOTHING) and answers.
A dispatcher loop claims new rows in batches and queues `events.inbox` work items through the outbox; the
consumer processes each row in its own unit of work. A failing row keeps its error and is retried (bus retries,
then the dispatcher's sweep) until `inbox_max_attempts`; it is never deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from services.events import metrics
from services.events.context import EventsContext
from services.events.digest import immediate_digest
from services.events.notify import mail_owner
from services.events.policy import Notification, Outcome, apply_batch
from services.events.ses_feedback import NotSesFeedback, parse_feedback
from shared.bus.protocol import Envelope, MalformedMessage, QueueSpec, TransientError
from shared.db.types import utcnow
from shared.db.upsert import dialect_name, insert
from shared.models.events import SnsInbox
from shared.outbox import enqueue
from shared.runtime import Runtime

log = logging.getLogger("sesame.events.inbox")
INBOX_ROUTING_KEY = "events.inbox"
# Few batches in flight: processing must not starve the webhook of database connections.
INBOX_QUEUE = QueueSpec("events.inbox", [INBOX_ROUTING_KEY], prefetch=2)
PENDING = ("received", "failed")


_STORE: dict[str, Any] = {}


def _store_statement(bind: Any) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id, built once per dialect."""
    name = dialect_name(bind)
    stmt = _STORE.get(name)
    if stmt is None:
        stmt = _STORE[name] = (
            insert(SnsInbox.__table__, bind)
            .on_conflict_do_nothing(index_elements=["project_id", "source", "message_id"])
            .returning(SnsInbox.__table__.c.id)
        )
    return stmt


async def store(
    bind: Any,
    *,
    project_id: int,
    source: str,
    message_id: str,
    body: str,
    topic_arn: str | None = None,
    status: str = "received",
    error: str | None = None,
) -> int | None:
    """Insert a raw notification once (session or connection); returns its id, or None for a duplicate."""
    params = {
        "project_id": project_id,
        "source": source,
        "message_id": message_id,
        "topic_arn": topic_arn,
        "body": body,
        "status": status,
        "attempts": 0,
        "last_error": error,
        "received_at": utcnow(),
    }
    return (await bind.execute(_store_statement(bind), params)).scalar()


async def store_fast(rt: Runtime, ctx: EventsContext, **fields: Any) -> int | None:
    """The webhook's atomic INSERT, outside any unit of work: the ingestion hot path. On Postgres grouped with
    the concurrent requests' rows into one statement (services/events/inbox_writer.py)."""
    if rt.direct.available:
        return await ctx.inbox_writer(rt).insert(
            (
                fields["project_id"],
                fields["source"],
                fields["message_id"],
                fields.get("topic_arn"),
                fields["body"],
                fields.get("status", "received"),
                fields.get("error"),
            )
        )
    async with rt.uow() as session:
        return await store(session, **fields)


async def dispatch_pending(rt: Runtime, ctx: EventsContext) -> int:
    """Claim a batch of undispatched (or stale) rows and queue one work item for them; returns the batch size."""
    s = ctx.settings
    now = utcnow()
    async with rt.uow() as session:
        pick = (
            sa.select(SnsInbox.id)
            .where(
                SnsInbox.status.in_(PENDING),
                SnsInbox.attempts < s.inbox_max_attempts,
                sa.or_(
                    SnsInbox.dispatched_at.is_(None),
                    SnsInbox.dispatched_at < now - timedelta(seconds=s.inbox_redispatch_seconds),
                ),
            )
            .order_by(SnsInbox.id)
            .limit(s.inbox_batch_size)
        )
        if dialect_name(session) == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        ids = list(
            (
                await session.execute(
                    sa.update(SnsInbox)
                    .where(SnsInbox.id.in_(pick.scalar_subquery()))
                    .values(dispatched_at=now)
                    .returning(SnsInbox.id)
                )
            ).scalars()
        )
        if ids:
            ids.sort()
            enqueue(
                session, INBOX_ROUTING_KEY, {"inbox_ids": ids}, message_id=f"inbox-{ids[0]}-{now.timestamp()}"
            )
        return len(ids)


async def dispatcher_loop(rt: Runtime, ctx: EventsContext) -> None:
    """Dispatch whenever the webhook stored something (woken), and sweep every few seconds."""
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(ctx.wake.wait(), 2.0)
        ctx.wake.clear()
        await asyncio.sleep(0.02)  # let a burst accumulate into one batch
        try:
            while await dispatch_pending(rt, ctx) >= ctx.settings.inbox_batch_size:
                pass
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the rows stay, the next sweep retries
            log.warning("inbox dispatch failed, will retry: %r", exc)
            await asyncio.sleep(1.0)


async def process(rt: Runtime, ctx: EventsContext, inbox_id: int) -> Outcome | None:
    """Process one stored row (idempotent: a processed row is skipped). Records the error if it fails."""
    try:
        async with rt.uow() as session:
            outcomes = await _apply_rows(session, ctx, [inbox_id], utcnow())
        for outcome in outcomes:
            outcome.count_metrics()
        return outcomes[0] if outcomes else None
    except Exception as exc:
        metrics.INBOX_FAILED.inc()
        async with rt.uow() as session:
            await session.execute(
                sa.update(SnsInbox)
                .where(SnsInbox.id == inbox_id, SnsInbox.status.in_(PENDING))
                .values(status="failed", attempts=SnsInbox.attempts + 1, last_error=repr(exc)[:2000])
            )
        log.warning("inbox %s failed: %r", inbox_id, exc)
        raise


async def _apply_rows(session: Any, ctx: EventsContext, ids: list[int], now: Any) -> list[Outcome]:
    """Parse and apply the claimable rows among `ids` in the caller's unit of work, as one batch for the policy
    (one statement per step, one guard assessment per project); marks them processed or rejected."""
    q = (
        sa.select(SnsInbox.id, SnsInbox.project_id, SnsInbox.source, SnsInbox.message_id, SnsInbox.body)
        .where(SnsInbox.id.in_(ids), SnsInbox.status.in_(PENDING))
        .order_by(SnsInbox.id)
    )
    if dialect_name(session) == "postgresql":
        q = q.with_for_update(skip_locked=True)
    rows = (await session.execute(q)).all()
    kept, notes = [], []
    for row in rows:
        try:
            items = parse_feedback(row.body)
        except NotSesFeedback as exc:
            await session.execute(
                sa.update(SnsInbox)
                .where(SnsInbox.id == row.id)
                .values(
                    status="rejected",
                    last_error=f"not SES feedback: {exc}",
                    processed_at=now,
                    attempts=SnsInbox.attempts + 1,
                )
            )
            log.warning("inbox %s is not SES feedback: %s", row.id, exc)
            continue
        kept.append(row)
        notes.append(Notification(row.project_id, items, row.id))
    outcomes = await apply_batch(session, notes, ctx.settings, now=now)
    modes: dict[int, str | None] = {}
    for row, outcome in zip(kept, outcomes, strict=True):
        if outcome.rejects:
            await mail_owner(
                session,
                row.project_id,
                subject="Amazon SES rejected messages of your project",
                text="These messages were not sent:\n\n" + "\n".join(outcome.rejects),
                key=f"reject:{row.project_id}:{row.source}:{row.message_id}",
            )
        if outcome.bounces or outcome.complaints:
            await immediate_digest(
                session, row.project_id, outcome, key=f"{row.source}:{row.message_id}", modes=modes
            )
    if kept:
        await session.execute(
            sa.update(SnsInbox)
            .where(SnsInbox.id.in_([row.id for row in kept]))
            .values(status="processed", processed_at=now, last_error=None, attempts=SnsInbox.attempts + 1)
        )
    return outcomes


async def process_batch(rt: Runtime, ctx: EventsContext, ids: list[int]) -> bool:
    """All claimable rows of a batch in one unit of work (one commit, one guard assessment per project).
    False if anything failed: nothing of the batch is kept and the caller falls back to one row at a time."""
    try:
        async with rt.uow() as session:
            outcomes = await _apply_rows(session, ctx, ids, utcnow())
        for outcome in outcomes:
            outcome.count_metrics()
        return True
    except Exception as exc:  # noqa: BLE001 - retried row by row, each failure recorded on its row
        log.info("inbox batch of %d failed (%r); processing it row by row", len(ids), exc)
        return False


def inbox_handler(ctx: EventsContext):  # type: ignore[no-untyped-def]
    def factory(rt: Runtime):  # type: ignore[no-untyped-def]
        async def handle(env: Envelope) -> None:
            ids = env.payload.get("inbox_ids")
            if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
                raise MalformedMessage("inbox_ids must be a list of ints")
            if await process_batch(rt, ctx, ids):
                return
            failed = []
            for inbox_id in ids:
                try:
                    await process(rt, ctx, inbox_id)
                except Exception as exc:  # noqa: BLE001 - recorded on the row; the others still run
                    failed.append((inbox_id, exc))
            if failed:
                raise TransientError(f"{len(failed)} inbox row(s) failed, first: {failed[0][1]!r}")

        return handle

    return factory
