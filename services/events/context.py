"""The events service's own long-lived state (settings, certificate store, confirmer, caches), kept on the app."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from services.events.certs import CertificateStore, Fetcher, fetch_subscribe_url
from services.events.inbox_writer import InboxWriter
from services.events.settings import EventsSettings
from shared.ratelimit import TokenBuckets
from shared.runtime import Runtime

Confirmer = Callable[[str], Awaitable[None]]


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
    _inbox_writer: InboxWriter | None = None
    webhooks: Any = None  # this process's webhook Deliverer (services.events.webhooks.delivery), once started
    webhook_tests: TokenBuckets = field(init=False)  # POST /v1/webhooks/{id}/test, per endpoint

    def __post_init__(self) -> None:
        self.webhook_tests = TokenBuckets(self.settings.webhook_tests_per_minute, 60.0, max_keys=10_000)

    def inbox_writer(self, runtime: Runtime) -> InboxWriter:
        if self._inbox_writer is None:
            self._inbox_writer = InboxWriter(runtime.direct)
        return self._inbox_writer

    async def close(self) -> None:
        await self.certs.close()

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
