"""Gateway fixtures: the gateway app over a migrated database with in-process upstreams, an httpx client on it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from shared.api_keys import generate_key
from shared.db.engine import create_engine
from shared.models.core import ApiKey, Project
from shared.settings import Settings
from tests.gateway.standins import Recorder, events_standin, subscriptions_standin


@dataclass
class GatewayHarness:
    app: Any
    client: httpx.AsyncClient
    settings: Settings
    subs: Recorder
    events: Recorder
    subs_app: Any


def gw_settings(**overrides: Any) -> GatewaySettings:
    base: dict[str, Any] = {"altcha_cost": 10, "altcha_max_counter": 50, "turnstile_secret": "ts-secret"}
    base.update(overrides)
    return GatewaySettings(**base)


@asynccontextmanager
async def running(app: Any) -> AsyncIterator[None]:
    async with app.router.lifespan_context(app):
        yield


async def add_project_and_key(db_url: str, *, revoked: bool = False, name: str = "Acme") -> tuple[int, str]:
    engine = create_engine(Settings().database.model_copy(update={"url": db_url}))
    key = generate_key()
    try:
        async with engine.begin() as conn:
            pid = (
                await conn.execute(sa.insert(Project).values(name=name, settings={}).returning(Project.id))
            ).scalar_one()
            await conn.execute(
                sa.insert(ApiKey).values(
                    project_id=pid,
                    prefix=key.prefix,
                    key_hash=key.key_hash,
                    revoked_at=sa.func.now() if revoked else None,
                )
            )
    finally:
        await engine.dispose()
    return pid, key.key


@pytest.fixture
def make_gateway(sqlite_url: str, settings_for: Callable[..., Settings]):  # type: ignore[no-untyped-def]
    """make_gateway(lists=..., project=..., upstreams=..., **gateway_settings) → async context of GatewayHarness."""

    @asynccontextmanager
    async def make(
        *,
        lists: dict[int, dict[str, Any]] | None = None,
        project: dict[str, Any] | None = None,
        drop: tuple[str, ...] = (),
        **overrides: Any,
    ) -> AsyncIterator[GatewayHarness]:
        settings = settings_for(sqlite_url)
        token = settings.security.internal_token
        subs_app, subs = subscriptions_standin(lists=lists, project=project, internal_token=token)
        ev_app, ev = events_standin(internal_token=token)
        upstreams = {"subscriptions": subs_app, "events": ev_app}
        for name in drop:
            upstreams.pop(name, None)
        if not upstreams:
            upstreams = {"none": object()}
        app = create_app(
            settings=settings, upstream_apps=upstreams, gateway_settings=gw_settings(**overrides)
        )
        async with running(app):
            transport = httpx.ASGITransport(app=app, client=("203.0.113.5", 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield GatewayHarness(app, client, settings, subs, ev, subs_app)

    return make


@asynccontextmanager
async def with_real_subscriptions(db_url: str, settings: Settings, **overrides: Any) -> AsyncIterator[Any]:
    """The gateway in front of the real subscriptions app (in-process, one shared Runtime, as embedded)."""
    from services.subscriptions.app import create_app as create_subscriptions
    from shared.runtime import Runtime
    from shared.settings import DatabaseSettings

    settings.database = DatabaseSettings(url=db_url, pool_size=5)
    runtime = Runtime(settings)
    subs = create_subscriptions(settings=settings, runtime=runtime)
    app = create_app(
        settings=settings,
        runtime=runtime,
        upstream_apps={"subscriptions": subs},
        gateway_settings=gw_settings(**overrides),
    )
    async with running(subs), running(app):
        yield app
