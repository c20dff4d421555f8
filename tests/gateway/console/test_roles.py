"""Roles, per route: a viewer is refused (403) every POST of a project's console, before any body is read and with
nothing written; an editor is refused the owner's routes; pages stay readable to a viewer."""

from __future__ import annotations

import re

import sqlalchemy as sa
from starlette.routing import Route

from services.gateway.console.routes import ROUTERS
from shared.models.console import AuditEntry
from tests.gateway.console.support import ConsoleClient, add_member

PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
OWNER_ONLY = re.compile(r"/(keys|members|invitations|settings|ses)(/|$)")


def console_routes(method: str) -> list[str]:
    """Every path of a project's console answering `method` (from the routers themselves, so new ones count)."""
    out = []
    for router in ROUTERS:
        for route in router.routes:
            if (
                isinstance(route, Route)
                and method in (route.methods or ())
                and route.path.startswith("/admin/p/{pid}")
            ):
                out.append(route.path)
    return sorted(set(out))


def concrete(path: str, pid: int) -> str:
    return PARAM.sub(lambda m: str(pid) if m.group(1) == "pid" else "1", path)


async def _audit_count(app) -> int:  # type: ignore[no-untyped-def]
    async with app.state.runtime.sessionmaker() as db:
        return int(await db.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) or 0)


async def test_a_viewer_is_refused_every_change(console_system) -> None:  # type: ignore[no-untyped-def]
    app, pid = console_system.app, console_system.project_id
    posts = console_routes("POST")
    assert len(posts) >= 10, posts  # the console's changes, all of them below
    await add_member(app, pid, "vera@example.com", "vera's password", "viewer")
    before = await _audit_count(app)
    async with ConsoleClient(app, ip="198.51.100.40") as vera:
        await vera.login("vera@example.com", "vera's password")
        refused = {}
        for path in posts:
            url = concrete(path, pid)
            # a valid CSRF token and a plausible body: only the role may refuse it
            r = await vera.post(
                url, {"name": "x", "email": "x@example.com", "role": "owner", "to": "x@example.com"}
            )
            refused[url] = r.status_code
        # and the project creation (operators only)
        r = await vera.post("/admin/p", {"name": "Mine"})
        refused["/admin/p"] = r.status_code
    assert {u: s for u, s in refused.items() if s != 403} == {}, refused
    assert await _audit_count(app) == before  # nothing changed


async def test_an_editor_is_refused_the_owners_changes(console_system) -> None:  # type: ignore[no-untyped-def]
    app, pid = console_system.app, console_system.project_id
    owner_posts = [p for p in console_routes("POST") if OWNER_ONLY.search(p)]
    assert owner_posts
    await add_member(app, pid, "eddie@example.com", "eddie's password", "editor")
    async with ConsoleClient(app, ip="198.51.100.41") as eddie:
        await eddie.login("eddie@example.com", "eddie's password")
        codes = {
            concrete(p, pid): (await eddie.post(concrete(p, pid), {"name": "x"})).status_code
            for p in owner_posts
        }
    assert {u: s for u, s in codes.items() if s != 403} == {}, codes


async def test_a_viewer_reads_every_project_page(console_system) -> None:  # type: ignore[no-untyped-def]
    app, pid = console_system.app, console_system.project_id
    pages = [
        p for p in console_routes("GET") if PARAM.findall(p) == ["pid"] and not p.endswith((".json", ".csv"))
    ]
    assert "/admin/p/{pid}/lists" in pages and "/admin/p/{pid}/audit" in pages, pages
    await add_member(app, pid, "vic@example.com", "vic's password!", "viewer")
    async with ConsoleClient(app, ip="198.51.100.42") as vic:
        await vic.login("vic@example.com", "vic's password!")
        codes = {}
        for path in pages:
            r = await vic.get(concrete(path, pid))
            codes[path] = r.status_code
            if r.status_code == 200 and "text/html" in r.headers.get("content-type", ""):
                # no enabled change button for a viewer: forms that POST are absent or disabled
                assert "Log out" in r.text
    # exports of personal data may need more than a viewer; every page answers, none fails
    assert {p: s for p, s in codes.items() if s not in (200, 403)} == {}, codes


async def test_every_change_needs_the_sessions_csrf_token(console_system) -> None:  # type: ignore[no-untyped-def]
    """The operator (every role) posting without the session's token, or with another one: 403 on every POST of a
    project's console, new routes included, and nothing written."""
    app, pid, admin = console_system.app, console_system.project_id, console_system.admin
    before = await _audit_count(app)
    body = {"name": "x", "url": "https://hooks.example.com/x", "scope": "all", "email": "x@example.com"}
    refused = {}
    for path in console_routes("POST"):
        url = concrete(path, pid)
        for token in ("", "0" * 64):
            r = await admin.http.post(url, data={**body, **({"csrf": token} if token else {})})
            refused[(url, token[:1])] = r.status_code
    assert {k: s for k, s in refused.items() if s != 403} == {}, refused
    assert await _audit_count(app) == before
