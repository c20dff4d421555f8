"""The events service's own long-lived state (settings, certificate store, confirmer, caches), kept on the app."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from services.events.certs import CertificateStore, Fetcher, fetch_subscribe_url
from services.events.settings import EventsSettings

Confirmer = Callable[[str], Awaitable[None]]


async def _nothing_to_reset(_conn: Any) -> None:
    return None


@dataclass
class Endpoint:
    project_id: int
    topics: frozenset[str]
    expires: float


@dataclass
class EventsContext:
    settings: EventsSettings
    certs: CertificateStore
    confirm: Confirmer
    endpoints: dict[str, Endpoint] = field(default_factory=dict)
    _wake: asyncio.Event | None = None
    _pool: Any = None
    _pool_lock: asyncio.Lock | None = None

    async def ingest_pool(self, runtime: Any) -> Any:
        """Postgres only: a small asyncpg pool for the webhook's single INSERT. The shared engine pings every
        checkout (BEGIN; ; ROLLBACK = three round trips), which would triple the hot path's database work."""
        if self._pool is not None:
            return self._pool
        if self._pool_lock is None:
            self._pool_lock = asyncio.Lock()
        async with self._pool_lock:
            if self._pool is None:
                import asyncpg

                url = runtime.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
                self._pool = await asyncpg.create_pool(
                    url,
                    min_size=1,
                    max_size=self.settings.ingest_pool_size,
                    command_timeout=30,
                    # The pool only runs single autocommit INSERTs: no session state to reset. asyncpg's default
                    # reset is a round trip per release (advisory unlock, CLOSE ALL, UNLISTEN, RESET ALL); with
                    # a reset callback it only rolls back a connection left in a transaction.
                    reset=_nothing_to_reset,
                )
        return self._pool

    async def close(self) -> None:
        await self.certs.close()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @classmethod
    def build(
        cls,
        settings: EventsSettings | None = None,
        *,
        cert_fetcher: Fetcher | None = None,
        confirmer: Confirmer | None = None,
    ) -> EventsContext:
        settings = settings or EventsSettings()
        return cls(
            settings=settings,
            certs=CertificateStore(settings, fetcher=cert_fetcher),
            confirm=confirmer
            or partial(fetch_subscribe_url, timeout_seconds=settings.subscribe_timeout_seconds),
        )

    @property
    def wake(self) -> asyncio.Event:
        if self._wake is None:
            self._wake = asyncio.Event()
        return self._wake

    def cached_endpoint(self, token: str) -> Endpoint | None:
        ep = self.endpoints.get(token)
        if ep is not None and ep.expires > time.monotonic():
            return ep
        return None

    def remember_endpoint(self, token: str, project_id: int, topics: list[str]) -> Endpoint:
        if len(self.endpoints) > 10_000:
            self.endpoints.clear()
        ep = Endpoint(project_id, frozenset(topics), time.monotonic() + self.settings.endpoint_cache_seconds)
        self.endpoints[token] = ep
        return ep

    def forget_endpoints(self) -> None:
        self.endpoints.clear()
