"""Canary sends through the real embedded system: the sandbox SES's simulator addresses produce real-format
feedback, the events service records it, the sender judges the sample when the window ends."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from services.sender.canary import advance_canaries, sample_size
from services.sender.core import get_core
from services.sender.settings import SenderSettings
from shared.models.sender import Campaign, Message
from tests.gateway.embedded import bootstrap_project, embedded_app
from tests.sender.conftest import add_contact

PUBLIC = "http://testserver"
OWNER = "owner@acme.example"
SIM = "simulator.amazonses.com"


@pytest.fixture
def fast_canary(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in {
        "CANARY_MIN": "10",
        "CANARY_PERCENT": "0.5",
        "SWEEP_INTERVAL": "0.2",
        "DISPATCH_INTERVAL": "0.05",
        "SANDBOX_MAX_SEND_RATE": "1000",
    }.items():
        monkeypatch.setenv(f"SESAME_SENDER_{k}", v)


async def _until(check: Callable[[], Awaitable[Any]], within: float = 40.0) -> Any:  # noqa: ASYNC109
    deadline = time.monotonic() + within
    while True:
        got = await check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {got!r}")
        await asyncio.sleep(0.1)


async def _states(rt: Any, cid: int) -> dict[str, int]:
    async with rt.sessionmaker() as s:
        rows = await s.execute(
            sa.select(Message.state, sa.func.count())
            .where(Message.campaign_id == cid)
            .group_by(Message.state)
        )
        return {st: int(n) for st, n in rows}


async def _owner_mail(rt: Any) -> list[tuple[str, str]]:
    async with rt.sessionmaker() as s:
        rows = await s.execute(
            sa.select(Message.subject, Message.state).where(
                Message.kind == "notification", Message.to_address == OWNER
            )
        )
        return [(str(a), str(b)) for a, b in rows if "canary" in str(a)]


async def _seed(rt: Any, pid: int, lid: int, *, bounces: int, clean: int) -> None:
    for i in range(bounces):
        await add_contact(rt, pid, f"bounce+b{i}@{SIM}", {lid: "active"})
    for i in range(clean):
        await add_contact(rt, pid, f"success+c{i}@{SIM}", {lid: "active"})


async def _campaign(c: httpx.AsyncClient, auth: dict[str, str], lid: int, **extra: Any) -> int:
    r = await c.post(
        "/v1/campaigns",
        json={"name": "Spring", "list_ids": [lid], "subject": "Hi", "html": "<p>Hello</p>", "send_now": True,
              **extra},
        headers=auth,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def test_a_list_with_20_percent_bounces_stops_after_its_canary(
    db_url: str, settings_for: Any, fast_canary: None
) -> None:
    settings = settings_for(db_url, public_url=PUBLIC)
    async with embedded_app(settings) as app:
        rt = app.state.embedded_apps["sender"].state.runtime
        pid, key = await bootstrap_project(app)
        auth = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
            lid = (await c.post("/v1/lists", json={"name": "Bought"}, headers=auth)).json()["id"]
            await _seed(rt, pid, lid, bounces=20, clean=80)
            cid = await _campaign(c, auth, lid, canary_window_seconds=2)
            body = (await c.get(f"/v1/campaigns/{cid}", headers=auth)).json()
            assert body["canary"]["mode"] == "auto" and body["canary"]["size"] == 50
            assert body["progress"]["counts"]["held"] == 50

            async def held() -> dict[str, Any] | None:
                b = (await c.get(f"/v1/campaigns/{cid}", headers=auth)).json()
                return b if b["canary"]["state"] == "held" else None

            b = await _until(held)
            assert b["status"] == "canary_hold"
            sample = b["canary"]["sample"]
            assert sample["sent"] == 50 and sample["bounced"] >= 3, sample
            assert "bounce rate" in b["canary"]["reason"] and "pause threshold" in b["canary"]["reason"]
            assert await _states(rt, cid) == {"sent": 50, "held": 50}

            # One owner mail, however many sweeps (and replicas) look at it again.
            await _until(lambda: _owner_mail(rt))
            core = get_core(rt)
            await asyncio.gather(*(advance_canaries(rt, core.settings) for _ in range(3)))
            await asyncio.sleep(1.0)
            mails = await _owner_mail(rt)
            assert len(mails) == 1 and "held your campaign" in mails[0][0]
            assert await _states(rt, cid) == {"sent": 50, "held": 50}  # no mail to the rest

            # Pause is refused while held; cancel drops the rest.
            r = await c.post(f"/v1/campaigns/{cid}/pause", headers=auth)
            assert r.status_code == 409
            r = await c.post(f"/v1/campaigns/{cid}/cancel", headers=auth)
            assert r.status_code == 200 and r.json()["status"] == "cancelled"
            assert await _states(rt, cid) == {"sent": 50, "cancelled": 50}
            r = await c.post(f"/v1/campaigns/{cid}/release", headers=auth)
            assert r.status_code == 409 and r.json()["error"] == "not_held"


async def test_a_clean_list_is_released_after_the_window(
    db_url: str, settings_for: Any, fast_canary: None
) -> None:
    settings = settings_for(db_url, public_url=PUBLIC)
    async with embedded_app(settings) as app:
        rt = app.state.embedded_apps["sender"].state.runtime
        pid, key = await bootstrap_project(app)
        auth = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
            # The project's window (3 s) applies: the campaign has none of its own.
            r = await c.patch("/v1/project", json={"settings": {"canary_window_seconds": 3}}, headers=auth)
            assert r.status_code == 200, r.text
            lid = (await c.post("/v1/lists", json={"name": "Opted in"}, headers=auth)).json()["id"]
            await _seed(rt, pid, lid, bounces=0, clean=60)
            cid = await _campaign(c, auth, lid)

            async def waiting() -> dict[str, Any] | None:
                b = (await c.get(f"/v1/campaigns/{cid}", headers=auth)).json()
                return b if b["canary"]["state"] in ("waiting", "released") else None

            b = await _until(waiting)
            assert b["canary"]["state"] == "waiting", "the 3 s window ended before it was observed"
            assert b["status"] == "canary_hold"
            assert await _states(rt, cid) == {"sent": 30, "held": 30}  # the rest waits through the window

            async def sent() -> dict[str, Any] | None:
                b = (await c.get(f"/v1/campaigns/{cid}", headers=auth)).json()
                return b if b["status"] == "sent" else None

            b = await _until(sent)
            assert b["canary"]["state"] == "released" and "canary passed" in b["canary"]["reason"]
            assert await _states(rt, cid) == {"sent": 60}
            assert await _owner_mail(rt) == []


async def test_owner_releases_a_held_campaign_and_off_or_small_campaigns_have_no_canary(
    sqlite_url: str, settings_for: Any, fast_canary: None
) -> None:
    settings = settings_for(sqlite_url, public_url=PUBLIC)
    async with embedded_app(settings) as app:
        rt = app.state.embedded_apps["sender"].state.runtime
        pid, key = await bootstrap_project(app)
        auth = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
            lid = (await c.post("/v1/lists", json={"name": "News"}, headers=auth)).json()["id"]
            await _seed(rt, pid, lid, bounces=0, clean=30)
            # A long window: the owner does not wait for it.
            cid = await _campaign(c, auth, lid, canary="on", canary_window_seconds=3600)

            async def waiting() -> bool:
                b = (await c.get(f"/v1/campaigns/{cid}", headers=auth)).json()
                return bool(b["canary"]["state"] == "waiting")

            await _until(waiting)
            r = await c.post(f"/v1/campaigns/{cid}/release", headers=auth)
            assert r.status_code == 200 and r.json()["released"] == 15 and r.json()["status"] == "sending"
            assert "released by the owner" in r.json()["canary"]["reason"]

            async def done() -> bool:
                return await _states(rt, cid) == {"sent": 30}

            await _until(done)

            # Auto after 30 sent today: a 30-recipient campaign is not larger. Off: everything queued at once.
            # (Auto first: the off campaign's 30 mails, sent within moments, would count as 60 sent today.)
            auto = await _campaign(c, auth, lid)
            off = await _campaign(c, auth, lid, canary="off")
            async with rt.sessionmaker() as s:
                rows = (
                    (await s.execute(sa.select(Campaign).where(Campaign.id.in_([off, auto])))).scalars().all()
                )
            assert all(r.canary_state is None and r.canary_size == 0 for r in rows)
            assert "not more than the 30 sent" in next(r for r in rows if r.id == auto).canary_reason

            r = await c.post("/v1/campaigns", json={"name": "x", "list_ids": [lid], "subject": "s", "html": "h",
                                                    "canary": "sometimes"}, headers=auth)  # fmt: skip
            assert r.status_code == 422


def test_sample_size_bounds() -> None:
    s = SenderSettings()
    assert sample_size(100, s) == 0  # no larger than the minimum sample: no canary
    assert sample_size(201, s) == 200
    assert sample_size(10_000, s) == 500
    assert sample_size(1_000_000, s) == 2000


async def test_the_canary_policy_answers_the_senders_settings_and_the_projects_window(
    sqlite_url: str, settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, v in {
        "PERCENT": "0.125",
        "MIN": "40",
        "MAX": "900",
        "WINDOW_SECONDS": "5400",
        "LOOKBACK_DAYS": "3",
    }.items():
        monkeypatch.setenv(f"SESAME_SENDER_CANARY_{k}", v)
    settings = settings_for(sqlite_url, public_url=PUBLIC)
    async with embedded_app(settings) as app:
        _, key = await bootstrap_project(app)
        auth = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
            r = await c.get("/v1/campaigns/canary-policy", headers=auth)
            assert r.status_code == 200, r.text
            assert r.json() == {
                "sample_percent": 12.5,
                "sample_min": 40,
                "sample_max": 900,
                "window_seconds": 5400,
                "window_source": "default",
                "default_window_seconds": 5400,
                "lookback_days": 3,
            }
            # the project's own window is what its campaigns get; the sender's default is still said
            r = await c.patch("/v1/project", json={"settings": {"canary_window_seconds": 600}}, headers=auth)
            assert r.status_code == 200, r.text
            body = (await c.get("/v1/campaigns/canary-policy", headers=auth)).json()
            assert (body["window_seconds"], body["window_source"], body["default_window_seconds"]) == (
                600,
                "project",
                5400,
            )
            assert (await c.get("/v1/campaigns/canary-policy")).status_code == 401
