"""services/events/inbox_writer.py: grouped inbox INSERTs give each request exactly its own outcome."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from services.events.inbox_writer import InboxWriter
from shared.db.direct import DirectPool
from shared.db.engine import create_engine
from shared.runtime import Runtime
from shared.settings import DatabaseSettings
from tests.events.conftest import make_project
from tests.support.settings import make_settings


def _row(pid: int, mid: str, body: str = "{}") -> tuple:  # type: ignore[type-arg]
    return (pid, "sns", mid, "arn:aws:sns:us-east-1:123456789012:t", body, "received", None)


async def test_grouped_inserts_one_outcome_per_request(pg_url: str) -> None:
    rt = Runtime(make_settings(pg_url))
    direct = rt.direct
    try:
        pid = await make_project(rt)
        writer = InboxWriter(direct)
        assert isinstance(await writer.insert(_row(pid, "alone")), int)  # idle: written at once
        rows = [_row(pid, f"m{i}") for i in range(60)] + [
            _row(pid, "twice"),
            _row(pid, "twice"),
            _row(pid, "alone"),
        ]
        ids = await asyncio.gather(*(writer.insert(r) for r in rows))
        fresh = ids[:60]
        assert all(isinstance(i, int) for i in fresh) and len(set(fresh)) == 60
        first, second = ids[60:62]
        assert isinstance(first, int) and second is None  # two copies in one statement: one stored
        assert ids[62] is None  # already stored: a duplicate
        # a refused row (NUL is not text to Postgres) fails only its own request
        mixed = [_row(pid, "ok1"), _row(pid, "bad", "nul \x00 here"), _row(pid, "ok2")]
        results = await asyncio.gather(*(writer.insert(r) for r in mixed), return_exceptions=True)
        assert isinstance(results[0], int) and isinstance(results[2], int)
        assert isinstance(results[1], sa.exc.DataError)
        async with rt.engine.connect() as conn:
            stored = (await conn.execute(sa.text("SELECT message_id FROM sns_inbox"))).scalars().all()
        assert len(stored) == 64 and "bad" not in stored and stored.count("twice") == 1
    finally:
        await direct.close()
        await rt.engine.dispose()


async def test_a_lost_database_fails_the_waiting_requests(pg_url: str) -> None:
    engine = create_engine(DatabaseSettings(url=pg_url.replace("@127.0.0.1:5432/", "@127.0.0.1:1/")))
    direct = DirectPool(engine, size=1)
    try:
        with pytest.raises(sa.exc.OperationalError):  # the webhook answers 503; SNS retries
            await InboxWriter(direct).insert(_row(1, "m"))
    finally:
        await direct.close()
        await engine.dispose()
