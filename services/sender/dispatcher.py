"""The dispatcher and the recovery sweep (one of each in every sender replica; they coordinate through the DB).

Dispatcher: claims due messages with one guarded UPDATE per round (`FOR UPDATE SKIP LOCKED` on Postgres; on
SQLite the write lock serialises claims), stamps them `claimed_until = now + lease`, and publishes their ids in
per-project batches — transactional mail on its own queue, claimed first, so a big campaign never delays a
password reset. Marketing is claimed only while its work queue is short (flow control: the DB, not the broker,
holds the backlog). A claim whose work message is lost (in-memory bus after a restart, a crashed publisher) is
claimed again once its lease runs out: delayed, never lost.

Sweep: reconciles rows left in `sending` by a sender that died mid-call, finishes campaigns with nothing left
to send, starts scheduled campaigns, re-reads SES quotas while sending, and advances warm-up.

The exactly-once window: a row is `sending` from the moment it holds a send slot until its outcome is recorded
(≤ the slot wait plus one SES call plus one flush of the worker's record loop). If the process dies inside it,
whether SES accepted those calls is unknown — SES has no idempotency key. After `stale_sending_seconds` the sweep
hands such rows to reconcile.py: feedback linked to the row (by our `sesame-message` tag / `X-Sesame-Message-Id`
header, or by SES id) proves acceptance → `sent`; feedback already processed for later mail of the project proves
the opposite → `queued` again; otherwise the row waits, at most `ambiguous_max_wait_seconds`, and then
`ambiguous_policy` decides (`resend`: at-least-once; `fail`: at-most-once, with the reason).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.sender import metrics
from services.sender.accounts import Accounts, apply_quota, pause_project
from services.sender.canary import advance_canaries, plan_canary
from services.sender.fanout import fan_out
from services.sender.reconcile import reconcile_stale_sending
from services.sender.ses import SesError
from services.sender.settings import SenderSettings
from services.sender.warmup_gate import warmup_verdict
from services.sender.worker import MK_QUEUE, MK_ROUTING, QUOTA_WAIT, TX_ROUTING
from shared import domain_log
from shared.bus.protocol import OutgoingMessage
from shared.contracts.campaign import CampaignFinished
from shared.db.types import utcnow
from shared.db.upsert import dialect_name
from shared.models.sender import Campaign, Message, SendingState, SesAccount
from shared.outbox import enqueue
from shared.runtime import Runtime

log = logging.getLogger("sesame.sender.dispatcher")
M = Message.__table__


def _claim_stmt(session: AsyncSession, *, marketing: bool, limit: int, lease_s: float):  # type: ignore[no-untyped-def]
    now = utcnow()
    paused_col = SendingState.marketing_paused if marketing else SendingState.transactional_paused
    not_paused = ~sa.exists().where(SendingState.project_id == M.c.project_id, paused_col.is_(True))
    campaign_ok = sa.or_(
        M.c.campaign_id.is_(None),
        sa.exists().where(Campaign.id == M.c.campaign_id, Campaign.status == "sending"),
    )
    # Literal values, not parameters: they must match the partial indexes' predicates (ix_messages_due_tx /
    # _mk) in every plan, generic plans of the prepared statement included.
    mk = sa.literal_column("'marketing'")
    kind = M.c.kind == mk if marketing else M.c.kind != mk
    sub = (
        sa.select(M.c.id)
        .where(
            M.c.state.in_([sa.literal_column("'queued'"), sa.literal_column("'delayed'")]),
            M.c.send_after <= now,
            sa.or_(M.c.claimed_until.is_(None), M.c.claimed_until < now),
            kind,
            not_paused,
            campaign_ok,
        )
        .order_by(M.c.send_after, M.c.id)
        .limit(limit)
    )
    if dialect_name(session) == "postgresql":
        sub = sub.with_for_update(skip_locked=True, of=M)
    return (
        sa.update(M)
        .where(M.c.id.in_(sub.scalar_subquery()))
        .values(state="queued", claimed_until=now + timedelta(seconds=lease_s), updated_at=now)
        .returning(M.c.id, M.c.project_id)
    )


class Dispatcher:
    def __init__(self, runtime: Runtime, settings: SenderSettings, accounts: Accounts) -> None:
        self.rt = runtime
        self.settings = settings
        self.accounts = accounts
        self._wake = asyncio.Event()
        self.swept = asyncio.Event()  # set once the first recovery sweep (run at start) has finished

    def notify(self) -> None:
        """New due mail was committed: claim now rather than at the next poll."""
        self._wake.set()

    async def claim(self, *, marketing: bool, limit: int) -> list[tuple[int, int]]:
        async with self.rt.uow() as session:
            stmt = _claim_stmt(
                session, marketing=marketing, limit=limit, lease_s=self.settings.claim_lease_seconds
            )
            return [(r.id, r.project_id) for r in (await session.execute(stmt)).all()]

    async def _publish(self, routing_key: str, claimed: list[tuple[int, int]]) -> None:
        by_project: dict[int, list[int]] = {}
        for mid, pid in claimed:
            by_project.setdefault(pid, []).append(mid)
        size = self.settings.work_batch
        msgs = [
            OutgoingMessage(routing_key, {"ids": ids[i : i + size]})
            for ids in by_project.values()
            for i in range(0, len(ids), size)
        ]
        try:
            await self.rt.bus.publish_many(msgs)
        except Exception:
            # Give the rows back at once instead of waiting for the lease to run out.
            async with self.rt.uow() as session:
                await session.execute(
                    sa.update(M)
                    .where(M.c.id.in_([c[0] for c in claimed]), M.c.state == "queued")
                    .values(claimed_until=None)
                )
            raise

    async def dispatch_once(self) -> int:
        """One round: transactional first, then marketing while the marketing queue is short."""
        total = 0
        tx = await self.claim(marketing=False, limit=self.settings.dispatch_batch)
        if tx:
            await self._publish(TX_ROUTING, tx)
            total += len(tx)
        metrics.DUE.labels("transactional").set(len(tx))
        depth = await self.rt.bus.queue_depth(MK_QUEUE.name)
        metrics.QUEUE_DEPTH.labels("marketing").set(depth)
        room = (self.settings.max_queued_batches - depth) * self.settings.work_batch
        if room > 0:
            mk = await self.claim(marketing=True, limit=min(room, self.settings.dispatch_batch))
            if mk:
                await self._publish(MK_ROUTING, mk)
                total += len(mk)
            metrics.DUE.labels("marketing").set(len(mk))
        return total

    async def run(self) -> None:
        while True:
            try:
                n = await self.dispatch_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - keep dispatching; claims expire by themselves
                log.warning("dispatch round failed: %r", exc)
                n = 0
                await asyncio.sleep(1.0)
            if n < self.settings.dispatch_batch // 4:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.dispatch_interval)
                self._wake.clear()

    # -- recovery sweep ----------------------------------------------------------------------------------------

    async def sweep_once(self) -> dict[str, int]:
        out = {"stale_sending": 0, "campaigns_finished": 0, "campaigns_started": 0, "quota_refreshed": 0}
        out["stale_sending"] = await self.reconcile_stale_sending()
        out["campaigns_started"] = await self.start_due_campaigns()
        canaries = await advance_canaries(self.rt, self.settings)
        out["canaries_released"] = canaries["released"]
        out["canaries_held"] = canaries["held"]
        if canaries["released"] or canaries["held"]:
            self.notify()  # the rest, or the owner's mail, is due now
        out["campaigns_finished"] = await self.finish_campaigns()
        out["quota_refreshed"] = await self.refresh_quotas()
        await self.advance_warmup()
        return out

    async def run_sweep(self) -> None:
        while True:
            try:
                await self.sweep_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001
                log.warning("sweep failed: %r", exc)
            self.swept.set()
            await asyncio.sleep(self.settings.sweep_interval)

    async def reconcile_stale_sending(self) -> int:
        """Decide the rows a dead sender left in `sending` (services/sender/reconcile.py); returns how many changed."""
        async with self.rt.uow() as session:
            r = await reconcile_stale_sending(session, self.settings, utcnow())
        for what, n in (
            ("stale_sending_confirmed", r.confirmed),
            ("stale_sending_requeued", r.requeued),
            ("stale_sending_resent_unsure", r.resent_unsure),
            ("stale_sending_failed", r.failed),
        ):
            if n:
                metrics.RECOVERED.labels(what).inc(n)
        if r.changed:
            log.warning(
                "rows left in sending: %d confirmed by feedback, %d queued again (feedback for later mail), "
                "%d resent and %d failed after the longest wait; %d still waiting for evidence",
                r.confirmed, r.requeued, r.resent_unsure, r.failed, r.waiting,
            )  # fmt: skip
        if r.requeued or r.resent_unsure:
            self.notify()
        return r.changed

    async def start_due_campaigns(self) -> int:
        started = 0
        now = utcnow()
        async with self.rt.uow() as session:
            ids = list(
                (
                    await session.execute(
                        sa.select(Campaign.id)
                        .where(Campaign.status == "scheduled", Campaign.send_at <= now)
                        .limit(20)
                    )
                ).scalars()
            )
        for cid in ids:
            if await start_campaign(self.rt, cid, from_status=("scheduled",), settings=self.settings):
                started += 1
        if started:
            self.notify()
        return started

    async def finish_campaigns(self) -> int:
        now = utcnow()
        open_rows = sa.exists().where(
            M.c.campaign_id == Campaign.id, M.c.state.in_(("queued", "sending", "delayed", "held"))
        )
        async with self.rt.uow() as session:
            finished = (
                await session.execute(
                    sa.update(Campaign)
                    .where(Campaign.status == "sending", Campaign.fanout_at.is_not(None), ~open_rows)
                    .values(status="sent", finished_at=now, updated_at=now)
                    .returning(Campaign.id, Campaign.project_id, Campaign.name)
                )
            ).all()
            if finished:
                counts: dict[int, dict[str, int]] = {c.id: {} for c in finished}
                by_state = await session.execute(
                    sa.select(M.c.campaign_id, M.c.state, sa.func.count())
                    .where(M.c.campaign_id.in_(list(counts)))
                    .group_by(M.c.campaign_id, M.c.state)
                )  # ix_messages_campaign_state: once per finished campaign
                for cid, state, n in by_state:
                    counts[cid][state] = int(n)
                for c in finished:
                    domain_log.campaign_finished(session, c.project_id, c.id, c.name, counts[c.id])
                    done = CampaignFinished(
                        project_id=c.project_id, campaign_id=c.id, name=c.name, counts=counts[c.id], at=now
                    )
                    enqueue(session, done.ROUTING_KEY, done.payload())
        return len(finished)

    async def refresh_quotas(self) -> int:
        """Re-read the quota of accounts that sent recently (every `quota_refresh_seconds`)."""
        now = utcnow()
        stale = now - timedelta(seconds=self.settings.quota_refresh_seconds)
        active = sa.exists().where(
            M.c.project_id == SesAccount.project_id, M.c.sent_at.is_not(None), M.c.sent_at > stale
        )
        waiting = sa.exists().where(M.c.project_id == SesAccount.project_id, M.c.state == "delayed")
        async with self.rt.uow() as session:
            ids = list(
                (
                    await session.execute(
                        sa.select(SesAccount.project_id).where(
                            sa.or_(SesAccount.quota_read_at.is_(None), SesAccount.quota_read_at < stale),
                            sa.or_(active, waiting),
                        )
                    )
                ).scalars()
            )
        for pid in ids:
            with contextlib.suppress(Exception):
                await refresh_account(self.rt, self.accounts, pid)
        return len(ids)

    async def advance_warmup(self) -> None:
        """Raise an account's warm-up step once a day, only while the project's rolling rates stay under its warn
        thresholds (services/sender/warmup_gate.py); a refused step is recorded on the account and retried at
        the next sweep."""
        now = utcnow()
        schedule = self.settings.warmup_schedule
        async with self.rt.uow() as session:
            rows = (
                (
                    await session.execute(
                        sa.select(SesAccount).where(
                            SesAccount.warmup_enabled.is_(True),
                            SesAccount.warmup_step < len(schedule),
                            sa.or_(
                                SesAccount.warmup_step_at.is_(None),
                                SesAccount.warmup_step_at < now - timedelta(hours=24),
                            ),
                        )
                    )
                )
                .scalars()
                .all()
            )
            for acc in rows:
                if acc.warmup_step_at is None:
                    acc.warmup_step_at = now
                    continue
                verdict = await warmup_verdict(session, acc.project_id, now)
                if verdict.ok:
                    await session.execute(
                        sa.update(SesAccount)
                        .where(SesAccount.id == acc.id, SesAccount.warmup_step == acc.warmup_step)
                        .values(
                            warmup_step=acc.warmup_step + 1,
                            warmup_step_at=now,
                            warmup_blocked_at=None,
                            warmup_blocked_reason=None,
                        )
                    )
                elif acc.warmup_blocked_reason != verdict.reason or acc.warmup_blocked_at is None:
                    if acc.warmup_blocked_at is None:
                        log.warning("project %s: warm-up step held: %s", acc.project_id, verdict.reason)
                    acc.warmup_blocked_at = acc.warmup_blocked_at or now
                    acc.warmup_blocked_reason = verdict.reason


async def start_campaign(
    rt: Runtime, campaign_id: int, *, from_status: tuple[str, ...], settings: SenderSettings
) -> bool:
    """Move a campaign to `sending`, fan it out and plan its canary, in one transaction (one caller wins)."""
    t0 = time.perf_counter()
    async with rt.uow() as session:
        r = await session.execute(
            sa.update(Campaign)
            .where(Campaign.id == campaign_id, Campaign.status.in_(from_status), Campaign.fanout_at.is_(None))
            .values(status="sending", updated_at=utcnow())
        )
        if not r.rowcount:
            return False
        campaign = (await session.execute(sa.select(Campaign).where(Campaign.id == campaign_id))).scalar_one()
        n = await fan_out(session, campaign)
        await plan_canary(session, campaign, n, settings)
        domain_log.campaign_started(session, campaign.project_id, campaign.id, campaign.name, n)
    log.info("campaign %s fanned out to %d recipients in %.2fs", campaign_id, n, time.perf_counter() - t0)
    return True


async def refresh_account(rt: Runtime, accounts: Accounts, project_id: int) -> None:
    """Read the quota from SES; SendingEnabled false → pause the project and tell the owner."""
    async with rt.uow() as session:
        view = await accounts.view(session, project_id)
    asked_at = utcnow()
    try:
        quota = await view.client.get_quota()
    except SesError as exc:
        async with rt.uow() as session:
            await session.execute(
                sa.update(SesAccount)
                .where(SesAccount.project_id == project_id)
                .values(last_error=str(exc)[:2000])
            )
            if exc.kind in ("paused", "suspended"):
                await pause_project(
                    session,
                    project_id,
                    reason="ses_account",
                    detail=str(exc),
                    transactional=True,
                    announce=True,
                    observed_at=asked_at,
                )
        raise
    async with rt.uow() as session:
        row = (
            await session.execute(sa.select(SesAccount).where(SesAccount.project_id == project_id))
        ).scalar_one_or_none()
        if row is None:
            return
        apply_quota(row, quota)
        # Room reserved by batches still in flight is not in SES's count yet: keep it reserved.
        row.sent_since_read = int(
            (
                await session.execute(
                    sa.select(sa.func.count())
                    .select_from(Message)
                    .where(Message.project_id == project_id, Message.state == "sending")
                )
            ).scalar()
            or 0
        )
        row.last_error = None
        if not quota.sending_enabled:
            await pause_project(
                session,
                project_id,
                reason="ses_account",
                detail=f"SES reports sending disabled for this account (EnforcementStatus {quota.enforcement_status})",
                transactional=True,
                announce=True,
                observed_at=asked_at,
            )
        if quota.max_24h_send < 0 or quota.sent_last_24h < quota.max_24h_send:
            # Capacity is back: mail waiting for quota goes now rather than at its cautious send_after.
            now = utcnow()
            await session.execute(
                sa.update(Message)
                .where(
                    Message.project_id == project_id,
                    Message.state == "delayed",
                    Message.send_after > now,
                    Message.last_error == QUOTA_WAIT,
                )
                .values(send_after=now, updated_at=now)
            )
        if quota.max_24h_send and quota.max_24h_send > 0:
            metrics.QUOTA_USED.labels(str(project_id)).set(min(1.0, quota.sent_last_24h / quota.max_24h_send))
    accounts.invalidate(project_id)
