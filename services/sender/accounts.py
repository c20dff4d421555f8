"""Per-project SES access: the account row, its client (cached), the quota snapshot, and pausing a project."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.sender.sandbox import SandboxSes
from services.sender.ses import Quota, SesBotoClient, SesClient, SesHttpClient
from services.sender.settings import SenderSettings
from shared.contracts.mail import MailRequested
from shared.contracts.project import ProjectPaused
from shared.crypto import SES_CREDENTIALS, decrypt
from shared.db.types import utcnow
from shared.db.upsert import insert
from shared.models.core import Project
from shared.models.sender import SendingState, SesAccount
from shared.outbox import enqueue

log = logging.getLogger("sesame.sender.accounts")


@dataclass
class AccountView:
    """What the send path needs to know about a project's SES access (a snapshot, re-read every few seconds)."""

    project_id: int
    account_id: int | None
    bucket_key: str
    client: Any
    max_send_rate: float
    max_24h_send: float
    configuration_set: str | None
    from_address: str | None
    sandbox: bool
    # The account's open+click and click-only configuration sets (services/sender/tracking.py); None: none.
    tracking_configuration_set: str | None = None
    click_configuration_set: str | None = None


def make_client(row: SesAccount, sender: SenderSettings, encryption_key: str) -> SesClient:
    ak = sk = None
    if row.credential_mode == "keys":
        ak = decrypt(encryption_key, row.access_key_id_enc or "", what=SES_CREDENTIALS)
        sk = decrypt(encryption_key, row.secret_access_key_enc or "", what=SES_CREDENTIALS)
    cls = SesHttpClient if sender.ses_client == "aiohttp" else SesBotoClient
    return cls(
        region=row.region,
        access_key_id=ak,
        secret_access_key=sk,
        endpoint_url=sender.ses_endpoint_url or None,
        timeout=sender.ses_timeout,
        concurrency=sender.ses_concurrency,
    )


class Accounts:
    """Caches one client per account (rebuilt when the row changes) and one sandbox per project."""

    def __init__(self, sender: SenderSettings, encryption_key: str, ttl: float = 5.0) -> None:
        self.sender = sender
        self.encryption_key = encryption_key
        self._ttl = ttl
        self._views: dict[int, tuple[float, AccountView]] = {}
        self._clients: dict[tuple[int, Any], Any] = {}
        self._sandboxes: dict[int, SandboxSes] = {}

    def invalidate(self, project_id: int) -> None:
        self._views.pop(project_id, None)

    async def view(self, session: AsyncSession, project_id: int) -> AccountView:
        hit = self._views.get(project_id)
        if hit and time.monotonic() - hit[0] < self._ttl:
            return hit[1]
        row = (
            await session.execute(sa.select(SesAccount).where(SesAccount.project_id == project_id))
        ).scalar_one_or_none()
        if row is None:
            sb = self._sandboxes.get(project_id)
            if sb is None:
                sb = self._sandboxes[project_id] = SandboxSes(
                    project_id,
                    max_send_rate=self.sender.sandbox_max_send_rate,
                    max_24h=self.sender.sandbox_max_24h,
                )
            v = AccountView(
                project_id,
                None,
                f"sandbox:{project_id}",
                sb,
                self.sender.sandbox_max_send_rate,
                self.sender.sandbox_max_24h,
                None,
                None,
                True,
            )
        else:
            key = (row.id, row.region, row.credential_mode, row.access_key_id_enc, row.secret_access_key_enc)
            client = self._clients.get(key)
            if client is None:
                for old in [k for k in self._clients if k[0] == row.id]:
                    await self._clients.pop(old).close()
                client = self._clients[key] = make_client(row, self.sender, self.encryption_key)
            v = AccountView(
                project_id,
                row.id,
                f"ses:{row.id}",
                client,
                row.max_send_rate if row.max_send_rate is not None else 1.0,
                row.max_24h_send if row.max_24h_send is not None else 200.0,
                row.configuration_set,
                row.from_address,
                False,
                row.tracking_configuration_set,
                row.click_configuration_set,
            )
        self._views[project_id] = (time.monotonic(), v)
        return v

    async def close(self) -> None:
        for c in self._clients.values():
            await c.close()
        self._clients.clear()
        for sb in self._sandboxes.values():
            await sb.close()


