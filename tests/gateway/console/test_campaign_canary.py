"""The campaign page shows a canary holding the rest and releases it (real embedded services, SQLite)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from shared.models.console import AuditEntry
from shared.models.sender import Message
from tests.sender.conftest import add_contact


@pytest.fixture
def fast_canary(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in {"CANARY_MIN": "10", "CANARY_PERCENT": "0.5", "SWEEP_INTERVAL": "0.2"}.items():
        monkeypatch.setenv(f"SESAME_SENDER_{k}", v)


async def _until(check: Any, within: float = 30.0) -> Any:  # noqa: ASYNC109
    deadline = time.monotonic() + within
    while not (got := await check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s")
        await asyncio.sleep(0.1)
    return got


async def test_canary_shown_on_the_campaign_page_and_released_from_it(fast_canary, console_system) -> None:  # type: ignore[no-untyped-def]
    system = console_system
    admin, pid = system.admin, system.project_id
    rt = system.app.state.embedded_apps["sender"].state.runtime
    transport = httpx.ASGITransport(app=system.app, client=("198.51.100.61", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
        auth = {"Authorization": f"Bearer {system.api_key}"}
        lid = (await api.post("/v1/lists", json={"name": "Fair"}, headers=auth)).json()["id"]
        for i in range(20):
            await add_contact(rt, pid, f"success+f{i}@simulator.amazonses.com", {lid: "active"})
        r = await api.post(
            "/v1/campaigns",
            json={"name": "Fair news", "list_ids": [lid], "subject": "Hi", "html": "<p>Hi</p>", "send_now": True,
                  "canary": "on", "canary_window_seconds": 3600},
            headers=auth,
        )  # fmt: skip
        assert r.status_code == 201, r.text
        cid = r.json()["id"]

        async def waiting() -> bool:
            r = await api.get(f"/v1/campaigns/{cid}", headers=auth)
            return bool(r.json()["canary"]["state"] == "waiting")

        await _until(waiting)
    base = f"/admin/p/{pid}/campaigns/{cid}"
    html = (await admin.get(base)).text
    assert 'data-canary="waiting"' in html and "The sample of 10 was sent" in html
    assert "Sample: 10 sent · 0 bounced" in html and "canary_hold" in html
    assert f'action="{base}/release"' in html and f'action="{base}/cancel"' in html
    assert f'action="{base}/pause"' not in html

    r = await admin.post(f"{base}/release")
    assert r.status_code == 303
    assert "Released: 10 held recipients queued." in (await admin.get(r.headers["location"])).text

    async def all_sent() -> bool:
        async with rt.sessionmaker() as s:
            states = (
                (await s.execute(sa.select(Message.state).where(Message.campaign_id == cid))).scalars().all()
            )
        return len(states) == 20 and set(states) == {"sent"}

    await _until(all_sent)
    r = await admin.post(f"{base}/release")  # nothing held any more: refused with the reason, nothing changed
    assert r.status_code == 409 and "not held by its canary" in r.text
    async with system.app.state.runtime.sessionmaker() as db:
        actions = (
            (await db.execute(sa.select(AuditEntry.action).where(AuditEntry.target == f"campaign:{cid}")))
            .scalars()
            .all()
        )
    assert "campaign.released" in actions


async def test_a_held_warmup_step_is_shown_on_the_ses_page(console_system) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from shared.db.types import utcnow
    from shared.models.sender import SesAccount

    system = console_system
    rt = system.app.state.embedded_apps["sender"].state.runtime
    async with rt.uow() as s:
        s.add(SesAccount(project_id=system.project_id, region="us-east-1", credential_mode="chain",
                         warmup_enabled=True, warmup_step=2, sent_since_read=0,
                         warmup_step_at=utcnow() - timedelta(hours=25)))  # fmt: skip

    # No mail in the last week: the sweep refuses the due step and says why.
    async def held() -> str | None:
        html = (await system.admin.get(f"/admin/p/{system.project_id}/ses")).text
        return html if 'data-warmup="held"' in html else None

    html = await _until(held)
    assert "on · step 2" in html and "nothing was sent over the last 7d" in html
