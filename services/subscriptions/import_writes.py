"""One batch of an import's good rows written set-based, in one transaction with its bad-row reports and the
import's progress counters: on Postgres one multi-row `INSERT … SELECT unnest(…) ON CONFLICT` for contacts and one
for subscriptions + their change-log rows; on SQLite (the embedded mode) the same effect with its means. Existing
contacts and subscriptions are kept (an address that unsubscribed stays unsubscribed), so re-running a file changes
nothing the second time."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.subscriptions.csv_rows import Batch
from shared.contracts.subscription import SubscriptionsImported
from shared.db.types import UTCDateTime, utcnow
from shared.db.upsert import dialect_name
from shared.models.subscriptions import ContactImport, ImportRowError
from shared.outbox import enqueue
from shared.runtime import Runtime

# One statement per batch: contacts (new ones inserted, existing ones get new attributes merged; every row's id
# comes back, so no lookup), their subscriptions (existing ones untouched) and a change-log row per new subscription.
_PG_BATCH = """
WITH c AS (
  INSERT INTO contacts AS ct (project_id, email, email_hash, attributes, created_at, updated_at, import_id)
  SELECT $1, t.email, t.h, t.a::jsonb, $5, $5, $9 FROM unnest($2::text[], $3::text[], $4::text[]) AS t(email, h, a)
  ON CONFLICT (project_id, email_hash) DO UPDATE SET
    attributes = CASE WHEN ct.attributes @> EXCLUDED.attributes THEN ct.attributes
                      ELSE ct.attributes || EXCLUDED.attributes END,
    updated_at = CASE WHEN ct.attributes @> EXCLUDED.attributes THEN ct.updated_at ELSE EXCLUDED.updated_at END
  RETURNING ct.id, (xmax = 0) AS inserted
), s AS (
  INSERT INTO subscriptions
    (project_id, list_id, contact_id, status, consent_source, created_at, updated_at, import_id)
  SELECT $1, $6, c.id, 'active', $7, $5, $5, $9 FROM c
  ON CONFLICT (list_id, contact_id) DO NOTHING
  RETURNING id, contact_id
), l AS (
  INSERT INTO subscription_changes
    (project_id, subscription_id, list_id, contact_id, previous_status, status, source, detail, created_at)
  SELECT $1, s.id, $6, s.contact_id, NULL, 'active', 'import', $8, $5 FROM s
)
SELECT (SELECT count(*) FROM c WHERE c.inserted) AS created,
       (SELECT coalesce(array_agg(s.contact_id ORDER BY s.contact_id), '{}') FROM s) AS subscribed