def apply_quota(row: SesAccount, quota: Quota) -> None:
    """Store a fresh quota read on the account row (resets the local send counter)."""
    row.max_send_rate = quota.max_send_rate
    row.max_24h_send = quota.max_24h_send
    row.sent_last_24h = quota.sent_last_24h
    row.sending_enabled = quota.sending_enabled
    row.production_access = quota.production_access
    row.enforcement_status = quota.enforcement_status
    row.quota_source = quota.source
    row.quota_read_at = utcnow()
    row.sent_since_read = 0
    row.updated_at = utcnow()


async def pause_project(
    session: AsyncSession,
    project_id: int,
    *,
    reason: str,
    detail: str,
    transactional: bool,
    announce: bool,
    observed_at: datetime | None = None,
) -> bool:
    """Pause sending for a project; True when it was not paused before. `announce` publishes ProjectPaused and
    mails the owner (for pauses the sender itself discovers: SES account paused or suspended).

    Pauses and resumes are ordered by when they were decided (the row's `updated_at`), not by when they reach
    this table: `observed_at` is when the evidence was gathered (the SES call, the quota read, the pause event's
    own time). Evidence older than a resume does not pause again — the resume was decided after it, the mail it
    held back is simply tried again, and if SES still refuses, that fresh answer pauses the project."""
    at = observed_at or utcnow()
    stmt = insert(SendingState.__table__, session).values(
        project_id=project_id, marketing_paused=False, transactional_paused=False, updated_at=at
    )
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["project_id"]))
    row = (
        await session.execute(
            sa.select(SendingState).where(SendingState.project_id == project_id).with_for_update()
        )
    ).scalar_one()
    if observed_at is not None and not row.marketing_paused and row.updated_at > observed_at:
        log.info(
            "project %s: not paused again, the evidence (%s) predates the resume (%s)",
            project_id,
            at,
            row.updated_at,
        )
        return False
    changed = not row.marketing_paused or (transactional and not row.transactional_paused)
    row.marketing_paused = True
    row.transactional_paused = row.transactional_paused or transactional
    row.reason, row.detail = reason, detail
    row.updated_at = at if changed else max(row.updated_at, at)
    if changed and announce:
        now = utcnow()
        ev = ProjectPaused(
            project_id=project_id,
            reason="ses_account",
            detail=detail,
            pause_transactional=transactional,
            at=at,
        )
        enqueue(session, ev.ROUTING_KEY, ev.payload())
        owner = (
            await session.execute(sa.select(Project.owner_email).where(Project.id == project_id))
        ).scalar()
        if owner:
            mail = MailRequested(
                project_id=project_id,
                to=owner,
                subject="Sesame paused sending: your SES account stopped accepting mail",
                text=(
                    f"Sending for your project was paused because Amazon SES reported: {detail}\n\n"
                    "Queued mail waits and nothing is dropped. Resolve the issue in the AWS console, then resume "
                    "sending from the Sesame dashboard.\n"
                ),
                kind="notification",
                idempotency_key=f"ses-paused-{project_id}-{now:%Y%m%d%H}",
            )
            enqueue(session, mail.ROUTING_KEY, mail.payload())
    return changed


async def resume_project(
    session: AsyncSession, project_id: int, *, decided_at: datetime | None = None
) -> bool:
    """Resume sending; False when nothing changed. An operator's resume here always applies; a resume decided
    at `decided_at` elsewhere (an event, delivered late) does not undo a pause decided after it (see
    `pause_project`)."""
    stmt = (
        sa.update(SendingState)
        .where(SendingState.project_id == project_id)
        .values(
            marketing_paused=False,
            transactional_paused=False,
            reason=None,
            detail=None,
            updated_at=decided_at or utcnow(),
        )
    )
    if decided_at is not None:
        stmt = stmt.where(SendingState.updated_at <= decided_at)
    return bool((await session.execute(stmt)).rowcount)
