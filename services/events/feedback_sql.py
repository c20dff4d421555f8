"""The policy's set-based statements: one statement per step for a whole batch of feedback on Postgres.

Per-event statements cost more CPU (SQLAlchemy + driver round trip, ≈ 150 µs each) than the work they do; on
Postgres each step here is one `unnest(…)` statement over column arrays, whatever the batch size. SQLite (the
embedded mode: one writer, modest volume) runs the same steps with the single-row statements, one per row.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.types import UTCDateTime
from shared.db.upsert import dialect_name, insert
from shared.models.events import EmailEvent, FeedbackAddress

EVENT_COLUMNS = (
    "project_id", "inbox_id", "dedupe_key", "event_type", "email", "email_hash", "ses_message_id", "message_id",
    "bounce_type", "bounce_subtype", "feedback_type", "soft_bounce", "counted", "suppressed", "diagnostic",
    "detail", "occurred_at",
)  # fmt: skip
_PG_TYPES = (
    "bigint", "bigint", "text", "text", "text", "text", "text", "bigint", "text", "text", "text", "boolean",
    "boolean", "boolean", "text", "text", "timestamptz",
)  # fmt: skip
_COLS = ", ".join(EVENT_COLUMNS)
_ARRAYS = ", ".join(f"CAST(:{c} AS {t}[])" for c, t in zip(EVENT_COLUMNS, _PG_TYPES, strict=True))
_SELECT = ", ".join("CAST(u.detail AS jsonb)" if c == "detail" else f"u.{c}" for c in EVENT_COLUMNS)
# Rows go in in the given order (ids follow it); a dedupe key seen before, or twice in the batch, returns nothing.
_PG_EVENTS = sa.text(
    f"INSERT INTO email_events ({_COLS}, created_at)"
    f" SELECT {_SELECT}, :now FROM unnest({_ARRAYS}) WITH ORDINALITY AS u({_COLS}, n) ORDER BY u.n"
    " ON CONFLICT (project_id, dedupe_key) DO NOTHING RETURNING id, project_id, dedupe_key"
)
# Addresses locked in the caller's (hash) order: ON CONFLICT DO UPDATE holds each row lock until commit.
_PG_LOCK = sa.text(
    "INSERT INTO feedback_addresses (project_id, email_hash, bounces, complaints, updated_at)"
    " SELECT u.p, u.h, 0, 0, :now FROM unnest(CAST(:ps AS bigint[]), CAST(:hs AS text[])) WITH ORDINALITY"
    " AS u(p, h, n) ORDER BY u.n"
    " ON CONFLICT (project_id, email_hash) DO UPDATE SET updated_at = excluded.updated_at"
)
_PG_TOUCH = sa.text(
    "UPDATE feedback_addresses AS fa SET bounces = fa.bounces + u.b, complaints = fa.complaints + u.c,"
    " updated_at = :now, suppressed_reason = coalesce(fa.suppressed_reason, u.r),"
    " suppressed_at = coalesce(fa.suppressed_at, CASE WHEN u.r IS NULL THEN NULL ELSE CAST(:now AS timestamptz) END)"
    " FROM unnest(CAST(:ps AS bigint[]), CAST(:hs AS text[]), CAST(:bs AS int[]), CAST(:cs AS int[]),"
    " CAST(:rs AS text[])) AS u(p, h, b, c, r)"
    " WHERE fa.project_id = u.p AND fa.email_hash = u.h"
)

_LITE: dict[str, Any] = {}


def _lite(name: str, session: AsyncSession) -> Any:
    stmt = _LITE.get(name)
    if stmt is not None:
        return stmt
    if name == "lock":
        base = insert(FeedbackAddress.__table__, session)
        stmt = base.on_conflict_do_update(
            index_elements=["project_id", "email_hash"], set_={"updated_at": base.excluded.updated_at}
        )
    elif name == "record":
        stmt = (
            insert(EmailEvent.__table__, session)
            .on_conflict_do_nothing(index_elements=["project_id", "dedupe_key"])
            .returning(EmailEvent.__table__.c.id)
        )
    else:
        fa = FeedbackAddress.__table__
        now = sa.bindparam("p_now", type_=UTCDateTime())
        reason = sa.bindparam("p_reason", type_=sa.String())
        stmt = (
            sa.update(fa)
            .where(fa.c.project_id == sa.bindparam("p_p"), fa.c.email_hash == sa.bindparam("p_h"))
            .values(
                bounces=fa.c.bounces + sa.bindparam("p_b"),
                complaints=fa.c.complaints + sa.bindparam("p_c"),
                updated_at=now,
                suppressed_reason=sa.func.coalesce(fa.c.suppressed_reason, reason),
                suppressed_at=sa.func.coalesce(
                    fa.c.suppressed_at, sa.case((reason.is_(None), None), else_=now)
                ),
            )
        )
    _LITE[name] = stmt
    return stmt


async def lock_addresses(session: AsyncSession, keys: list[tuple[int, str]], now: datetime) -> None:
    """Upsert (and so row-lock until commit) each (project, hash), in the given order; keys must be distinct."""
    if not keys:
        return
    if dialect_name(session) == "postgresql":
        await session.execute(_PG_LOCK, {"ps": [p for p, _ in keys], "hs": [h for _, h in keys], "now": now})
        return
    for p, h in keys:
        params = {"project_id": p, "email_hash": h, "bounces": 0, "complaints": 0, "updated_at": now}
        await session.execute(_lite("lock", session), params)


async def insert_events(session: AsyncSession, rows: list[dict[str, Any]], now: datetime) -> list[int | None]:
    """Insert event rows once each (by project + dedupe key); per row its new id, None when already recorded."""
    if not rows:
        return []
    if dialect_name(session) != "postgresql":
        stmt = _lite("record", session)
        return [(await session.execute(stmt, {**r, "created_at": now})).scalar() for r in rows]
    params: dict[str, Any] = {c: [r[c] for r in rows] for c in EVENT_COLUMNS}
    params["detail"] = [json.dumps(d) for d in params["detail"]]
    params["now"] = now
    returned = (await session.execute(_PG_EVENTS, params)).all()
    ids = {(p, k): i for i, p, k in returned}
    return [ids.pop((r["project_id"], r["dedupe_key"]), None) for r in rows]  # a second copy is a duplicate


async def touch_addresses(
    session: AsyncSession, updates: dict[tuple[int, str], tuple[int, int, str | None]], now: datetime
) -> None:
    """Add (bounces, complaints) to locked addresses and suppress them (first reason kept)."""
    if not updates:
        return
    keys = list(updates)
    if dialect_name(session) == "postgresql":
        await session.execute(
            _PG_TOUCH,
            {
                "ps": [p for p, _ in keys],
                "hs": [h for _, h in keys],
                "bs": [updates[k][0] for k in keys],
                "cs": [updates[k][1] for k in keys],
                "rs": [updates[k][2] for k in keys],
                "now": now,
            },
        )
        return
    for (p, h), (b, c, r) in updates.items():
        params = {"p_p": p, "p_h": h, "p_b": b, "p_c": c, "p_reason": r, "p_now": now}
        await session.execute(_lite("touch", session), params)
