"""What the sender consumes: mail requests from other services, project pause/resume, and feedback on mail."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.sender.accounts import pause_project, resume_project
from shared.bus.protocol import Envelope, Handler, MalformedMessage, QueueSpec
from shared.contracts.email import EmailBounced, EmailComplained, EmailDelivered, EmailRejected
from shared.contracts.mail import MailRequested
from shared.contracts.project import ProjectPaused, ProjectResumed
from shared.db.types import utcnow
from shared.db.uow import first_delivery
from shared.db.upsert import insert
from shared.email_address import normalize_email
from shared.models.sender import Message
from shared.runtime import Runtime
from shared.suppression import address_hash

log = logging.getLogger("sesame.sender.consumers")

MAIL_QUEUE = QueueSpec("sender.mail_requested", ["mail.requested"])
STATE_QUEUE = QueueSpec("sender.project_state", ["project.paused", "project.resumed"])
FEEDBACK_QUEUE = QueueSpec(
    "sender.feedback", ["email.bounced", "email.complained", "email.delivered", "email.rejected"]
)
M = Message.__table__
# A stronger signal never gets overwritten by a weaker one arriving later.
FEEDBACK_RANK = {None: 0, "delivered": 1, "bounced": 2, "rejected": 3, "complained": 4}


async def insert_transactional(session: AsyncSession, values: dict[str, Any]) -> tuple[int, bool]:
    """Insert one message unless its (project, idempotency key) exists; (id, created)."""
    stmt = insert(M, session).values(**values)
    if values.get("idempotency_key"):
        stmt = stmt.on_conflict_do_nothing(
            index_elements=["project_id", "idempotency_key"], index_where=M.c.idempotency_key.is_not(None)
        )
    res = await session.execute(stmt.returning(M.c.id))
    mid = res.scalar()
    if mid is not None:
        return int(mid), True
    existing = (
        await session.execute(
            sa.select(M.c.id).where(
                M.c.project_id == values["project_id"], M.c.idempotency_key == values["idempotency_key"]
            )
        )
    ).scalar_one()
    return int(existing), False


def mail_requested_handler(rt: Runtime, notify: Callable[[], None]) -> Handler:
    async def handle(env: Envelope) -> None:
        req = MailRequested.parse(env.payload)
        try:
            to = normalize_email(req.to)
        except Exception as exc:  # noqa: BLE001
            raise MalformedMessage(f"mail.requested with an invalid address: {exc}") from None
        if not (req.html or req.text):
            raise MalformedMessage("mail.requested without html or text")
        now = utcnow()
        async with rt.uow() as session:
            _, created = await insert_transactional(
                session,
                {
                    "project_id": req.project_id,
                    "kind": req.kind,
                    "state": "queued",
                    "contact_id": req.contact_id,
                    "to_address": to,
                    "email_hash": address_hash(to),
                    "subject": req.subject,
                    "html": req.html,
                    "text": req.text,
                    "data": {"headers": req.headers, "tags": req.tags, "meta": req.meta},
                    "idempotency_key": f"bus:{req.idempotency_key}",
                    "attempts": 0,
                    "send_after": now,
                    "created_at": now,
                    "updated_at": now,
                },
            )
        if created:
            notify()

    return handle


def project_state_handler(rt: Runtime, on_change: Callable[[int], None]) -> Handler:
    async def handle(env: Envelope) -> None:
        async with rt.uow() as session:
            if not await first_delivery(session, "sender.project_state", env.message_id):
                return
            if env.routing_key == ProjectPaused.ROUTING_KEY:
                ev = ProjectPaused.parse(env.payload)
                await pause_project(
                    session,
                    ev.project_id,
                    reason=ev.reason,
                    detail=ev.detail,
                    transactional=ev.pause_transactional,
                    announce=False,
                    observed_at=ev.at,  # delivered after a later resume (the relay, a redelivery): stale
                )
                pid = ev.project_id
            else:
                ev2 = ProjectResumed.parse(env.payload)
                await resume_project(session, ev2.project_id, decided_at=ev2.at)
                pid = ev2.project_id
        on_change(pid)

    return handle


_FEEDBACK = {
    EmailBounced.ROUTING_KEY: (EmailBounced, "bounced"),
    EmailComplained.ROUTING_KEY: (EmailComplained, "complained"),
    EmailDelivered.ROUTING_KEY: (EmailDelivered, "delivered"),
    EmailRejected.ROUTING_KEY: (EmailRejected, "rejected"),
}


def feedback_handler(rt: Runtime) -> Handler:
    async def handle(env: Envelope) -> None:
        spec = _FEEDBACK.get(env.routing_key)
        if spec is None:
            return
        cls, label = spec
        ev = cls.parse(env.payload)
        if ev.message_id is not None:
            where = sa.and_(M.c.id == ev.message_id, M.c.project_id == ev.project_id)
        elif ev.ses_message_id:
            where = sa.and_(M.c.ses_message_id == ev.ses_message_id, M.c.project_id == ev.project_id)
        else:
            return
        weaker = [k for k, v in FEEDBACK_RANK.items() if v < FEEDBACK_RANK[label] and k is not None]
        values: dict[str, Any] = {"feedback": label, "updated_at": utcnow()}
        if ev.ses_message_id:
            # Evidence that SES accepted the mail (reconciles a row left in `sending` by a crash).
            values["ses_message_id"] = sa.func.coalesce(M.c.ses_message_id, ev.ses_message_id)
        async with rt.uow() as session:
            await session.execute(
                sa.update(M)
                .where(where, sa.or_(M.c.feedback.is_(None), M.c.feedback.in_(weaker)))
                .values(**values)
            )
            if label == "rejected":
                await session.execute(
                    sa.update(M)
                    .where(where, M.c.state.in_(("sent", "sending")))
                    .values(
                        state="failed",
                        last_error=f"rejected by SES after acceptance: {getattr(ev, 'reason', '')}"[:2000],
                    )
                )

    return handle
