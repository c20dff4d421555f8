"""The console's account and project pages in headless Chromium: an owner invites an editor, who accepts the
invitation in another browser and changes a setting, both visible in the audit log; a new API key is copied;
every page at 1280 and 390 px in test-artifacts/gateway/console/, with no console error and no unlabelled input."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, async_playwright, expect

from tests.gateway.browser import ARTIFACTS, CHROMIUM_ARGS, ensure_chromium, free_port, serve
from tests.gateway.console.support import ADMIN_PASSWORD
from tests.gateway.embedded import bootstrap_project, embedded_app

pytestmark = pytest.mark.slow
SHOTS = ARTIFACTS / "console"
UNLABELLED = """() => [...document.querySelectorAll('main input, main select, main textarea, header select')]
  .filter(el => el.type !== 'hidden' && !el.closest('[hidden]'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.name || el.id)"""
WIDER_THAN_SCREEN = """() => document.documentElement.scrollWidth > window.innerWidth + 1"""


async def _both_widths(page: Page, name: str) -> None:
    """Screenshots at 1280 and 390 px; at 390 nothing but the tables' own scrollers may be wider than the screen."""
    assert await page.evaluate(UNLABELLED) == [], name
    for width in (1280, 390):
        await page.set_viewport_size({"width": width, "height": 900})
        await page.wait_for_timeout(100)
        assert not await page.evaluate(WIDER_THAN_SCREEN), f"{name} is wider than {width} px"
        await page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 900})


async def test_owner_invites_an_editor_in_the_browser(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    executable = ensure_chromium()
    SHOTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    settings = settings_for(sqlite_url, public_url=public)
    settings.security.admin_password = ADMIN_PASSWORD
    problems: list[str] = []
    async with embedded_app(settings) as app, serve(app, port):
        pid, _ = await bootstrap_project(app, "Acme")
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
            await ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=public)
            page = await ctx.new_page()
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

            await page.goto(f"{public}/admin/p/{pid}/members")
            await expect(page).to_have_url(re.compile(r"/admin/login\?next=/admin/p/\d+/members"))
            await _both_widths(page, "login")
            await page.get_by_label("Email (or admin)").fill("admin")
            await page.get_by_label("Password").fill(ADMIN_PASSWORD)
            await page.get_by_role("button", name="Log in").click()
            await expect(
                page.get_by_role("heading", name="Members")
            ).to_be_visible()  # back where it was going

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
            await (
                page.get_by_role("navigation", name="Project sections")
                .get_by_role("link", name="API keys")
                .click()
            )
            await page.get_by_label("Name").fill("website")
            await page.get_by_role("button", name="Create key").click()
            key = (await page.locator("#new-key").inner_text()).strip()
            assert key.startswith("ses_")
            await _both_widths(page, "keys")

            for section, name in (("Overview", "overview"), ("Settings", "settings")):
                await (
                    page.get_by_role("navigation", name="Project sections")
                    .get_by_role("link", name=section)
                    .click()
                )
                await _both_widths(page, name)
            await page.goto(f"{public}/admin/p")
            await _both_widths(page, "projects")
            await page.goto(f"{public}/admin/account")
            await _both_widths(page, "account")
            await page.goto(f"{public}/admin")
            await expect(page.locator("svg.chart").first).to_be_visible()
            await _both_widths(page, "operations")

            # the editor, in another browser: accepts, then saves the project's settings? No: an owner's page.
            ed_ctx = await browser.new_context(viewport={"width": 390, "height": 844})
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
            await browser.close()
    assert problems == [], problems
