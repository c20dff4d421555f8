"""The owner console in Debian's headless Chromium: the embedded system on a real port with project "Acme", a
page whose console errors are collected, logging in, the project's sections, and checked screenshots."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.gateway.browser import ARTIFACTS, CHROMIUM_ARGS, ensure_chromium, free_port, serve
from tests.gateway.console.support import ADMIN_PASSWORD
from tests.gateway.embedded import bootstrap_project, embedded_app

SHOTS = ARTIFACTS / "console"
DESKTOP = {"width": 1280, "height": 900}
WIDTHS = ((1280, 900), (390, 900))
REFUSED = "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
DUPLICATE_IDS = """() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  return ids.filter((x, i) => ids.indexOf(x) !== i); }"""
WIDER_THAN_SCREEN = """() => document.documentElement.scrollWidth > window.innerWidth + 1"""


@dataclass
class InBrowser:
    browser: Browser
    context: BrowserContext
    page: Page
    problems: list[str]
    public: str
    app: Any = None
    pid: int = 0
    api_key: str = ""


@asynccontextmanager
async def chromium(
    public: str,
    *,
    clipboard: bool = False,
    accept_dialogs: bool = False,
    ignored: Callable[[str], bool] = lambda text: False,
) -> AsyncIterator[InBrowser]:
    """A 1280×900 page; its console errors and page errors (those not `ignored`) land in `problems`."""
    executable = ensure_chromium()
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport=DESKTOP)
        if clipboard:
            await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=public)
        page = await context.new_page()
        problems: list[str] = []
        page.on(
            "console",
            lambda m: problems.append(m.text) if m.type == "error" and not ignored(m.text) else None,
        )
        page.on("pageerror", lambda e: problems.append(str(e)))
        if accept_dialogs:
            page.on("dialog", lambda d: asyncio.ensure_future(d.accept()))
        yield InBrowser(browser, context, page, problems, public)
        await browser.close()


@asynccontextmanager
async def console_in_browser(
    sqlite_url: str, settings_for: Any, *, project: dict[str, Any] | None = None, **browser: Any
) -> AsyncIterator[InBrowser]:
    """Embedded Sesame on SQLite served on a free port with the operator password, project "Acme" (`project`:
    its settings) and its key, and Chromium (`browser`: the options of `chromium`)."""
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    settings = settings_for(sqlite_url, public_url=public)
    settings.security.admin_password = ADMIN_PASSWORD
    async with embedded_app(settings) as app, serve(app, port):
        pid, key = await bootstrap_project(app, "Acme", **(project or {}))
        async with chromium(public, **browser) as b:
            b.app, b.pid, b.api_key = app, pid, key
            yield b


async def log_in(
    page: Page, public: str | None, login: str = "admin", password: str = ADMIN_PASSWORD
) -> None:
    """The login form filled and sent; `public` None: the page already shows it (a redirect kept its ?next=)."""
    if public is not None:
        await page.goto(f"{public}/admin/login")
    await page.get_by_label("Email (or admin)").fill(login)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_load_state()


async def open_section(page: Page, name: str) -> None:
    """A link of the project's "Project sections" navigation, clicked."""
    await page.get_by_role("navigation", name="Project sections").get_by_role("link", name=name).click()


async def screenshot(page: Page, name: str, *, tall: bool = False) -> None:
    """`name`.png, the full page. `tall`: the viewport made as tall as the page for the picture, as Chromium leaves
    a (sandboxed, so cross-process) frame outside the viewport unpainted in a full-page capture."""
    path = str(SHOTS / f"{name}.png")
    if not tall:
        await page.screenshot(path=path, full_page=True)
        return
    size = page.viewport_size
    assert size is not None
    height = await page.evaluate("document.documentElement.scrollHeight")
    await page.set_viewport_size({"width": size["width"], "height": height})
    await page.wait_for_timeout(300)
    await page.screenshot(path=path, full_page=True)
    await page.set_viewport_size(size)


async def shoot(
    page: Page,
    name: str,
    *,
    widths: Sequence[tuple[int, int]] = WIDTHS,
    unlabelled: str | None = None,
    duplicate_ids: bool = False,
    fit_screen: bool = False,
    frames: str | None = None,
) -> None:
    """`name`-1280.png and `name`-390.png, then back to 1280×900. First, when asked: no input without a label
    (`unlabelled`: the query that lists them), no id twice; at each width, with `fit_screen`, nothing wider than
    the screen (the tables' own scrollers aside). `frames`: sandboxed frames scrolled into view before each
    picture, as they paint only once they have been in view (full-page shots showed them blank)."""
    if unlabelled is not None:
        assert await page.evaluate(unlabelled) == [], name
    if duplicate_ids:
        assert await page.evaluate(DUPLICATE_IDS) == [], name
    for width, height in widths:
        await page.set_viewport_size({"width": width, "height": height})
        if fit_screen:
            await page.wait_for_timeout(100)
            assert not await page.evaluate(WIDER_THAN_SCREEN), f"{name} is wider than {width} px"
        if frames is not None and await page.locator(frames).count():
            await page.locator(frames).scroll_into_view_if_needed()
            await asyncio.sleep(0.3)
        await screenshot(page, f"{name}-{width}")
    await page.set_viewport_size(DESKTOP)


def drop_refused(problems: list[str], count: int | None = 1) -> None:
    """Chromium logs the 422 of a refused form, which the test caused on purpose: `count` of them (None: at least
    one) must be in `problems`, and are taken out of it."""
    refused = [p for p in problems if p == REFUSED]
    if count is None:
        assert refused, problems
    else:
        assert len(refused) == count, problems
    for p in refused:
        problems.remove(p)
