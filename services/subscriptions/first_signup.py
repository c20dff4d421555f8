"""Postgres fast path for the commonest public signup: an address the project has never seen joins a double
opt-in list. One grouped statement instead of about fourteen round trips (BEGIN, ten ORM statements, COMMIT):

  one atomic statement: the list still live with double opt-in, the suppression check, the contact (`ON CONFLICT
  DO NOTHING`: a known address, or a concurrent signup of the same one, writes nothing here), its `pending`
  subscription (`confirmation_sent_at` unless suppressed), the change-log row and the outbox rows
  (`subscription.pending`, and the confirmation mail unless suppressed).

Concurrent signups share that statement (shared/db/grouped.py: the rows queued while the previous statement ran
go in the next one, a lone signup at once): one statement per signup had been the largest cost left in this
process and in Postgres (bench/gateway_signup.py). Each signup's outcome is its own — created, or nothing
written — exactly as if its statement had run alone; a statement that fails is retried signup by signup, so a
refused value fails only its own request.

What the statement needs beforehand comes from memory, refreshed now and then:
  - the new contact's and subscription's ids (the mail's signed links name them), taken from their sequences a
    block at a time, as a Postgres sequence CACHE does: an id still orders rows but no longer tells which of two
    replicas' signups came first, and ids a process never used are gaps (as a rollback leaves);
  - what the mail says about the list (list and project names, branding), read at most every
    LIST_INFO_SECONDS per list: a confirmation mail sent within that time of a rename may still use the old
    name. Whether the list is live is never taken from memory: the statement checks it.

The statements run straight through asyncpg (shared/db/direct.py: through SQLAlchemy each statement cost more
client CPU than its round trip). The statement is its own transaction (autocommit, no BEGIN/COMMIT round trips):
the outbox rows exist exactly when the subscription does, and the relay is woken once it has committed. Anything
else — a known address, a list without double opt-in, a deleted list or project, an invalid address, SQLite, a
lost race — writes nothing here and returns False: the caller then runs `membership.subscribe`, the reference
behaviour (tests/subscriptions/test_first_signup.py checks both leave the same rows).
"""

from __future__ import annotations

import json
import time
import uuid
import weakref
from datetime import datetime
from typing import Any, NamedTuple

from services.subscriptions.confirmation import confirmation_mail
from services.subscriptions.membership import brand_name, change_message
from services.subscriptions.settings import SubscriptionsSettings
from shared.contracts.mail import MailRequested
from shared.db.direct import DirectPool
from shared.db.grouped import GroupedWrites
from shared.db.types import utcnow
from shared.email_address import InvalidEmail, email_hash, normalize_email
from shared.runtime import Runtime

LIST_INFO_SECONDS = 2.0
ID_BLOCK = 50
MAX_ROWS = 200

_LIST_INFO = """
SELECT l.project_id, l.name AS list_name, l.form_settings AS form_settings, p.name AS project_name,
       p.settings AS project_settings
FROM lists l JOIN projects p ON p.id = l.project_id
WHERE l.id = $1 AND l.deleted_at IS NULL AND l.double_optin AND p.deleted_at IS NULL"""

_IDS = """
SELECT nextval(pg_get_serial_sequence('contacts', 'id')) AS contact_id,
       nextval(pg_get_serial_sequence('subscriptions', 'id')) AS subscription_id
FROM generate_series(1, $1)"""

# One signup per element of the arrays. The list is checked again (as the ORM path's own statements would see
# it); the outbox rows keep the ORM path's order (the relay publishes by id): per signup, in the order queued, the
# subscription event, then the mail. Two signups of one new address in one statement: the first creates the
# contact, the second finds it taken (`ON CONFLICT DO NOTHING`) and writes nothing, as if it had lost the race.
_WRITE = """
WITH input AS (
    SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[],
                         $7::text[], $8::timestamptz[], $9::text[], $10::text[], $11::text[], $12::text[],
                         $13::text[], $14::text[])
        WITH ORDINALITY AS u (list_id, project_id, contact_id, subscription_id, email, email_hash, attributes, at,
                              source, event_id, event_key, event, mail_id, mail, ord)
), target AS (
    SELECT i.*, EXISTS (SELECT 1 FROM suppressions s
                        WHERE s.project_id = i.project_id AND s.email_hash = i.email_hash) AS suppressed
    FROM input i JOIN lists l ON l.id = i.list_id JOIN projects p ON p.id = l.project_id
    WHERE l.deleted_at IS NULL AND l.double_optin AND p.deleted_at IS NULL AND l.project_id = i.project_id
), contact AS (
    INSERT INTO contacts (id, project_id, email, email_hash, attributes, created_at, updated_at)
    SELECT contact_id, project_id, email, email_hash, CAST(attributes AS jsonb), at, at FROM target ORDER BY ord
    ON CONFLICT (project_id, email_hash) DO NOTHING
    RETURNING id
), sub AS (
    INSERT INTO subscriptions (id, project_id, list_id, contact_id, status, confirmation_sent_at, created_at,
                               updated_at)
    SELECT t.subscription_id, t.project_id, t.list_id, t.contact_id, 'pending',
           CASE WHEN t.suppressed THEN NULL ELSE t.at END, t.at, t.at
    FROM target t JOIN contact c ON c.id = t.contact_id ORDER BY t.ord
    RETURNING id
), change AS (
    INSERT INTO subscription_changes
        (project_id, subscription_id, list_id, contact_id, previous_status, status, source, detail, created_at)
    SELECT t.project_id, t.subscription_id, t.list_id, t.contact_id, NULL, 'pending', t.source, NULL, t.at
    FROM target t JOIN sub ON sub.id = t.subscription_id ORDER BY t.ord
), outbox_rows AS (
    INSERT INTO outbox (message_id, routing_key, payload, headers, created_at, attempts)
    SELECT m.message_id, m.routing_key, CAST(m.payload AS jsonb), CAST('{}' AS jsonb), t.at, 0
    FROM target t JOIN sub ON sub.id = t.subscription_id
    CROSS JOIN LATERAL (VALUES (1, t.event_id, t.event_key, t.event),
                               (2, t.mail_id, $15, t.mail)) AS m (n, message_id, routing_key, payload)
    WHERE m.n = 1 OR NOT t.suppressed  -- never mail a suppressed address, not even to confirm
    ORDER BY t.ord, m.n
)
SELECT id FROM sub"""


