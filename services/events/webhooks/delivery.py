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
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.events.notify import mail_owner
from services.events.settings import EventsSettings
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
    """Claims due deliveries and POSTs them; one per process (the events service's background task)."""

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

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        if self.settings.webhook_allow_networks:
            log.warning(
                "WEBHOOKS MAY REACH PRIVATE ADDRESSES in %s (SESAME_EVENTS_WEBHOOK_ALLOW_NETWORKS)",
                ", ".join(self.settings.webhook_allow_networks),
            )
        try:
            while True:
                try:
                    n = await self.round()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # noqa: BLE001 - the next round retries; rows stay due
                    log.warning("webhook delivery round failed: %r", exc)
                    n = 0
                if n >= self.settings.webhook_batch_size:
                    continue
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=self.settings.webhook_poll_seconds)
                except TimeoutError:
                    pass
        finally:
            await self.client.close()

    async def claim(self) -> tuple[str, list[Any]]:
        token = secrets.token_hex(8)
        now = utcnow()
        due_ids = (
            sa.select(D.c.id)
            .where(_due(now))
            .order_by(D.c.next_attempt_at)
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
        return token, list(rows)

    async def round(self) -> int:
        """Claim one batch of due deliveries, attempt them concurrently, record the outcomes; returns how many."""
        token, rows = await self.claim()
        if not rows:
            return 0
        results = await asyncio.gather(*(self._attempt(r) for r in rows))
        await self._record(token, list(zip(rows, results, strict=True)))
        return len(rows)

    async def _attempt(self, row: Any) -> PostResult:
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
        async with self._sem:
            hdrs = signing.headers(row.event_id, row.body, secrets_)
            return await self.client.post(row.url, row.body.encode(), hdrs)

    def _retry_delay(self, attempts: int) -> float | None:
        sched = self.settings.webhook_retry_schedule_seconds
        if attempts > len(sched):
            return None
        return float(sched[attempts - 1]) * random.uniform(0.8, 1.2)

    async def _record(self, token: str, outcomes: list[tuple[Any, PostResult]]) -> None:
        """Outcomes and the attempt log of one batch, set-based: rows whose claim we still hold (locked on
        Postgres), one executemany UPDATE, one multi-row INSERT of attempts."""
        now = utcnow()
        async with self.rt.uow() as session:
            ids = [row.id for row, _ in outcomes]
            held = sa.select(D.c.id).where(D.c.id.in_(ids), D.c.claim_token == token)
            if session.get_bind().dialect.name == "postgresql":
                held = held.with_for_update()
            # A claim that expired and was taken by another replica: that replica's outcome counts, not ours.
            ours = set((await session.scalars(held)).all())
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