"""


async def _insert_pg(session: AsyncSession, imp: ContactImport, b: Batch) -> tuple[int, list[int]]:
    conn = await session.connection()
    raw = (await conn.get_raw_connection()).driver_connection
    assert raw is not None
    detail = f"import {imp.id}: {imp.consent_source}"[:500]
    order = sorted(range(len(b.hashes)), key=b.hashes.__getitem__)
    emails, hashes, attrs = ([col[i] for i in order] for col in (b.emails, b.hashes, b.attributes))
    row = await raw.fetchrow(
        _PG_BATCH,
        imp.project_id,
        emails,
        hashes,
        attrs,
        utcnow(),
        imp.list_id,
        imp.consent_source,
        detail,
        imp.id,
    )
    return int(row["created"]), list(row["subscribed"])


def _sqlite(sql: str, *expanding: str) -> sa.TextClause:
    params: list[sa.BindParameter[Any]] = [sa.bindparam(n, expanding=True) for n in expanding]
    if ":now" in sql:
        params.append(sa.bindparam("now", type_=UTCDateTime()))
    return sa.text(sql).bindparams(*params)


async def _insert_sqlite(session: AsyncSession, imp: ContactImport, b: Batch) -> tuple[int, list[int]]:
    """The same effect as `_insert_pg` with SQLite's means (the embedded mode; one writer at a time)."""
    now = utcnow()
    count = sa.text("SELECT count(*) FROM contacts WHERE project_id = :p")
    before = await session.scalar(count, {"p": imp.project_id})
    await session.execute(
        _sqlite(
            "INSERT INTO contacts (project_id, email, email_hash, attributes, created_at, updated_at, import_id) "
            "VALUES (:p, :e, :h, :a, :now, :now, :imp) ON CONFLICT (project_id, email_hash) DO UPDATE "
            "SET attributes = json_patch(contacts.attributes, excluded.attributes), updated_at = excluded.updated_at "
            "WHERE excluded.attributes <> '{}' "
            "AND json_patch(contacts.attributes, excluded.attributes) <> contacts.attributes"
        ),
        [
            {"p": imp.project_id, "e": e, "h": h, "a": a, "now": now, "imp": imp.id}
            for e, h, a in zip(b.emails, b.hashes, b.attributes, strict=True)
        ],
    )
    created = int(await session.scalar(count, {"p": imp.project_id}) or 0) - int(before or 0)
    ids: list[int] = []
    existing: set[int] = set()
    for i in range(0, len(b.hashes), 500):
        res = await session.execute(
            _sqlite("SELECT id FROM contacts WHERE project_id = :p AND email_hash IN :hashes", "hashes"),
            {"p": imp.project_id, "hashes": b.hashes[i : i + 500]},
        )
        chunk = [r[0] for r in res]
        ids.extend(chunk)
        res = await session.execute(
            _sqlite("SELECT contact_id FROM subscriptions WHERE list_id = :l AND contact_id IN :ids", "ids"),
            {"l": imp.list_id, "ids": chunk},
        )
        existing.update(r[0] for r in res)
    new = [cid for cid in ids if cid not in existing]
    if new:
        await session.execute(
            _sqlite(
                "INSERT INTO subscriptions (project_id, list_id, contact_id, status, consent_source, created_at, "
                "updated_at, import_id) VALUES (:p, :l, :c, 'active', :cs, :now, :now, :imp) "
                "ON CONFLICT (list_id, contact_id) DO NOTHING"
            ),
            [
                {
                    "p": imp.project_id,
                    "l": imp.list_id,
                    "c": c,
                    "cs": imp.consent_source,
                    "now": now,
                    "imp": imp.id,
                }
                for c in new
            ],
        )
        detail = f"import {imp.id}: {imp.consent_source}"[:500]
        for i in range(0, len(new), 500):
            await session.execute(
                _sqlite(
                    "INSERT INTO subscription_changes (project_id, subscription_id, list_id, contact_id, "
                    "previous_status, status, source, detail, created_at) "
                    "SELECT :p, id, :l, contact_id, NULL, 'active', 'import', :d, :now "
                    "FROM subscriptions WHERE list_id = :l AND contact_id IN :ids",
                    "ids",
                ),
                {"p": imp.project_id, "l": imp.list_id, "d": detail, "now": now, "ids": new[i : i + 500]},
            )
    return created, new


async def apply_batch(rt: Runtime, imp: ContactImport, b: Batch, max_errors: int) -> ContactImport:
    """One transaction: the batch's rows, its bad-row reports and the progress counters."""
    async with rt.uow() as session:
        created, subscribed = 0, list[int]()
        if b.emails:
            if dialect_name(session) == "postgresql":
                created, subscribed = await _insert_pg(session, imp, b)
            else:
                created, subscribed = await _insert_sqlite(session, imp, b)
        room = max(0, max_errors - imp.rows_failed)
        if b.errors and room:
            await session.execute(
                sa.insert(ImportRowError),
                [
                    {"import_id": imp.id, "line": ln, "value": v, "reason": r[:500]}
                    for ln, v, r in b.errors[:room]
                ],
            )
        if subscribed:
            msg = SubscriptionsImported(
                project_id=imp.project_id,
                list_id=imp.list_id,
                import_id=imp.id,
                contact_ids=subscribed,
                at=utcnow(),
            )
            enqueue(session, SubscriptionsImported.ROUTING_KEY, msg.payload())
        values = {
            "processed_bytes": sa.case(
                (ContactImport.processed_bytes < b.position, b.position), else_=ContactImport.processed_bytes
            ),
            "rows_processed": ContactImport.rows_processed + b.rows,
            "rows_imported": ContactImport.rows_imported + len(b.emails),
            "contacts_created": ContactImport.contacts_created + created,
            "subscriptions_created": ContactImport.subscriptions_created + len(subscribed),
            "rows_duplicate": ContactImport.rows_duplicate + b.duplicates,
            "rows_failed": ContactImport.rows_failed + len(b.errors),
            "updated_at": utcnow(),
        }
        await session.execute(sa.update(ContactImport).where(ContactImport.id == imp.id).values(**values))
        fresh = await session.scalar(
            sa.select(ContactImport)
            .where(ContactImport.id == imp.id)
            .execution_options(populate_existing=True)
        )
        assert fresh is not None
        return fresh
