"""The events app on a real database (both dialects) with the SNS certificate download and the SubscribeURL
confirmation stubbed (and recorded), plus one project whose endpoint allows the test topic."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from services.events.app import create_app
from services.events.settings import EventsSettings
from shared.internal_auth import INTERNAL_TOKEN_HEADER, PROJECT_HEADER
from shared.models.core import OutboxMessage, Project
from shared.models.events import SnsInbox
from tests.support.sns import TOPIC, TestSns, body

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "samples"


def sample(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / name).read_text())


@pytest.fixture(scope="session")
def sns() -> TestSns:
    return TestSns()


@dataclass
class Harness:
    app: Any
    client: httpx.AsyncClient
    sns: TestSns
    project_id: int
    token: str
    confirmed: list[str] = field(default_factory=list)

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime

    @property
    def headers(self) -> dict[str, str]:
        return {INTERNAL_TOKEN_HEADER: self.runtime.settings.security.internal_token}

    def api_headers(self, project_id: int | None = None) -> dict[str, str]:
        return {**self.headers, PROJECT_HEADER: str(project_id or self.project_id)}

    async def post(self, envelope: dict[str, Any] | bytes | str, token: str | None = None) -> httpx.Response:
        data = envelope if isinstance(envelope, (bytes, str)) else body(envelope)
        return await self.client.post(
            f"/webhooks/sns/{token or self.token}", content=data,
            headers={**self.headers, "content-type": "text/plain; charset=UTF-8",
                     "x-amz-sns-message-type": "Notification"},
        )  # fmt: skip

    async def outbox(self, prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
        async with self.runtime.sessionmaker() as s:
            rows = (await s.execute(sa.select(OutboxMessage.routing_key, OutboxMessage.payload)
                                    .order_by(OutboxMessage.id))).all()  # fmt: skip
        return [(rk, p) for rk, p in rows if rk.startswith(prefix) and rk != "events.inbox"]

    async def inbox(self) -> list[SnsInbox]:
        async with self.runtime.sessionmaker() as s:
            return list((await s.scalars(sa.select(SnsInbox).order_by(SnsInbox.id))).all())

    async def settle(self, within: float = 15.0) -> list[SnsInbox]:
        """Wait until no inbox row is waiting for processing."""
        deadline = time.monotonic() + within
        while True:
            rows = await self.inbox()
            if all(r.status in ("processed", "rejected") for r in rows):
                await asyncio.sleep(0.05)
                return rows
            if time.monotonic() > deadline:
                raise AssertionError(f"inbox not processed: {[(r.id, r.status, r.last_error) for r in rows]}")
            await asyncio.sleep(0.05)


async def make_project(runtime: Any, owner: str | None = "owner@example.com") -> int:
    async with runtime.uow() as s:
        p = Project(name="Acme", owner_email=owner, settings={})
        s.add(p)
        await s.flush()
        return p.id


@asynccontextmanager
async def events_harness(
    sns: TestSns, settings: Any, *, events_settings: EventsSettings | None = None, confirm_fails: bool = False,
    process_inbox: bool = True, topics: list[str] | None = None,
) -> AsyncIterator[Harness]:  # fmt: skip
    confirmed: list[str] = []

    async def confirmer(url: str) -> None:
        confirmed.append(url)
        if confirm_fails:
            raise RuntimeError("SNS answered 403")

    es = events_settings or EventsSettings(digest_interval_seconds=3600)
    app = create_app(settings=settings, events_settings=es, cert_fetcher=sns.fetch, confirmer=confirmer,
                     process_inbox=process_inbox)  # fmt: skip
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://events") as client:
            project_id = await make_project(app.state.runtime)
            h = Harness(app, client, sns, project_id, "", confirmed)
            r = await client.put("/v1/feedback/endpoint", json={"allowed_topic_arns": topics or [TOPIC]},
                                 headers=h.api_headers())  # fmt: skip
            assert r.status_code == 200, r.text
            h.token = r.json()["token"]
            sns.fetched.clear()
            yield h


@pytest.fixture
async def harness(sns: TestSns, db_url: str, settings_for: Any) -> AsyncIterator[Harness]:
    async with events_harness(sns, settings_for(db_url)) as h:
        yield h
