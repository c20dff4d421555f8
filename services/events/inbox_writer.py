"""The SNS webhook's inbox INSERTs, grouped: concurrent requests' rows are written by one multi-row statement.

A webhook request answers only once its row is committed (the inbox is the source of truth; SNS retries what we
do not acknowledge). One autocommit INSERT per request made every request wait for a pooled connection and pay a
statement's overhead here and in Postgres: through the gateway at 1,500 notifications/s offered, that was the
difference between a p99 of 580 ms and one of 17 ms (bench/events_ingest.py, same machine, same run setup).
Rows queued while the previous statement ran go in one `INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING
RETURNING` (shared/db/grouped.py: grouping, and the row-by-row retry that fails only a refused row's request).

Each row's outcome is exactly the single-row statement's: its new id, or None for a duplicate (also for the
second of two copies in one statement). Errors come out as SQLAlchemy's (shared/db/direct.py).
"""

from __future__ import annotations

from shared.db.direct import DirectPool
from shared.db.grouped import GroupedWrites
from shared.db.types import utcnow

MAX_ROWS = 500

# (project_id, source, message_id, topic_arn, body, status, last_error)
Row = tuple[int, str, str, str | None, str, str, str | None]

_INSERT = (
    "INSERT INTO sns_inbox (project_id, source, message_id, topic_arn, body, status, attempts, last_error,"
    " received_at)"
    " SELECT p, s, m, t, b, st, 0, e, $8"
    " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])"
    " AS u (p, s, m, t, b, st, e)"
    " ON CONFLICT (project_id, source, message_id) DO NOTHING RETURNING id, project_id, source, message_id"
)


class InboxWriter:
    def __init__(self, direct: DirectPool) -> None:
        self._direct = direct
        self._grouped = GroupedWrites(self._statement, name="sns-inbox-writer", max_rows=MAX_ROWS)

    async def insert(self, row: Row) -> int | None:
        """Store one notification; its new id, or None when that message is already in the inbox."""
        return await self._grouped.submit(row)

    async def _statement(self, rows: list[Row]) -> list[int | None]:
        columns = [list(c) for c in zip(*rows, strict=True)]
        async with self._direct.connection() as conn:
            returned = await conn.fetch(_INSERT, *columns, utcnow())
        ids = {(r["project_id"], r["source"], r["message_id"]): r["id"] for r in returned}
        return [ids.pop(row[:3], None) for row in rows]  # a second copy in the same statement is a duplicate
