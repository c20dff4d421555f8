"""`sesame status`: queue depths (ready and dead-lettered), outbox backlog, per-project quota and pause state.

Read-only: it opens its own engine and bus connection (no outbox relay, no consumers), so running it never
publishes, claims or acknowledges anything. The queue list comes from the services' consumer specs, plus any
`--queue` given. Project figures come from the sender's and events' tables when they exist.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from sesame.commands._common import load_settings, run
from sesame.services import SERVICES
from shared.bus.protocol import Bus

DEAD_PEEK_LIMIT = 1000  # both buses peek at most this many dead letters; more shows as "1000+"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("status", help="queue depths, dead letters, outbox backlog, per-project quota")
    p.add_argument(
        "--queue", action="append", default=[], metavar="NAME", help="also show this queue (repeatable)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.set_defaults(func=_status)


def known_queues(extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Queue names the services consume (from each `service_spec()`), plus `extra`, sorted and unique."""
    names = set(extra)
    for svc in SERVICES:
        try:
            spec = importlib.import_module(f"services.{svc}.app").service_spec()
        except Exception as exc:  # noqa: BLE001 - one broken service must not hide the others' queues
            print(f"sesame: warning: cannot read {svc}'s queues: {exc!r}", file=sys.stderr)
            continue
        names.update(qspec.name for qspec, _ in spec.consumers)
    return sorted(names)


@dataclass
class QueueStatus:
    name: str
    ready: int
    dead: int
    dead_capped: bool = False


@dataclass
class OutboxStatus:
    unpublished: int
    oldest_age_seconds: float | None


@dataclass
class Status:
    bus: str
    queues: list[QueueStatus] = field(default_factory=list)
    outbox: OutboxStatus | None = None
    projects: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


async def queue_status(bus: Bus, names: list[str]) -> list[QueueStatus]:
    """Ready and dead-lettered counts of each queue, through the Bus protocol only."""
    out = []
    for name in names:
        ready = await bus.queue_depth(name)
        dead = len(await bus.dead_letters(name))
        out.append(QueueStatus(name, ready, dead, dead >= DEAD_PEEK_LIMIT))
    return out


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def outbox_status(engine: AsyncEngine) -> OutboxStatus:
    from shared.models.core import OutboxMessage

    async with engine.connect() as conn:
        row = (
            await conn.execute(
                sa.select(sa.func.count(), sa.func.min(OutboxMessage.created_at)).where(
                    OutboxMessage.published_at.is_(None)
                )
            )
        ).one()
    oldest = _aware(row[1])
    age = (datetime.now(UTC) - oldest).total_seconds() if oldest else None
    return OutboxStatus(int(row[0]), round(age, 1) if age is not None else None)


# (table, column, output key): read when the column exists, so the snapshot follows the services' schemas.
_PROJECT_COLUMNS = [
    ("ses_accounts", "region", "region"),
    ("ses_accounts", "max_send_rate", "max_send_rate"),
    ("ses_accounts", "max_24h_send", "max_24h_send"),
    ("ses_accounts", "sent_last_24h", "sent_last_24h"),
    ("ses_accounts", "sent_since_read", "sent_since_read"),
    ("ses_accounts", "sending_enabled", "sending_enabled"),
    ("ses_accounts", "quota_read_at", "quota_read_at"),
    ("sender_project_state", "marketing_paused", "marketing_paused"),
    ("sender_project_state", "transactional_paused", "transactional_paused"),
    ("sender_project_state", "reason", "pause_reason"),
    ("project_guards", "state", "guard_state"),
]


