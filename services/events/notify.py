"""Mail to a project's owner (guard crossings, unsubscribed topics, rejects, digests) through the sender."""

from __future__ import annotations

import hashlib
import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.mail import MailRequested
from shared.db.types import utcnow
from shared.db.upsert import insert
from shared.models.core import OutboxMessage, Project

log = logging.getLogger("sesame.events.notify")


async def mail_owner(session: AsyncSession, project_id: int, *, subject: str, text: str, key: str) -> bool:
    """Queue one notification mail to the owner (idempotent by `key`); False when the project has no owner address."""
    owner = await session.scalar(sa.select(Project.owner_email).where(Project.id == project_id))
    if not owner:
        log.warning("project %s has no owner_email: notification %r not sent", project_id, subject)
        return False
    mail = MailRequested(
        project_id=project_id, to=owner, subject=subject, text=text, kind="notification", idempotency_key=key
    )
    # Like shared.outbox.enqueue, but a repeat of the same key (an SNS retry, a replayed row) is a no-op instead of
    # a unique violation that would abort the whole unit of work.
    stmt = insert(OutboxMessage.__table__, session).values(
        message_id="mail-" + hashlib.sha1(key.encode()).hexdigest(),
        routing_key=MailRequested.ROUTING_KEY,
        payload=mail.payload(),
        headers={},
        created_at=utcnow(),
        attempts=0,
    )
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["message_id"]))
    session.info["outbox_dirty"] = True
    return True
