"""The ops dashboard at 390 px in Chromium: the overview and a project's page fit the phone (tables scroll in
their own box); screenshots in test-artifacts/gateway/console/."""

from __future__ import annotations

import pytest

from tests.gateway.console.in_browser import console_in_browser, log_in, shoot

pytestmark = pytest.mark.slow


async def test_ops_dashboard_fits_a_phone(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    async with console_in_browser(sqlite_url, settings_for) as b:
        await log_in(b.page, b.public)
        await b.page.goto(f"{b.public}/admin")
        await shoot(b.page, "ops-overview", fit_screen=True)
        await b.page.goto(f"{b.public}/admin/projects/{b.pid}")
        assert await b.page.locator(".table-wrap table").count() >= 1
        await shoot(b.page, "ops-project", fit_screen=True)
        assert b.problems == []
