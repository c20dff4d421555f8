"""Postgres fast path for the commonest public signup: an address the project has never seen joins a double
opt-in list. One round trip instead of about fourteen (BEGIN, ten ORM statements, COMMIT):

  one atomic statement: the list still live with double opt-in, the suppression check, the contact (`ON CONFLICT
  DO NOTHING`: a known address, or a concurrent signup of the same one, writes nothing here), its `pending`
  subscription (`confirmation_sent_at` unless suppressed), the change-log row and the outbox rows
  (`subscription.pending`, and the confirmation mail unless suppressed).

What the statement needs beforehand comes from memory, refreshed now and then:
  - the new contact's and subscription's ids (the mail's signed links name them), taken from their sequences a
    block at a time, as a Postgres sequence CACHE does: an id still orders rows but no longer tells which of two
    replicas' signups came first, and ids a process never used are gaps (as a rollback leaves);
  - what the mail says about the list (list and project names, branding), read at most every
    LIST_INFO_SECONDS per list: a confirmation mail sent within that time of a rename may still use the old
    name. Whether the list is live is never taken from memory: the statement checks it.

The statements run straight through asyncpg (shared/db/direct.py: through SQLAlchemy each statement cost more client CPU
than its round trip). The statement is its own transaction (autocommit, no BEGIN/COMMIT round trips): the outbox
rows exist exactly when the subscription does, and the relay is woken once it has committed. Anything else — a
known address, a list without double opt-in, a deleted list or project, an invalid address, SQLite, a lost
race — writes nothing here and returns False: the caller then runs `membership.subscribe`, the reference
behaviour (tests/subscriptions/test_first_signup.py checks both leave the same rows).
"""

from __future__ import annotations

import json
import time
import uuid
import weakref
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import asyncpg as postgresql_asyncpg

from services.subscriptions.membership import brand_name, change_message, confirmation_mail
from services.subscriptions.settings import SubscriptionsSettings
from shared.contracts.mail import MailRequested
from shared.db.types import utcnow
from shared.email_address import InvalidEmail, email_hash, normalize_email
from shared.runtime import Runtime

LIST_INFO_SECONDS = 2.0
ID_BLOCK = 50

_LIVE_DOUBLE_OPTIN_LIST = """
    l.id = :list_id AND l.deleted_at IS NULL AND l.double_optin AND p.deleted_at IS NULL"""

_LIST_INFO = sa.text(
    f"""
SELECT l.project_id, l.name AS list_name, p.name AS project_name, p.settings AS project_settings
FROM lists l JOIN projects p ON p.id = l.project_id
WHERE {_LIVE_DOUBLE_OPTIN_LIST}"""
).columns(
    sa.column("project_id", sa.BigInteger),
    sa.column("list_name", sa.String),
    sa.column("project_name", sa.String),
    sa.column("project_settings", JSONB),
)

_IDS = sa.text(
    """
SELECT nextval(pg_get_serial_sequence('contacts', 'id')) AS contact_id,
       nextval(pg_get_serial_sequence('subscriptions', 'id')) AS subscription_id
FROM generate_series(1, :n)"""
).columns(sa.column("contact_id", sa.BigInteger), sa.column("subscription_id", sa.BigInteger))

# The list is checked again (as the ORM path's own statements would see it); the outbox rows keep the ORM path's
# order (the relay publishes by id): the subscription event, then the mail.
_WRITE = sa.text(
    f"""
WITH target AS (
    SELECT l.project_id FROM lists l JOIN projects p ON p.id = l.project_id
    WHERE {_LIVE_DOUBLE_OPTIN_LIST} AND l.project_id = :project_id
), suppressed AS (
    SELECT EXISTS (SELECT 1 FROM suppressions WHERE project_id = :project_id AND email_hash = :email_hash) AS yes
), contact AS (
    INSERT INTO contacts (id, project_id, email, email_hash, attributes, created_at, updated_at)
    SELECT :contact_id, project_id, CAST(:email AS varchar), CAST(:email_hash AS varchar), :attributes, :now, :now
    FROM target
    ON CONFLICT (project_id, email_hash) DO NOTHING
    RETURNING id, project_id
), sub AS (
    INSERT INTO subscriptions (id, project_id, list_id, contact_id, status, confirmation_sent_at, created_at,
                               updated_at)
    SELECT :subscription_id, contact.project_id, :list_id, contact.id, 'pending',
           CASE WHEN suppressed.yes THEN NULL ELSE CAST(:now AS timestamptz) END, :now, :now
    FROM contact, suppressed
    RETURNING id, project_id, list_id, contact_id
), change AS (
    INSERT INTO subscription_changes
        (project_id, subscription_id, list_id, contact_id, previous_status, status, source, detail, created_at)
    SELECT project_id, id, list_id, contact_id, NULL, 'pending', :source, NULL, :now FROM sub
), outbox_rows AS (
    INSERT INTO outbox (message_id, routing_key, payload, headers, created_at, attempts)
    SELECT m.message_id, m.routing_key, m.payload, CAST('{{}}' AS jsonb), :now, 0
    FROM sub, suppressed, (VALUES (1, :event_id, :event_key, CAST(:event AS jsonb)),
                      (2, :mail_id, :mail_key, CAST(:mail AS jsonb))) AS m (ord, message_id, routing_key, payload)
    WHERE m.ord = 1 OR NOT suppressed.yes  -- never mail a suppressed address, not even to confirm
    ORDER BY m.ord
)
SELECT count(*) AS created FROM sub"""
).bindparams(
    sa.bindparam("attributes", type_=JSONB),
    sa.bindparam("event", type_=JSONB),
    sa.bindparam("mail", type_=JSONB),
    sa.bindparam("now", type_=sa.DateTime(timezone=True)),
)


