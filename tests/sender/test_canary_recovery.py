"""Canary steps are decided once: sweeps of several replicas racing at the window's end mail the owner once and
send nothing more; a restart during the window neither loses the rest nor sends anything twice."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from services.sender.canary import advance_canaries
from shared.db.types import utcnow
from shared.models.events import EmailEvent
from shared.models.sender import Campaign, Message, SandboxMessage
from tests.gateway.embedded import bootstrap_project, embedded_app
from tests.sender.conftest import Sender, add_contact, make_list, make_project, wait_for


async def _states(rt: Any, cid: int) -> dict[str, int]:
    async with rt.sessionmaker() as s:
        rows = await s.execute(
            sa.select(Message.state, sa.func.count())
            .where(Message.campaign_id == cid)
            .group_by(Message.state)
        )
        return {st: int(n) for st, n in rows}


async def test_replicas_racing_at_the_window_end_decide_once(sender_factory: Any) -> None:
    async with sender_factory(sweep_interval=3600, canary_min=5, canary_percent=0.5) as s:
        s: Sender  # type: ignore[no-redef]
        rt = s.rt
        pid = await make_project(rt, owner="owner@example.com")
        lid = await make_list(rt, pid)
        for i in range(20):
            await add_contact(rt, pid, f"r{i}@example.com", {lid: "active"})
        r = await s.client.post(
            "/v1/campaigns",
            json={"name": "Race", "list_ids": [lid], "subject": "Hi", "html": "<p>Hi</p>", "send_now": True,
                  "canary": "on", "canary_window_seconds": 0},
            headers=s.h(pid),
        )  # fmt: skip
        assert r.status_code == 201, r.text
        cid = r.json()["id"]

        async def sample_sent() -> bool:
            return await _states(rt, cid) == {"sent": 10, "held": 10}

        await wait_for(sample_sent)
        # The events service recorded 2 hard bounces for the sample (20 % ≥ the 4 % pause threshold).
        async with rt.uow() as ses:
            sample = (
                (
                    await ses.execute(
                        sa.select(Message.id)
                        .where(Message.campaign_id == cid, Message.state == "sent")
                        .limit(2)
                    )
                )
                .scalars()
                .all()
            )
            for mid in sample:
                ses.add(EmailEvent(project_id=pid, dedupe_key=f"b{mid}", event_type="bounce", counted=True,
                                   message_id=mid, occurred_at=utcnow(), detail={}))  # fmt: skip

        outcomes = await asyncio.gather(*(advance_canaries(rt, s.core.settings) for _ in range(4)))
        assert sum(o["waiting"] for o in outcomes) == 1
        assert sum(o["held"] for o in outcomes) == 1 and sum(o["released"] for o in outcomes) == 0
        await advance_canaries(rt, s.core.settings)  # a later sweep: nothing more
        async with rt.sessionmaker() as ses:
            c = (await ses.execute(sa.select(Campaign).where(Campaign.id == cid))).scalar_one()
            mails = (
                (
                    await ses.execute(
                        sa.select(Message.idempotency_key).where(
                            Message.kind == "notification", Message.to_address == "owner@example.com"
                        )
                    )
                )
                .scalars()
                .all()
            )
        assert c.status == "canary_hold" and c.canary_state == "held"
        assert "bounce rate 20.00%" in (c.canary_reason or "")
        assert mails == [f"canary-held:{cid}"]
        await asyncio.sleep(0.5)  # the dispatcher keeps running: the rest stays held
        assert await _states(rt, cid) == {"sent": 10, "held": 10}


async def _until(check: Callable[[], Awaitable[Any]], within: float = 40.0) -> Any:  # noqa: ASYNC109
    deadline = time.monotonic() + within
    while not (got := await check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s")
        await asyncio.sleep(0.1)
    return got


async def test_a_restart_during_the_window_loses_nothing_and_sends_nothing_twice(
    sqlite_url: str, settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, v in {"CANARY_MIN": "10", "CANARY_PERCENT": "0.5", "SWEEP_INTERVAL": "0.2"}.items():
        monkeypatch.setenv(f"SESAME_SENDER_{k}", v)
    auth: dict[str, str] = {}
    async with embedded_app(settings_for(sqlite_url, public_url="http://testserver")) as app:
        rt = app.state.embedded_apps["sender"].state.runtime
        pid, key = await bootstrap_project(app)
        auth = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as c:
            lid = (await c.post("/v1/lists", json={"name": "News"}, headers=auth)).json()["id"]
            for i in range(40):
                await add_contact(rt, pid, f"success+r{i}@simulator.amazonses.com", {lid: "active"})
            r = await c.post(
                "/v1/campaigns",
                json={"name": "Restart", "list_ids": [lid], "subject": "Hi", "html": "<p>Hi</p>",
                      "send_now": True, "canary_window_seconds": 4},
                headers=auth,
            )  # fmt: skip
            cid = r.json()["id"]

            async def waiting() -> bool:
                b = (await c.get(f"/v1/campaigns/{cid}", headers=auth)).json()
                return bool(b["canary"]["state"] == "waiting")

            await _until(waiting)
    # Down while the window runs; a fresh process on the same database takes over.
    async with embedded_app(settings_for(sqlite_url, public_url="http://testserver")) as app:
        rt = app.state.embedded_apps["sender"].state.runtime
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as c:

            async def sent() -> bool:
                b = (await c.get(f"/v1/campaigns/{cid}", headers=auth)).json()
                return bool(b["status"] == "sent")

            await _until(sent)
        assert await _states(rt, cid) == {"sent": 40}
        async with rt.sessionmaker() as s:
            per_message = (
                await s.execute(
                    sa.select(SandboxMessage.message_id, sa.func.count())
                    .join(Message, Message.id == SandboxMessage.message_id)
                    .where(Message.campaign_id == cid)
                    .group_by(SandboxMessage.message_id)
                )
            ).all()
        assert len(per_message) == 40 and {n for _, n in per_message} == {1}
