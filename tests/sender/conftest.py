"""The sender app with its lifespan running (dispatcher, sweep, consumers), called in-process, plus data helpers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from services.sender.app import create_app
from services.sender.core import SenderCore, get_core
from services.sender.settings import SenderSettings
from shared.bus.protocol import Envelope, QueueSpec
from shared.db.types import utcnow
from shared.email_address import email_hash
from shared.models.core import OutboxMessage, Project
from shared.models.sender import Message
from shared.models.subscriptions import Contact, MailingList, Subscription, Suppression
from shared.runtime import Runtime

INTERNAL = "test-internal-token-for-sender"

FAST = {
    "dispatch_interval": 0.05,
    "sweep_interval": 0.2,
    "retry_base_seconds": 0.05,
    "retry_max_seconds": 0.2,
    "throttle_backoff_seconds": 0.05,
    "quota_refresh_seconds": 3600,
    "warmup_enabled": False,
    "sandbox_max_send_rate": 1000,
}


@dataclass
class Sender:
    app: Any
    client: httpx.AsyncClient
    rt: Runtime
    events: list[Envelope] = field(default_factory=list)

    @property
    def core(self) -> SenderCore:
        return get_core(self.rt)

    def h(self, project_id: int, **extra: str) -> dict[str, str]:
        return {"x-sesame-internal-token": INTERNAL, "x-sesame-project-id": str(project_id), **extra}

    async def scalar(self, stmt: Any) -> Any:
        async with self.rt.uow() as s:
            return (await s.execute(stmt)).scalar()

    async def states(self, **where: Any) -> dict[str, int]:
        q = sa.select(Message.state, sa.func.count()).group_by(Message.state)
        for k, v in where.items():
            q = q.where(getattr(Message, k) == v)
        async with self.rt.uow() as s:
            return {k: int(v) for k, v in (await s.execute(q)).all()}

    async def outbox(self, routing_key: str) -> list[dict[str, Any]]:
        async with self.rt.uow() as s:
            rows = (
                await s.execute(sa.select(OutboxMessage).where(OutboxMessage.routing_key == routing_key))
            ).scalars()
            return [r.payload for r in rows]


async def wait_for(check: Callable[[], Awaitable[Any]], timeout: float = 60.0, interval: float = 0.05) -> Any:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last: {last!r})")


@pytest.fixture
def sender_factory(db_url: str, settings_for: Any):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def make(
        url: str | None = None, bus_url: str = "memory://", **overrides: Any
    ) -> AsyncIterator[Sender]:
        settings = settings_for(url or db_url, bus_url, public_url="https://mail.example.org")
        settings.security.internal_token = INTERNAL
        ss = SenderSettings(**{**FAST, **overrides})
        app = create_app(settings=settings, sender_settings=ss)
        async with app.router.lifespan_context(app):
            rt: Runtime = app.state.runtime
            # The sweep runs once at start, then every sweep_interval: tests that drive sweeps themselves
            # (sweep_interval=3600) must not race that first one.
            await asyncio.wait_for(get_core(rt).dispatcher.swept.wait(), 30)
            s = Sender(
                app, httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sender"), rt
            )

            async def on_event(env: Envelope) -> None:
                s.events.append(env)

            await rt.bus.consume(
                QueueSpec(f"test.events.{id(s)}", ["email.#", "ses.#", "project.#", "mail.requested"]),
                on_event,
            )
            async with s.client:
                yield s

    return make


@pytest.fixture
async def sender(sender_factory) -> AsyncIterator[Sender]:  # type: ignore[no-untyped-def]
    async with sender_factory() as s:
        yield s


async def make_project(rt: Runtime, owner: str = "owner@example.com") -> int:
    async with rt.uow() as s:
        p = Project(name="test project", owner_email=owner, settings={})
        s.add(p)
        await s.flush()
        return p.id


async def make_list(rt: Runtime, project_id: int, name: str = "news") -> int:
    async with rt.uow() as s:
        lst = MailingList(
            project_id=project_id, name=name, description="", double_optin=False, form_settings={}
        )
        s.add(lst)
        await s.flush()
        return lst.id


async def add_contact(
    rt: Runtime,
    project_id: int,
    email: str,
    subs: dict[int, str],
    *,
    attributes: dict[str, Any] | None = None,
    paused_until: datetime | None = None,
    erased: bool = False,
) -> int:
    """A contact with subscriptions {list_id: status}."""
    now = utcnow()
    async with rt.uow() as s:
        c = Contact(
            project_id=project_id,
            email=None if erased else email,
            email_hash=email_hash(email),
            attributes=attributes or {},
            erased_at=now if erased else None,
        )
        s.add(c)
        await s.flush()
        for list_id, status in subs.items():
            s.add(
                Subscription(
                    project_id=project_id,
                    list_id=list_id,
                    contact_id=c.id,
                    status=status,
                    paused_until=paused_until if status == "paused" else None,
                )
            )
        return c.id


async def suppress(rt: Runtime, project_id: int, email: str, reason: str = "hard_bounce") -> None:
    async with rt.uow() as s:
        s.add(Suppression(project_id=project_id, email=email, email_hash=email_hash(email), reason=reason))


def past(seconds: float = 60) -> datetime:
    return utcnow() - timedelta(seconds=seconds)


def future(seconds: float = 3600) -> datetime:
    return utcnow() + timedelta(seconds=seconds)