def _bind(names: tuple[str, ...], **values: Any) -> list[Any]:
    """The parameters of an `_asyncpg_form` statement, in its order."""
    return [values[n] for n in names]


def _asyncpg_form(stmt: sa.TextClause) -> tuple[str, tuple[str, ...]]:
    """The statement as asyncpg takes it (`$n` placeholders, casts for typed parameters) and its parameter names
    in order: written once above, run straight through asyncpg (shared/db/direct.py)."""
    compiled = stmt.compile(dialect=postgresql_asyncpg.dialect())
    return compiled.string, tuple(compiled.positiontup or ())


_LIST_INFO_SQL, _LIST_INFO_ARGS = _asyncpg_form(_LIST_INFO)
_IDS_SQL, _IDS_ARGS = _asyncpg_form(_IDS)
_WRITE_SQL, _WRITE_ARGS = _asyncpg_form(_WRITE)


@dataclass
class _Memory:
    """One process's (one Runtime's) ids in hand and recently read list facts."""

    ids: list[tuple[int, int]] = field(default_factory=list)
    lists: dict[int, tuple[float, dict[str, Any]]] = field(default_factory=dict)

    async def list_info(self, conn: Any, list_id: int) -> dict[str, Any] | None:
        now = time.monotonic()
        hit = self.lists.get(list_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        row = await conn.fetchrow(_LIST_INFO_SQL, *_bind(_LIST_INFO_ARGS, list_id=list_id))
        if row is None:
            self.lists.pop(list_id, None)
            return None
        if len(self.lists) > 10_000:
            self.lists.clear()
        info = {**row, "project_settings": json.loads(row["project_settings"] or "null")}
        self.lists[list_id] = (now + LIST_INFO_SECONDS, info)
        return info

    async def new_ids(self, conn: Any) -> tuple[int, int]:
        if not self.ids:
            rows = await conn.fetch(_IDS_SQL, *_bind(_IDS_ARGS, n=ID_BLOCK))
            self.ids.extend((r["contact_id"], r["subscription_id"]) for r in reversed(rows))
        return self.ids.pop()


_MEMORY: weakref.WeakKeyDictionary[Runtime, _Memory] = weakref.WeakKeyDictionary()


async def first_signup(
    rt: Runtime,
    ss: SubscriptionsSettings,
    list_id: int,
    raw_email: str,
    *,
    source: str,
    attributes: dict[str, Any],
) -> bool:
    """Subscribe a never-seen address to a live double opt-in list in one round trip (Postgres); False when
    nothing was written and `membership.subscribe` must handle the signup."""
    if not rt.direct.available:
        return False
    try:
        email = normalize_email(raw_email)
    except InvalidEmail:
        return False  # the general path answers it, in its own order (a deleted list is a 404 first)
    memory = _MEMORY.get(rt)
    if memory is None:
        memory = _MEMORY[rt] = _Memory()
    async with rt.direct.connection() as conn:
        created = await _signup(conn, memory, rt, ss, list_id, email, source, attributes)
    if created:
        rt.relay.notify()  # committed: publish now rather than at the next poll
    return created


async def _signup(
    conn: Any,
    memory: _Memory,
    rt: Runtime,
    ss: SubscriptionsSettings,
    list_id: int,
    email: str,
    source: str,
    attributes: dict[str, Any],
) -> bool:
    info = await memory.list_info(conn, list_id)
    if info is None:
        return False
    contact_id, sub_id = await memory.new_ids(conn)
    project_id = info["project_id"]
    now = utcnow()
    event = change_message(
        project_id, list_id, contact_id, sub_id, "pending", None, source, paused_until=None, at=now
    )
    brand = brand_name(info["project_name"], info["project_settings"])
    # Built even for a known or suppressed address (rare), so one statement serves all; it drops what it must.
    mail = confirmation_mail(rt, ss, project_id, brand, list_id, info["list_name"], sub_id, contact_id, email)
    params = {
        "list_id": list_id,
        "project_id": project_id,
        "contact_id": contact_id,
        "subscription_id": sub_id,
        "email": email,
        "email_hash": email_hash(email),
        "attributes": json.dumps(attributes),
        "now": now,
        "source": source,
        "event_id": uuid.uuid4().hex,
        "event_key": f"subscription.{event.event}",
        "event": event.payload_json(),
        "mail_id": uuid.uuid4().hex,
        "mail_key": MailRequested.ROUTING_KEY,
        "mail": mail.payload_json(),
    }
    # Executed as a prepared statement, so an error leaves no part of it behind (a single statement is atomic).
    return bool(await conn.fetchval(_WRITE_SQL, *_bind(_WRITE_ARGS, **params)))
