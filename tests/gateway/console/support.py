"""Console test support: a logged-in client that adds the CSRF token to its POSTs, members made in the database."""

from __future__ import annotations

import re
from typing import Any

import httpx

from services.gateway.console.passwords import hash_password
from shared.models.console import ConsoleMembership, ConsoleUser

CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]{64})"')
ADMIN_PASSWORD = "operator-password-for-tests"


class ConsoleClient:
    """One person's browser, without the browser: cookies kept, the CSRF token read from pages."""

    def __init__(self, app: Any, base_url: str = "http://testserver", ip: str = "198.51.100.20") -> None:
        transport = httpx.ASGITransport(app=app, client=(ip, 5000))
        self.http = httpx.AsyncClient(transport=transport, base_url=base_url, timeout=30)
        self.csrf = ""

    async def __aenter__(self) -> ConsoleClient:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.http.aclose()

    async def login(self, login: str = "admin", password: str = ADMIN_PASSWORD) -> None:
        r = await self.http.post("/admin/login", data={"login": login, "password": password})
        assert r.status_code == 303, (r.status_code, r.text[:500])
        await self.refresh_csrf()

    async def refresh_csrf(self) -> None:
        page = await self.http.get("/admin/account")
        assert page.status_code == 200, page.status_code
        m = CSRF_RE.search(page.text)
        assert m, "no CSRF token on the account page"
        self.csrf = m.group(1)

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.http.get(path, **kw)

    async def post(self, path: str, data: dict[str, Any] | None = None, **kw: Any) -> httpx.Response:
        return await self.http.post(path, data={**(data or {}), "csrf": self.csrf}, **kw)


async def add_member(app: Any, project_id: int, login: str, password: str, role: str) -> int:
    """A console user with `role` in the project (as an accepted invitation leaves it)."""
    async with app.state.runtime.sessionmaker() as db:
        user = ConsoleUser(login=login, name=login.split("@")[0], password_hash=hash_password(password))
        db.add(user)
        await db.flush()
        db.add(ConsoleMembership(user_id=user.id, project_id=project_id, role=role))
        await db.commit()
        return int(user.id)
