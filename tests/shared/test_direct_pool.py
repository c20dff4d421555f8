"""shared/db/direct.py: the hot paths' asyncpg pool answers errors the way the SQLAlchemy engine does."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa

from shared.db.direct import DirectPool
from shared.db.engine import create_engine
from shared.settings import DatabaseSettings


async def test_direct_pool_errors_come_out_as_sqlalchemy_errors(pg_url: str) -> None:
    engine = create_engine(DatabaseSettings(url=pg_url))
    pool = DirectPool(engine, size=2)
    try:
        assert pool.available
        async with pool.connection() as conn:
            assert await conn.fetchval("SELECT $1::bigint + 1", 41) == 42
            await conn.execute("CREATE TEMP TABLE t (id int PRIMARY KEY)")
            await conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(sa.exc.IntegrityError):  # the apps answer 409
            async with pool.connection() as conn:
                await conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(sa.exc.DataError):  # refused before any SQL runs: the apps answer 422
            async with pool.connection() as conn:
                await conn.fetchval("SELECT $1::bigint", 2**70)
        with pytest.raises(sa.exc.DataError):  # refused by the server (division by zero, class 22)
            async with pool.connection() as conn:
                await conn.fetchval("SELECT 1 / $1::int", 0)
        with pytest.raises(KeyError):  # not a database error: unchanged
            async with pool.connection():
                raise KeyError("x")
        # The pool keeps working after every one of them.
        async with pool.connection() as conn:
            assert await conn.fetchval("SELECT 1") == 1
    finally:
        await pool.close()
        await engine.dispose()


async def test_direct_pool_lost_database_is_an_operational_error(pg_url: str) -> None:
    engine = create_engine(DatabaseSettings(url=pg_url))
    pool = DirectPool(engine, size=1)
    try:
        killer = create_engine(DatabaseSettings(url=pg_url))
        with pytest.raises(sa.exc.OperationalError):  # the apps answer 503
            async with pool.connection() as conn:
                pid = await conn.fetchval("SELECT pg_backend_pid()")
                async with killer.connect() as k:  # the server ends this connection mid-use
                    await k.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
                await asyncio.sleep(0.1)
                await conn.fetchval("SELECT 1")
        await killer.dispose()
        async with pool.connection() as conn:  # the next use reconnects
            assert await conn.fetchval("SELECT 1") == 1
    finally:
        await pool.close()
        await engine.dispose()


async def test_direct_pool_is_postgres_only(tmp_path: Path) -> None:
    engine = create_engine(DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"))
    assert not DirectPool(engine, size=1).available
    await engine.dispose()
