"""API keys' last use: noted by the gateway per authenticated request, written through the subscriptions service
(flush on a timer, at shutdown, kept when it fails, bounded); the contacts export routed past the id route."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime
from typing import Any

import httpx
import sqlalchemy as sa

from services.gateway import key_usage
from services.gateway.key_usage import KeyUsage
from services.gateway.upstream import UpstreamResponse, UpstreamUnavailable
from shared.db.engine import create_engine
from shared.models.core import ApiKey
from shared.settings import Settings
from tests.gateway.conftest import add_project_and_key, with_real_subscriptions


async def _last_used(db_url: str) -> dict[int, datetime | None]:
    engine = create_engine(Settings().database.model_copy(update={"url": db_url}))
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(sa.select(ApiKey.id, ApiKey.last_used_at))
            return {int(k): t for k, t in rows}
    finally:
        await engine.dispose()


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_a_key_s_use_is_written_by_the_flush_and_at_shutdown(db_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    _, key = await add_project_and_key(db_url)
    await add_project_and_key(db_url, name="Idle")
    auth = {"Authorization": f"Bearer {key}"}
    before = datetime.now(UTC)
    async with with_real_subscriptions(db_url, settings_for(db_url), api_key_usage_flush_seconds=3600) as app:
        usage: KeyUsage = app.state.gateway.auth.usage
        async with _client(app) as c:
            keys = (await c.get("/v1/api-keys", headers=auth)).json()["data"]
            assert [k["last_used_at"] for k in keys] == [None]  # noted, not written yet
            key_id = keys[0]["id"]
            assert list(usage.pending) == [key_id]
            assert await usage.flush() is True and usage.pending == {}
            keys = (await c.get("/v1/api-keys", headers=auth)).json()["data"]
            first = datetime.fromisoformat(keys[0]["last_used_at"])
            assert before <= first <= datetime.now(UTC)

            # a flush that fails keeps the keys for the next one
            real = usage.upstreams.request

            async def down(*a: Any, **kw: Any) -> UpstreamResponse:
                raise UpstreamUnavailable("subscriptions is unavailable")

            usage.upstreams.request = down  # type: ignore[method-assign]
            assert await usage.flush() is False and list(usage.pending) == [key_id]
            usage.upstreams.request = real  # type: ignore[method-assign]
            assert await usage.flush() is True and usage.pending == {}
            second = (await _last_used(db_url))[key_id]
            assert second is not None and second > first

            # the last uses are written when the gateway stops
            assert (await c.get("/v1/lists", headers=auth)).status_code == 200
            assert list(usage.pending) == [key_id]
    stored = await _last_used(db_url)
    assert stored[key_id] is not None and stored[key_id] > second
    assert [t for k, t in stored.items() if k != key_id] == [None]  # the idle key was never used


async def test_the_flush_runs_on_its_interval(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    _, key = await add_project_and_key(sqlite_url)
    async with with_real_subscriptions(
        sqlite_url, settings_for(sqlite_url), api_key_usage_flush_seconds=0.05
    ) as app:
        async with _client(app) as c:
            assert (await c.get("/v1/lists", headers={"X-Api-Key": key})).status_code == 200
            for _ in range(200):
                if all((await _last_used(sqlite_url)).values()):
                    break
                await asyncio.sleep(0.02)
            assert all((await _last_used(sqlite_url)).values())


async def test_contacts_export_reaches_subscriptions_past_the_id_route(db_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    _, key = await add_project_and_key(db_url)
    auth = {"Authorization": f"Bearer {key}"}
    async with with_real_subscriptions(db_url, settings_for(db_url)) as app:
        async with _client(app) as c:
            r = await c.post("/v1/contacts", json={"email": "ann@example.com"}, headers=auth)
            assert r.status_code == 201, r.text
            export = await c.get("/v1/contacts/export", headers=auth)
            assert export.status_code == 200, export.text
            assert export.headers["content-type"].startswith("text/csv")
            assert export.headers["content-disposition"].startswith("attachment;")
            assert [row["email"] for row in csv.DictReader(io.StringIO(export.text))] == ["ann@example.com"]
            assert (await c.get("/v1/contacts/export")).status_code == 401
            one = await c.get(f"/v1/contacts/{r.json()['id']}", headers=auth)
            assert one.status_code == 200 and one.json()["email"] == "ann@example.com"


class _Upstreams:
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.bodies: list[dict[str, Any]] = []

    async def request(self, service: str, method: str, path: str, **kw: Any) -> UpstreamResponse:
        assert (service, method, path) == ("subscriptions", "POST", "/admin/api-keys/last-used")
        self.bodies.append(kw["json_body"])
        return UpstreamResponse(self.status, [], b"{}")


async def test_memory_is_bounded_and_a_refused_report_is_dropped(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(key_usage, "MAX_KEYS", 3)
    up = _Upstreams(status=503)
    usage = KeyUsage(up, 30.0)  # type: ignore[arg-type]
    for key_id in (1, 2, 3, 4, 5, 1):
        usage.record(key_id)
    assert sorted(usage.pending) == [1, 2, 3]  # keys past the bound wait for the next flush's room
    assert await usage.flush() is False and sorted(usage.pending) == [1, 2, 3]
    usage.record(2)
    up.status = 200
    assert await usage.flush() is True and usage.pending == {}
    assert sorted(up.bodies[-1]["used"]) == ["1", "2", "3"]
    for t in up.bodies[-1]["used"].values():
        assert datetime.fromisoformat(t).tzinfo is not None
    usage.record(4)
    up.status = 422  # the report itself is wrong: not sent again and again
    assert await usage.flush() is False and usage.pending == {}
    assert await usage.flush() is True and len(up.bodies) == 3  # nothing left to send


async def test_a_flush_cancelled_mid_call_keeps_its_keys() -> None:
    started = asyncio.Event()

    class Slow(_Upstreams):
        async def request(self, *a: Any, **kw: Any) -> UpstreamResponse:
            started.set()
            await asyncio.sleep(3600)
            raise AssertionError("unreachable")

    usage = KeyUsage(Slow(), 30.0)  # type: ignore[arg-type]
    usage.record(7)
    task = asyncio.create_task(usage.flush())
    await started.wait()
    usage.record(8)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert sorted(usage.pending) == [7, 8]
