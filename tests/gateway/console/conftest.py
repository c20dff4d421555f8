"""Console fixtures: the real embedded system (all four apps) with an operator password, a project and its key."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.gateway.console.support import ADMIN_PASSWORD, ConsoleClient
from tests.gateway.embedded import bootstrap_project, embedded_app


@dataclass
class ConsoleSystem:
    app: Any
    project_id: int
    api_key: str
    admin: ConsoleClient
    db_url: str


@pytest.fixture
async def console_system(sqlite_url: str, settings_for) -> AsyncIterator[ConsoleSystem]:  # type: ignore[no-untyped-def]
    """Embedded Sesame on SQLite, project "Acme", the operator logged in."""
    settings = settings_for(sqlite_url, public_url="http://testserver")
    settings.security.admin_password = ADMIN_PASSWORD
    async with embedded_app(settings) as app:
        pid, key = await bootstrap_project(app, "Acme")
        async with ConsoleClient(app) as admin:
            await admin.login()
            yield ConsoleSystem(app, pid, key, admin, sqlite_url)
