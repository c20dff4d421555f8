"""Webhook delivery is fair between endpoints, on SQLite and Postgres: a receiver that stalls until the timeout with
a backlog holds its own slots only (another project's deliveries are all sent and recorded before its first
attempt ends), a shutdown loses nothing, three competing delivery loops send each delivery once, and test sends
are rate-limited per endpoint."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from services.events.settings import EventsSettings
from services.events.webhooks.delivery import Deliverer, enqueue_event
from shared.db.types import utcnow
from shared.models.webhooks import WebhookAttempt, WebhookDelivery
from tests.gateway.embedded import bootstrap_project, embedded_app
from tests.support.webhook_receiver import Receiver

PUBLIC = "http://testserver"


async def _until(check: Any, within: float = 30.0) -> Any:  # noqa: ASYNC109
    deadline = time.monotonic() + within
    while not (got := await check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s")
        await asyncio.sleep(0.02)
    return got


async def _projects_with_endpoints(app: Any, urls: dict[str, str]) -> dict[str, tuple[int, int]]:
    """One project per name with one endpoint at its URL: name → (project id, endpoint id)."""
    out = {}
    for name, url in urls.items():
        pid, key = await bootstrap_project(app, name)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
            r = await c.post("/v1/webhooks", json={"url": url}, headers={"Authorization": f"Bearer {key}"})
            assert r.status_code == 201, r.text
            out[name] = (pid, r.json()["id"])
    return out


async def _enqueue(rt: Any, settings: EventsSettings, pid: int, n: int, tag: str) -> None:
    async with rt.uow() as s:
        for i in range(n):
            await enqueue_event(s, settings, pid, "email.sent", f"{tag}-{i}", {"project_id": pid, "i": i})


async def _states(rt: Any, pid: int) -> dict[str, int]:
    async with rt.sessionmaker() as s:
        q = (
            sa.select(WebhookDelivery.status, sa.func.count())
            .where(WebhookDelivery.project_id == pid)
            .group_by(WebhookDelivery.status)
        )
        return dict((await s.execute(q)).all())  # type: ignore[arg-type]


async def _attempts(rt: Any, pid: int) -> int:
    async with rt.sessionmaker() as s:
        q = (
            sa.select(sa.func.count())
            .select_from(WebhookAttempt)
            .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
            .where(WebhookDelivery.project_id == pid)
        )
        return int(await s.scalar(q) or 0)


async def _done(rt: Any, pid: int, n: int) -> bool:
    return await _states(rt, pid) == {"succeeded": n}


async def test_a_stalled_receiver_with_a_backlog_delays_no_other_project(
    db_url: str, settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESAME_EVENTS_RUN_WEBHOOK_DELIVERY", "false")
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    stalled, prompt = await Receiver(stall_first={"email.sent": 10_000}).start(), await Receiver().start()
    try:
        async with embedded_app(settings_for(db_url, public_url=PUBLIC)) as app:
            rt = app.state.embedded_apps["events"].state.runtime
            eps = await _projects_with_endpoints(app, {"Stalled": stalled.url, "Prompt": prompt.url})
            (a, _), (b, _) = eps["Stalled"], eps["Prompt"]
            # Two POSTs in flight per endpoint, eight in all; A's backlog is older than all of B's and fills a batch.
            settings = EventsSettings(
                webhook_allow_networks=["127.0.0.1/32"], webhook_concurrency=8, webhook_batch_size=20,
                webhook_timeout_seconds=5, webhook_claim_seconds=30, webhook_poll_seconds=0.1,
                webhook_retry_schedule_seconds=[600],
            )  # fmt: skip
            await _enqueue(rt, settings, a, 30, "a")
            await _enqueue(rt, settings, b, 10, "b")
            d = Deliverer(rt, settings)
            task = asyncio.create_task(d.run())
            try:
                await _until(lambda: _done(rt, b, 10))
                # Every one of B's deliveries is sent and recorded while A's first attempts are still stalled:
                # none of A's is recorded yet, and A's receiver holds only A's own two slots.
                assert await _attempts(rt, a) == 0
                assert stalled.count == 2, stalled.count
                assert [r.doc["data"]["i"] for r in prompt.received] == list(range(10))
                assert not task.done()
            finally:
                # Shutdown with A's attempts in flight and its backlog claimed: the loop ends cleanly ...
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            assert task.cancelled()
            # ... and nothing of A's is lost: claimed (due again when the claim expires) or still pending.
            states = await _states(rt, a)
            assert sum(states.values()) == 30 and set(states) <= {"delivering", "pending"}, states
            assert await _attempts(rt, a) == 0
            async with rt.uow() as s:  # the claims expire (a replica would take them over 30 s from now)
                await s.execute(
                    sa.update(WebhookDelivery)
                    .where(WebhookDelivery.status == "delivering")
                    .values(claimed_until=utcnow() - timedelta(seconds=1))
                )
            stalled.stall_first.clear()
            again = Deliverer(rt, settings)
            try:
                while await again.round():
                    pass
            finally:
                await again.client.close()
            assert await _states(rt, a) == {"succeeded": 30}
            assert await _attempts(rt, a) == 30 and await _attempts(rt, b) == 10
            # At least once: the two attempts cut by the shutdown were sent again; every delivery arrived.
            assert {r.doc["data"]["i"] for r in stalled.received} == set(range(30))
    finally:
        await stalled.stop()
        await prompt.stop()


async def test_three_competing_delivery_loops_send_each_delivery_once(
    db_url: str, settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESAME_EVENTS_RUN_WEBHOOK_DELIVERY", "false")
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    one, two = await Receiver().start(), await Receiver().start()
    try:
        async with embedded_app(settings_for(db_url, public_url=PUBLIC)) as app:
            rt = app.state.embedded_apps["events"].state.runtime
            eps = await _projects_with_endpoints(app, {"One": one.url, "Two": two.url})
            settings = EventsSettings(
                webhook_allow_networks=["127.0.0.1/32"], webhook_batch_size=40, webhook_concurrency=8,
                webhook_poll_seconds=0.05,
            )  # fmt: skip
            await _enqueue(rt, settings, eps["One"][0], 200, "one")
            await _enqueue(rt, settings, eps["Two"][0], 100, "two")
            loops = [Deliverer(rt, settings) for _ in range(3)]
            tasks = [asyncio.create_task(d.run()) for d in loops]
            try:

                async def all_recorded() -> bool:
                    return await _done(rt, eps["One"][0], 200) and await _done(rt, eps["Two"][0], 100)

                await _until(all_recorded, within=60)
            finally:
                for t in tasks:
                    t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
            ids = [r.headers["webhook-id"] for r in one.received + two.received]
            assert (one.count, two.count) == (200, 100)
            assert len(ids) == 300 and len(set(ids)) == 300
            async with rt.sessionmaker() as s:
                assert await s.scalar(sa.select(sa.func.count()).select_from(WebhookAttempt)) == 300
    finally:
        await one.stop()
        await two.stop()


async def test_test_sends_are_rate_limited_per_endpoint(
    sqlite_url: str, settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESAME_EVENTS_RUN_WEBHOOK_DELIVERY", "false")
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_TESTS_PER_MINUTE", "3")
    async with embedded_app(settings_for(sqlite_url, public_url=PUBLIC)) as app:
        _pid, key = await bootstrap_project(app)
        auth = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
            first = (await c.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/a"}, headers=auth)).json()
            other = (await c.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/b"}, headers=auth)).json()
            for _ in range(3):
                assert (await c.post(f"/v1/webhooks/{first['id']}/test", headers=auth)).status_code == 202
            r = await c.post(f"/v1/webhooks/{first['id']}/test", headers=auth)
            assert r.status_code == 429 and r.json()["error"] == "too_many_requests", r.text
            assert "3 test events per endpoint per minute" in r.json()["detail"]
            assert 1 <= int(r.headers["retry-after"]) <= 20  # one of 3 tokens a minute: back within 20 s
            # Another endpoint has its own allowance; the refused send queued nothing.
            assert (await c.post(f"/v1/webhooks/{other['id']}/test", headers=auth)).status_code == 202
            page = (await c.get(f"/v1/webhooks/{first['id']}/deliveries", headers=auth)).json()
            assert len(page["data"]) == 3


async def test_a_claimed_delivery_that_waited_too_long_is_released_not_sent(
    db_url: str, settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One POST at a time to a receiver that stalls until the 1 s timeout, a 12 s claim: rows start while their
    claim has the timeout + 5 s left (about the first six); the others are released unsent, pending again with no
    attempt counted, so no claim expires under a running attempt (another replica would send it too)."""
    monkeypatch.setenv("SESAME_EVENTS_RUN_WEBHOOK_DELIVERY", "false")
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    stalled = await Receiver(stall_first={"email.sent": 10_000}).start()
    try:
        async with embedded_app(settings_for(db_url, public_url=PUBLIC)) as app:
            rt = app.state.embedded_apps["events"].state.runtime
            pid, _ = (await _projects_with_endpoints(app, {"Stalled": stalled.url}))["Stalled"]
            settings = EventsSettings(
                webhook_allow_networks=["127.0.0.1/32"], webhook_endpoint_concurrency=1, webhook_batch_size=20,
                webhook_timeout_seconds=1, webhook_claim_seconds=12, webhook_retry_schedule_seconds=[600],
            )  # fmt: skip
            await _enqueue(rt, settings, pid, 20, "slow")
            d = Deliverer(rt, settings)
            try:
                assert await d.round() == 20
            finally:
                await d.client.close()
            async with rt.sessionmaker() as s:
                rows = (
                    await s.execute(
                        sa.select(
                            WebhookDelivery.status, WebhookDelivery.attempts, WebhookDelivery.claim_token
                        )
                    )
                ).all()
            sent = [r for r in rows if r.attempts == 1]
            assert {(r.status, r.claim_token) for r in rows} == {("pending", None)}, rows
            assert 3 <= len(sent) <= 7 and len(sent) == stalled.count == await _attempts(rt, pid), (
                len(sent),
                stalled.count,
            )
    finally:
        await stalled.stop()


