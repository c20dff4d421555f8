"""The resources one process needs (engine, sessions, bus, outbox relay, token codec), started and stopped together.

A distributed service builds its own Runtime in its lifespan; the embedded mode builds one and hands it to all
four apps, so they share the SQLite engine and the in-process bus.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractAsyncContextManager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from shared.bus import Bus, create_bus
from shared.db.direct import DirectPool
from shared.db.engine import create_engine, create_sessionmaker, ping
from shared.db.uow import unit_of_work
from shared.outbox import OutboxRelay
from shared.settings import Settings
from shared.tokens import TokenCodec

log = logging.getLogger("sesame.runtime")


class StartupError(Exception):
    """A one-line reason the process cannot start (shown without a traceback)."""


class Runtime:
    def __init__(self, settings: Settings, *, bus_namespace: str | None = None) -> None:
        self.settings = settings
        self.engine: AsyncEngine = create_engine(settings.database)
        self.sessionmaker: async_sessionmaker[AsyncSession] = create_sessionmaker(self.engine)
        self.direct = DirectPool(self.engine, settings.database.direct_pool_size)
        self.bus: Bus = create_bus(settings.bus, namespace=bus_namespace)
        self.relay = OutboxRelay(self.sessionmaker, self.bus)
        self.tokens = TokenCodec(settings.security.secret_key)
        self._started = False
        self._users = 0

    def uow(self) -> AbstractAsyncContextManager[AsyncSession]:
        """One unit of work; the outbox relay is woken after it commits."""
        return unit_of_work(self.sessionmaker, self.relay.notify)

    async def start(self) -> None:
        """Connect to the database and the bus (idempotent; shared runtimes count their users)."""
        self._users += 1
        if self._started:
            return
        try:
            await asyncio.wait_for(ping(self.engine), timeout=15)
        except Exception as exc:  # noqa: BLE001 - turned into one clear line
            raise StartupError(
                f"database unreachable at {self.engine.url.render_as_string(hide_password=True)}: {_one_line(exc)}"
            ) from exc
        try:
            await self.bus.start()
        except Exception as exc:  # noqa: BLE001
            raise StartupError(f"message bus unreachable: {_one_line(exc)}") from exc
        self.relay.start()
        self._started = True

    async def stop(self) -> None:
        self._users -= 1
        if self._users > 0 or not self._started:
            return
        await self.relay.stop()
        await self.bus.close()
        await self.direct.close()
        await self.engine.dispose()
        self._started = False


async def preflight(settings: Settings) -> None:
    """Reach the database and the bus once, then let go: an unreachable one is a StartupError before serving."""
    engine = create_engine(settings.database)
    try:
        await asyncio.wait_for(ping(engine), timeout=15)
    except Exception as exc:  # noqa: BLE001 - turned into one clear line
        url = engine.url.render_as_string(hide_password=True)
        raise StartupError(f"database unreachable at {url}: {_one_line(exc)}") from None
    finally:
        await engine.dispose()
    bus = create_bus(settings.bus)
    try:
        await bus.start()
    except Exception as exc:  # noqa: BLE001
        raise StartupError(f"message bus unreachable: {_one_line(exc)}") from None
    finally:
        await bus.close()


def _one_line(exc: BaseException) -> str:
    """The first line of an error (SQLAlchemy appends a 'Background on this error' line)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
