"""Headless Chromium through the gateway's pages against the real embedded services: sign up with the ALTCHA
widget solving its challenge in the browser, confirm from the captured mail, pause, resume, unsubscribe from a
campaign's link — the database checked after each step, a screenshot of each page in test-artifacts/gateway/."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx
import pytest
from playwright.async_api import async_playwright
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.gateway.browser import ARTIFACTS, CHROMIUM_ARGS, ensure_chromium, free_port, serve
from tests.gateway.embedded import (
    CONFIRM_RE,
    PREFS_RE,
    bootstrap_project,
    captured_mail,
    embedded_app,
    mail_text,
    subscription_rows,
)

pytestmark = pytest.mark.slow

# Visible form controls of our own markup without an accessible name (label, aria-label or aria-labelledby).
UNLABELLED_INPUTS = """() => [...document.querySelectorAll('main input, main select, main textarea')]
  .filter(el => el.type !== 'hidden' && !el.closest('altcha-widget') && !el.closest('[aria-hidden=true]'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.name || el.id)"""


async def test_subscriber_journey_in_a_real_browser(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    executable = ensure_chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    settings = settings_for(sqlite_url, public_url=public)
    async with embedded_app(settings, altcha_cost=200, altcha_max_counter=300) as app, serve(app, port):
        pid, key = await bootstrap_project(
            app, "Acme", branding={"name": "Acme Weekly", "primary_color": "#0b6e4f"}
        )
        auth = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(base_url=public, timeout=30) as api:
            r = await api.post(
                "/v1/lists",
                json={
                    "name": "Weekly news",
                    "description": "One email a week.",
                    "form_settings": {"captcha": {"provider": "altcha"}},
                },
                headers=auth,
            )
            assert r.status_code == 201, r.text
            news = r.json()["id"]
            await api.post("/v1/lists", json={"name": "Product offers"}, headers=auth)

            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
                ctx = await browser.new_context(viewport={"width": 390, "height": 844})  # a phone
                page = await ctx.new_page()
                problems: list[str] = []
                page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: problems.append(str(e)))

                # 1. the hosted form, ALTCHA solved by the widget in the browser
                await page.goto(f"{public}/f/{news}")
                unlabelled = await page.evaluate(UNLABELLED_INPUTS)
                assert unlabelled == [], unlabelled
                await page.screenshot(path=str(ARTIFACTS / "1-form.png"), full_page=True)
                await page.get_by_label("Email address").fill("ann@example.com")
                await page.get_by_text("I'm not a robot").click()  # where a person clicks
                await page.wait_for_function(
                    "() => { const i = document.querySelector('input[name=altcha]'); return i && i.value.length > 20; }",
                    timeout=60_000,
                )
                await page.screenshot(path=str(ARTIFACTS / "2-form-verified.png"), full_page=True)
                await page.get_by_role("button", name="Subscribe").click()
                await page.wait_for_selector("text=Check your inbox")
                await page.screenshot(path=str(ARTIFACTS / "3-check-inbox.png"), full_page=True)
                assert await subscription_rows(sqlite_url, "ann@example.com") == {news: ("pending", None)}

                # 2. the confirmation link from the captured mail
                mail = await captured_mail(api, key, "ann@example.com", subject_has="Confirm")
                text = mail_text(mail)
                confirm, prefs = CONFIRM_RE.search(text).group(0), PREFS_RE.search(text).group(0)  # type: ignore[union-attr]
                await page.goto(confirm)
                await page.screenshot(path=str(ARTIFACTS / "4-confirm.png"), full_page=True)
                assert (await subscription_rows(sqlite_url, "ann@example.com"))[news][0] == "pending"
                await page.get_by_role("button", name="Yes, subscribe me").click()
                await page.wait_for_selector("text=Subscription confirmed")
                await page.screenshot(path=str(ARTIFACTS / "5-confirmed.png"), full_page=True)
                assert (await subscription_rows(sqlite_url, "ann@example.com"))[news][0] == "active"

                # 3. preference center: pause until a date, then resume
                await page.goto(prefs)
                await page.screenshot(path=str(ARTIFACTS / "6-preferences.png"), full_page=True)
                assert await page.evaluate(UNLABELLED_INPUTS) == []
                until = (date.today() + timedelta(days=14)).isoformat()
                item = page.locator(f"#list-{news}")
                await item.get_by_label("Pause until").fill(until)
                await item.get_by_role("button", name="Pause").click()
                await page.wait_for_selector("text=Paused.")
                await page.screenshot(path=str(ARTIFACTS / "7-paused.png"), full_page=True)
                status, paused_until = (await subscription_rows(sqlite_url, "ann@example.com"))[news]
                assert status == "paused" and str(paused_until).startswith(until)
                await (
                    page.locator(f"#list-{news}").get_by_role("button", name="Resume Weekly news now").click()
                )
                await page.wait_for_selector(f"#list-{news} .status.active")
                assert (await subscription_rows(sqlite_url, "ann@example.com"))[news][0] == "active"

                # 4. a campaign arrives; its unsubscribe link: landing page, then the button
                r = await api.post(
                    "/v1/campaigns",
                    json={
                        "name": "Issue 1",
                        "list_ids": [news],
                        "subject": "Issue 1",
                        "html": "<p>Hi</p>",
                        "send_now": True,
                    },
                    headers=auth,
                )
                assert r.status_code == 201, r.text
                issue = await captured_mail(api, key, "ann@example.com", subject_has="Issue 1")
                unsub = re.search(r"<(https?://[^>]+/u/[^>]+)>", str(issue["List-Unsubscribe"])).group(1)  # type: ignore[union-attr]
                await page.goto(unsub)
                await page.screenshot(path=str(ARTIFACTS / "8-unsubscribe.png"), full_page=True)
                assert (await subscription_rows(sqlite_url, "ann@example.com"))[news][0] == "active"
                await page.get_by_role("button", name="Unsubscribe").click()
                await page.wait_for_selector("text=You are unsubscribed")
                await page.screenshot(path=str(ARTIFACTS / "9-unsubscribed.png"), full_page=True)
                assert (await subscription_rows(sqlite_url, "ann@example.com"))[news][0] == "unsubscribed"

                # 5. the embeddable snippet pasted into another site (another origin), widget solving cross-origin
                snippet = (await api.get(f"/f/{news}/embed")).text
                other = Starlette(routes=[Route("/", lambda _: HTMLResponse(
                    f"<!doctype html><html lang=en><head><title>Blog</title><link rel=icon href=\"data:,\"></head><body><h1>My blog</h1>{snippet}</body></html>"
                ))])  # fmt: skip
                oport = free_port()
                async with serve(other, oport) as other_url:
                    blog = other_url.replace("127.0.0.1", "localhost")  # a different origin
                    await page.goto(blog)
                    await page.get_by_label("Email address").fill("bea@example.com")
                    await page.get_by_text("I'm not a robot").click()
                    await page.wait_for_function(
                        "() => { const i = document.querySelector('input[name=altcha]'); return i && i.value.length > 20; }",
                        timeout=60_000,
                    )
                    await page.screenshot(
                        path=str(ARTIFACTS / "11-embedded-on-other-site.png"), full_page=True
                    )
                    await page.get_by_role("button", name="Subscribe").click()
                    await page.wait_for_selector("text=Check your inbox")
                assert await subscription_rows(sqlite_url, "bea@example.com") == {news: ("pending", None)}

                # keyboard only: the form can be filled and submitted without a mouse
                await page.goto(f"{public}/f/{news}")
                await page.keyboard.press("Tab")  # skip link
                await page.keyboard.press("Tab")
                focused = await page.evaluate("document.activeElement.name")
                assert focused == "email"

                # the ops dashboard
                await page.goto(f"{public}/admin")
                await page.get_by_label("Email (or admin)").fill("admin")
                await page.get_by_label("Password").fill(settings.security.admin_password)
                await page.get_by_role("button", name="Log in").click()
                await page.wait_for_selector("text=Operations")
                await ctx.close()
                desk = await browser.new_context(viewport={"width": 1280, "height": 900})
                dpage = await desk.new_page()
                await dpage.goto(f"{public}/admin/login")
                await dpage.get_by_label("Email (or admin)").fill("admin")
                await dpage.get_by_label("Password").fill(settings.security.admin_password)
                await dpage.get_by_role("button", name="Log in").click()
                await dpage.wait_for_selector("svg.chart")
                await dpage.screenshot(path=str(ARTIFACTS / "10-dashboard.png"), full_page=True)
                await browser.close()
                csp = [p for p in problems if "Content Security Policy" in p or "Refused" in p]
                assert not csp, csp
                assert not problems, problems
