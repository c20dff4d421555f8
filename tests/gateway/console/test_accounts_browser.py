"""The console's account and project pages in headless Chromium: an owner invites an editor, who accepts the
invitation in another browser and changes a setting, both visible in the audit log; a new API key is copied;
every page at 1280 and 390 px in test-artifacts/gateway/console/, with no console error and no unlabelled input."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.gateway.console.in_browser import console_in_browser, log_in, open_section, shoot

pytestmark = pytest.mark.slow
UNLABELLED = """() => [...document.querySelectorAll('main input, main select, main textarea, header select')]
  .filter(el => el.type !== 'hidden' && !el.closest('[hidden]'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.name || el.id)"""


async def _both_widths(page: Page, name: str) -> None:
    """Screenshots at 1280 and 390 px; at 390 nothing but the tables' own scrollers may be wider than the screen."""
    await shoot(page, name, unlabelled=UNLABELLED, fit_screen=True)


async def test_owner_invites_an_editor_in_the_browser(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    async with console_in_browser(sqlite_url, settings_for, clipboard=True) as b:
        page, public, pid, problems = b.page, b.public, b.pid, b.problems
        await page.goto(f"{public}/admin/p/{pid}/members")
        await expect(page).to_have_url(re.compile(r"/admin/login\?next=/admin/p/\d+/members"))
        await _both_widths(page, "login")
        await log_in(page, None)  # on the form the redirect opened
        await expect(page.get_by_role("heading", name="Members")).to_be_visible()  # back where it was going

        # invite an editor
        await page.get_by_label("Email").fill("ed@example.com")
        await page.get_by_label("Role").select_option("editor")
        await page.get_by_role("button", name="Create invitation").click()
        link = (await page.locator("#invite-url").inner_text()).strip()
        assert link.startswith(f"{public}/admin/invite/")
        await page.get_by_role("button", name="Copy link").click()
        assert await page.evaluate("navigator.clipboard.readText()") == link
        await _both_widths(page, "members")

        # a new API key, copied
        await open_section(page, "API keys")
        await page.get_by_label("Name").fill("website")
        await page.get_by_role("button", name="Create key").click()
        key = (await page.locator("#new-key").inner_text()).strip()
        assert key.startswith("ses_")
        await _both_widths(page, "keys")

        for section, name in (("Overview", "overview"), ("Settings", "settings")):
            await open_section(page, section)
            await _both_widths(page, name)
        await page.goto(f"{public}/admin/p")
        await _both_widths(page, "projects")
        await page.goto(f"{public}/admin/account")
        await _both_widths(page, "account")
        await page.goto(f"{public}/admin")
        await expect(page.locator("svg.chart").first).to_be_visible()
        await _both_widths(page, "operations")

        # the editor, in another browser: accepts, then saves the project's settings? No: an owner's page.
        ed_ctx = await b.browser.new_context(viewport={"width": 390, "height": 844})
        ed = await ed_ctx.new_page()
        ed.on("pageerror", lambda e: problems.append(str(e)))
        await ed.goto(link)
        await _both_widths(ed, "invite")
        await ed.get_by_label("Your name").fill("Ed")
        await ed.get_by_label("Choose a password").fill("ed's own passphrase")
        await ed.get_by_label("The password again").fill("ed's own passphrase")
        await ed.get_by_role("button", name="Accept and log in").click()
        await expect(ed.get_by_role("heading", name="Acme")).to_be_visible()
        await expect(ed.locator(".topbar .badge")).to_have_text("editor")
        # an editor sees no owner sections, and the owner's routes refuse them
        await expect(
            ed.get_by_role("navigation", name="Project sections").get_by_role("link", name="Settings")
        ).to_have_count(0)
        r = await ed.goto(f"{public}/admin/p/{pid}/settings")
        assert r is not None and r.status == 200  # readable
        await expect(ed.get_by_role("button", name="Save settings")).to_be_disabled()
        await ed_ctx.close()

        # the owner's audit log shows both
        await page.goto(f"{public}/admin/p/{pid}/audit")
        await expect(page.get_by_text("member.joined")).to_be_visible()
        await expect(page.get_by_text("api_key.created")).to_be_visible()
        await _both_widths(page, "audit")
    assert problems == [], problems
