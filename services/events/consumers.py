"""Bus consumers: sandbox SES feedback (processed like a verified SNS notification) and sending volume."""

from __future__ import annotations

import hashlib
import json
import logging

import sqlalchemy as sa

from services.events.context import EventsContext
from services.events.inbox import process, store
from services.events.reputation import add_to_bucket
from shared.bus.protocol import Envelope, QueueSpec
from shared.contracts.email import EmailSent, SandboxFeedback
from shared.db.types import utcnow
from shared.db.uow import first_delivery
from shared.models.events import EmailEvent
from shared.runtime import Runtime

log = logging.getLogger("sesame.events.consumers")
SANDBOX_QUEUE = QueueSpec("events.sandbox_feedback", [SandboxFeedback.ROUTING_KEY])
SENT_QUEUE = QueueSpec("events.email_sent", [EmailSent.ROUTING_KEY])


def sandbox_handler(ctx: EventsContext):  # type: ignore[no-untyped-def]
    def factory(rt: Runtime):  # type: ignore[no-untyped-def]
        async def handle(env: Envelope) -> None:
            msg = SandboxFeedback.parse(env.payload)
            body = json.dumps(msg.notification, separators=(",", ":"))
            # The bus message id is stable across redeliveries; the body hash covers a re-published copy.
            key = env.message_id or hashlib.sha256(body.encode()).hexdigest()
            async with rt.uow() as session:
                await store(
                    session, project_id=msg.project_id, source="sandbox", message_id=key[:100], body=body
                )
            from shared.models.events import SnsInbox

            async with rt.sessionmaker() as session:
                inbox_id = await session.scalar(
                    sa.select(SnsInbox.id).where(
                        SnsInbox.project_id == msg.project_id,
                        SnsInbox.source == "sandbox",
                        SnsInbox.message_id == key[:100],
                    )
                )
            if inbox_id is not None:
                await process(rt, ctx, inbox_id)

        return handle

    return factory


_EV = EmailEvent.__table__
# Table-level (no ORM session synchronisation) and built once: this runs for every mail sent.
_LINK = (
    sa.update(_EV)
    .where(
        _EV.c.project_id == sa.bindparam("p"),
        _EV.c.ses_message_id == sa.bindparam("ses"),
        _EV.c.message_id.is_(None),
    )
    .values(message_id=sa.bindparam("mid"))
)


def sent_handler(rt: Runtime):  # type: ignore[no-untyped-def]
    async def handle(env: Envelope) -> None:
        msg = EmailSent.parse(env.payload)
        async with rt.uow() as session:
            if not await first_delivery(session, "events.email_sent", env.message_id):
                return
            now = utcnow()
            sent_at = min(msg.sent_at, now) if msg.sent_at.tzinfo else now
            await add_to_bucket(session, msg.project_id, sent_at, sent=1)
            # Feedback that arrived before the send was recorded gets its link now.
            await session.execute(
                _LINK, {"p": msg.project_id, "ses": msg.ses_message_id, "mid": msg.message_id}
            )

    return handle
