"""Console accounts: the bootstrap operator, argon2 hashes, sessions (expiry, logout, password change),
invitations used once, roles enforced, CSRF, login limits per IP and per account, and the audit log."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from shared.db.types import utcnow
from shared.models.console import AuditEntry, ConsoleSession, ConsoleUser
from tests.gateway.console.support import ADMIN_PASSWORD, ConsoleClient, add_member

INVITE_RE = re.compile(r"http://testserver/admin/invite/[A-Za-z0-9_\-]+")


async def _users(app) -> dict[str, ConsoleUser]:  # type: ignore[no-untyped-def]
    async with app.state.runtime.sessionmaker() as db:
        return {u.login: u for u in (await db.scalars(sa.select(ConsoleUser))).all()}


async def test_admin_password_bootstraps_the_first_operator_only(console_system) -> None:  # type: ignore[no-untyped-def]
    app = console_system.app
    users = await _users(app)
    assert users["admin"].is_operator and users["admin"].password_hash.startswith("$argon2id$")
    assert ADMIN_PASSWORD not in users["admin"].password_hash
    # The operator changes the password: the environment's password no longer opens anything.
    admin = console_system.admin
    r = await admin.post(
        "/admin/account/password",
        {"current": ADMIN_PASSWORD, "new": "a much better passphrase", "again": "a much better passphrase"},
    )
    assert r.status_code == 303
    async with ConsoleClient(app, ip="198.51.100.21") as other:
        r = await other.http.post("/admin/login", data={"login": "admin", "password": ADMIN_PASSWORD})
        assert r.status_code == 401 and "set-cookie" not in r.headers
        await other.login("admin", "a much better passphrase")
    audit = await _audit(app)
    assert ("admin", "account.password_changed") in [(a.user_login, a.action) for a in audit]


async def test_password_change_refuses_bad_input_next_to_the_field(console_system) -> None:  # type: ignore[no-untyped-def]
    admin = console_system.admin
    r = await admin.post("/admin/account/password", {"current": "wrong", "new": "short", "again": "short"})
    assert r.status_code == 422
    assert 'id="e-current"' in r.text and 'id="e-new"' in r.text and "at least 10" in r.text
    r = await admin.post(
        "/admin/account/password",
        {"current": ADMIN_PASSWORD, "new": "long enough one", "again": "different one"},
    )
    assert r.status_code == 422 and 'id="e-again"' in r.text
    # nothing was written: the old password still works
    async with ConsoleClient(console_system.app, ip="198.51.100.22") as again:
        await again.login("admin", ADMIN_PASSWORD)


async def test_password_change_ends_other_sessions(console_system) -> None:  # type: ignore[no-untyped-def]
    app, admin = console_system.app, console_system.admin
    async with ConsoleClient(app, ip="198.51.100.23") as laptop:
        await laptop.login()
        assert (await laptop.get("/admin/p")).status_code == 200
        r = await admin.post(
            "/admin/account/password",
            {"current": ADMIN_PASSWORD, "new": "rotated passphrase!", "again": "rotated passphrase!"},
        )
        assert r.status_code == 303
        r = await laptop.get("/admin/p")
        assert r.status_code == 303 and r.headers["location"].startswith("/admin/login")
        assert (await admin.get("/admin/p")).status_code == 200  # the session that changed it stays


async def test_sessions_expire_when_idle_and_on_logout(console_system) -> None:  # type: ignore[no-untyped-def]
    app, admin = console_system.app, console_system.admin
    async with ConsoleClient(app, ip="198.51.100.24") as idle:
        await idle.login()
        async with app.state.runtime.sessionmaker() as db:
            # every session of the operator but the fixture's own: pretend it was last used 3 hours ago
            rows = (await db.scalars(sa.select(ConsoleSession).order_by(ConsoleSession.created_at))).all()
            await db.execute(
                sa.update(ConsoleSession)
                .where(ConsoleSession.id_hash == rows[-1].id_hash)
                .values(last_seen_at=utcnow() - timedelta(hours=3))
            )
            await db.commit()
        r = await idle.get("/admin/p/1")
        assert r.status_code == 303 and r.headers["location"] == "/admin/login?next=/admin/p/1"
    r = await admin.post("/admin/logout")
    assert r.status_code == 303
    assert (await admin.get("/admin/p")).status_code == 303
    # a forged cookie is no session
    admin.http.cookies.set("sesame_admin", "x" * 43, path="/admin")
    assert (await admin.get("/admin/p")).status_code == 303


async def test_login_is_limited_per_account_whatever_the_ip(console_system) -> None:  # type: ignore[no-untyped-def]
    app = console_system.app
    await add_member(app, console_system.project_id, "eve@example.com", "eves real password", "viewer")
    codes = []
    for i in range(12):
        async with ConsoleClient(app, ip=f"203.0.113.{i + 1}") as c:
            r = await c.http.post("/admin/login", data={"login": "eve@example.com", "password": f"guess{i}"})
            codes.append(r.status_code)
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    async with ConsoleClient(app, ip="203.0.113.99") as c:
        r = await c.http.post(
            "/admin/login", data={"login": "eve@example.com", "password": "eves real password"}
        )
        assert r.status_code == 429


async def test_login_never_redirects_off_site(console_system) -> None:  # type: ignore[no-untyped-def]
    async with ConsoleClient(console_system.app, ip="198.51.100.25") as c:
        for nxt in (
            "https://evil.example/",
            "//evil.example/admin",
            "/admin\\@evil.example",
            "javascript:alert(1)",
        ):
            r = await c.http.post(
                "/admin/login", data={"login": "admin", "password": ADMIN_PASSWORD, "next": nxt}
            )
            assert r.status_code == 303 and r.headers["location"] == "/admin", nxt
        r = await c.http.post(
            "/admin/login", data={"login": "admin", "password": ADMIN_PASSWORD, "next": "/admin/p/1/lists"}
        )
        assert r.headers["location"] == "/admin/p/1/lists"


async def test_invitation_makes_a_member_once(console_system) -> None:  # type: ignore[no-untyped-def]
    app, admin, pid = console_system.app, console_system.admin, console_system.project_id
    r = await admin.post(f"/admin/p/{pid}/members/invite", {"email": "not an address", "role": "editor"})
    assert r.status_code == 422 and 'id="e-email"' in r.text
    r = await admin.post(f"/admin/p/{pid}/members/invite", {"email": "Ed@Example.com", "role": "editor"})
    assert r.status_code == 200
    link = INVITE_RE.search(r.text).group(0).removeprefix("http://testserver")  # type: ignore[union-attr]
    async with ConsoleClient(app, ip="198.51.100.30") as ed:
        page = await ed.get(link)
        assert page.status_code == 200 and "ed@example.com" in page.text and "editor" in page.text
        r = await ed.http.post(link, data={"name": "Ed", "password": "short", "again": "short"})
        assert r.status_code == 422 and 'id="e-password"' in r.text
        r = await ed.http.post(
            link, data={"name": "Ed", "password": "ed's long password", "again": "ed's long password"}
        )
        assert r.status_code == 303 and r.headers["location"] == f"/admin/p/{pid}"
        assert (await ed.get(f"/admin/p/{pid}")).status_code == 200
        # used once: the same link again is refused, nothing changes
        r = await ed.http.post(
            link, data={"name": "Mallory", "password": "another password!", "again": "another password!"}
        )
        assert r.status_code == 404
    users = await _users(app)
    assert users["ed@example.com"].name == "Ed"
    members = await admin.get(f"/admin/p/{pid}/members")
    assert "ed@example.com" in members.text
    actions = [(a.user_login, a.action) for a in await _audit(app)]
    assert ("admin", "member.invited") in actions and ("ed@example.com", "member.joined") in actions
    audit_page = await admin.get(f"/admin/p/{pid}/audit")
    assert "member.joined" in audit_page.text and "ed@example.com" in audit_page.text


async def test_roles_members_and_the_last_owner(console_system) -> None:  # type: ignore[no-untyped-def]
    app, admin, pid = console_system.app, console_system.admin, console_system.project_id
    owner = await add_member(app, pid, "olga@example.com", "olga's password", "owner")
    viewer = await add_member(app, pid, "vic@example.com", "vic's password!", "viewer")
    r = await admin.post(f"/admin/p/{pid}/members/{owner}/role", {"role": "viewer"})
    assert r.status_code == 409 and "at least one owner" in r.text
    r = await admin.post(f"/admin/p/{pid}/members/{viewer}/role", {"role": "superuser"})
    assert r.status_code == 422
    r = await admin.post(f"/admin/p/{pid}/members/{viewer}/role", {"role": "editor"})
    assert r.status_code == 303
    async with ConsoleClient(app, ip="198.51.100.31") as vic:
        await vic.login("vic@example.com", "vic's password!")
        # an editor is not an owner: members and keys stay out of reach
        r = await vic.post(f"/admin/p/{pid}/members/invite", {"email": "x@example.com", "role": "owner"})
        assert r.status_code == 403
        r = await vic.post(f"/admin/p/{pid}/keys", {"name": "mine"})
        assert r.status_code == 403
        # and another project is not theirs at all
        assert (await vic.get(f"/admin/p/{pid + 1000}")).status_code == 404


async def test_posts_need_the_sessions_csrf_token(console_system) -> None:  # type: ignore[no-untyped-def]
    admin, pid = console_system.admin, console_system.project_id
    r = await admin.http.post(f"/admin/p/{pid}/keys", data={"name": "no token"})
    assert r.status_code == 403
    r = await admin.http.post(f"/admin/p/{pid}/keys", data={"name": "bad token", "csrf": "0" * 64})
    assert r.status_code == 403
    keys = await admin.get(f"/admin/p/{pid}/keys")
    assert "no token" not in keys.text and "bad token" not in keys.text


async def test_api_keys_created_shown_once_and_revoked(console_system) -> None:  # type: ignore[no-untyped-def]
    admin, pid = console_system.admin, console_system.project_id
    r = await admin.post(f"/admin/p/{pid}/keys", {"name": "website <backend>"})
    assert r.status_code == 201
    key = re.search(r'id="new-key">(ses_[^<]+)<', r.text).group(1)  # type: ignore[union-attr]
    assert "website &lt;backend&gt;" in r.text
    lists = await admin.http.get("/v1/lists", headers={"Authorization": f"Bearer {key}"})
    assert lists.status_code == 200
    page = await admin.get(f"/admin/p/{pid}/keys")
    assert key not in page.text  # shown once
    kid = re.findall(rf"/admin/p/{pid}/keys/(\d+)/revoke", page.text)[-1]
    r = await admin.post(f"/admin/p/{pid}/keys/{kid}/revoke")
    assert r.status_code == 303
    assert "revoked" in (await admin.get(f"/admin/p/{pid}/keys")).text
    assert [a.action for a in await _audit(console_system.app)][-2:] == ["api_key.created", "api_key.revoked"]


async def test_operator_creates_a_project_with_an_owner_invitation(console_system) -> None:  # type: ignore[no-untyped-def]
    admin = console_system.admin
    r = await admin.post("/admin/p", {"name": "", "owner_email": "x@example.com"})
    assert r.status_code == 422 and 'id="e-name"' in r.text
    r = await admin.post("/admin/p", {"name": "Beta", "owner_email": "bea@example.com"})
    assert r.status_code == 201
    assert re.search(r'id="new-key">ses_', r.text) and INVITE_RE.search(r.text)
    # a non-operator cannot
    await add_member(
        console_system.app, console_system.project_id, "ed@example.com", "ed's password!", "owner"
    )
    async with ConsoleClient(console_system.app, ip="198.51.100.32") as ed:
        await ed.login("ed@example.com", "ed's password!")
        assert (await ed.post("/admin/p", {"name": "Mine"})).status_code == 403
        assert (await ed.get("/admin")).headers["location"] == "/admin/p"  # no ops dashboard


async def _audit(app) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    async with app.state.runtime.sessionmaker() as db:
        return list((await db.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))).all())
