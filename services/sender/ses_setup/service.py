"""The SES-setup operations for one project, as the API, the CLI and the periodic tasks use them.

Database work happens in short units of work; AWS calls happen between them, never inside a transaction
(except the suppression sync, whose remote changes and baseline must commit together with the local ones).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

import sqlalchemy as sa

from services.sender.ses_setup import loop_check, project_data
from services.sender.ses_setup.aws import AwsError, AwsSession, AwsTarget
from services.sender.ses_setup.connect import ConnectOptions, ConnectResult, connect
from services.sender.ses_setup.doctor import gather_facts, readiness_report
from services.sender.ses_setup.practice_checks import unsubscribe_probe_for
from services.sender.ses_setup.report import ReadinessReport
from services.sender.ses_setup.request_draft import build_request_draft
from services.sender.ses_setup.settings import SesSetupSettings
from services.sender.ses_setup.suppression_sync import SyncResult, sync_suppressions
from services.sender.settings import SenderSettings
from services.sender.tracking import project_tracking
from shared.db.types import utcnow
from shared.errors import Unprocessable
from shared.models.sender import SesAccount
from shared.models.ses_setup import SesSetupState
from shared.runtime import Runtime

log = logging.getLogger("sesame.ses_setup")


@dataclass
class ConnectOutcome:
    connect: ConnectResult
    suppressions: SyncResult | None
    suppression_error: str | None
    loop: loop_check.LoopResult | None
    followup: ConnectResult | None  # the second pass that turns e-mail forwarding off once feedback is proven

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.connect.ok and (self.loop is None or self.loop.ok),
            "connect": self.connect.to_dict(),
            "suppression_import": self.suppressions.summary() if self.suppressions else None,
            "suppression_error": self.suppression_error,
            "loop": self.loop.to_dict() if self.loop else None,
            "followup": self.followup.to_dict() if self.followup else None,
        }

    def render(self) -> str:
        parts = [self.connect.render()]
        if self.suppressions:
            s = self.suppressions.summary()
            parts.append(
                f"suppression list: {s['ses_count']} on SES, {s['imported']} imported into Sesame, "
                f"{s['pushed']} pushed to SES, {s['removed_in_sesame']} removed in Sesame, {s['removed_in_ses']} removed on SES"
            )
        elif self.suppression_error:
            parts.append(f"suppression list: not synced ({self.suppression_error})")
        if self.loop:
            parts.append(self.loop.render())
        if self.followup:
            parts.append(self.followup.render())
        return "\n\n".join(parts)


class SesSetup:
    def __init__(
        self,
        rt: Runtime,
        setup: SesSetupSettings | None = None,
        sender: SenderSettings | None = None,
        *,
        composer: Any = None,
    ) -> None:
        self.rt = rt
        self.setup = setup or SesSetupSettings()
        self.sender = sender or SenderSettings()
        self._composer = composer

    @property
    def public_url(self) -> str:
        return self.rt.settings.runtime.public_url

    async def _account(self, session: Any, project_id: int) -> project_data.AccountInfo:
        acct = await project_data.ses_account(
            session,
            project_id,
            self.rt.settings.security.encryption_key,
            self.setup,
            self.sender.ses_endpoint_url,
        )
        if acct is None:
            raise Unprocessable(
                "the project has no SES account (mail goes to the sandbox SES): PUT /v1/ses-account first",
                error="no_ses_account",
            )
        return acct

    # ------------------------------------------------------------------ connect
    async def connect(
        self,
        project_id: int,
        *,
        identity: str | None = None,
        mode: Literal["configuration_set", "identity"] | None = None,
        configuration_set: str | None = None,
        prove_loop: bool = False,
        import_suppressions: bool = True,
        dry_run: bool = False,
    ) -> ConnectOutcome:
        async with self.rt.uow() as session:
            acct = await self._account(session, project_id)
            webhook = await project_data.feedback_endpoint(session, project_id, self.public_url)
            state = await project_data.setup_state(session, project_id, create=True)
            assert state is not None
            last = await project_data.last_feedback(session, project_id)
            identity = (identity or state.identity or _domain_of(acct.row.from_address) or "").strip().lower()
            if not identity:
                raise Unprocessable(
                    "no sending identity: pass identity (the verified domain)", error="no_identity"
                )
            mode = mode or ("identity" if state.mode == "identity" else "configuration_set")
            configuration_set = configuration_set or acct.row.configuration_set or state.configuration_set
            flowing = bool(last and state.connected_at and last["received_at"] >= state.connected_at) or bool(
                (state.last_loop or {}).get("ok")
            )
            target, push = acct.target, state.suppression_push
            wanted = project_tracking((await project_data.project_row(session, project_id)).settings)
        opts = ConnectOptions(
            project_id=project_id,
            identity=identity,
            webhook_url=webhook,
            mode=mode,
            configuration_set=configuration_set,
            confirm_timeout=self.setup.confirm_timeout,
            poll_interval=self.setup.confirm_poll_interval,
            feedback_flowing=flowing,
            # The project's tracking setting (default on); off for both → no tracking sets are kept.
            tracking=wanted.opens or wanted.clicks,
            dry_run=dry_run,
        )

        async def allow(arns: list[str]) -> None:
            async with self.rt.uow() as s:
                await project_data.allow_topics(s, project_id, arns)

        async with AwsSession(target) as aws:
            result = await connect(aws, opts, allow_topics=allow)
        if dry_run:
            return ConnectOutcome(result, None, None, None, None)
        await self._save_connect(project_id, opts, result)
        sync, sync_error = None, None
        if import_suppressions and result.ok:
            try:
                sync = await self.sync_suppressions(project_id, push=push, target=target)
            except AwsError as exc:
                sync_error = str(exc)
        loop, followup = None, None
        if prove_loop and result.ok:
            loop = await self.prove_loop(project_id)
            if loop.ok and mode == "identity" and not flowing:
                opts.feedback_flowing = True
                async with AwsSession(target) as aws:
                    followup = await connect(aws, opts, allow_topics=allow)
                await self._save_connect(project_id, opts, followup)
        outcome = ConnectOutcome(result, sync, sync_error, loop, followup)
        await self.record_outcome(
            project_id,
            {"status": "done", "at": utcnow().isoformat(), **outcome.to_dict(), "text": outcome.render()},
        )
        return outcome

    async def record_outcome(self, project_id: int, outcome: dict[str, Any]) -> None:
        """Keep the last connect outcome (what GET /v1/ses-account/connect shows; background runs report here)."""
        async with self.rt.uow() as session:
            st = await project_data.setup_state(session, project_id, create=True)
            assert st is not None
            st.last_report = outcome
            st.updated_at = utcnow()

    async def last_outcome(self, project_id: int) -> dict[str, Any]:
        async with self.rt.uow() as session:
            await project_data.project_row(session, project_id)
            st = await project_data.setup_state(session, project_id)
            return dict(st.last_report) if st and st.last_report else {"status": "never_run"}

    async def _save_connect(self, project_id: int, opts: ConnectOptions, result: ConnectResult) -> None:
        async with self.rt.uow() as session:
            st = await project_data.setup_state(session, project_id, create=True)
            assert st is not None
            st.identity, st.mode, st.webhook_url = opts.identity, opts.mode, opts.webhook_url
            st.configuration_set = result.configuration_set
            st.topics, st.subscriptions = dict(result.topics), dict(result.subscriptions)
            if result.ok and st.connected_at is None:
                st.connected_at = utcnow()
            st.updated_at = utcnow()
            if result.configuration_set and opts.mode == "configuration_set":
                # The sender passes the set on every send, so events flow even where no default set applies.
                await session.execute(
                    sa.update(SesAccount)
                    .where(SesAccount.project_id == project_id)
                    .values(
                        configuration_set=result.configuration_set,
                        tracking_configuration_set=result.tracking_sets.get("tracking"),
                        click_configuration_set=result.tracking_sets.get("clicks"),
                        updated_at=utcnow(),
                    )
                )
        with contextlib.suppress(Exception):
            from services.sender.core import get_core

            get_core(self.rt).accounts.invalidate(project_id)

    # ------------------------------------------------------------------ loop
    async def start_loop(self, project_id: int) -> loop_check.LoopResult:
        """Queue the three simulator mails (committed, so the relay publishes them) and mark the run."""
        async with self.rt.uow() as session:
            await project_data.project_row(session, project_id)
            result = loop_check.request_loop(session, project_id)
            await loop_check.record_loop(session, result, running=True)
        return result

    async def finish_loop(
        self, result: loop_check.LoopResult, wait_seconds: float | None = None
    ) -> loop_check.LoopResult:
        wait = wait_seconds if wait_seconds is not None else self.setup.loop_timeout
        result = await loop_check.wait_for_loop(self.rt.uow, result, wait_seconds=wait, poll=0.5)
        async with self.rt.uow() as session:
            await loop_check.record_loop(session, result)
        return result

    async def prove_loop(self, project_id: int, wait_seconds: float | None = None) -> loop_check.LoopResult:
        return await self.finish_loop(await self.start_loop(project_id), wait_seconds)

    async def check_connectable(self, project_id: int, identity: str | None = None) -> None:
        """Fail fast (422) before a background connect: an SES account and a sending identity are needed."""
        async with self.rt.uow() as session:
            await project_data.project_row(session, project_id)
            acct = await self._account(session, project_id)
            state = await project_data.setup_state(session, project_id)
            if not (identity or (state and state.identity) or _domain_of(acct.row.from_address)):
                raise Unprocessable(
                    "no sending identity: pass identity (the verified domain)", error="no_identity"
                )

    # ------------------------------------------------------------------ suppressions
    async def sync_suppressions(
        self, project_id: int, *, push: bool | None = None, target: AwsTarget | None = None
    ) -> SyncResult:
        if target is None:
            async with self.rt.uow() as session:
                target = (await self._account(session, project_id)).target
        async with AwsSession(target) as aws, self.rt.uow() as session:
            st = await project_data.setup_state(session, project_id, create=True)
            assert st is not None
            result = await sync_suppressions(
                aws, session, project_id, push=st.suppression_push if push is None else push
            )
            st.suppression_synced_at = utcnow()
            st.suppression_last_result = result.summary()
            st.updated_at = utcnow()
        return result

    async def set_suppression_push(self, project_id: int, enabled: bool) -> None:
        async with self.rt.uow() as session:
            await project_data.project_row(session, project_id)
            st = await project_data.setup_state(session, project_id, create=True)
            assert st is not None
            st.suppression_push = enabled
            st.updated_at = utcnow()

    # ------------------------------------------------------------------ readiness
    def composer(self) -> Any:
        if self._composer is None:
            from services.sender.content import Composer

            self._composer = Composer(self.sender, self.rt.tokens, self.public_url)
        return self._composer

    async def readiness(self, project_id: int, domain: str | None = None) -> ReadinessReport:
        async with self.rt.uow() as session:
            acct_from = await session.scalar(
                sa.select(SesAccount.from_address).where(SesAccount.project_id == project_id)
            )
            probe = unsubscribe_probe_for(self.composer(), acct_from or self.sender.default_from)
            facts = await gather_facts(
                session,
                project_id,
                public_url=self.public_url,
                encryption_key=self.rt.settings.security.encryption_key,
                setup=self.setup,
                sender_endpoint=self.sender.ses_endpoint_url,
                unsubscribe_probe=probe,
            )
        if facts.account is None:
            return await readiness_report(facts, domain=domain, setup=self.setup, aws=None)
        # Short timeouts: the report is read-only and must answer within the gateway's request timeout.
        async with AwsSession(facts.account.target, timeout=5.0) as aws:
            return await readiness_report(facts, domain=domain, setup=self.setup, aws=aws)

    async def request_draft(self, project_id: int, domain: str | None = None) -> dict[str, Any]:
        report = await self.readiness(project_id, domain)
        async with self.rt.uow() as session:
            project = await project_data.project_row(session, project_id)
            lists = await project_data.lists(session, project_id)
            volume = await project_data.volume(session, project_id, 30)
            rates = await project_data.rates(session, project_id, 14)
            warmup = await session.scalar(
                sa.select(SesAccount.warmup_enabled).where(SesAccount.project_id == project_id)
            )
        text, unverified = build_request_draft(
            report,
            project_name=project.name,
            website=self.public_url,
            lists=[(x.name, x.double_optin) for x in lists],
            volume_30d=volume,
            rates=rates,
            warmup=bool(warmup),
        )
        return {"text": text, "unverified": unverified, "ready": report.ready, "report": report.to_dict()}


def _domain_of(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    return address.rsplit("@", 1)[1].strip(" >").lower() or None


# ------------------------------------------------------------------ periodic tasks (sender ServiceSpec.tasks)


async def _connected_projects(rt: Runtime) -> list[int]:
    async with rt.uow() as session:
        return [
            int(x)
            for x in (
                await session.scalars(
                    sa.select(SesSetupState.project_id).where(SesSetupState.connected_at.is_not(None))
                )
            ).all()
        ]


async def feedback_stall_task(rt: Runtime) -> None:
    """Every few minutes: tell the owner once when mail is sent but no feedback arrives."""
    setup = SesSetupSettings()
    if setup.stall_check_interval <= 0:
        return
    while True:
        await asyncio.sleep(setup.stall_check_interval)
        try:
            for pid in await _connected_projects(rt):
                async with rt.uow() as session:
                    outcome = await loop_check.check_stall(session, pid, hours=setup.feedback_stall_hours)
                if outcome in ("alerted", "recovered"):
                    log.warning("project %s: SES feedback %s", pid, outcome)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - keep checking next round
            log.exception("feedback stall check failed")


async def suppression_sync_task(rt: Runtime) -> None:
    """Periodic import (and push, where enabled) of the SES account suppression list per connected project.
    A guarded claim on `suppression_synced_at` makes one replica do each project's round."""
    setup = SesSetupSettings()
    if setup.suppression_sync_interval <= 0:
        return
    svc = SesSetup(rt, setup)
    while True:
        await asyncio.sleep(min(setup.suppression_sync_interval, 300))
        try:
            now = utcnow()
            due = now - timedelta(seconds=setup.suppression_sync_interval)
            for pid in await _connected_projects(rt):
                async with rt.uow() as session:
                    claimed = await session.execute(
                        sa.update(SesSetupState)
                        .where(
                            SesSetupState.project_id == pid,
                            sa.or_(
                                SesSetupState.suppression_synced_at.is_(None),
                                SesSetupState.suppression_synced_at < due,
                            ),
                        )
                        .values(suppression_synced_at=now)
                    )
                if not claimed.rowcount:
                    continue
                try:
                    await svc.sync_suppressions(pid)
                except (AwsError, Unprocessable) as exc:
                    log.warning("suppression sync of project %s failed: %s", pid, exc)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001
            log.exception("suppression sync round failed")
