"""What the setup work reads about a project: its SES account, feedback endpoint, feedback flow, lists, volume.

Reads go straight to the shared database (a service may read other services' tables, never import their
code). One write crosses ownership: `allow_topics` adds the connected topic ARNs to the events service's
`sns_endpoints.allowed_topic_arns` (the events service only accepts SNS messages from allowed topics, and the
confirmation arrives seconds after Subscribe); it only ever adds, in one UPDATE, and the events service's
5-second endpoint cache plus SNS's confirmation retries cover the window in which it has not seen it yet.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.sender.ses_setup.aws import AwsTarget
from services.sender.ses_setup.settings import SesSetupSettings
from shared.crypto import SES_CREDENTIALS, decrypt
from shared.db.types import utcnow
from shared.errors import NotFound
from shared.models.core import Project
from shared.models.events import EmailEvent, ProjectGuard, ReputationBucket, SnsEndpoint, SnsSubscription
from shared.models.sender import Message, SesAccount
from shared.models.ses_setup import SesSetupState
from shared.models.subscriptions import ContactImport, MailingList

FEEDBACK_TYPES = ("bounce", "complaint", "delivery", "reject", "delivery_delay", "rendering_failure")


@dataclass
class AccountInfo:
    row: SesAccount
    target: AwsTarget


async def project_row(session: AsyncSession, project_id: int) -> Project:
    p = await session.get(Project, project_id)
    if p is None or p.deleted_at is not None:
        raise NotFound("unknown project")
    return p


async def ses_account(
    session: AsyncSession,
    project_id: int,
    encryption_key: str,
    setup: SesSetupSettings,
    sender_endpoint: str | None,
) -> AccountInfo | None:
    """The project's SES account and how to call it (None: the project uses the sandbox SES)."""
    row = (
        await session.execute(sa.select(SesAccount).where(SesAccount.project_id == project_id))
    ).scalar_one_or_none()
    if row is None:
        return None
    ak = sk = None
    if row.credential_mode == "keys":
        ak = decrypt(encryption_key, row.access_key_id_enc or "", what=SES_CREDENTIALS)
        sk = decrypt(encryption_key, row.secret_access_key_enc or "", what=SES_CREDENTIALS)
    endpoints = {
        k: v
        for k, v in {
            "ses": setup.ses_endpoint_url or sender_endpoint,
            "sesv2": setup.sesv2_endpoint_url or sender_endpoint,
            "sns": setup.sns_endpoint_url,
        }.items()
        if v
    }
    return AccountInfo(row, AwsTarget(row.region, ak, sk, endpoints=endpoints))


async def setup_state(
    session: AsyncSession, project_id: int, *, create: bool = False
) -> SesSetupState | None:
    st = await session.get(SesSetupState, project_id)
    if st is None and create:
        st = SesSetupState(
            project_id=project_id,
            mode="configuration_set",
            topics={},
            subscriptions={},
            last_report={},
            last_loop={},
            suppression_push=False,
            suppression_last_result={},
            updated_at=utcnow(),
        )
        session.add(st)
        await session.flush()
    return st


# ------------------------------------------------------------------ the events service's feedback endpoint


async def feedback_endpoint(session: AsyncSession, project_id: int, public_url: str) -> str:
    """The project's webhook URL, creating its endpoint row the way the events service does."""
    row = (
        await session.execute(sa.select(SnsEndpoint).where(SnsEndpoint.project_id == project_id))
    ).scalar_one_or_none()
    if row is None:
        await project_row(session, project_id)
        row = SnsEndpoint(project_id=project_id, token=secrets.token_urlsafe(24), allowed_topic_arns=[])
        session.add(row)
        await session.flush()
    return f"{public_url.rstrip('/')}/webhooks/sns/{row.token}"


async def allow_topics(session: AsyncSession, project_id: int, arns: list[str]) -> list[str]:
    """Add `arns` to the endpoint's allow-list (never removes); returns the new list."""
    row = (
        await session.execute(
            sa.select(SnsEndpoint).where(SnsEndpoint.project_id == project_id).with_for_update()
        )
    ).scalar_one()
    current = list(row.allowed_topic_arns or [])
    merged = sorted(set(current) | set(arns))
    if merged != sorted(current):
        row.allowed_topic_arns = merged
        row.updated_at = utcnow()
        await session.flush()
    return merged


