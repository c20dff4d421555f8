"""Logging in and out, the account page (password change), and accepting an invitation."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.gateway.bodies import field, read_form
from services.gateway.console import audit
from services.gateway.console.access import checked_form, require_viewer
from services.gateway.console.passwords import hash_password, password_problem, verify_password
from services.gateway.console.sessions import (
    change_password,
    check_credentials,
    current_viewer,
    end_session,
    start_session,
)
from services.gateway.console.views import done, page
from services.gateway.rendering import render
from services.gateway.state import gateway
from shared.db.types import utcnow
from shared.models.console import ConsoleInvitation, ConsoleMembership, ConsoleUser
from shared.models.core import Project

router = APIRouter(include_in_schema=False)


def _safe_next(raw: str) -> str:
    """Only a path of our own console (no scheme, no host, no `//`): never an open redirect."""
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not raw.startswith("/admin") or raw.startswith("//") or "\\" in raw:
        return "/admin"
    return raw


def _login_page(request: Request, error: str | None, status: int, login: str = "", next_path: str = "/admin"):  # type: ignore[no-untyped-def]
    return render(
        request,
        "admin_login.html",
        {"error": error, "login": login, "next": _safe_next(next_path)},
        status=status,
    )


@router.get("/admin/login")
async def login_page(request: Request) -> Response:
    if await current_viewer(request) is not None:
        return RedirectResponse(_safe_next(request.query_params.get("next", "/admin")), 303)
    return _login_page(request, None, 200, next_path=request.query_params.get("next", "/admin"))


@router.post("/admin/login")
async def login(request: Request) -> Response:
    gw = gateway(request)
    ip = gw.client_ip(request)
    form = await read_form(request, 4096)
    # `login` may be left out: the bootstrap operator is `admin`.
    login_name = (field(form, "login", 320) or "admin").lower()
    next_path = field(form, "next", 500) or "/admin"
    if not gw.admin_login.peek(ip) or not gw.admin_login_account.peek(login_name):
        return _login_page(request, "Too many attempts. Wait a few minutes.", 429, login_name, next_path)
    password = field(form, "password", 500)
    user = await check_credentials(request, login_name, password)
    if user is None:
        gw.admin_login.take(ip)
        gw.admin_login_account.take(login_name)
        return _login_page(request, "Wrong login or password.", 401, login_name, next_path)
    resp = RedirectResponse(_safe_next(next_path), status_code=303)
    await start_session(request, user, resp)
    return resp


@router.post("/admin/logout")
async def logout(request: Request) -> Response:
    viewer = await require_viewer(request)
    await checked_form(request, viewer, 4096)
    resp = RedirectResponse("/admin/login", status_code=303)
    await end_session(request, viewer, resp)
    return resp


@router.get("/admin/account")
async def account_page(request: Request) -> Response:
    viewer = await require_viewer(request)
    return page(request, "console/account.html", viewer)


@router.post("/admin/account/password")
async def account_password(request: Request) -> Response:
    viewer = await require_viewer(request)
    form = await checked_form(request, viewer, 4096)
    current, new, again = (field(form, n, 600) for n in ("current", "new", "again"))
    errors: dict[str, str] = {}
    async with request.app.state.runtime.sessionmaker() as db:
        stored = await db.scalar(sa.select(ConsoleUser.password_hash).where(ConsoleUser.id == viewer.user_id))
    if not verify_password(stored, current):
        errors["current"] = "This is not your current password."
    problem = password_problem(new, login=viewer.login)
    if problem:
        errors["new"] = problem
    elif new != again:
        errors["again"] = "The two new passwords differ."
    elif new == current:
        errors["new"] = "Choose a password other than the current one."
    if errors:
        return page(request, "console/account.html", viewer, {"errors": errors}, status=422)
    await change_password(request, viewer, new)
    await audit.record(request, viewer, "account.password_changed", target=f"user:{viewer.user_id}")
    return done(request, "/admin/account", "Password changed. Your other sessions were logged out.")


# --- invitations ------------------------------------------------------------------------------------------
def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _invitation(request: Request, token: str) -> tuple[ConsoleInvitation, str] | None:
    if not token or len(token) > 200:
        return None
    async with request.app.state.runtime.sessionmaker() as db:
        row = (
            await db.execute(
                sa.select(ConsoleInvitation, Project.name)
                .join(Project, Project.id == ConsoleInvitation.project_id)
                .where(ConsoleInvitation.token_hash == token_hash(token), Project.deleted_at.is_(None))
            )
        ).first()
    if row is None:
        return None
    inv, name = row
    if inv.accepted_at is not None or inv.revoked_at is not None or inv.expires_at <= utcnow():
        return None
    return inv, name


async def _existing_user(request: Request, login: str) -> ConsoleUser | None:
    async with request.app.state.runtime.sessionmaker() as db:
        return await db.scalar(sa.select(ConsoleUser).where(ConsoleUser.login == login))  # type: ignore[no-any-return]


@router.get("/admin/invite/{token}")
async def invitation_page(request: Request, token: str) -> Response:
    found = await _invitation(request, token)
    if found is None:
        return render(
            request,
            "console/invite.html",
            {"invalid": True, "errors": {}},
            status=404,
        )
    inv, project_name = found
    has_account = await _existing_user(request, inv.email) is not None
    return render(
        request,
        "console/invite.html",
        {"inv": inv, "project_name": project_name, "has_account": has_account, "token": token, "errors": {}},
    )


@router.post("/admin/invite/{token}")
async def accept_invitation(request: Request, token: str) -> Response:
    gw = gateway(request)
    ip = gw.client_ip(request)
    if not gw.admin_login.peek(ip):
        return render(
            request, "console/invite.html", {"invalid": True, "errors": {}, "limited": True}, status=429
        )
    form = await read_form(request, 4096)
    found = await _invitation(request, token)
    if found is None:
        gw.admin_login.take(ip)
        return render(request, "console/invite.html", {"invalid": True, "errors": {}}, status=404)
    inv, project_name = found
    user = await _existing_user(request, inv.email)
    password = field(form, "password", 600)
    errors: dict[str, str] = {}
    name = field(form, "name", 200)
    if user is not None:
        if not verify_password(user.password_hash, password):
            gw.admin_login.take(ip)
            errors["password"] = "This is not the password of your existing account."
    else:
        problem = password_problem(password, login=inv.email)
        if problem:
            errors["password"] = problem
        elif password != field(form, "again", 600):
            errors["again"] = "The two passwords differ."
    if errors:
        ctx = {"inv": inv, "project_name": project_name, "has_account": user is not None, "token": token}
        return render(
            request, "console/invite.html", {**ctx, "errors": errors, "values": {"name": name}}, status=422
        )
    now = utcnow()
    async with request.app.state.runtime.sessionmaker() as db:
        # One statement claims the invitation: a second click (or a replayed POST) finds it accepted.
        claimed = await db.execute(
            sa.update(ConsoleInvitation)
            .where(ConsoleInvitation.id == inv.id, ConsoleInvitation.accepted_at.is_(None))
            .values(accepted_at=now)
        )
        if claimed.rowcount != 1:
            await db.rollback()
            return render(request, "console/invite.html", {"invalid": True, "errors": {}}, status=404)
        if user is None:
            user = ConsoleUser(login=inv.email, name=name, password_hash=hash_password(password))
            db.add(user)
            await db.flush()
        existing = await db.get(ConsoleMembership, (user.id, inv.project_id))
        if existing is None:
            db.add(ConsoleMembership(user_id=user.id, project_id=inv.project_id, role=inv.role))
        else:
            existing.role = inv.role
        await db.commit()
    resp = RedirectResponse(f"/admin/p/{inv.project_id}", 303)
    viewer = await start_session(request, user, resp)
    await audit.record(
        request,
        viewer,
        "member.joined",
        project_id=inv.project_id,
        target=f"user:{user.id}",
        detail={"login": user.login, "role": inv.role},
    )
    return resp
