"""Campaign fan-out: one `messages` row per eligible recipient, in ONE set-based INSERT … SELECT.

Eligible: a subscription to one of the campaign's lists that is receiving (active, or paused with `paused_until`
passed) and not from an import that is held or still being screened, a contact that is not erased, an address not on the project's suppression list (by `email_hash`,
shared/suppression.py). A contact on several of the lists gets one message (GROUP BY contact; its unsubscribe
link names the lowest list id). The database does all the work; the sender process holds no rows in memory.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.sender.worker import receiving
from shared.contracts.campaign import CampaignStarted
from shared.db.types import utcnow
from shared.models.sender import Campaign, Message
from shared.models.subscriptions import UNSENDABLE_IMPORT_STATUSES, Contact, ContactImport, Subscription
from shared.outbox import enqueue
from shared.suppression import suppressed_clause


def eligible_recipients(project_id: int, list_ids: list[int], now: datetime) -> sa.Select:  # type: ignore[type-arg]
    """contact_id, list_id (lowest), email, email_hash of every eligible recipient, deduplicated."""
    return (
        sa.select(
            Contact.id.label("contact_id"),
            sa.func.min(Subscription.list_id).label("list_id"),
            Contact.email,
            Contact.email_hash,
        )
        .select_from(Subscription)
        .join(Contact, Contact.id == Subscription.contact_id)
        .where(
            Subscription.project_id == project_id,
            Subscription.list_id.in_(list_ids),
            receiving(now),
            # Held imports (and imports still being screened) are not sendable until an owner accepts them.
            sa.or_(
                Subscription.import_id.is_(None),
                Subscription.import_id.not_in(
                    sa.select(ContactImport.id).where(
                        ContactImport.project_id == project_id,
                        ContactImport.status.in_(UNSENDABLE_IMPORT_STATUSES),
                    )
                ),
            ),
            Contact.project_id == project_id,
            Contact.email.is_not(None),
            Contact.email_hash.is_not(None),
            Contact.erased_at.is_(None),
            ~suppressed_clause(project_id, Contact.email_hash),
        )
        .group_by(Contact.id, Contact.email, Contact.email_hash)
    )


async def fan_out(session: AsyncSession, campaign: Campaign) -> int:
    """Materialise the campaign's messages (the caller already moved it to `sending`); returns how many."""
    now = utcnow()
    rec = eligible_recipients(campaign.project_id, list(campaign.list_ids or []), now).subquery()
    select = sa.select(
        sa.literal(campaign.project_id),
        sa.literal("marketing"),
        sa.literal("queued"),
        sa.literal(campaign.id),
        rec.c.contact_id,
        rec.c.list_id,
        rec.c.email,
        rec.c.email_hash,
        sa.literal(0),
        sa.literal(now, Message.__table__.c.send_after.type),
        sa.literal(now, Message.__table__.c.created_at.type),
        sa.literal(now, Message.__table__.c.updated_at.type),
    )
    m = Message.__table__.c
    stmt = sa.insert(Message.__table__).from_select(
        [
            m.project_id,
            m.kind,
            m.state,
            m.campaign_id,
            m.contact_id,
            m.list_id,
            m.to_address,
            m.email_hash,
            m.attempts,
            m.send_after,
            m.created_at,
            m.updated_at,
        ],
        select,
    )
    result = await session.execute(stmt)
    n = int(result.rowcount or 0)
    campaign.recipients = n
    campaign.fanout_at = now
    campaign.updated_at = now
    # Every start path (API send, schedule, resume) fans out here: campaign.started is published once per fan-out.
    started = CampaignStarted(
        project_id=campaign.project_id, campaign_id=campaign.id, name=campaign.name, recipients=n, at=now
    )
    enqueue(session, started.ROUTING_KEY, started.payload())
    return n
