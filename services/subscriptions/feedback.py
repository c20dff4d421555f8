"""Bus consumers: the events service's policy decisions applied to who may be mailed.

`email.bounced` with `suppress` → a suppression (reason from the policy, source event recorded);
`email.complained` → suppression `complaint` and unsubscribe from every list of the project (source complaint),
attributed to the complained-of message and its campaign (read from the sender's `messages` row) when known.
Idempotent: `first_delivery` records the message id in the same transaction as the effect.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.subscriptions.membership import unsubscribe_all
from services.subscriptions.suppressions import add_suppression
from shared.bus.protocol import Envelope, Handler, QueueSpec
from shared.contracts.email import EmailBounced, EmailComplained
from shared.db.uow import first_delivery
from shared.links import NO_ATTRIBUTION, Attribution
from shared.models.core import Project
from shared.models.sender import Message
from shared.models.subscriptions import Contact
from shared.runtime import Runtime
from shared.suppression import address_hash

log = logging.getLogger("sesame.subscriptions.feedback")

FEEDBACK_QUEUE = QueueSpec(name="subscriptions.feedback", bindings=["email.bounced", "email.complained"])
CONSUMER = "subscriptions.feedback"


def _source_event(kind: str, event_id: int | None, ses_message_id: str | None, message_id: str) -> str:
    ref = (
        f"event:{event_id}"
        if event_id is not None
        else (f"ses:{ses_message_id}" if ses_message_id else message_id)
    )
    return f"{kind}:{ref}"


async def _attribution(session: AsyncSession, project_id: int, message_id: int | None) -> Attribution:
    """The message a complaint was about and its campaign (None for transactional mail)."""
    if message_id is None:
        return NO_ATTRIBUTION
    campaign_id = (
        await session.execute(
            sa.select(Message.campaign_id).where(Message.id == message_id, Message.project_id == project_id)
        )
    ).first()
    if campaign_id is None:
        return NO_ATTRIBUTION
    return Attribution(campaign_id[0], message_id)


def feedback_handler(rt: Runtime) -> Handler:
    async def handle(env: Envelope) -> None:
        if env.routing_key == EmailComplained.ROUTING_KEY:
            c = EmailComplained.parse(env.payload)
            async with rt.uow() as session:
                if not await first_delivery(session, CONSUMER, env.message_id):
                    return
                if await session.get(Project, c.project_id) is None:
                    log.warning("complaint for unknown project %s ignored", c.project_id)
                    return
                if c.suppress:
                    await add_suppression(
                        session,
                        c.project_id,
                        c.email,
                        "complaint",
                        source_event=_source_event(
                            "email.complained", c.event_id, c.ses_message_id, env.message_id
                        ),
                        detail=c.feedback_type,
                    )
                if c.unsubscribe_all:
                    via = await _attribution(session, c.project_id, c.message_id)
                    h = address_hash(c.email)
                    ids = (
                        await session.scalars(
                            sa.select(Contact.id).where(
                                Contact.project_id == c.project_id, Contact.email_hash == h
                            )
                        )
                    ).all()
                    for contact_id in ids:
                        await unsubscribe_all(session, c.project_id, contact_id, "complaint", via)
            return
        b = EmailBounced.parse(env.payload)
        if not b.suppress:
            return
        async with rt.uow() as session:
            if not await first_delivery(session, CONSUMER, env.message_id):
                return
            if await session.get(Project, b.project_id) is None:
                log.warning("bounce for unknown project %s ignored", b.project_id)
                return
            await add_suppression(
                session,
                b.project_id,
                b.email,
                b.suppression_reason or ("hard_bounce" if b.bounce_type == "Permanent" else "soft_bounce"),
                source_event=_source_event("email.bounced", b.event_id, b.ses_message_id, env.message_id),
                detail=(
                    f"{b.bounce_type}/{b.bounce_subtype}" + (f": {b.diagnostic}" if b.diagnostic else "")
                )[:2000],
            )

    return handle
