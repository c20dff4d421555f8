"""The canary in the console (real embedded services, SQLite): chosen on the compose form (auto / on / off, each
explained; the choice reaches the campaigns API, a wrong value is refused next to its select), shown on the
campaign's page, a canary holding the rest and released from there."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from services.gateway.console.campaign_form import canary_modes, compose_body, duration
from shared.models.console import AuditEntry
from shared.models.sender import Message
from tests.gateway.console.test_campaigns import _created, _form
from tests.sender.conftest import add_contact


@pytest.fixture
def fast_canary(monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in {"CANARY_MIN": "10", "CANARY_PERCENT": "0.5", "SWEEP_INTERVAL": "0.2"}.items():
        monkeypatch.setenv(f"SESAME_SENDER_{k}", v)


@pytest.fixture
def odd_canary(monkeypatch: pytest.MonkeyPatch) -> None:
    """Canary settings far from the defaults (5 %, 200–2,000, 30 minutes, 7 days): the form must say these."""
    settings = {"MIN": "10", "MAX": "1500", "PERCENT": "0.5", "WINDOW_SECONDS": "5400", "LOOKBACK_DAYS": "3"}
    for k, v in settings.items():
        monkeypatch.setenv(f"SESAME_SENDER_CANARY_{k}", v)
    monkeypatch.setenv("SESAME_SENDER_SWEEP_INTERVAL", "0.2")


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
    # the mode's explanation says the campaign's own window, not the sender's 30 minutes
    assert "a feedback window of 1 hour (this campaign&#39;s own)" in html and "30 minutes" not in html
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


def test_canary_choice_becomes_the_campaign_apis_field() -> None:
    base = {"name": "n", "list_ids": ["1"], "template_id": "", "when": "draft"}
    base.update({k: "" for k in ("subject", "html", "text", "from", "reply_to")})
    for mode in ("auto", "on", "off"):
        body, errors = compose_body({**base, "canary": mode}, None)
        assert errors == {} and body["canary"] == mode
    body, errors = compose_body(base, None)  # not given (an older form): the API's default applies
    assert errors == {} and "canary" not in body
    for bad in ("sometimes", "ON", "1"):
        body, errors = compose_body({**base, "canary": bad}, None)
        assert set(errors) == {"canary"} and "canary" not in body


async def _api_campaign(system: Any, cid: int) -> dict[str, Any]:
    transport = httpx.ASGITransport(app=system.app, client=("198.51.100.62", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
        r = await api.get(f"/v1/campaigns/{cid}", headers={"Authorization": f"Bearer {system.api_key}"})
        assert r.status_code == 200, r.text
        return dict(r.json())


async def test_canary_chosen_on_the_form_reaches_the_api(odd_canary, console_system) -> None:  # type: ignore[no-untyped-def]
    system = console_system
    admin, pid = system.admin, system.project_id
    rt = system.app.state.embedded_apps["sender"].state.runtime
    transport = httpx.ASGITransport(app=system.app, client=("198.51.100.62", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
        auth = {"Authorization": f"Bearer {system.api_key}"}
        lid = (await api.post("/v1/lists", json={"name": "Fair"}, headers=auth)).json()["id"]
    for i in range(20):
        await add_contact(rt, pid, f"success+c{i}@simulator.amazonses.com", {lid: "active"})
    base = f"/admin/p/{pid}/campaigns"

    # the select beside the tracking ones, auto chosen, each mode explained in one line tied to the select
    page = (await admin.get(f"{base}/new")).text
    assert '<label for="f-canary">' in page
    assert '<select id="f-canary" name="canary" aria-describedby="h-canary">' in page
    assert '<option value="auto" selected>Auto</option>' in page
    assert '<option value="on">On</option>' in page and '<option value="off">Off</option>' in page
    hint = page.split('<ul class="hint" id="h-canary">', 1)[1].split("</ul>", 1)[0]
    # the figures are the sender's settings (odd_canary), as GET /v1/campaigns/canary-policy gives them
    assert "larger than the most mail the project sent in one day over the last 3 days" in hint
    assert "A random 50 % sample (10–1,500 recipients) goes first" in hint
    assert (
        "held for a feedback window of 1 hour 30 minutes and" in hint and "under the pause thresholds" in hint
    )
    assert "A campaign of 10 recipients or fewer has no canary" in hint
    assert not any(default in hint for default in ("7 days", " 5 %", "200", "2,000", "window of 30 minutes"))
    assert "every recipient at once" in hint
    assert page.index('id="f-track_clicks"') < page.index('id="f-canary"') < page.index('id="when-draft"')

    # a value that is none of the three: a form error next to the select (not a 500), nothing created
    r = await admin.post(base, _form(list_ids=[str(lid)], canary="sometimes"))
    assert r.status_code == 422 and '<p class="error" id="e-canary">Choose auto, on or off.</p>' in r.text
    assert 'aria-describedby="h-canary e-canary" aria-invalid="true"' in r.text
    async with rt.sessionmaker() as s:
        assert (await s.execute(sa.text("SELECT count(*) FROM campaigns"))).scalar_one() == 0

    # a refusal of another field keeps the canary chosen
    r = await admin.post(base, _form(list_ids=[str(lid)], subject="", canary="off"))
    assert r.status_code == 422 and '<option value="off" selected>Off</option>' in r.text

    # "off" as a draft: the API has it, the page says it
    cid = _created(await admin.post(base, _form(name="Quiet", list_ids=[str(lid)], canary="off")))
    assert (await _api_campaign(system, cid))["canary"]["mode"] == "off"
    html = (await admin.get(f"{base}/{cid}")).text
    assert '<td data-canary-mode="off"><strong>Off</strong>' in html and "every recipient at once" in html

    # "on", sent now to 20 (sample of 10 with these settings): the canary really runs
    cid = _created(await admin.post(base, _form(name="Loud", list_ids=[str(lid)], canary="on", when="now")))

    async def sampled() -> dict[str, Any] | None:
        c = await _api_campaign(system, cid)
        return c if c["canary"]["state"] in ("sampling", "waiting") else None

    c = await _until(sampled)
    assert c["canary"]["mode"] == "on" and c["canary"]["size"] == 10
    html = (await admin.get(f"{base}/{cid}")).text
    assert '<td data-canary-mode="on"><strong>On</strong>' in html and 'id="h-canary"' in html
    assert "A random 50 % sample (10–1,500 recipients)" in html and "window of 1 hour 30 minutes" in html

    # the project's own window is what its campaigns get: the form says it, and whose it is
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
        r = await api.patch("/v1/project", json={"settings": {"canary_window_seconds": 600}}, headers=auth)
        assert r.status_code == 200, r.text
    page = (await admin.get(f"{base}/new")).text
    assert "held for a feedback window of 10 minutes (this project&#39;s setting)" in page
    async with system.app.state.runtime.sessionmaker() as db:
        detail = (
            await db.execute(
                sa.select(AuditEntry.detail).where(
                    AuditEntry.action == "campaign.created", AuditEntry.target == f"campaign:{cid}"
                )
            )
        ).scalar_one()
    assert detail["canary"] == "on"


def test_canary_modes_say_the_policys_figures_or_none() -> None:
    policy = {"sample_percent": 2.5, "sample_min": 1000, "sample_max": 20000, "window_seconds": 0,
              "window_source": "default", "default_window_seconds": 0, "lookback_days": 1}  # fmt: skip
    modes = canary_modes(policy)
    assert "over the last day." in modes["auto"][1]
    assert "A random 2.5 % sample (1,000–20,000 recipients)" in modes["on"][1]
    assert "waits only for the sample to be sent (no feedback window)" in modes["on"][1]
    assert "a feedback window of 2 days 1 hour" in canary_modes(policy, 2 * 86400 + 3600 + 5)["on"][1]
    # the sender did not answer (or answered something else): the rules without any figure
    for unknown in (None, {}, {"error": "unavailable"}, {**policy, "sample_min": None}):
        text = " ".join(why for _, why in canary_modes(unknown).values())
        assert not any(ch.isdigit() for ch in text) and "the feedback window" in text
    assert [duration(s) for s in (0, 59, 60, 1800, 5400, 86400)] == [
        "0 seconds", "59 seconds", "1 minute", "30 minutes", "1 hour 30 minutes", "1 day"
    ]  # fmt: skip
