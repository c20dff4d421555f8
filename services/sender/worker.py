"""The send consumer: one work message = up to `work_batch` message ids of one project.

For a batch it (1) re-checks, in one transaction, campaign state, project pause, suppression and subscription,
reserves daily-quota / warm-up room and moves the survivors `queued → sending` with a guarded UPDATE (a row
already past `queued` — sent, or taken by another replica after a redelivery — is skipped); (2) takes send slots
from the shared rate bucket; (3) renders and calls SES for each message at its slot; (4) records outcomes as they
come (a flush loop writes whatever finished since its last write) with the EmailSent / EmailFailed outbox rows.

Exactly-once: a message is recorded `sending` once it holds a send slot and `sent` in the first flush after its
call returns. A crash between SES accepting a call and that flush (the calls in flight plus one flush), or a call
SES never answered (left `sending`), leaves a row whose fate is unknown; reconcile.py decides those from SES
feedback (via the recovery sweep).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.sender import metrics
from services.sender.accounts import Accounts, AccountView, pause_project
from services.sender.content import Composed, Composer, Prepared
from services.sender.erasure import ERASED_ADDRESS, ERASED_HASH
from services.sender.rate import SharedRateLimiter, wait_until
from services.sender.sandbox import SandboxSes, persist_captures
from services.sender.ses import SesError
from services.sender.settings import SenderSettings
from services.sender.tracking import (
    SendChoice,
    Tracking,
    campaign_tracking,
    choose,
    project_tracking,
    requested_tracking,
)
from shared.bus.protocol import Envelope, MalformedMessage, QueueSpec
from shared.contracts.email import EmailFailed, EmailSent
from shared.db.types import utcnow
from shared.db.upsert import dialect_name
from shared.models.core import Project
from shared.models.sender import Campaign, Message, SendingState, SesAccount
from shared.models.subscriptions import Contact, Subscription
from shared.outbox import enqueue_many
from shared.runtime import Runtime
from shared.suppression import suppressed_hashes

log = logging.getLogger("sesame.sender.worker")

TX_ROUTING = "send.transactional"
MK_ROUTING = "send.marketing"
TX_QUEUE = QueueSpec("sender.send.transactional", [TX_ROUTING], prefetch=16)
MK_QUEUE = QueueSpec("sender.send.marketing", [MK_ROUTING], prefetch=8)
M = Message.__table__
QUOTA_WAIT = "waiting for quota"
ERASED = "contact erased"
UNANSWERED = "no answer from SES (it may have accepted the mail): waiting for feedback to tell"


def receiving(now: datetime) -> sa.ColumnElement[bool]:
    """Subscriptions that may get list mail now: active, or paused with the pause already over."""
    return sa.or_(
        Subscription.status == "active",
        sa.and_(
            Subscription.status == "paused",
            Subscription.paused_until.is_not(None),
            Subscription.paused_until <= now,
        ),
    )


def backoff(settings: SenderSettings, attempt: int) -> float:
    base = min(settings.retry_max_seconds, settings.retry_base_seconds * (2 ** max(0, attempt - 1)))
    return base * random.uniform(0.5, 1.5)


@dataclass
class Item:
    id: int
    kind: str
    to: str
    campaign_id: int | None
    contact_id: int | None
    list_id: int | None
    attempts: int
    prepared: Prepared | None = None
    attributes: dict[str, Any] | None = None
    variables: dict[str, Any] | None = None
    literal: tuple[str, str | None, str | None] | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None
    choice: SendChoice | None = None  # configuration set (open/click tracking); None: the account's set


@dataclass
class Outcome:
    item: Item
    kind: str  # sent | throttled | daily_quota | rejected | paused | suspended | config | transient | compose
    ses_message_id: str | None = None
    error: str | None = None
    called_at: datetime | None = None  # when the SES call was made (evidence older than a resume is stale)


@dataclass
class Batch:
    project_id: int
    view: AccountView
    items: list[Item]


class SendWorker:
    def __init__(
        self, runtime: Runtime, settings: SenderSettings, accounts: Accounts, composer: Composer
    ) -> None:
        self.rt = runtime
        self.settings = settings
        self.accounts = accounts
        self.composer = composer
        self.limiter = SharedRateLimiter(
            runtime.sessionmaker,
            safety=settings.rate_safety,
            horizon=settings.rate_horizon_seconds,
            jitter=settings.rate_jitter_seconds,
        )
        # SES calls in flight per process: marketing takes at most three quarters of them, transactional the rest.
        tx_share = max(1, settings.ses_concurrency // 4)
        self.sem = asyncio.Semaphore(max(1, settings.ses_concurrency - tx_share))
        self.sem_tx = asyncio.Semaphore(tx_share)

    async def handle(self, env: Envelope) -> None:
        ids = env.payload.get("ids")
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            raise MalformedMessage("work message without a list of integer ids")
        await self.process(ids)

    async def process(self, ids: list[int]) -> int:
        """Send what is still due among `ids`; returns how many SES accepted."""
        async with self.rt.uow() as session:
            batch = await self._prepare(session, ids, utcnow())
        if batch is None or not batch.items:
            return 0
        # Each message is rendered just before its SES call (`_send_one`), so a process holds the raw MIME of its
        # calls in flight only, whatever the batch size. Content that could not be prepared fails at once.
        ready = [it for it in batch.items if it.error is None]
        # Outcomes are recorded as they come (a flush loop writes whatever finished since its last write), so
        # a crash leaves at most the calls in flight plus one flush unrecorded — not the whole batch.
        pending: list[Outcome] = [Outcome(it, "compose", error=it.error) for it in batch.items if it.error]
        if pending:
            async with self.rt.uow() as session:  # compose failures are recorded from `sending`
                await self._to_sending(session, [o.item.id for o in pending])
        wake = asyncio.Event()
        sent = 0

        async def call(it: Item, slot: float) -> None:
            pending.append(await self._send_one(batch, it, slot))
            wake.set()

        async def schedule() -> None:
            # Rows move to `sending` only once they hold a send slot (≤ rate_horizon ahead), so `sending` lasts one
            # slot wait plus one SES call — never the whole batch's wait for the bucket.
            todo = list(ready)
            tasks: list[asyncio.Task[None]] = []
            t0 = time.perf_counter()
            try:
                while todo:
                    grant = await self.limiter.take(
                        batch.view.bucket_key, batch.view.max_send_rate, len(todo)
                    )
                    if not grant.slots:
                        await asyncio.sleep(max(0.0, (grant.retry_at or 0) - time.time()))
                        continue
                    chunk, todo = todo[: len(grant.slots)], todo[len(grant.slots) :]
                    async with self.rt.uow() as session:
                        taken = await self._to_sending(session, [it.id for it in chunk])
                    for it, slot in zip(chunk, grant.slots, strict=True):
                        if it.id in taken:  # another replica may have taken a row meanwhile
                            tasks.append(asyncio.create_task(call(it, slot)))
                metrics.RATE_WAIT.observe(time.perf_counter() - t0)
                await asyncio.gather(*tasks)
            except asyncio.CancelledError:
                for t in tasks:
                    t.cancel()
                raise
            except Exception:
                # Scheduling failed (e.g. the database went away): the calls already started finish and are
                # recorded; cancelling them would leave SES-accepted mail unrecorded (→ resent later).
                await asyncio.gather(*tasks, return_exceptions=True)
                raise

        calls = asyncio.ensure_future(schedule())
        try:
            while True:
                if not pending:
                    if calls.done():
                        break
                    wake.clear()
                    waiter = asyncio.ensure_future(wake.wait())
                    await asyncio.wait({waiter, calls}, return_when=asyncio.FIRST_COMPLETED)
                    waiter.cancel()
                    continue
                taken, pending[:] = list(pending), []
                await self._record_durably(batch, taken)
                sent += sum(1 for o in taken if o.kind == "sent")
                if any(o.kind == "throttled" for o in taken):
                    await self.limiter.penalize(batch.view.bucket_key, self.settings.throttle_backoff_seconds)
            calls.result()  # a failure while scheduling: the bus retries the work message
        finally:
            if not calls.done():
                calls.cancel()
            await asyncio.gather(calls, return_exceptions=True)
        return sent

    async def _to_sending(self, session: AsyncSession, ids: list[int]) -> set[int]:
        """Guarded `queued → sending`: only rows still queued under a claim move (returns their ids)."""
        if not ids:
            return set()
        now = utcnow()
        result = await session.execute(
            sa.update(M)
            .where(M.c.id.in_(ids), M.c.state == "queued", M.c.claimed_until.is_not(None))
            .values(
                state="sending", sending_at=now, attempts=M.c.attempts + 1, claimed_until=None, updated_at=now
            )
            .returning(M.c.id)
        )
        return set(result.scalars())

    def _compose(self, project_id: int, it: Item) -> Composed:
        return self.composer.compose(
            it.prepared,  # type: ignore[arg-type]
            message_id=it.id,
            project_id=project_id,
            kind=it.kind,
            to=it.to,
            campaign_id=it.campaign_id,
            contact_id=it.contact_id,
            list_id=it.list_id,
            attributes=it.attributes,
            variables=it.variables,
            literal=it.literal,
            extra_headers=it.headers,
            no_track_links=it.choice is not None and it.choice.no_track_links,
        )

    async def _send_one(self, batch: Batch, it: Item, slot: float) -> Outcome:
        view = batch.view
        # Transactional mail has call slots of its own: a campaign's queued calls never stand in front of it.
        async with self.sem_tx if it.kind != "marketing" else self.sem:
            try:
                c = self._compose(batch.project_id, it)
            except Exception as exc:  # noqa: BLE001 - a bad template or address fails this message only
                return Outcome(
                    it, "compose", error=f"could not build the message: {getattr(exc, 'detail', None) or exc}"
                )
            while True:
                await wait_until(slot)
                # A slot is only good on time: a process that fell behind (CPU starved, GC, a slow commit) must
                # not fire its overdue slots in a burst — it takes a fresh one instead.
                if time.time() - slot <= self.settings.rate_jitter_seconds or self.limiter.unlimited(
                    view.max_send_rate
                ):
                    break
                metrics.LATE_SLOTS.inc()
                (slot,) = await self.limiter.acquire(view.bucket_key, view.max_send_rate, 1)
            t0, called_at = time.perf_counter(), utcnow()
            try:
                sid = await view.client.send_raw(
                    c.raw,
                    from_address=c.from_address,
                    to=it.to,
                    tags=c.tags,
                    configuration_set=it.choice.configuration_set if it.choice else view.configuration_set,
                )
                return Outcome(it, "sent", ses_message_id=sid, called_at=called_at)
            except SesError as exc:
                return Outcome(it, exc.kind, error=str(exc), called_at=called_at)
            except Exception as exc:  # noqa: BLE001 - unknown failures retry, bounded
                return Outcome(it, "transient", error=repr(exc), called_at=called_at)
            finally:
                metrics.SES_LATENCY.observe(time.perf_counter() - t0)

    # -- phase 1: re-check, reserve, claim -------------------------------------------------------------------

    async def _prepare(self, session: AsyncSession, ids: list[int], now: datetime) -> Batch | None:
        rows = (
            await session.execute(
                sa.select(M).where(M.c.id.in_(ids), M.c.state == "queued", M.c.claimed_until.is_not(None))
            )
        ).all()
        if not rows:
            return None
        project_id = rows[0].project_id
        rows = [r for r in rows if r.project_id == project_id]  # the dispatcher never mixes projects
        pstate = (
            await session.execute(sa.select(SendingState).where(SendingState.project_id == project_id))
        ).scalar_one_or_none()
        campaign_ids = {r.campaign_id for r in rows if r.campaign_id is not None}
        cstatus: dict[int, str] = {}
        ctrack: dict[int, tuple[bool | None, bool | None]] = {}
        if campaign_ids:
            for cid, cst, t_opens, t_clicks in (
                await session.execute(
                    sa.select(
                        Campaign.id, Campaign.status, Campaign.track_opens, Campaign.track_clicks
                    ).where(Campaign.id.in_(campaign_ids))
                )
            ).all():
                cstatus[cid], ctrack[cid] = cst, (t_opens, t_clicks)
        suppressed = await suppressed_hashes(session, project_id, [r.email_hash for r in rows])
        contact_ids = {r.contact_id for r in rows if r.contact_id is not None}
        contacts: dict[int, Any] = {}
        receiving_pairs: set[tuple[int, int]] = set()
        if contact_ids:
            for c in (
                await session.execute(
                    sa.select(Contact.id, Contact.email, Contact.attributes, Contact.erased_at).where(
                        Contact.id.in_(contact_ids)
                    )
                )
            ).all():
                contacts[c.id] = c
            list_ids = {r.list_id for r in rows if r.kind == "marketing" and r.list_id is not None}
            if list_ids:
                receiving_pairs = set(
                    (
                        await session.execute(
                            sa.select(Subscription.contact_id, Subscription.list_id).where(
                                Subscription.contact_id.in_(contact_ids),
                                Subscription.list_id.in_(list_ids),
                                receiving(now),
                            )
                        )
                    ).all()  # type: ignore[arg-type]
                )

        release, cancel, candidates = [], [], []
        suppress: dict[str, list[int]] = {}
        for r in rows:
            marketing = r.kind == "marketing"
            if r.campaign_id is not None and cstatus.get(r.campaign_id) == "cancelled":
                cancel.append(r.id)
            elif r.campaign_id is not None and cstatus.get(r.campaign_id) != "sending":
                release.append(r.id)
            elif pstate is not None and (
                pstate.marketing_paused if marketing else pstate.transactional_paused
            ):
                release.append(r.id)
            elif r.email_hash in suppressed:
                suppress.setdefault("suppressed", []).append(r.id)
            elif (
                marketing
                and r.contact_id is not None
                and ((c := contacts.get(r.contact_id)) is None or c.erased_at is not None or c.email is None)
            ):
                suppress.setdefault(ERASED, []).append(r.id)
            elif marketing and r.list_id is not None and (r.contact_id, r.list_id) not in receiving_pairs:
                suppress.setdefault("unsubscribed", []).append(r.id)
            else:
                candidates.append(r)

        view = await self.accounts.view(session, project_id)
        # Content once per campaign / template of the batch (not per message), and before _reserve takes the
        # account's row lock, so concurrent batches of one project hold that lock only briefly.
        default_from = view.from_address or self.settings.default_from
        content: dict[tuple[Any, ...], Prepared | str] = {}
        for r in candidates:
            key = self._content_key(r, default_from)
            if key not in content:
                try:
                    content[key] = await self._content(session, r, project_id, default_from)
                except Exception as exc:  # noqa: BLE001 - a bad template fails its messages only
                    content[key] = f"could not prepare the content: {getattr(exc, 'detail', None) or exc}"
        allowed, delayed_until = await self._reserve(session, view, candidates, now)
        delay_ids = [r.id for r in candidates if r.id not in allowed]

        guard = (M.c.state == "queued",)
        if release:
            await session.execute(
                sa.update(M).where(M.c.id.in_(release), *guard).values(claimed_until=None, updated_at=now)
            )
        if cancel:
            await session.execute(
                sa.update(M)
                .where(M.c.id.in_(cancel), *guard)
                .values(state="cancelled", claimed_until=None, updated_at=now)
            )
        for why, sids in suppress.items():
            # A fan-out that raced an erasure wrote rows the erasure could not see: they lose the address here.
            erased = {"to_address": ERASED_ADDRESS, "email_hash": ERASED_HASH} if why == ERASED else {}
            await session.execute(
                sa.update(M)
                .where(M.c.id.in_(sids), *guard)
                .values(state="suppressed", claimed_until=None, last_error=why, updated_at=now, **erased)
            )
            metrics.SUPPRESSED.labels(why).inc(len(sids))
        if delay_ids:
            await session.execute(
                sa.update(M)
                .where(M.c.id.in_(delay_ids), *guard)
                .values(
                    state="delayed",
                    claimed_until=None,
                    send_after=delayed_until,
                    last_error=QUOTA_WAIT,
                    updated_at=now,
                )
            )
            metrics.DELAYED.labels("quota").inc(len(delay_ids))
        if not allowed:
            return Batch(project_id, view, [])
        tracking_default = Tracking()
        if view.tracking_configuration_set or view.click_configuration_set:
            tracking_default = project_tracking(
                await session.scalar(sa.select(Project.settings).where(Project.id == project_id))
            )
        items: list[Item] = []
        for r in candidates:
            if r.id not in allowed:
                continue
            it = Item(r.id, r.kind, r.to_address, r.campaign_id, r.contact_id, r.list_id, r.attempts + 1)
            data = r.data or {}
            it.headers = [(str(k), str(v)) for k, v in (data.get("headers") or {}).items()]
            it.variables = data.get("variables") or None
            if view.tracking_configuration_set or view.click_configuration_set:
                wanted = (
                    campaign_tracking(*ctrack.get(r.campaign_id, (None, None)), tracking_default)
                    if r.campaign_id is not None
                    else requested_tracking(data)
                )
                it.choice = choose(
                    wanted,
                    view.configuration_set,
                    view.tracking_configuration_set,
                    view.click_configuration_set,
                )
            if r.contact_id is not None and r.contact_id in contacts:
                it.attributes = contacts[r.contact_id].attributes
            prepared = content[self._content_key(r, default_from)]
            if isinstance(prepared, str):
                it.error = prepared
            else:
                it.prepared = prepared
            if r.campaign_id is None and r.template_id is None:
                it.literal = (r.subject or "", r.html, r.text)
            items.append(it)
        return Batch(project_id, view, items)

    @staticmethod
    def _content_key(r: Any, default_from: str) -> tuple[Any, ...]:
        if r.campaign_id is not None:
            return ("c", r.campaign_id)
        return (
            "t" if r.template_id is not None else "l",
            r.template_id,
            r.kind,
            r.from_address or default_from,
        )

    async def _content(self, session: AsyncSession, r: Any, project_id: int, default_from: str) -> Prepared:
        """The shared, cached part of a message's content (compiled template + MIME skeleton)."""
        if r.campaign_id is not None:
            return await self.composer.campaign(session, r.campaign_id, default_from)
        if r.template_id is not None:
            return await self.composer.template(
                session, r.template_id, project_id, r.kind, r.from_address or default_from
            )
        return self.composer.literal(project_id, r.kind, r.from_address or default_from)

    async def _reserve(
        self, session: AsyncSession, view: AccountView, candidates: list[Any], now: datetime
    ) -> tuple[set[int], datetime]:
        """Which candidates fit the 24-hour quota and the warm-up cap (transactional first); the rest wait."""
        later = now + timedelta(seconds=self.settings.quota_delay_seconds)
        if not candidates or view.account_id is None:
            return {r.id for r in candidates}, later
        q = sa.select(SesAccount).where(SesAccount.id == view.account_id)
        if dialect_name(session) == "postgresql":
            q = q.with_for_update()
        acc = (await session.execute(q)).scalar_one()
        ordered = sorted(candidates, key=lambda r: r.kind == "marketing")
        room = len(ordered)
        if acc.max_24h_send is not None and acc.max_24h_send >= 0:
            used = (acc.sent_last_24h or 0) + acc.sent_since_read
            room = max(0, min(room, int(acc.max_24h_send - used)))
        today = now.date().isoformat()
        if acc.warmup_day != today:
            acc.warmup_day, acc.warmup_sent = today, 0
        schedule = self.settings.warmup_schedule
        warm = self.settings.warmup_enabled and acc.warmup_enabled and acc.warmup_step < len(schedule)
        mroom = max(0, schedule[acc.warmup_step] - acc.warmup_sent) if warm else len(ordered)
        allowed: set[int] = set()
        marketing_taken = 0
        for r in ordered:
            if len(allowed) >= room:
                break
            if r.kind == "marketing":
                if marketing_taken >= mroom:
                    continue
                marketing_taken += 1
            allowed.add(r.id)
        acc.sent_since_read += len(allowed)
        acc.warmup_sent += marketing_taken
        if len(allowed) < len(ordered):
            if room <= len(allowed) and acc.max_24h_send is not None and acc.max_24h_send >= 0:
                later = await self._quota_frees_at(session, view.project_id, acc, now)
            else:  # warm-up cap: tomorrow (UTC)
                tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
                later = (
                    min(tomorrow, later)
                    if tomorrow - now < timedelta(seconds=self.settings.quota_delay_seconds)
                    else tomorrow
                )
            metrics.QUOTA_USED.labels(str(view.project_id)).set(1.0)
        return allowed, later

    async def _quota_frees_at(
        self, session: AsyncSession, project_id: int, acc: SesAccount, now: datetime
    ) -> datetime:
        """When the rolling 24-hour window lets mail through again (our oldest send in it + 24 h), bounded so the
        quota is re-checked at least every `quota_delay_seconds`."""
        oldest = (
            await session.execute(
                sa.select(sa.func.min(M.c.sent_at)).where(
                    M.c.project_id == project_id,
                    M.c.sent_at.is_not(None),
                    M.c.sent_at > now - timedelta(hours=24),
                )
            )
        ).scalar()
        cap = now + timedelta(seconds=self.settings.quota_delay_seconds)
        if oldest is None:
            return cap
        if oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        floor = now + timedelta(seconds=min(30.0, self.settings.quota_delay_seconds))
        return max(floor, min(cap, oldest + timedelta(hours=24)))

    # -- phase 4: record -------------------------------------------------------------------------------------

    async def _record_durably(self, batch: Batch, outcomes: list[Outcome]) -> None:
        """Record outcomes, retrying through a database outage: an SES-accepted mail whose record is lost would
        be taken for a crash by the stale-sending sweep and sent again. Retries stop well inside that window."""
        deadline = time.monotonic() + self.settings.stale_sending_seconds * 0.75
        delay = 0.25
        while True:
            try:
                async with self.rt.uow() as session:
                    await self._record(session, batch, outcomes)
                return
            except (sa.exc.OperationalError, sa.exc.InterfaceError, OSError, ConnectionError) as exc:
                if time.monotonic() + delay > deadline:
                    raise
                log.warning("recording %d outcomes failed, retrying in %.2fs: %r", len(outcomes), delay, exc)
            except sa.exc.DBAPIError as exc:
                if not exc.connection_invalidated or time.monotonic() + delay > deadline:
                    raise
                log.warning("recording %d outcomes failed, retrying in %.2fs: %r", len(outcomes), delay, exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _record(self, session: AsyncSession, batch: Batch, outcomes: list[Outcome]) -> None:
        now = utcnow()
        sent = [o for o in outcomes if o.kind == "sent"]
        outbox: list[tuple[str, dict[str, Any]]] = []
        if sent:
            await _mark_sent(session, [(o.item.id, o.ses_message_id) for o in sent], now)
            for o in sent:
                ev = EmailSent(
                    project_id=batch.project_id,
                    message_id=o.item.id,
                    ses_message_id=o.ses_message_id or "",
                    to=o.item.to,
                    kind=o.item.kind,  # type: ignore[arg-type]
                    campaign_id=o.item.campaign_id,
                    contact_id=o.item.contact_id,
                    sent_at=now,
                )
                outbox.append((ev.ROUTING_KEY, ev.payload()))
                metrics.SENT.labels(o.item.kind).inc()
            if isinstance(batch.view.client, SandboxSes):
                captures = batch.view.client.take_captures(
                    {o.ses_message_id for o in sent if o.ses_message_id}
                )
                await persist_captures(session, batch.project_id, captures)

        failed: list[Outcome] = []
        retry: list[tuple[Outcome, float, bool]] = []  # (outcome, delay, counts as an attempt)
        pause: list[Outcome] = []
        quota: list[Outcome] = []
        unanswered: list[Outcome] = []
        for o in outcomes:
            if o.kind in ("rejected", "config", "compose"):
                failed.append(o)
            elif o.kind == "throttled":
                metrics.THROTTLED.inc()
                retry.append((o, self.settings.throttle_backoff_seconds * random.uniform(1.0, 2.0), False))
            elif o.kind == "daily_quota":
                quota.append(o)
            elif o.kind in ("paused", "suspended"):
                pause.append(o)
            elif o.kind == "ambiguous":  # SES may have accepted it: stays `sending`, reconcile.py decides
                unanswered.append(o)
            elif o.kind == "transient":
                if o.item.attempts >= self.settings.max_attempts:
                    o.error = f"gave up after {o.item.attempts} attempts: {o.error}"
                    failed.append(o)
                else:
                    retry.append((o, backoff(self.settings, o.item.attempts), True))
        if failed:
            await session.execute(
                sa.update(M)
                .where(M.c.id == sa.bindparam("b_id"), M.c.state == "sending")
                .values(state="failed", last_error=sa.bindparam("b_err"), updated_at=now),
                [{"b_id": o.item.id, "b_err": (o.error or o.kind)[:2000]} for o in failed],
            )
            for o in failed:
                ev = EmailFailed(
                    project_id=batch.project_id,
                    message_id=o.item.id,
                    to=o.item.to,
                    reason=(o.error or o.kind)[:2000],
                    campaign_id=o.item.campaign_id,
                )
                outbox.append((ev.ROUTING_KEY, ev.payload()))
                metrics.FAILED.labels(o.item.kind, o.kind).inc()
        if unanswered:
            await session.execute(
                sa.update(M)
                .where(M.c.id == sa.bindparam("b_id"), M.c.state == "sending")
                .values(last_error=sa.bindparam("b_err"), updated_at=now),
                [{"b_id": o.item.id, "b_err": f"{UNANSWERED}: {o.error}"[:2000]} for o in unanswered],
            )
            metrics.AMBIGUOUS.inc(len(unanswered))
        if retry:
            await session.execute(
                sa.update(M)
                .where(M.c.id == sa.bindparam("b_id"), M.c.state == "sending")
                .values(
                    state="queued",
                    send_after=sa.bindparam("b_after"),
                    attempts=M.c.attempts - sa.bindparam("b_refund"),
                    last_error=sa.bindparam("b_err"),
                    updated_at=now,
                ),
                [
                    {
                        "b_id": o.item.id,
                        "b_after": now + timedelta(seconds=d),
                        "b_refund": 0 if counts else 1,
                        "b_err": (o.error or o.kind)[:2000],
                    }
                    for o, d, counts in retry
                ],
            )
            metrics.DELAYED.labels("retry").inc(len(retry))
        if quota:
            later = now + timedelta(seconds=self.settings.quota_delay_seconds)
            await session.execute(
                sa.update(M)
                .where(M.c.id.in_([o.item.id for o in quota]), M.c.state == "sending")
                .values(
                    state="delayed",
                    send_after=later,
                    attempts=M.c.attempts - 1,
                    last_error=QUOTA_WAIT,
                    updated_at=now,
                )
            )
            if batch.view.account_id is not None:  # every replica now waits until the quota is read again
                await session.execute(
                    sa.update(SesAccount)
                    .where(SesAccount.id == batch.view.account_id)
                    .values(sent_last_24h=SesAccount.max_24h_send, sent_since_read=0)
                )
            metrics.DELAYED.labels("daily_quota").inc(len(quota))
        if pause:
            await session.execute(
                sa.update(M)
                .where(M.c.id.in_([o.item.id for o in pause]), M.c.state == "sending")
                .values(state="queued", attempts=M.c.attempts - 1, last_error=pause[0].error, updated_at=now)
            )
            await pause_project(
                session,
                batch.project_id,
                reason="ses_account",
                detail=pause[0].error or pause[0].kind,
                transactional=True,
                announce=True,
                observed_at=min((o.called_at for o in pause if o.called_at), default=None),
            )
            self.accounts.invalidate(batch.project_id)
        await enqueue_many(session, outbox)


_MARK_SENT_PG = sa.text(
    "UPDATE messages AS m SET state = 'sent', ses_message_id = v.sid, sent_at = :now, last_error = NULL,"
    " updated_at = :now FROM unnest(CAST(:ids AS bigint[]), CAST(:sids AS text[])) AS v(id, sid)"
    " WHERE m.id = v.id AND m.state = 'sending'"
)


async def _mark_sent(session: AsyncSession, sent: list[tuple[int, str | None]], now: datetime) -> None:
    """Guarded `sending → sent` with each row's SES message id: one statement on Postgres (an executemany runs
    the UPDATE once per row), an executemany on SQLite."""
    if dialect_name(session) == "postgresql":
        await session.execute(
            _MARK_SENT_PG, {"ids": [i for i, _ in sent], "sids": [s for _, s in sent], "now": now}
        )
        return
    await session.execute(
        sa.update(M)
        .where(M.c.id == sa.bindparam("b_id"), M.c.state == "sending")
        .values(
            state="sent", ses_message_id=sa.bindparam("b_sid"), sent_at=now, last_error=None, updated_at=now
        ),
        [{"b_id": i, "b_sid": sid} for i, sid in sent],
    )
