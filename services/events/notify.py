"""Mail to a project's owner (guard crossings, unsubscribed topics, rejects, digests) through the sender."""

from __future__ import annotations

import hashlib
import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts.mail import MailRequested
from shared.models.core import Project
from shared.outbox import enqueue

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
    enqueue(
        session,
        MailRequested.ROUTING_KEY,
        mail.payload(),
        message_id="mail-" + hashlib.sha1(key.encode()).hexdigest(),
    )
    return True
