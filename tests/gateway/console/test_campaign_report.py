"""The campaign report page in the console, against the real embedded system: a campaign sent through the sandbox,
real SES feedback fed through the signed SNS webhook (tests/gateway/console/report_feed.py), and the page shows it
all — outcomes, opens and clicks unique and total with rates, the links, the unsubscribes via its links, the rates
beside the thresholds, the time series as an inline SVG chart; the contact's engagement on its page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest

from services.gateway.console.project_api import ApiResult, ProjectApi
from tests.gateway.console.report_feed import EXPECTED, LINK_A, LINK_B, READERS, Feedback, trust_test_sns
from tests.gateway.console.support import ADMIN_PASSWORD, ConsoleClient
from tests.gateway.console.test_campaigns import _api, _created, _form, _list_with, _until
from tests.gateway.embedded import bootstrap_project, embedded_app

EXPECTED_SERIES = ("delivered", "opened", "clicked", "bounced", "complained", "unsubscribed")


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


@pytest.fixture
async def report_system(sqlite_url, settings_for, monkeypatch, tmp_path) -> AsyncIterator[Any]:  # type: ignore[no-untyped-def]
    """console_system's embedded Sesame, its events service trusting the test SNS certificate."""
    sns = trust_test_sns(monkeypatch, tmp_path)
    settings = settings_for(sqlite_url, public_url="http://testserver")
    settings.security.admin_password = ADMIN_PASSWORD
    async with embedded_app(settings) as app:
        pid, key = await bootstrap_project(app, "Acme")
        async with ConsoleClient(app) as admin, Feedback(app, key, sns) as fb:
            await admin.login()
            yield SimpleNamespace(app=app, project_id=pid, api_key=key, admin=admin, fb=fb)


async def test_the_page_shows_the_feedback_fed(report_system) -> None:  # type: ignore[no-untyped-def]
    system = report_system
    admin, pid = system.admin, system.project_id
    lid = await _list_with(system, "Weekly", READERS)
    form = _form(name="Spring", subject="Spring", list_ids=[str(lid)], when="now", track_opens="on")
    cid = _created(await admin.post(f"/admin/p/{pid}/campaigns", form))
    base = f"/admin/p/{pid}/campaigns/{cid}"

    async def finished() -> bool:
        return bool((await admin.get(f"{base}.json")).json()["done"])

    await _until(finished, 40)
    await system.fb.feed_campaign(cid)
    report = await system.fb.report_settled(cid)

    html = (await admin.get(base)).text
    assert _cells(html) == EXPECTED
    assert "Open tracking <strong>on</strong>" in html and "click tracking <strong>on</strong>" in html
    assert "33.33 %" in html and "50.00 %" not in html  # open and click rates: 2 of 6 delivered
    assert (
        '<span class="badge bad">16.67 %</span>' in html
    )  # 1 hard bounce, 1 complaint of 6 sent, over pause
    links = re.findall(
        r'<tr><td class="wrap">([^<]+)</td><td class="num">(\d+)</td><td class="num">(\d+)</td>', html
    )
    assert links == [(LINK_A, "2", "2"), (LINK_B.replace("?", "?"), "1", "1")]
    # the time series: per minute then per hour, and its figures table equal to the API's points
    assert '<svg class="chart"' in html and "per hour →" in html
    rows = re.findall(r'<tr><td><time datetime="([^"]+)">', html.split("The figures, step by step", 1)[1])
    api_rows = [p["at"] for p in report["timeseries"]["points"] if any(p[k] for k in EXPECTED_SERIES)]
    assert [r[:16] for r in rows] == [a[:16] for a in api_rows] and len(rows) >= 5
    # the contact who opened and clicked: its engagement on its page; the one-click unsubscriber: the campaign named
    contacts = (await admin.get(f"/admin/p/{pid}/contacts", params={"q": READERS[0]})).text
    c0 = re.search(r'href="/admin/p/\d+/contacts/(\d+)"', contacts)
    assert c0
    page = (await admin.get(f"/admin/p/{pid}/contacts/{c0.group(1)}")).text
    engagement = dict(re.findall(r'data-engagement="(\w+)">(\d+)<', page))
    assert engagement == {"campaigns_received": "1", "delivered": "1", "opened": "1", "clicked": "1"}
    assert "never seen" not in page.split('id="h-engagement"', 1)[1].split("</section>", 1)[0]


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
