"""The subscriptions app with its lifespan running, called in-process; a bus consumer captures mail requests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from services.subscriptions.app import create_app
from services.subscriptions.settings import SubscriptionsSettings
from shared.bus.protocol import Envelope, QueueSpec
from shared.runtime import Runtime
from shared.settings import DatabaseSettings

INTERNAL = "test-internal-token-0123456789"


@dataclass
class Svc:
    app: Any
    client: httpx.AsyncClient
    rt: Runtime
    mails: list[dict[str, Any]] = field(default_factory=list)
    events: list[Envelope] = field(default_factory=list)

    def headers(self, project_id: int | None = None) -> dict[str, str]:
        h = {"x-sesame-internal-token": INTERNAL}
        if project_id is not None:
            h["x-sesame-project-id"] = str(project_id)
        return h

    async def project(self, name: str = "Acme") -> tuple[int, dict[str, str]]:
        r = await self.client.post("/admin/projects", json={"name": name}, headers=self.headers())
        assert r.status_code == 201, r.text
        pid = r.json()["project"]["id"]
        return pid, self.headers(pid)

    async def new_list(self, h: dict[str, str], **kw: Any) -> int:
        r = await self.client.post("/v1/lists", json={"name": "News", **kw}, headers=h)
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    async def settle(self, *, mails: int | None = None, wait: float = 5.0) -> None:
        """Publish the outbox now and wait until the captured mail count reaches `mails` (if given)."""
        await self.rt.relay.flush()
        deadline = asyncio.get_running_loop().time() + wait
        while True:
            await asyncio.sleep(0.01)
            if mails is None or len(self.mails) >= mails:
                if mails is None:
                    await asyncio.sleep(0.05)
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"expected {mails} mails, got {len(self.mails)}")


def confirm_token(mail: dict[str, Any]) -> str:
    return str(mail["meta"]["confirm_url"]).rsplit("/", 1)[1]


@pytest.fixture
def sub_settings() -> SubscriptionsSettings:
    return SubscriptionsSettings(resend_cooldown_seconds=600, import_batch_rows=1000)


@pytest.fixture
async def svc(db_url: str, settings_for: Any, sub_settings: SubscriptionsSettings) -> AsyncIterator[Svc]:
    settings = settings_for(db_url, public_url="https://mail.example.org")
    # At most 10 connections per test app: the machine's Postgres (max 100) is shared with other suites.
    settings.database = DatabaseSettings(url=db_url, pool_size=5)
    settings.security.internal_token = INTERNAL
    app = create_app(settings=settings, sub_settings=sub_settings)
    async with app.router.lifespan_context(app):
        rt: Runtime = app.state.runtime
        s = Svc(
            app,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://subscriptions"),
            rt,
        )

        async def on_mail(env: Envelope) -> None:
            s.mails.append(env.payload)

        async def on_event(env: Envelope) -> None:
            s.events.append(env)

        await rt.bus.consume(QueueSpec("test.mail", ["mail.requested"]), on_mail)
        await rt.bus.consume(
            QueueSpec("test.events", ["subscription.#", "suppression.#", "contact.#"]), on_event
        )
        async with s.client:
            yield s


@pytest.fixture
async def rabbit_svc(
    pg_url: str, amqp_url: str, bus_namespace: str, settings_for: Any, sub_settings: SubscriptionsSettings
) -> AsyncIterator[Svc]:
    """The same app on Postgres + the real RabbitMQ (a private exchange/queue namespace)."""
    settings = settings_for(pg_url, bus_url=amqp_url, public_url="https://mail.example.org")
    settings.database = DatabaseSettings(url=pg_url, pool_size=5)
    settings.security.internal_token = INTERNAL
    runtime = Runtime(settings, bus_namespace=bus_namespace)
    app = create_app(settings=settings, runtime=runtime, sub_settings=sub_settings)
    async with app.router.lifespan_context(app):
        s = Svc(
            app,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://subscriptions"),
            runtime,
        )

        async def on_mail(env: Envelope) -> None:
            s.mails.append(env.payload)

        async def on_event(env: Envelope) -> None:
            s.events.append(env)

        consumers = [
            await runtime.bus.consume(QueueSpec("test.mail", ["mail.requested"]), on_mail),
            await runtime.bus.consume(
                QueueSpec("test.events", ["subscription.#", "suppression.#", "contact.#"]), on_event
            ),
        ]
        async with s.client:
            yield s
        for c in consumers:
            await c.stop()
