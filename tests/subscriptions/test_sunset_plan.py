"""The hourly sunset scan reads `messages` through ix_messages_sent_by_list on Postgres, in the generic plan of its
prepared statement too (asyncpg prepares every statement; after five runs Postgres may switch to a generic plan,
which can use a partial index only when the query states its predicate as literals). Seeded with 300 k messages
over 20 lists; prints the plans and the scan's time with and without the index (`pytest -s`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.subscriptions.sunset import disengaged
from shared.db.engine import create_engine
from shared.db.types import utcnow
from shared.models.core import Project
from shared.models.subscriptions import Contact, MailingList, Subscription
from shared.settings import DatabaseSettings

INDEX = "ix_messages_sent_by_list"
CONTACTS, MESSAGES = 3000, 300_000


@pytest.fixture
async def engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    e = create_engine(DatabaseSettings(url=pg_url))
    yield e
    await e.dispose()


async def _seed(engine: AsyncEngine) -> MailingList:
    """A list with 3,000 active subscribers of long standing, none engaged; 300 k messages, 1 in 20 on this list
    (5 to each subscriber) and the rest on 19 others (as the planner sees them: messages have no foreign keys); 4 in
    5 sent, over the last 60 days."""
    now = utcnow()
    long_ago = now - dt.timedelta(days=90)
    lists, contacts = MailingList.__table__, Contact.__table__
    async with engine.begin() as conn:
        project = sa.insert(Project.__table__).values(name="Acme", settings={})
        pid = (await conn.execute(project.returning(Project.__table__.c.id))).scalar_one()
        new_list = sa.insert(lists).values(
            project_id=pid, name="news", description="", double_optin=False, form_settings={}, created_at=now,
            updated_at=now,
        )  # fmt: skip
        news = (await conn.execute(new_list.returning(lists.c.id))).scalar_one()
        rows = [
            {"project_id": pid, "email": f"c{i}@example.net", "email_hash": f"h{i}", "attributes": {},
             "created_at": long_ago, "updated_at": long_ago}
            for i in range(CONTACTS)
        ]  # fmt: skip
        ids = (await conn.execute(sa.insert(contacts).values(rows).returning(contacts.c.id))).scalars().all()
        await conn.execute(
            sa.insert(Subscription.__table__),
            [{"project_id": pid, "list_id": news, "contact_id": c, "status": "active", "created_at": long_ago,
              "updated_at": long_ago} for c in ids],
        )  # fmt: skip
        await conn.execute(
            sa.text(
                "INSERT INTO messages (project_id, kind, state, campaign_id, contact_id, list_id, to_address,"
                " email_hash, attempts, send_after, sent_at, created_at, updated_at)"
                " SELECT CAST(:pid AS bigint), 'marketing', CASE WHEN g % 5 = 0 THEN 'failed' ELSE 'sent' END,"
                " 1 + g % 40, CAST(:c0 AS bigint) + (g / 20) % CAST(:n AS int),"
                " CAST(:news AS bigint) + CASE WHEN g % 20 = 1 THEN 0 ELSE 1 + g % 19 END, 'x@example.net', 'h', 1,"
                " now(), CASE WHEN g % 5 = 0 THEN NULL ELSE now() - (g % 60) * interval '1 day' END, now(), now()"
                " FROM generate_series(1, CAST(:total AS int)) g"
            ),
            {"pid": pid, "c0": min(ids), "n": CONTACTS, "news": news, "total": MESSAGES},
        )
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(sa.text("VACUUM ANALYZE messages, subscriptions, contacts, lists"))
    return MailingList(id=news, project_id=pid, name="news", sunset_days=30, sunset_campaigns=3)


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return f"'{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


async def _plan(
    conn: AsyncConnection, stmt: sa.Select[Any], mode: str, analyze: bool = False
) -> dict[str, Any]:
    """EXPLAIN of the statement prepared as asyncpg prepares it ($n parameters), in plan_cache_mode `mode`."""
    compiled = stmt.compile(dialect=conn.dialect)
    args = ", ".join(_literal(compiled.params[name]) for name in compiled.positiontup or [])
    await conn.execute(sa.text(f"SET plan_cache_mode = {mode}"))
    await conn.exec_driver_sql(f"PREPARE sunset_scan AS {compiled}")
    try:
        options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
        raw = (await conn.exec_driver_sql(f"EXPLAIN ({options}) EXECUTE sunset_scan({args})")).scalar_one()
    finally:
        await conn.exec_driver_sql("DEALLOCATE sunset_scan")
        await conn.execute(sa.text("RESET plan_cache_mode"))
    doc = json.loads(raw) if isinstance(raw, str) else raw
    return doc[0]  # type: ignore[no-any-return]


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def _reads_of_messages(plan: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(node type, index) of each read of `messages`; a bitmap heap scan's index is that of its bitmap scans."""
    out = []
    for n in _nodes(plan["Plan"]):
        if n.get("Relation Name") != "messages":
            continue
        index = n.get("Index Name")
        if n["Node Type"] == "Bitmap Heap Scan":
            used = {c["Index Name"] for c in _nodes(n) if c["Node Type"] == "Bitmap Index Scan"}
            index = used.pop() if len(used) == 1 else None
        out.append((n["Node Type"], index))
    return out


def _outline(node: dict[str, Any], depth: int = 0) -> str:
    what = node["Node Type"] + (f" on {node['Relation Name']}" if "Relation Name" in node else "")
    what += f" using {node['Index Name']}" if "Index Name" in node else ""
    lines = ["  " * depth + what]
    for child in node.get("Plans", []):
        lines.append(_outline(child, depth + 1))
    return "\n".join(lines)


async def test_the_sunset_scan_reads_messages_through_its_index(engine: AsyncEngine) -> None:
    news = await _seed(engine)
    now = utcnow()
    both = disengaged(news, now)
    days_only = disengaged(MailingList(id=news.id, project_id=news.project_id, sunset_days=30), now)
    campaigns_only = disengaged(MailingList(id=news.id, project_id=news.project_id, sunset_campaigns=3), now)
    async with engine.connect() as conn:
        for name, stmt in (("both rules", both), ("days", days_only), ("campaigns", campaigns_only)):
            assert stmt is not None
            for mode in ("force_generic_plan", "force_custom_plan"):
                plan = await _plan(conn, stmt, mode)
                reads = _reads_of_messages(plan)
                print(f"\n--- {name}, {mode}\n{_outline(plan['Plan'])}")
                assert reads, plan
                assert all(index == INDEX for _, index in reads), (name, mode, reads)
                assert not [r for r in reads if r[0] == "Seq Scan"], (name, mode, reads)

        # what the index buys, for the record: the same scan without it (dropped in a rolled-back transaction)
        assert both is not None
        with_index = await _plan(conn, both, "force_generic_plan", analyze=True)
        await conn.rollback()
        await conn.execute(sa.text(f"DROP INDEX {INDEX}"))
        without = await _plan(conn, both, "force_generic_plan", analyze=True)
        await conn.rollback()
        print(
            f"\nsunset scan over {MESSAGES} messages: {with_index['Execution Time']:.1f} ms with {INDEX}, "
            f"{without['Execution Time']:.1f} ms without\n{_outline(without['Plan'])}"
        )
        assert [i for _, i in _reads_of_messages(without)] != [INDEX]  # the check above can fail
        # the same answer either way, and not an empty one (those mailed in the last 30 days: two in three)
        assert with_index["Plan"]["Actual Rows"] == without["Plan"]["Actual Rows"] == CONTACTS * 2 // 3
