"""Postgres fast path for the commonest public signup: an address the project has never seen joins a double
opt-in list. Two statements instead of about ten ORM round trips:

  1. one INSERT … SELECT chain: the live list and project, the suppression check, the contact (only if new:
     `ON CONFLICT DO NOTHING`) and its `pending` subscription (with `confirmation_sent_at` unless suppressed);
  2. the change-log row and the outbox rows (`subscription.pending`, and the confirmation mail unless suppressed).

Both run in the request's unit of work, so the outbox rows commit or roll back with the subscription. Anything
else — a known address, a list without double opt-in, a deleted list or project, an invalid address, SQLite —
writes nothing here and returns False, and the caller runs `membership.subscribe`, the reference behaviour
(tests/subscriptions/test_first_signup.py checks both leave the same rows).
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from services.subscriptions.membership import brand_name, change_message, confirmation_mail
from services.subscriptions.settings import SubscriptionsSettings
from shared.contracts.mail import MailRequested
from shared.db.types import utcnow
from shared.email_address import InvalidEmail, email_hash, normalize_email
from shared.outbox import mark_enqueued
from shared.runtime import Runtime

# Read-committed and race-free: a concurrent signup of the same address makes the contact INSERT wait and then do
# nothing, so this returns no row and the ORM path (whose later statements see the committed contact) takes over.
_CONTACT_AND_SUBSCRIPTION = (
    sa.text(
        """
WITH target AS (
    SELECT l.project_id, l.name AS list_name, p.name AS project_name, p.settings AS project_settings
    FROM lists l JOIN projects p ON p.id = l.project_id
    WHERE l.id = :list_id AND l.deleted_at IS NULL AND l.double_optin AND p.deleted_at IS NULL
), suppressed AS (
    SELECT EXISTS (
        SELECT 1 FROM suppressions s JOIN target t ON s.project_id = t.project_id
        WHERE s.email_hash = CAST(:email_hash AS varchar)
    ) AS yes
), contact AS (
    INSERT INTO contacts (project_id, email, email_hash, attributes, created_at, updated_at)
    SELECT project_id, CAST(:email AS varchar), CAST(:email_hash AS varchar), :attributes, :now, :now FROM target
    ON CONFLICT (project_id, email_hash) DO NOTHING
    RETURNING id, project_id
), sub AS (
    INSERT INTO subscriptions (project_id, list_id, contact_id, status, confirmation_sent_at, created_at, updated_at)
    SELECT contact.project_id, :list_id, contact.id, 'pending',
           CASE WHEN suppressed.yes THEN NULL ELSE CAST(:now AS timestamptz) END, :now, :now
    FROM contact, suppressed
    RETURNING id, contact_id
)
SELECT sub.id, sub.contact_id, target.project_id, target.list_name, target.project_name, target.project_settings,
       suppressed.yes AS suppressed
FROM sub, target, suppressed
"""
    )
    .bindparams(
        sa.bindparam("attributes", type_=JSONB), sa.bindparam("now", type_=sa.DateTime(timezone=True))
    )
    .columns(
        sa.column("id", sa.BigInteger),
        sa.column("contact_id", sa.BigInteger),
        sa.column("project_id", sa.BigInteger),
        sa.column("list_name", sa.String),
        sa.column("project_name", sa.String),
        sa.column("project_settings", JSONB),
        sa.column("suppressed", sa.Boolean),
    )
)

_CHANGE = """
WITH change AS (
    INSERT INTO subscription_changes
        (project_id, subscription_id, list_id, contact_id, previous_status, status, source, detail, created_at)
    VALUES (:project_id, :subscription_id, :list_id, :contact_id, NULL, 'pending', :source, NULL, :now)
)
INSERT INTO outbox (message_id, routing_key, payload, headers, created_at, attempts)
VALUES (:event_id, :event_key, :event, CAST('{}' AS jsonb), :now, 0)"""
_MAIL_ROW = ", (:mail_id, :mail_key, :mail, CAST('{}' AS jsonb), :now, 0)"


def _log_and_outbox(with_mail: bool) -> sa.TextClause:
    params = [sa.bindparam("event", type_=JSONB), sa.bindparam("now", type_=sa.DateTime(timezone=True))]
    if with_mail:
        params.append(sa.bindparam("mail", type_=JSONB))
    return sa.text(_CHANGE + (_MAIL_ROW if with_mail else "")).bindparams(*params)


_LOG_EVENT_ONLY = _log_and_outbox(with_mail=False)
_LOG_EVENT_AND_MAIL = _log_and_outbox(with_mail=True)


async def first_signup(
    session: AsyncSession,
    rt: Runtime,
    ss: SubscriptionsSettings,
    list_id: int,
    raw_email: str,
    *,
    source: str,
    attributes: dict[str, Any],
) -> bool:
    """Subscribe a never-seen address to a live double opt-in list in two statements (Postgres); False when
    nothing was written and `membership.subscribe` must handle the signup."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    try:
        email = normalize_email(raw_email)
    except InvalidEmail:
        return False  # the general path answers it, in its own order (a deleted list is a 404 first)
    now = utcnow()
    h = email_hash(email)
    row = (
        await session.execute(
            _CONTACT_AND_SUBSCRIPTION,
            {"list_id": list_id, "email": email, "email_hash": h, "attributes": attributes, "now": now},
        )
    ).first()
    if row is None:
        return False
    sub_id, contact_id, project_id = row.id, row.contact_id, row.project_id
    event = change_message(
        project_id, list_id, contact_id, sub_id, "pending", None, source, paused_until=None, at=now
    )
    params: dict[str, Any] = {
        "project_id": project_id,
        "subscription_id": sub_id,
        "list_id": list_id,
        "contact_id": contact_id,
        "source": source,
        "now": now,
        "event_id": uuid.uuid4().hex,
        "event_key": f"subscription.{event.event}",
        "event": event.payload(),
    }
    if not row.suppressed:  # never mail a suppressed address, not even to confirm
        brand = brand_name(row.project_name, row.project_settings)
        mail = confirmation_mail(rt, ss, project_id, brand, list_id, row.list_name, sub_id, contact_id, email)
        params.update(mail_id=uuid.uuid4().hex, mail_key=MailRequested.ROUTING_KEY, mail=mail.payload())
    await session.execute(_LOG_EVENT_ONLY if row.suppressed else _LOG_EVENT_AND_MAIL, params)
    mark_enqueued(session)
    return True
