"""The campaign report page in headless Chromium: a campaign sent through the sandbox of the embedded system served
on a real port, real SES feedback fed through the signed SNS webhook (report_feed.py), and the page, as a browser
renders it, shows the outcomes, the links, the chart and its figures; screenshots at 1280 and 390 px, nothing wider
than the phone, no id twice, no console error."""

from __future__ import annotations

from types import SimpleNamespace

from tests.gateway.console.in_browser import console_in_browser, log_in, shoot
from tests.gateway.console.report_feed import (
    EXPECTED,
    LINK_A,
    LINK_B,
    READERS,
    Feedback,
    trust_test_sns,
    until,
)
from tests.gateway.console.test_campaigns import _list_with


async def test_the_report_page_in_chromium(sqlite_url, settings_for, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sns = trust_test_sns(monkeypatch, tmp_path)
    async with console_in_browser(sqlite_url, settings_for) as b:
        lid = await _list_with(SimpleNamespace(app=b.app, api_key=b.api_key), "Weekly", READERS)
        async with Feedback(b.app, b.api_key, sns) as fb:
            r = await fb.c.post("/v1/campaigns", headers=fb.auth, json={
                "name": "Spring", "list_ids": [lid], "subject": "Spring", "html": "<p>Hello</p>"})  # fmt: skip
            assert r.status_code == 201, r.text
            cid = int(r.json()["id"])
            r = await fb.c.post(f"/v1/campaigns/{cid}/send", headers=fb.auth)  # no body: send now
            assert r.status_code in (200, 202), r.text

            async def finished() -> bool:
                got = (await fb.c.get(f"/v1/campaigns/{cid}", headers=fb.auth)).json()
                return got["status"] == "sent"

            assert await until(finished), "the campaign did not finish"
            await fb.feed_campaign(cid)
            report = await fb.report_settled(cid)

        page = b.page
        await log_in(page, b.public)
        await page.goto(f"{b.public}/admin/p/{b.pid}/campaigns/{cid}")
        shown = {
            k: (await page.locator(f'[data-outcome="{k}"]').first.inner_text()).strip() for k in EXPECTED
        }
        assert shown == EXPECTED
        chart = page.locator("svg.chart").first
        assert await chart.is_visible()
        assert await page.get_by_text("per hour →").count() >= 1
        links = page.locator("td.wrap")
        texts = [t.strip() for t in await links.all_inner_texts()]
        assert texts.index(LINK_A) < texts.index(LINK_B)
        assert report["clicked"]["total"] == 3
        await shoot(page, "campaign-report", fit_screen=True, duplicate_ids=True)
        assert b.problems == []
