"""The interactive API docs in headless Chromium: the vendored Swagger UI runs under the gateway's CSP (no CSP
violation, no request leaves the host), shows the getting-started text, and Authorize + "Try it out" call the
real API with the key."""

from __future__ import annotations

import httpx
from playwright.async_api import async_playwright

from tests.gateway.browser import ARTIFACTS, CHROMIUM_ARGS, ensure_chromium, free_port, serve
from tests.gateway.embedded import bootstrap_project, embedded_app


async def test_swagger_ui_authorize_and_try_it(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    executable = ensure_chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    async with embedded_app(settings_for(sqlite_url, public_url=public)) as app, serve(app, port):
        _, key = await bootstrap_project(app, "Acme")
        async with httpx.AsyncClient(base_url=public) as c:
            assert (await c.get("/static/swagger-ui/swagger-ui-bundle.js")).status_code == 200
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            page = await browser.new_page()
            problems: list[str] = []
            outside: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(public) else None)
            await page.goto(f"{public}/docs")
            await page.get_by_text("Getting started").first.wait_for(timeout=20_000)
            await page.get_by_role("button", name="Authorize").first.click()
            await page.locator("input[type=text], input[type=password]").first.fill(key)
            await page.locator(".auth-btn-wrapper button.authorize").first.click()
            await page.locator(".auth-btn-wrapper button.btn-done, button.close-modal").first.click()
            await page.locator("#operations-project-read_project").first.click()
            await page.get_by_role("button", name="Try it out").first.click()
            await page.get_by_role("button", name="Execute").first.click()
            code = page.locator(".live-responses-table tbody .response-col_status").first
            await code.wait_for(timeout=20_000)
            status = (await code.inner_text()).strip()
            await page.screenshot(path=str(ARTIFACTS / "api-docs.png"), full_page=False)
            await browser.close()
        assert status.startswith("200"), status
        assert outside == [], outside
        assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
