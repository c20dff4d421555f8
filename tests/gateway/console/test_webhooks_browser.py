"""The console's webhook pages in headless Chromium: an endpoint added for a local receiver (its secret copied, and
verifying what the receiver gets), a test event sent and seen in the delivery log, a delivery's attempts; every
page at 1280 and 390 px in test-artifacts/gateway/console/, no unlabelled input, no id twice, no console error."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect
from standardwebhooks.webhooks import Webhook

from tests.gateway.console.in_browser import console_in_browser, log_in, open_section, shoot
from tests.gateway.console.report_feed import until
from tests.gateway.console.test_accounts_browser import UNLABELLED
from tests.support.webhook_receiver import Receiver

pytestmark = pytest.mark.slow
REFUSED_400 = "Failed to load resource: the server responded with a status of 400 (Bad Request)"


async def _check(page: Page, name: str) -> None:
    await shoot(page, name, unlabelled=UNLABELLED, duplicate_ids=True, fit_screen=True)


async def test_an_endpoint_and_its_log_in_chromium(sqlite_url, settings_for, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_POLL_SECONDS", "0.1")
    receiver = await Receiver().start()
    try:
        async with console_in_browser(sqlite_url, settings_for, clipboard=True, accept_dialogs=True) as b:
            page = b.page
            await log_in(page, b.public)
            await page.goto(f"{b.public}/admin/p/{b.pid}")
            await open_section(page, "Webhooks")
            await expect(page.get_by_role("heading", name="Webhooks")).to_be_visible()
            await _check(page, "webhooks-empty")

            await page.get_by_role("link", name="Add endpoint").click()
            # a private address the API refuses: its reason at the URL input, the form kept
            await page.get_by_label("Endpoint URL").fill("http://10.1.2.3/hook")
            await page.get_by_label("email.sent", exact=True).check()
            await page.get_by_role("button", name="Add endpoint").click()
            await expect(page.locator("#e-url")).to_contain_text("url refused")
            await expect(page.locator("#e-url")).to_contain_text("private")
            await expect(page.get_by_label("email.sent", exact=True)).to_be_checked()
            await _check(page, "webhooks-refused")
            assert b.problems == [REFUSED_400], b.problems
            b.problems.clear()
            await page.get_by_label("email.sent", exact=True).uncheck()
            await page.get_by_label("Endpoint URL").fill(receiver.url)
            await page.get_by_label("Description").fill("CRM sync")
            await page.get_by_label("email.bounced", exact=True).check()
            await page.get_by_label("every subscription.* event").check()
            # ticking a type chose "only these" (console.js); the form says what it will send
            await expect(page.get_by_label("Only the types ticked below")).to_be_checked()
            await _check(page, "webhooks-new")
            await page.get_by_role("button", name="Add endpoint").click()

            secret = (await page.locator("#webhook-secret").inner_text()).strip()
            assert secret.startswith("whsec_")
            await page.get_by_role("button", name="Copy secret").click()
            assert await page.evaluate("navigator.clipboard.readText()") == secret
            await page.get_by_text("Verify the signature with the Standard Webhooks library").click()
            await expect(page.get_by_text("pip install standardwebhooks")).to_be_visible()
            await expect(page.locator("dl.pairs")).to_contain_text("email.bounced, subscription.*")
            await _check(page, "webhook-created")
            # in the edit form, "All events" unticks the types (console.js); nothing is saved until "Save"
            await page.get_by_label("All events, including types added later").check()
            await expect(page.get_by_label("email.bounced", exact=True)).not_to_be_checked()

            await page.get_by_role("button", name="Send test event").click()
            await expect(page.get_by_text("Test event queued")).to_be_visible()

            async def succeeded() -> bool:
                await page.reload()
                return await page.locator("table.deliveries .badge.ok").count() == 1

            assert await until(succeeded, within=30)
            (got,) = receiver.of_type("webhook.test")
            Webhook(secret).verify(got.body, got.headers)
            await expect(page.locator("table.deliveries")).to_contain_text("webhook.test")
            await _check(page, "webhook-endpoint")

            await page.get_by_role("link", name="webhook.test").click()
            await expect(page.get_by_role("heading", name="Attempts")).to_be_visible()
            await expect(page.locator("table.attempts")).to_contain_text("200")
            await _check(page, "webhook-delivery")

            await open_section(page, "Webhooks")
            await expect(page.locator("main table")).to_contain_text(receiver.url)
            await expect(page.locator("main table")).to_contain_text("succeeded")
            await _check(page, "webhooks")
            assert b.problems == []
    finally:
        await receiver.stop()
