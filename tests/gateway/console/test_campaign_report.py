"""The campaign report page in the console, against the real embedded system: a campaign sent through the sandbox,
its report API's answer shown in full — outcomes, opens and clicks unique and total with rates, the links, the
unsubscribes via its links, the rates beside the thresholds, the time series as an inline SVG chart."""

from __future__ import annotations

import re
from typing import Any

from services.gateway.console.project_api import ApiResult, ProjectApi
from tests.gateway.console.test_campaign_outcomes import contract_report
from tests.gateway.console.test_campaigns import _api, _created, _form, _list_with, _until


async def _sent_campaign(system: Any, emails: list[str]) -> tuple[int, str]:
    admin, pid = system.admin, system.project_id
    lid = await _list_with(system, "Weekly", emails)
    cid = _created(await admin.post(f"/admin/p/{pid}/campaigns", _form(list_ids=[str(lid)], when="now")))
    base = f"/admin/p/{pid}/campaigns/{cid}"

    async def finished() -> bool:
        return bool((await admin.get(f"{base}.json")).json()["done"])

    await _until(finished, 40)
    return cid, base


def _cells(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-outcome="(\w+)">(\d+)<', html))


async def test_the_page_shows_what_the_report_api_answers(console_system, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cid, base = await _sent_campaign(console_system, ["ann@example.com", "bob@example.com"])
    real_get = ProjectApi.get
    answer = contract_report(campaign_id=cid)

    async def get(self: ProjectApi, path: str, **query: Any) -> ApiResult:
        if path == f"/v1/campaigns/{cid}/report":
            return ApiResult(200, answer)
        return await real_get(self, path, **query)

    monkeypatch.setattr(ProjectApi, "get", get)
    html = (await console_system.admin.get(base)).text
    cells = _cells(html)
    assert cells == {
        "delivered": "8", "bounced": "2", "hard": "1", "soft": "1", "complained": "1", "rejected": "0",
        "opened_unique": "4", "opened_total": "9", "clicked_unique": "2", "clicked_total": "5",
        "unsubscribed": "1", "paused": "0",
    }  # fmt: skip
    assert "50.00 %" in html and "25.00 %" in html  # open and click rates
    assert '<span class="badge bad">20.00 %</span>' in html and "8.00 %" in html  # bounce beside pause at 8 %
    assert "https://acme.example/sale" in html and html.index("acme.example/sale") < html.index(
        "acme.example/blog"
    )
    assert "Open tracking <strong>on</strong>" in html and "click tracking <strong>on</strong>" in html
    assert '<svg class="chart"' in html and "per hour →" in html and "The figures, step by step" in html

    # tracking off and nothing counted: said so, not a zero that looks like nobody opened
    answer.update(tracking={"opens": False, "clicks": False}, opened={"unique": 0, "total": 0},
                  clicked={"unique": 0, "total": 0}, links=[])  # fmt: skip
    html = (await console_system.admin.get(base)).text
    assert html.count("not tracked") == 2 and "Click tracking is off for this campaign" in html


async def test_without_the_report_the_senders_counts_stay(console_system, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cid, base = await _sent_campaign(console_system, ["ann@example.com"])
    real_get = ProjectApi.get

    async def get(self: ProjectApi, path: str, **query: Any) -> ApiResult:
        if path.endswith("/report"):
            return ApiResult(503, None, None, {}, "down")
        return await real_get(self, path, **query)

    monkeypatch.setattr(ProjectApi, "get", get)
    r = await console_system.admin.get(base)
    assert r.status_code == 200 and "are not available right now" in r.text
    assert re.search(r'<th scope="row">Delivered</th><td class="num" data-field="delivered">', r.text)
    assert "data-outcome=" not in r.text and '<svg class="chart"' not in r.text


async def test_compose_offers_tracking_on_off_or_the_projects_setting(console_system) -> None:  # type: ignore[no-untyped-def]
    admin, pid = console_system.admin, console_system.project_id
    lid = await _list_with(console_system, "Weekly", ["ann@example.com"])
    page = (await admin.get(f"/admin/p/{pid}/campaigns/new")).text
    for name, label in (("track_opens", "Open tracking"), ("track_clicks", "Click tracking")):
        assert f'<label for="f-{name}">{label}</label>' in page
        assert f'<select id="f-{name}" name="{name}">' in page
    assert '<option value="" selected>As the project is set</option>' in page
    # a value that is none of the three: refused next to its select, what was chosen kept, nothing created
    r = await admin.post(f"/admin/p/{pid}/campaigns", _form(list_ids=[str(lid)], track_opens="sometimes"))
    assert r.status_code == 422 and 'id="e-track_opens"' in r.text
    assert (
        "As the project is set" in r.text and 'aria-invalid="true" aria-describedby="e-track_opens"' in r.text
    )
    api, auth = _api(console_system)
    async with api:
        assert (await api.get("/v1/campaigns", headers=auth)).json()["campaigns"] == []