async def test_a_claim_takes_each_endpoints_first_slice_before_anyones_next(
    db_url: str, settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESAME_EVENTS_RUN_WEBHOOK_DELIVERY", "false")
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    async with embedded_app(settings_for(db_url, public_url=PUBLIC)) as app:
        rt = app.state.embedded_apps["events"].state.runtime
        eps = await _projects_with_endpoints(
            app, {"Old": "http://127.0.0.1:9/a", "New": "http://127.0.0.1:9/b"}
        )
        settings = EventsSettings(
            webhook_allow_networks=["127.0.0.1/32"], webhook_endpoint_concurrency=2, webhook_batch_size=6
        )
        await _enqueue(rt, settings, eps["Old"][0], 10, "old")
        await _enqueue(rt, settings, eps["New"][0], 10, "new")
        d = Deliverer(rt, settings)
        try:
            # Slices of two: Old 1-2, New 1-2, then Old 3-4 (older than New 3-4).
            _token, rows, _ = await d.claim()
            assert sorted(r.project_id for r in rows) == [eps["Old"][0]] * 4 + [eps["New"][0]] * 2
            # Old left out (as run() does with a backlog waiting here): the batch is New's.
            _token, rows, _ = await d.claim(busy=[eps["Old"][1]])
            assert [r.project_id for r in rows] == [eps["New"][0]] * 6, rows
        finally:
            await d.client.close()