class _Row(NamedTuple):
    """One signup's values, in the statement's array order."""

    list_id: int
    project_id: int
    contact_id: int
    subscription_id: int
    email: str
    email_hash: str
    attributes: str
    at: datetime
    source: str
    event_id: str
    event_key: str
    event: str
    mail_id: str
    mail: str


class _Memory:
    """One process's (one Runtime's) ids in hand, recently read list facts, and its grouped writes."""

    def __init__(self, direct: DirectPool) -> None:
        self.direct = direct
        self.ids: list[tuple[int, int]] = []
        self.lists: dict[int, tuple[float, dict[str, Any]]] = {}
        self.writes: GroupedWrites[_Row, bool] = GroupedWrites(
            self._write, name="first-signup", max_rows=MAX_ROWS
        )

    async def list_info(self, list_id: int) -> dict[str, Any] | None:
        now = time.monotonic()
        hit = self.lists.get(list_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        async with self.direct.connection() as conn:
            row = await conn.fetchrow(_LIST_INFO, list_id)
        if row is None:
            self.lists.pop(list_id, None)
            return None
        if len(self.lists) > 10_000:
            self.lists.clear()
        info = {
            **row,
            "project_settings": json.loads(row["project_settings"] or "null"),
            "form_settings": json.loads(row["form_settings"] or "null"),
        }
        self.lists[list_id] = (now + LIST_INFO_SECONDS, info)
        return info

    async def new_ids(self) -> tuple[int, int]:
        if not self.ids:
            async with self.direct.connection() as conn:
                rows = await conn.fetch(_IDS, ID_BLOCK)
            self.ids.extend((r["contact_id"], r["subscription_id"]) for r in reversed(rows))
        return self.ids.pop()

    async def _write(self, rows: list[_Row]) -> list[bool]:
        """The signups' rows in one statement, itself a transaction (autocommit): all of them, or none."""
        columns = [list(c) for c in zip(*rows, strict=True)]
        async with self.direct.connection() as conn:
            created = {r["id"] for r in await conn.fetch(_WRITE, *columns, MailRequested.ROUTING_KEY)}
        return [r.subscription_id in created for r in rows]


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
    """Subscribe a never-seen address to a live double opt-in list in one grouped statement (Postgres); False
    when nothing was written and `membership.subscribe` must handle the signup."""
    if not rt.direct.available:
        return False
    try:
        email = normalize_email(raw_email)
    except InvalidEmail:
        return False  # the general path answers it, in its own order (a deleted list is a 404 first)
    memory = _MEMORY.get(rt)
    if memory is None:
        memory = _MEMORY[rt] = _Memory(rt.direct)
    row = await _row(memory, rt, ss, list_id, email, source, attributes)
    if row is None:
        return False
    created = await memory.writes.submit(row)
    if created:
        rt.relay.notify()  # committed: publish now rather than at the next poll
    return created


async def _row(
    memory: _Memory,
    rt: Runtime,
    ss: SubscriptionsSettings,
    list_id: int,
    email: str,
    source: str,
    attributes: dict[str, Any],
) -> _Row | None:
    info = await memory.list_info(list_id)
    if info is None:
        return None
    contact_id, sub_id = await memory.new_ids()
    project_id = info["project_id"]
    now = utcnow()
    event = change_message(
        project_id, list_id, contact_id, sub_id, "pending", None, source, paused_until=None, at=now
    )
    brand = brand_name(info["project_name"], info["project_settings"])
    # Built even for a known or suppressed address (rare), so one statement serves all; it drops what it must.
    mail = confirmation_mail(
        rt,
        ss,
        project_id,
        brand,
        list_id,
        info["list_name"],
        sub_id,
        contact_id,
        email,
        info["form_settings"],
    )
    return _Row(
        list_id=list_id,
        project_id=project_id,
        contact_id=contact_id,
        subscription_id=sub_id,
        email=email,
        email_hash=email_hash(email),
        attributes=json.dumps(attributes),
        at=now,
        source=source,
        event_id=uuid.uuid4().hex,
        event_key=f"subscription.{event.event}",
        event=event.payload_json(),
        mail_id=uuid.uuid4().hex,
        mail=mail.payload_json(),
    )