async def subscription_records(session: AsyncSession, project_id: int) -> list[dict[str, Any]]:
    rows = (
        await session.scalars(sa.select(SnsSubscription).where(SnsSubscription.project_id == project_id))
    ).all()
    return [
        {"topic_arn": r.topic_arn, "status": r.status, "updated_at": r.updated_at.isoformat()} for r in rows
    ]


# ------------------------------------------------------------------ feedback flow and volume


async def last_feedback(session: AsyncSession, project_id: int) -> dict[str, Any] | None:
    """The newest feedback event (arrival time = when the events service stored it)."""
    row = (
        await session.execute(
            sa.select(EmailEvent.event_type, EmailEvent.created_at, EmailEvent.occurred_at)
            .where(EmailEvent.project_id == project_id, EmailEvent.event_type.in_(FEEDBACK_TYPES))
            .order_by(EmailEvent.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    return {"event_type": row[0], "received_at": row[1], "occurred_at": row[2]}


async def sent_since(session: AsyncSession, project_id: int, since: datetime) -> int:
    return int(
        await session.scalar(
            sa.select(sa.func.count())
            .select_from(Message)
            .where(Message.project_id == project_id, Message.sent_at >= since)
        )
        or 0
    )


async def feedback_since(session: AsyncSession, project_id: int, since: datetime) -> int:
    return int(
        await session.scalar(
            sa.select(sa.func.count())
            .select_from(EmailEvent)
            .where(
                EmailEvent.project_id == project_id,
                EmailEvent.created_at >= since,
                EmailEvent.event_type.in_(FEEDBACK_TYPES),
            )
        )
        or 0
    )


@dataclass
class Rates:
    days: int
    sent: int
    hard_bounces: int
    complaints: int

    @property
    def bounce_rate(self) -> float | None:
        return self.hard_bounces / self.sent if self.sent else None

    @property
    def complaint_rate(self) -> float | None:
        return self.complaints / self.sent if self.sent else None


async def rates(session: AsyncSession, project_id: int, days: int = 14, now: datetime | None = None) -> Rates:
    """Sent volume (hourly reputation buckets) and counted hard bounces / complaints over `days`."""
    start = (now or utcnow()) - timedelta(days=days)
    hour = start.replace(minute=0, second=0, microsecond=0)
    sent = await session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(ReputationBucket.sent), 0)).where(
            ReputationBucket.project_id == project_id, ReputationBucket.hour >= hour
        )
    )
    counts = dict(
        (
            await session.execute(
                sa.select(EmailEvent.event_type, sa.func.count())
                .where(
                    EmailEvent.project_id == project_id,
                    EmailEvent.counted.is_(True),
                    EmailEvent.created_at >= start,
                    EmailEvent.event_type.in_(("bounce", "complaint")),
                )
                .group_by(EmailEvent.event_type)
            )
        ).all()
    )
    return Rates(days, int(sent or 0), int(counts.get("bounce", 0)), int(counts.get("complaint", 0)))


async def guard_row(session: AsyncSession, project_id: int) -> ProjectGuard | None:
    return await session.get(ProjectGuard, project_id)


async def lists(session: AsyncSession, project_id: int) -> list[MailingList]:
    return list(
        (
            await session.scalars(
                sa.select(MailingList)
                .where(MailingList.project_id == project_id, MailingList.deleted_at.is_(None))
                .order_by(MailingList.id)
            )
        ).all()
    )


async def volume(session: AsyncSession, project_id: int, days: int = 30) -> dict[str, int]:
    since = utcnow() - timedelta(days=days)
    rows = (
        await session.execute(
            sa.select(Message.kind, sa.func.count())
            .where(Message.project_id == project_id, Message.sent_at >= since)
            .group_by(Message.kind)
        )
    ).all()
    return {k: int(n) for k, n in rows}


async def imports(session: AsyncSession, project_id: int, days: int = 365) -> list[tuple[str, int]]:
    """Bulk imports (subscriptions created without our double opt-in): (consent source, subscriptions)."""
    since = utcnow() - timedelta(days=days)
    rows = (
        await session.execute(
            sa.select(ContactImport.consent_source, sa.func.sum(ContactImport.subscriptions_created))
            .where(ContactImport.project_id == project_id, ContactImport.created_at >= since)
            .group_by(ContactImport.consent_source)
        )
    ).all()
    return [(str(src), int(n or 0)) for src, n in rows if n]
