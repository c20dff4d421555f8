"""Webhook deliveries: written in the transaction that consumes the event, then claimed, POSTed, retried.

At least once: a delivery row exists before its event is acknowledged; a replica claims due rows with one guarded
UPDATE (status and claim time in the WHERE, a claim token to read back what it won), so two replicas never make
the same attempt; a claim left by a crashed replica expires and the row is due again. Failures retry on the
schedule of `webhook_retry_schedule_seconds` with ±20 % jitter; when it is exhausted the delivery fails, the
endpoint is disabled and the owner gets one mail.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.events.notify import mail_owner
from services.events.settings import CLAIM_MARGIN_SECONDS, EventsSettings
from services.events.webhooks import catalog, signing
from services.events.webhooks.safe_http import PostResult, WebhookClient, parse_networks
from shared.crypto import WEBHOOK_SECRET, EncryptionKeyError, decrypt
from shared.db.types import utcnow
from shared.db.upsert import insert
from shared.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from shared.runtime import Runtime

log = logging.getLogger("sesame.events.webhooks")
D = WebhookDelivery.__table__
E = WebhookEndpoint.__table__


# The delivery's last_error when the stored secret cannot be read: the operator's to fix, not the receiver's.
UNREADABLE_SECRET = (
    "not sent: the endpoint's signing secret cannot be decrypted with the configured SESAME_ENCRYPTION_KEY "
    "(an operator must restore the key or run `sesame secrets rotate-key`; then replay this delivery)"
)


def active_secrets(ep: Any, now: datetime, key: str) -> list[str]:
    """The secrets that sign now, decrypted with `key`: the current one, and the previous one until its overlap
    ends. Raises EncryptionKeyError when one cannot be read."""
    out = [decrypt(key, ep.secret_enc, what=WEBHOOK_SECRET)]
    if ep.previous_secret_enc and ep.previous_secret_expires_at and ep.previous_secret_expires_at > now:
        out.append(decrypt(key, ep.previous_secret_enc, what=WEBHOOK_SECRET))
    return out


async def enqueue_event(
    session: AsyncSession,
    settings: EventsSettings,
    project_id: int,
    event_type: str,
    source_id: str,
    data: dict[str, Any],
    *,
    endpoint_id: int | None = None,
) -> int:
    """One delivery per enabled endpoint of the project whose filter takes `event_type` (idempotent by
    `source_id`); returns how many were new."""
    q = sa.select(E.c.id, E.c.event_types).where(E.c.project_id == project_id, E.c.enabled.is_(True))
    if endpoint_id is not None:
        q = q.where(E.c.id == endpoint_id)
    # One endpoint asked for explicitly (a test event) gets it whatever its filter says.
    targets = [
        r.id
        for r in await session.execute(q)
        if endpoint_id is not None or catalog.matches(r.event_types, event_type)
    ]
    if not targets:
        return 0
    now = utcnow()
    doc = catalog.body(event_type, data, at=now.isoformat())
    too_big = len(doc.encode()) > settings.webhook_max_payload_bytes
    eid = catalog.event_id(source_id)
    rows = [
        {
            "project_id": project_id,
            "endpoint_id": t,
            "event_id": eid,
            "event_type": event_type,
            "body": doc,
            "status": "failed" if too_big else "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "manual": False,
            "last_error": f"payload over {settings.webhook_max_payload_bytes} bytes: not sent"
            if too_big
            else None,
            "created_at": now,
            "updated_at": now,
        }
        for t in targets
    ]
    stmt = insert(D, session).values(rows).on_conflict_do_nothing(index_elements=["endpoint_id", "event_id"])
    result = await session.execute(stmt)
    return int(result.rowcount or 0)


_RECORD = (
    sa.update(D)
    .where(D.c.id == sa.bindparam("_id"))
    .values(
        status=sa.bindparam("status"),
        next_attempt_at=sa.bindparam("next_at"),
        attempts=sa.bindparam("attempts"),
        last_status_code=sa.bindparam("code"),
        last_latency_ms=sa.bindparam("latency"),
        last_error=sa.bindparam("error"),
        claim_token=None,
        claimed_until=None,
        manual=False,
        updated_at=sa.bindparam("now"),
    )
)


def _due(now: datetime) -> Any:
    return sa.or_(
        sa.and_(D.c.status == "pending", D.c.next_attempt_at <= now),
        sa.and_(D.c.status == "delivering", D.c.claimed_until < now),
    )


class Deliverer:
    """Claims due deliveries and POSTs them; one per process (the events service's background task).

    Fair between endpoints: a claim takes each due endpoint's first `webhook_endpoint_concurrency` rows before
    any endpoint's next ones (a lone backlog still fills the batch), at most that many POSTs go to one endpoint at
    a time, and `run`'s next claim skips an endpoint with that many rows waiting here behind its own slots. `run` records
    each outcome as soon as it is in (in groups, while the next claims go on), so a receiver that stalls until
    the timeout holds its own slots, not everyone's batch."""

    def __init__(self, rt: Runtime, settings: EventsSettings, client: WebhookClient | None = None) -> None:
        self.rt = rt
        self.settings = settings
        self.client = client or WebhookClient(
            parse_networks(settings.webhook_allow_networks),
            connect_timeout=settings.webhook_connect_timeout_seconds,
            total_timeout=settings.webhook_timeout_seconds,
            read_bytes=settings.webhook_response_read_bytes,
            limit=settings.webhook_concurrency,
        )
        self._wake = asyncio.Event()
        self._sem = asyncio.Semaphore(settings.webhook_concurrency)
        self._per_endpoint = settings.webhook_endpoint_limit
        # Rows claimed and not yet recorded, per endpoint; a semaphore per endpoint with rows here.
        self._claimed: Counter[int] = Counter()
        self._endpoint_sems: dict[int, asyncio.Semaphore] = {}
        self._queued: Counter[int] = Counter()  # run(): claimed rows not yet POSTing, per endpoint
        self._done: list[tuple[str, Any, PostResult | None]] = []
        self._done_ready = asyncio.Event()
        self._freed = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Claim whenever few claimed rows are left waiting, attempt each row as its own task, record outcomes in
        groups as they finish. Cancelled (shutdown): attempts stop, and rows claimed but not recorded are due
        again once their claim expires — sent again then, never lost."""
        if self.settings.webhook_allow_networks:
            log.warning(
                "WEBHOOKS MAY REACH PRIVATE ADDRESSES in %s (SESAME_EVENTS_WEBHOOK_ALLOW_NETWORKS)",
                ", ".join(self.settings.webhook_allow_networks),
            )
        batch = self.settings.webhook_batch_size
        attempts: set[asyncio.Task[None]] = set()
        recorder = asyncio.create_task(self._recorder())
        try:
            # The busy endpoints of the last claim that found less than a batch (None: claim when there is room).
            idle_busy: frozenset[int] | None = None
            while True:
                # Cleared before looking, so a wake-up or a freed slot during the claim is not lost.
                if self._wake.is_set():
                    idle_busy = None
                self._wake.clear()
                self._freed.clear()
                n, busy = 0, self._busy_endpoints()
                # The next claim while the last one's rows are still being sent, not after its slowest is done;
                # an endpoint queueing behind its own slots is left out and does not hold the others' claims.
                queued = sum(k for ep, k in self._queued.items() if ep not in busy)
                if queued <= batch // 2 and (idle_busy is None or not idle_busy <= set(busy)):
                    try:
                        token, rows, deadline = await self.claim(busy=busy)
                    except asyncio.CancelledError:
                        raise
                    except Exception as exc:  # noqa: BLE001 - the next claim retries; rows stay due
                        log.warning("webhook delivery claim failed: %r", exc)
                        token, rows, deadline = "", [], 0.0
                    n = len(rows)
                    for row in rows:
                        self._queued[row.endpoint_id] += 1
                        task = asyncio.create_task(self._attempt_and_queue(token, row, deadline))
                        attempts.add(task)
                        task.add_done_callback(attempts.discard)
                    if n >= batch:
                        idle_busy = None
                        continue
                    # Less than a batch was due: claim again on a wake-up, the poll, or when a skipped endpoint
                    # drains (not after every recorded outcome).
                    idle_busy = frozenset(busy)
                # Nothing (more) due, or enough waiting: wait for a wake-up, a recorded outcome or the poll interval.
                waits = [asyncio.create_task(self._wake.wait())]
                if queued > batch // 2 or busy:
                    waits.append(asyncio.create_task(self._freed.wait()))
                try:
                    finished, _ = await asyncio.wait(waits, timeout=self.settings.webhook_poll_seconds,
                                                     return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
                finally:
                    for w in waits:
                        w.cancel()
                if not finished:
                    idle_busy = None  # the poll: retries may have come due
        finally:
            recorder.cancel()
            for task in attempts:
                task.cancel()
            await asyncio.gather(recorder, *attempts, return_exceptions=True)
            # Outcomes already in are recorded (not sent again after their claims expire), if that is quick.
            if self._done:
                try:
                    await asyncio.wait_for(self._record_outcomes(self._done), CLAIM_MARGIN_SECONDS)
                except Exception as exc:  # noqa: BLE001 - their claims expire and the rows are sent again
                    log.warning("recording webhook outcomes at shutdown failed: %r", exc)
            await self.client.close()

    def _busy_endpoints(self) -> list[int]:
        """Endpoints with `webhook_endpoint_concurrency` rows or more claimed here and waiting behind their own slots
        (a slow or stalled receiver's backlog); the next claim leaves them out."""
        return [ep for ep, k in self._queued.items() if k >= self._per_endpoint]

    async def _attempt_and_queue(self, token: str, row: Any, deadline: float) -> None:
        started = False

        def start() -> None:
            nonlocal started
            started = True
            self._queued[row.endpoint_id] -= 1

        try:
            res = await self._attempt(row, deadline, on_start=start)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - recorded as a failed attempt, retried on the schedule
            res = PostResult(False, None, 0, f"internal error: {exc!r}"[:300], None)
        finally:
            if not started:
                self._queued[row.endpoint_id] -= 1
        self._done.append((token, row, res))
        self._done_ready.set()

    async def _recorder(self) -> None:
        """Records finished attempts: everything that finished while the previous group was being written."""
        while True:
            await self._done_ready.wait()
            self._done_ready.clear()
            group, self._done = self._done, []
            try:
                await self._record_outcomes(group)
            except Exception as exc:  # noqa: BLE001 - the claims expire and the rows are sent again
                log.warning("recording %d webhook outcomes failed: %r", len(group), exc)
            finally:
                self._freed.set()

    async def claim(self, *, busy: list[int] | None = None) -> tuple[str, list[Any], float]:
        """Claim up to a batch of due deliveries: oldest first, but each endpoint's first
        `webhook_endpoint_concurrency` before any endpoint's next ones; none of the endpoints in `busy`. Returns
        the claim token, the rows and when (time.monotonic) the claim expires."""
        token = secrets.token_hex(8)
        deadline = time.monotonic() + self.settings.webhook_claim_seconds
        now = utcnow()
        cond = _due(now)
        if busy:
            cond = sa.and_(cond, D.c.endpoint_id.not_in(busy))
        rank = sa.func.row_number().over(partition_by=D.c.endpoint_id, order_by=(D.c.next_attempt_at, D.c.id))
        ranked = sa.select(D.c.id, D.c.next_attempt_at, rank.label("rn")).where(cond).subquery()
        due_ids = (
            sa.select(ranked.c.id)
            .order_by((ranked.c.rn - 1) // self._per_endpoint, ranked.c.next_attempt_at, ranked.c.id)
            .limit(self.settings.webhook_batch_size)
        )
        async with self.rt.uow() as session:
            await session.execute(
                sa.update(D)
                .where(D.c.id.in_(due_ids.scalar_subquery()), _due(now))
                .values(
                    status="delivering",
                    claim_token=token,
                    claimed_until=now + timedelta(seconds=self.settings.webhook_claim_seconds),
                ),
                execution_options={"synchronize_session": False},
            )
            rows = (
                await session.execute(
                    sa.select(
                        D.c.id,
                        D.c.event_id,
                        D.c.body,
                        D.c.attempts,
                        D.c.manual,
                        D.c.endpoint_id,
                        D.c.project_id,
                        E.c.url,
                        E.c.enabled,
                        E.c.secret_enc,
                        E.c.previous_secret_enc,
                        E.c.previous_secret_expires_at,
                    )
                    .join(E, E.c.id == D.c.endpoint_id)
                    .where(D.c.claim_token == token, D.c.status == "delivering")
                )
            ).all()
        for row in rows:
            self._claimed[row.endpoint_id] += 1
        return token, list(rows), deadline

    async def round(self) -> int:
        """Claim one batch of due deliveries, attempt them concurrently, record the outcomes; returns how many.
        (Drains in tests and tools; the service runs `run`, which does not wait for a whole batch.)"""
        token, rows, deadline = await self.claim()
        if not rows:
            return 0
        results = await asyncio.gather(*(self._attempt(r, deadline) for r in rows))
        await self._record_outcomes([(token, r, res) for r, res in zip(rows, results, strict=True)])
        return len(rows)

    async def _attempt(
        self, row: Any, deadline: float, on_start: Callable[[], None] | None = None
    ) -> PostResult | None:
        """POST one claimed delivery; None when its claim would run out before the attempt could finish (not
        sent: the row is released, due again)."""
        if not row.enabled:
            return PostResult(False, None, 0, "endpoint disabled", None)
        try:
            secrets_ = active_secrets(row, utcnow(), self.rt.settings.security.encryption_key)
        except EncryptionKeyError as exc:
            log.error(
                "webhook delivery %s to endpoint %s (project %s) not sent: %s; restore the key or run "
                "`sesame secrets rotate-key --old-key OLD`, then replay the delivery",
                row.id, row.endpoint_id, row.project_id, exc,
            )  # fmt: skip
            return PostResult(False, None, 0, UNREADABLE_SECRET, None, permanent=True)
        ep_sem = self._endpoint_sems.setdefault(row.endpoint_id, asyncio.Semaphore(self._per_endpoint))
        async with ep_sem, self._sem:
            # Waited behind this endpoint's (or everyone's) slow attempts: send only if the claim outlives the
            # attempt and its recording, or another replica could claim the row meanwhile and send it too.
            if deadline - time.monotonic() < self.settings.webhook_timeout_seconds + CLAIM_MARGIN_SECONDS:
                return None
            if on_start is not None:
                on_start()
            hdrs = signing.headers(row.event_id, row.body, secrets_)
            return await self.client.post(row.url, row.body.encode(), hdrs)

    def _retry_delay(self, attempts: int) -> float | None:
        sched = self.settings.webhook_retry_schedule_seconds
        if attempts > len(sched):
            return None
        return float(sched[attempts - 1]) * random.uniform(0.8, 1.2)

    async def _record_outcomes(self, done: list[tuple[str, Any, PostResult | None]]) -> None:
        """Outcomes and the attempt log of finished attempts (of one claim or several), set-based: rows whose claim
        we still hold (locked on Postgres), one executemany UPDATE, one multi-row INSERT of attempts; rows not
        sent (None) are released, due again without an attempt counted."""
        if not done:
            return
        try:
            await self._write_outcomes(done)
        finally:
            for _token, row, _res in done:
                self._claimed[row.endpoint_id] -= 1
                if self._claimed[row.endpoint_id] <= 0:
                    del self._claimed[row.endpoint_id]
                    self._endpoint_sems.pop(row.endpoint_id, None)

    async def _write_outcomes(self, done: list[tuple[str, Any, PostResult | None]]) -> None:
        now = utcnow()
        async with self.rt.uow() as session:
            token_of = {row.id: token for token, row, _ in done}
            held = sa.select(D.c.id, D.c.claim_token).where(D.c.id.in_(list(token_of)))
            if session.get_bind().dialect.name == "postgresql":
                held = held.with_for_update()
            # A claim that expired and was taken by another replica: that replica's outcome counts, not ours.
            ours = {i for i, t in (await session.execute(held)).all() if t == token_of[i]}
            released = [row.id for _, row, res in done if res is None and row.id in ours]
            if released:
                await session.execute(
                    sa.update(D)
                    .where(D.c.id.in_(released))
                    .values(status="pending", claim_token=None, claimed_until=None, updated_at=now)
                )
            outcomes = [(row, res) for _, row, res in done if res is not None]
            updates: list[dict[str, Any]] = []
            attempts: list[dict[str, Any]] = []
            exhausted: list[tuple[Any, PostResult]] = []
            for row, res in outcomes:
                if row.id not in ours:
                    continue
                attempt = row.attempts + 1
                status, next_at = "failed", None
                if res.ok:
                    status = "succeeded"
                elif not (row.manual or not row.enabled or res.permanent):
                    delay = self._retry_delay(attempt)
                    if delay is None:
                        exhausted.append((row, res))
                    else:
                        status, next_at = "pending", now + timedelta(seconds=delay)
                updates.append({
                    "_id": row.id, "status": status, "next_at": next_at or now, "attempts": attempt,
                    "code": res.status_code, "latency": res.latency_ms, "error": res.error,
                })  # fmt: skip
                attempts.append({
                    "delivery_id": row.id, "attempt": attempt, "ok": res.ok, "status_code": res.status_code,
                    "latency_ms": res.latency_ms, "error": res.error, "response_excerpt": res.excerpt, "at": now,
                })  # fmt: skip
            if not updates:
                return
            await session.execute(_RECORD, [{**u, "now": now} for u in updates])
            await session.execute(sa.insert(WebhookAttempt.__table__), attempts)
            for row, res in exhausted:
                await self._disable(session, row, res)

    async def _disable(self, session: AsyncSession, row: Any, res: PostResult) -> None:
        reason = f"delivery {row.event_id} failed {row.attempts + 1} times over ~3 days (last: {res.error})"
        r = await session.execute(
            sa.update(E)
            .where(E.c.id == row.endpoint_id, E.c.enabled.is_(True))
            .values(enabled=False, disabled_reason=reason[:300], updated_at=utcnow())
        )
        if r.rowcount:
            log.warning("webhook endpoint %s disabled: %s", row.endpoint_id, reason)
            await mail_owner(
                session,
                row.project_id,
                subject="A webhook endpoint was disabled",
                text=(
                    f"Sesame could not deliver events to {row.url} for about three days and disabled the endpoint.\n"
                    f"Last error: {res.error}\n\nFix the receiver, then enable the endpoint again in the console "
                    'or with PATCH /v1/webhooks/{id} {"enabled": true}; failed deliveries can be replayed.'
                ),
                key=f"webhook-disabled-{row.endpoint_id}-{row.id}",
            )