async def project_status(engine: AsyncEngine) -> list[dict[str, Any]]:
    """One row per live project: SES quota and use, pause flags, guard state (whatever tables exist)."""
    wanted = {"projects", *(t for t, _, _ in _PROJECT_COLUMNS)}
    md = sa.MetaData()
    async with engine.connect() as conn:
        present = await conn.run_sync(lambda c: set(sa.inspect(c).get_table_names()))
        if "projects" not in present:
            return []
        await conn.run_sync(lambda c: md.reflect(c, only=sorted(wanted & present)))
        projects = md.tables["projects"]
        cols: list[Any] = [projects.c.id.label("project_id"), projects.c.name.label("name")]
        query_from: Any = projects
        joined: set[str] = set()
        for table_name, column, key in _PROJECT_COLUMNS:
            table = md.tables.get(table_name)
            if table is None or column not in table.c or "project_id" not in table.c:
                continue
            if table_name not in joined:
                query_from = query_from.outerjoin(table, table.c.project_id == projects.c.id)
                joined.add(table_name)
            cols.append(table.c[column].label(key))
        query = sa.select(*cols).select_from(query_from).order_by(projects.c.id)
        if "deleted_at" in projects.c:
            query = query.where(projects.c.deleted_at.is_(None))
        rows = (await conn.execute(query)).mappings().all()
    out = []
    for r in rows:
        item = dict(r)
        if isinstance(item.get("quota_read_at"), datetime | str):
            item["quota_read_at"] = _aware(item["quota_read_at"]).isoformat()  # type: ignore[union-attr]
        used = item.get("sent_last_24h")
        if used is not None and item.get("sent_since_read") is not None:
            used += item["sent_since_read"]
        cap = item.get("max_24h_send")
        item["quota_used_pct"] = round(100.0 * used / cap, 1) if used is not None and cap else None
        out.append(item)
    return out


async def collect(settings: Any, extra_queues: list[str] | tuple[str, ...] = ()) -> Status:
    """The whole snapshot; opens and closes its own engine and bus."""
    from shared.bus import create_bus
    from shared.db.engine import create_engine

    status = Status(bus="memory" if settings.bus.is_memory else "rabbitmq")
    engine = create_engine(settings.database)
    try:
        status.outbox = await outbox_status(engine)
        status.projects = await project_status(engine)
    finally:
        await engine.dispose()
    if settings.bus.is_memory:
        status.notes.append(
            "in-process bus: its queues live inside the running `sesame run` process (see its /metrics)"
        )
        return status
    bus = create_bus(settings.bus)
    await bus.start()
    try:
        status.queues = await queue_status(bus, known_queues(extra_queues))
    finally:
        await bus.close()
    return status


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    cells = [headers] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )


def render_text(status: Status) -> str:
    parts = []
    if status.queues:
        rows: list[list[Any]] = [
            [q.name, q.ready, f"{q.dead}+" if q.dead_capped else q.dead] for q in status.queues
        ]
        parts.append("Queues\n" + _table(["queue", "ready", "dead-lettered"], rows))
    if status.outbox:
        age = status.outbox.oldest_age_seconds
        parts.append(
            f"Outbox\n{status.outbox.unpublished} unpublished"
            + (f", oldest {age:.0f} s old" if age is not None else "")
        )
    if status.projects:
        keys = [
            "project_id",
            "name",
            "region",
            "max_send_rate",
            "max_24h_send",
            "sent_last_24h",
            "quota_used_pct",
            "sending_enabled",
            "marketing_paused",
            "transactional_paused",
            "guard_state",
        ]
        keys = [k for k in keys if any(k in p for p in status.projects)]
        project_rows: list[list[Any]] = [[p.get(k) for k in keys] for p in status.projects]
        parts.append("Projects\n" + _table([k.replace("_", " ") for k in keys], project_rows))
    else:
        parts.append("Projects\n(none)")
    parts += [f"note: {n}" for n in status.notes]
    return "\n\n".join(parts) + "\n"


def _status(args: argparse.Namespace) -> int:
    settings = load_settings()
    status = run(collect(settings, args.queue))
    if args.json:
        print(json.dumps(asdict(status), indent=2, default=str))
    else:
        sys.stdout.write(render_text(status))
    return 0
