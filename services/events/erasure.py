"""GDPR erasure in the events service: `contact.erased` removes the address from the stored feedback.

The address is in `email_events` (`email`; the SMTP `diagnostic`, which often quotes it; `detail` keys that quote
or describe the recipient: link, user agent, IP address, SMTP response, reporting MTA) and in the raw SES
documents of `sns_inbox` (destination, headers, recipients). Both tables are large, so the erasure is two
set-based statements, each found through an index, in one transaction with the consumer's dedupe row:
- `sns_inbox` by primary key, the ids being the `inbox_id`s of the address's events (ix_email_events_address):
  a processed row's raw body is dropped (replaced by ERASED_BODY; what it said lives on in its events, and
  nothing reads a processed body again). A notification naming several recipients loses its raw body for all;
- `email_events` by (project_id, email_hash) (ix_email_events_address): address, diagnostic and those detail
  keys removed; type, bounce type and subtype, flags, times and the links to messages stay.

The hash stays: the per-address policy counts by it (soft bounces in a window, `feedback_addresses`), and the
subscriptions service keeps it for the suppression. A v1 `contact.erased` (no hash) has no address to match here.

The engagement rollup's rows of the person (shared/models/engagement.py), by contact id (so a v1 message too):
- `engagement_contacts` (their last delivery / open / click and counts): deleted, by primary key;
- `engagement_message_links` (which links each of their messages clicked): deleted, by primary key, for the
  messages of the contact (ix_engagement_messages_contact; only campaign mail has these rows, and it always names
  its contact);
- `engagement_messages`: no longer name the contact (`contact_id` NULL, through ix_engagement_messages_contact).
  The row stays, with its first times, as the events it rolls up stay: it is what keeps the campaign's unique
  counts exact when a late open or bounce of that message arrives.
The campaign totals (per minute, per link) are anonymous counts and stay. The rollup attributes nothing to an
erased contact (services/events/engagement.py reads `contacts.erased_at`, set before `contact.erased` is
published), and this erasure takes the rollup's lock, so a batch running across it cannot write the rows back.

Not reached: an inbox row whose every event was a duplicate of one already recorded (the event links the first
row only), and feedback processed after the erasure (a late bounce records the address again).
"""

from __future__ import annotations

import json
import logging

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from services.events.engagement import lock_rollup
from shared.bus.protocol import Envelope, Handler, QueueSpec
from shared.contracts.subscription import ContactErased
from shared.db.uow import first_delivery
from shared.db.upsert import dialect_name
from shared.models.engagement import ContactEngagement, MessageEngagement, MessageLink
from shared.models.events import EmailEvent, SnsInbox
from shared.runtime import Runtime

log = logging.getLogger("sesame.events.erasure")

ERASURE_QUEUE = QueueSpec("events.contact_erased", [ContactErased.ROUTING_KEY])
CONSUMER = "events.contact_erased"
ERASED_BODY = json.dumps({"erased": "raw notification dropped: a recipient was erased (GDPR)"})
# `detail` keys (services/events/ses_feedback.py) that can quote or describe the recipient; the others are codes.
IDENTIFYING_DETAIL = (
    "link",
    "linkTags",
    "userAgent",
    "ipAddress",
    "smtpResponse",
    "diagnosticCode",
    "reportingMTA",
)
KEPT_DETAIL = frozenset(
    {"action", "status", "feedbackId", "complaintSubType", "delayType", "templateName", "source",
     "unsubscribeAll", "tag_project_mismatch"}
)  # fmt: skip
E = EmailEvent.__table__
INBOX = SnsInbox.__table__
ME, ML, CE = MessageEngagement.__table__, MessageLink.__table__, ContactEngagement.__table__


def _detail_without_identifying_keys(session: AsyncSession) -> sa.ColumnElement[object]:
    if dialect_name(session) == "postgresql":
        keys = sa.cast(sa.literal(list(IDENTIFYING_DETAIL), ARRAY(sa.Text)), ARRAY(sa.Text))
        return sa.type_coerce(E.c.detail, JSONB).op("-", return_type=JSONB)(keys)
    return sa.func.json_remove(E.c.detail, *(f"$.{k}" for k in IDENTIFYING_DETAIL))


async def erase_address(session: AsyncSession, project_id: int, email_hash: str) -> tuple[int, int]:
    """Scrub the address with this hash from the project's feedback; (events, inbox rows) changed."""
    linked = sa.select(E.c.inbox_id).where(
        E.c.project_id == project_id, E.c.email_hash == email_hash, E.c.inbox_id.is_not(None)
    )
    inbox = await session.execute(
        sa.update(INBOX)
        .where(
            INBOX.c.id.in_(linked),
            INBOX.c.project_id == project_id,
            INBOX.c.status == "processed",
            INBOX.c.body != ERASED_BODY,
        )
        .values(body=ERASED_BODY)
    )
    events = await session.execute(
        sa.update(E)
        .where(E.c.project_id == project_id, E.c.email_hash == email_hash)
        .values(email=None, diagnostic=None, detail=_detail_without_identifying_keys(session))
    )
    return int(events.rowcount or 0), int(inbox.rowcount or 0)


async def erase_engagement(session: AsyncSession, project_id: int, contact_id: int) -> tuple[int, int, int]:
    """Drop the contact's engagement rows (see the module's note); (contact rows, message links, messages)."""
    await lock_rollup(session)
    messages = sa.select(ME.c.message_id).where(ME.c.project_id == project_id, ME.c.contact_id == contact_id)
    links = await session.execute(sa.delete(ML).where(ML.c.message_id.in_(messages)))
    unlinked = await session.execute(
        sa.update(ME)
        .where(ME.c.project_id == project_id, ME.c.contact_id == contact_id)
        .values(contact_id=None)
    )
    contact = await session.execute(
        sa.delete(CE).where(CE.c.contact_id == contact_id, CE.c.project_id == project_id)
    )
    return int(contact.rowcount or 0), int(links.rowcount or 0), int(unlinked.rowcount or 0)


def contact_erased_handler(rt: Runtime) -> Handler:
    async def handle(env: Envelope) -> None:
        ev = ContactErased.parse(env.payload)
        async with rt.uow() as session:
            if not await first_delivery(session, CONSUMER, env.message_id):
                return
            contact, links, messages = await erase_engagement(session, ev.project_id, ev.contact_id)
            if not ev.email_hash:
                log.warning(
                    "contact %s of project %s erased by a v1 message without the address hash: "
                    "its engagement erased, its feedback cannot be found", ev.contact_id, ev.project_id,
                )  # fmt: skip
                return
            events, inbox = await erase_address(session, ev.project_id, ev.email_hash)
        log.info(
            "contact %s of project %s erased: %d feedback event(s) scrubbed, %d raw notification(s) dropped, "
            "engagement: %d contact row(s) and %d message link(s) deleted, %d message row(s) unlinked",
            ev.contact_id, ev.project_id, events, inbox, contact, links, messages,
        )  # fmt: skip

    return handle
