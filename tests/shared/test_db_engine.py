"""The Postgres pool replaces dead connections at checkout without pinging every one (shared/db/engine.py)."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_connection

from shared.db import engine as db_engine
from shared.settings import DatabaseSettings
from tests.support.infra import PG_ADMIN_DSN


async def _backend_pid(engine: sa.ext.asyncio.AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one())


@pytest.mark.parametrize("idle", [False, True], ids=["just-used", "idle"])
async def test_terminated_backend_is_replaced_at_checkout(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, idle: bool
) -> None:
    if idle:
        monkeypatch.setattr(db_engine, "PING_IDLE_SECONDS", 0.0)
    engine = db_engine.create_engine(DatabaseSettings(url=pg_url, pool_size=1))
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        first = await _backend_pid(engine)
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", first)
        await asyncio.sleep(0.2)  # the server has closed the socket
        second = await _backend_pid(engine)  # no error: the pool reconnected
        assert second != first
        assert await _backend_pid(engine) == second  # and keeps the new connection
    finally:
        await admin.close()
        await engine.dispose()


async def test_a_just_used_connection_is_not_pinged(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pings = 0
    engine = db_engine.create_engine(DatabaseSettings(url=pg_url, pool_size=1))
    try:
        ping = AsyncAdapt_asyncpg_connection.ping

        def counted(self):  # type: ignore[no-untyped-def]
            nonlocal pings
            pings += 1
            return ping(self)

        monkeypatch.setattr(AsyncAdapt_asyncpg_connection, "ping", counted)
        await _backend_pid(engine)
        for _ in range(5):
            await _backend_pid(engine)
        assert pings == 0
        monkeypatch.setattr(db_engine, "PING_IDLE_SECONDS", 0.0)
        await _backend_pid(engine)
        assert pings == 1
    finally:
        await engine.dispose()


async def test_bursts_reuse_the_connections_they_opened(pg_url: str) -> None:
    """Up to 2 × pool_size connections under load, kept between bursts (no reconnecting per burst)."""
    engine = db_engine.create_engine(DatabaseSettings(url=pg_url, pool_size=2))

    async def burst() -> set[int]:
        held: list[sa.ext.asyncio.AsyncConnection] = []
        try:
            for _ in range(4):
                held.append(await engine.connect())
            return {int((await c.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()) for c in held}
        finally:
            for c in held:
                await c.close()

    try:
        first = await burst()
        assert len(first) == 4
        assert await burst() == first
    finally:
        await engine.dispose()
