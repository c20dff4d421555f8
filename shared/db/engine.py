"""Engine and session factories; built in an app's lifespan, never at import."""

from __future__ import annotations

import os
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from shared.settings import DatabaseSettings


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


# SQLAlchemy's pool_pre_ping pings on every checkout, and the asyncpg dialect's ping is three round trips (BEGIN,
# `;`, ROLLBACK): with it, a small request spent ~40 % of its round trips proving its connection alive. Instead:
# a connection whose server end closed (backend terminated, server restarted: asyncpg sees the socket close
# without a round trip) is replaced at checkout; one idle for longer than PING_IDLE_SECONDS is pinged first; one
# used moments ago is taken as is. Should that one still have died, its first statement fails as a disconnect,
# which invalidates the whole pool, so the next checkouts reconnect.
PING_IDLE_SECONDS = 1.0


def _mark_returned(_dbapi_conn, record) -> None:  # type: ignore[no-untyped-def]
    record.info["returned_at"] = time.monotonic()


def _check_on_checkout(dbapi_conn, record, _proxy) -> None:  # type: ignore[no-untyped-def]
    if dbapi_conn.driver_connection.is_closed():
        raise sa.exc.DisconnectionError("the server closed this connection")
    returned = record.info.get("returned_at")
    if returned is None or time.monotonic() - returned < PING_IDLE_SECONDS:
        return  # a new connection, or one returned moments ago
    try:
        dbapi_conn.ping()
    except Exception as exc:  # noqa: BLE001 - any failure: the pool replaces this connection
        raise sa.exc.DisconnectionError(f"idle connection failed its ping: {exc!r}") from exc


def create_engine(settings: DatabaseSettings) -> AsyncEngine:
    """An async engine for the configured URL (SQLite gets WAL, busy timeout and foreign keys)."""
    url = sa.engine.make_url(settings.url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(os.path.dirname(os.path.abspath(url.database))).mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=settings.echo, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        # BEGIN IMMEDIATE avoids SQLite's lock-upgrade deadlocks between concurrent writers.
        event.listen(engine.sync_engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))

        @event.listens_for(engine.sync_engine, "connect")
        def _no_pysqlite_begin(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None

        return engine
    engine = create_async_engine(
        url,
        echo=settings.echo,
        # Up to twice pool_size connections, all kept: a pool that closes its overflow on return reopens it on the
        # next burst (a backend start, and every statement prepared again), ~100 times a minute under load.
        pool_size=2 * settings.pool_size,
        max_overflow=0,
        pool_recycle=1800,
    )
    event.listen(engine.sync_engine.pool, "checkin", _mark_returned)
    event.listen(engine.sync_engine.pool, "checkout", _check_on_checkout)
    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded objects usable after commit (no lazy reloads in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def ping(engine: AsyncEngine) -> None:
    """Raise if the database does not answer."""
    async with engine.connect() as conn:
        await conn.execute(sa.text("SELECT 1"))
