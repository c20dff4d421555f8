"""The embedded mode: the four apps in one process on one port, sharing one Runtime (SQLite + in-process bus)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import FastAPI

from sesame.services import SERVICES, create_service_app
from shared.runtime import Runtime
from shared.settings import Settings


def create_embedded_app(settings: Settings) -> Any:
    """The gateway as the public app, with the other three reachable in-process (never over the network)."""
    runtime = Runtime(settings)
    inner = {name: create_service_app(name, settings=settings, runtime=runtime) for name in SERVICES if name != "gateway"}
    gateway: FastAPI = create_service_app("gateway", settings=settings, runtime=runtime, upstream_apps=inner)
    own_lifespan = gateway.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with AsyncExitStack() as stack:
            for sub in inner.values():
                await stack.enter_async_context(sub.router.lifespan_context(sub))
            state = await stack.enter_async_context(own_lifespan(app))
            yield state

    gateway.router.lifespan_context = lifespan
    gateway.state.embedded_apps = inner
    return gateway
