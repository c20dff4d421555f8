"""Postgres only: a small asyncpg pool for the hot paths that are one or two autocommit statements.

The SNS webhook's INSERT and a new address's signup run straight through asyncpg: through SQLAlchemy each
statement cost more CPU in the client (greenlet hand-offs, compiled-cache lookups, parameter and result
processing) than its round trip (bench/gateway_signup.py, services/subscriptions/first_signup.py). The statements
are written for Postgres with `$n` parameters; asyncpg prepares each once per connection. Everything else keeps
the SQLAlchemy engine and its units of work.

The pool is opened on first use and closed with the Runtime. Its connections only ever run single autocommit
statements, so there is no session state to reset on release: asyncpg's default reset is a round trip per
release (advisory unlock, CLOSE ALL, UNLISTEN, RESET ALL); with our reset callback nothing is sent, and a
connection somehow left inside a transaction is still rolled back by asyncpg itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine


async def _nothing_to_reset(_conn: Any) -> None:
    return None


def as_sqlalchemy_error(exc: BaseException) -> BaseException:
    """asyncpg's errors as SQLAlchemy's, so the services' handlers answer them as they answer the engine's (a
    conflict 409, a refused value 422, a lost database 503); anything else unchanged."""
    import asyncpg.exceptions as pg
    from asyncpg.exceptions import _base as pg_base

    if isinstance(exc, pg.IntegrityConstraintViolationError):
        return sa.exc.IntegrityError(None, None, exc)
    if isinstance(exc, pg.DataError | pg_base.DataError | OverflowError | UnicodeError):
        return sa.exc.DataError(None, None, exc)
    if isinstance(exc, pg.PostgresConnectionError | pg_base.InterfaceError | OSError | TimeoutError):
        return sa.exc.OperationalError(None, None, exc)
    if isinstance(exc, pg_base.PostgresError):
        return sa.exc.DBAPIError(None, None, exc)
    return exc


class DirectPool:
    def __init__(self, engine: AsyncEngine, size: int) -> None:
        self._engine = engine
        self._size = size
        self._pool: Any = None
        self._lock = asyncio.Lock()

    @property
    def available(self) -> bool:
        """True on Postgres; callers take their SQLAlchemy path otherwise (SQLite)."""
        return self._engine.dialect.name == "postgresql"

    async def get(self) -> Any:
        """The asyncpg pool, opened on first use."""
        if self._pool is not None:
            return self._pool
        async with self._lock:
            if self._pool is None:
                import asyncpg

                url = self._engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
                self._pool = await asyncpg.create_pool(
                    url, min_size=1, max_size=self._size, command_timeout=30, reset=_nothing_to_reset
                )
        return self._pool

    @contextlib.asynccontextmanager
    async def connection(self) -> AsyncIterator[Any]:
        """An asyncpg connection from the pool; its errors come out as SQLAlchemy's (`as_sqlalchemy_error`)."""
        try:
            pool = await self.get()
            async with pool.acquire() as conn:
                yield conn
        except Exception as exc:  # noqa: BLE001 - translated, or re-raised unchanged
            translated = as_sqlalchemy_error(exc)
            if translated is exc:
                raise
            raise translated from exc

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()
