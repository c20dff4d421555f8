"""Ops dashboard: login, signed session, CSRF on POSTs, charts from the services, unavailable panels."""

from __future__ import annotations

import re

from tests.gateway.conftest import add_project_and_key


async def login(h) -> str:  # type: ignore[no-untyped-def]
    r = await h.client.post("/admin/login", data={"password": "admin"})
    assert r.status_code == 303 and r.headers["location"] == "/admin"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie
    page = await h.client.get("/admin")
    assert page.status_code == 200
    return re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)  # type: ignore[union-attr]


async def test_dashboard_needs_login(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.get("/admin")
        assert r.status_code == 303 and r.headers["location"] == "/admin/login"
        r = await h.client.post("/admin/login", data={"password": "wrong"})
        assert r.status_code == 401 and "set-cookie" not in r.headers
        h.client.cookies.set("sesame_admin", "forged.cookie.value", path="/admin")
        assert (await h.client.get("/admin")).status_code == 303


async def test_dashboard_shows_figures_and_unavailable_panels(make_gateway, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    await add_project_and_key(sqlite_url, name="<b>Acme</b>")
    async with make_gateway() as h:
        await login(h)
        html = (await h.client.get("/admin")).text
        assert "&lt;b&gt;Acme&lt;/b&gt;" in html and "<b>Acme</b>" not in html
        assert html.count('<svg class="chart"') == 3
        assert "AWS review" in html and "pause" in html and "warn" in html
        assert "&lt;b&gt;x&lt;/b&gt;@example.com" in html  # recent bounce, escaped
        assert "Resume sending" in html  # the events stand-in says paused
        assert "unavailable" in html  # no sender: quota and campaigns panels
        assert "too little volume" in html and "2.08%" in html
        assert "https://" not in html.replace("https://acme", "")  # nothing from a CDN


async def test_resume_needs_csrf_token(make_gateway, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    pid, _ = await add_project_and_key(sqlite_url)
    async with make_gateway() as h:
        csrf = await login(h)
        r = await h.client.post(f"/admin/projects/{pid}/resume", data={})
        assert r.status_code == 403
        r = await h.client.post(f"/admin/projects/{pid}/resume", data={"csrf": "0" * 64})
        assert r.status_code == 403
        assert not [c for c in h.events.calls if c["path"].endswith("/guard/resume")]
        r = await h.client.post(f"/admin/projects/{pid}/resume", data={"csrf": csrf})
        assert r.status_code == 303
        call = [c for c in h.events.calls if c["path"] == f"/admin/projects/{pid}/guard/resume"][-1]
        assert call["method"] == "POST" and call["headers"]["x-sesame-internal-token"]


async def test_login_attempts_are_limited(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        codes = [
            (await h.client.post("/admin/login", data={"password": f"x{i}"})).status_code for i in range(12)
        ]
        assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
        r = await h.client.post("/admin/login", data={"password": "admin"})
        assert r.status_code == 429
