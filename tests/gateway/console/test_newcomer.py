"""A newcomer, from `sesame run` to a confirmed subscriber and a sent campaign seen in the console's outbox,
without leaving the browser: the real command as its own process (fresh SQLite, default password), headless
Chromium driving the console, the hosted form (ALTCHA solved in the page), the outbox and the confirm page."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.gateway.browser import free_port
from tests.gateway.console.in_browser import chromium, log_in, open_section, screenshot

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]


async def _start_sesame(tmp_path: Path, port: int) -> tuple[asyncio.subprocess.Process, str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESAME_")}
    env.update(
        {
            "SESAME_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/sesame.db",
            "SESAME_ENV": "development",
            # a cheaper proof of work than production's, or the test spends its time hashing
            "SESAME_GATEWAY_ALTCHA_COST": "200",
            "SESAME_GATEWAY_ALTCHA_MAX_COUNTER": "300",
        }
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "sesame", "run", "--port", str(port), "--log-format", "json",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    lines: list[str] = []
    assert proc.stderr is not None

    async def read_until_console() -> str:  # noqa: E306
        while True:
            raw = await proc.stderr.readline()  # type: ignore[union-attr]
            if not raw:
                raise AssertionError(
                    "sesame run ended before printing the console address:\n" + "".join(lines)
                )
            line = raw.decode(errors="replace")
            lines.append(line)
            m = re.search(r"Console\s+(http://\S+/admin)", line)
            if m:
                return m.group(1)

    console = await asyncio.wait_for(read_until_console(), 120)

    async def drain() -> None:  # keep the pipe flowing; the lines help a failure's report
        async for raw in proc.stderr:  # type: ignore[union-attr]
            lines.append(raw.decode(errors="replace"))

    asyncio.get_running_loop().create_task(drain())
    return proc, console, lines


async def test_newcomer_from_sesame_run_to_a_campaign_in_the_outbox(tmp_path: Path) -> None:
    port = free_port()
    proc, console, log = await _start_sesame(tmp_path, port)
    try:
        assert console == f"http://127.0.0.1:{port}/admin"
        async with chromium(f"http://127.0.0.1:{port}", ignored=lambda text: "status of 4" in text) as b:
            page = b.page
            expect.set_options(timeout=20_000)

            # 1. the address `sesame run` printed: log in with the default password, as the block said
            await page.goto(console)
            await expect(page).to_have_url(re.compile(r"/admin/login"))
            await log_in(page, None, password="admin")
            await expect(page.get_by_role("heading", name="Projects")).to_be_visible()
            await expect(page.get_by_text("default operator password")).to_be_visible()
            await screenshot(page, "newcomer-1-projects")

            # 2. the first project
            await page.get_by_label("Name").fill("Acme")
            await page.get_by_label("Owner's email").fill("owner@acme.example")
            await page.get_by_role("button", name="Create project").click()
            await expect(page.get_by_role("heading", name="Acme is ready")).to_be_visible()
            await expect(page.locator("#new-key")).to_contain_text("ses_")
            await page.get_by_role("link", name="Open the project").click()
            await expect(page.get_by_role("heading", name="Getting started")).to_be_visible()

            # 3. a list, and its hosted signup form
            await open_section(page, "Lists")
            await page.get_by_label("Name", exact=True).fill("Weekly news")
            await page.get_by_role("button", name="Create list").click()
            await expect(page.get_by_text("List created.")).to_be_visible()
            await screenshot(page, "newcomer-2-list")
            await page.locator("#form-url").click()
            await expect(page.get_by_label("Email address")).to_be_visible()
            await page.get_by_label("Email address").fill("ann@example.com")
            await page.get_by_text("I'm not a robot").click()
            await page.wait_for_function(
                "() => { const i = document.querySelector('input[name=altcha]'); return i && i.value.length > 20; }",
                timeout=90_000,
            )
            await page.get_by_role("button", name="Subscribe").click()
            await expect(page.get_by_text("Check your inbox")).to_be_visible()

            # 4. the confirmation mail, read in the console's outbox; its link confirms
            await page.go_back()
            await page.go_back()
            await open_section(page, "Outbox")
            await page.get_by_role("link", name=re.compile("Confirm your subscription")).click()
            await screenshot(page, "newcomer-3-confirmation-mail")
            await page.locator("ul.links a[href*='/confirm/']").first.click()
            await page.get_by_role("button", name="Yes, subscribe me").click()
            await expect(page.get_by_text("Subscription confirmed")).to_be_visible()

            # 5. a template and a campaign to the list, sent now
            await page.goto(console + "/p")
            await page.get_by_role("link", name="Acme").click()
            await open_section(page, "Templates")
            await page.get_by_role("link", name="New template").click()
            await page.get_by_label("Name", exact=True).fill("Issue")
            await page.get_by_label("Subject").fill("Issue 1 for {{ email }}")
            await page.get_by_label("HTML body").fill("<h1>Hello</h1><p>News of the week.</p>")
            await page.get_by_role("button", name="Create template").click()
            await expect(page.get_by_text("created.")).to_be_visible()
            await open_section(page, "Campaigns")
            await page.get_by_role("link", name="New campaign").click()
            await page.get_by_label("Campaign name").fill("Issue 1")
            await page.get_by_label("Weekly news").check()
            await page.get_by_label("Template").select_option(label="Issue")
            await page.get_by_label("Send now").check()
            await page.get_by_role("button", name="Create campaign").click()
            await expect(page.locator("[data-field=status]")).to_have_text("sent", timeout=60_000)
            await screenshot(page, "newcomer-4-campaign")

            # 6. the campaign's mail in the outbox, with its one-click unsubscribe headers
            await open_section(page, "Outbox")
            await page.get_by_role("link", name="Issue 1 for ann@example.com").click()
            await expect(page.get_by_text("List-Unsubscribe-Post").first).to_be_visible()
            await expect(page.get_by_text("List-Unsubscribe=One-Click").first).to_be_visible()
            await screenshot(page, "newcomer-5-campaign-mail")

            # 7. the newcomer follows the warning and changes the default password
            await page.get_by_role("link", name="Change it now").click()
            await page.get_by_label("Current password").fill("admin")
            await page.get_by_label("New password", exact=True).fill("my own passphrase")
            await page.get_by_label("New password again").fill("my own passphrase")
            await page.get_by_role("button", name="Change password").click()
            await expect(page.get_by_text("Password changed.")).to_be_visible()
            await expect(page.get_by_text("default operator password")).to_have_count(0)
        assert b.problems == [], b.problems
        # the process logged the domain events as they happened, and nothing went wrong
        text = "".join(log)
        assert "campaign" in text and '"ERROR"' not in text and "Traceback" not in text, text[-3000:]
    finally:
        expect.set_options(timeout=5_000)
        proc.terminate()
        try:
            await asyncio.wait_for(proc.wait(), 30)
        except TimeoutError:
            proc.kill()
