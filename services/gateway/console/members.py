"""A project's people: members and their roles, invitations (a link valid for days, used once), removal."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.bodies import field
from services.gateway.console import audit
from services.gateway.console.access import ROLES, ConsoleProblem, project_access, project_post
from services.gateway.console.sessions import Viewer
from services.gateway.console.views import done, page
from services.gateway.state import gateway
from shared.db.types import utcnow
from shared.email_address import InvalidEmail, normalize_email
from shared.models.console import ConsoleInvitation, ConsoleMembership, ConsoleUser

router = APIRouter(include_in_schema=False)


async def create_invitation(request: Request, viewer: Viewer, pid: int, email: str, role: str) -> str:
    """A new invitation; its link (shown once: only the token's hash is stored)."""
    gw = gateway(request)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    async with request.app.state.runtime.sessionmaker() as db:
        db.add(
            ConsoleInvitation(
                project_id=pid,
                email=email,
                role=role,
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                invited_by=viewer.user_id,
                created_at=now,
                expires_at=now + timedelta(days=gw.config.console_invitation_days),
            )
        )
        await db.commit()
    await audit.record(
        request, viewer, "member.invited", project_id=pid, target=f"invite:{email}", detail={"role": role}
    )
    return f"{gw.public_url}/admin/invite/{token}"


async def _members(request: Request, pid: int) -> tuple[list[dict], list[dict]]:  # type: ignore[type-arg]
    async with request.app.state.runtime.sessionmaker() as db:
        members = (
            await db.execute(
                sa.select(ConsoleUser.id, ConsoleUser.login, ConsoleUser.name, ConsoleMembership.role)
                .join(ConsoleMembership, ConsoleMembership.user_id == ConsoleUser.id)
                .where(ConsoleMembership.project_id == pid)
                .order_by(ConsoleUser.login)
            )
        ).all()
        invites = (
            await db.scalars(
                sa.select(ConsoleInvitation)
                .where(
                    ConsoleInvitation.project_id == pid,
                    ConsoleInvitation.accepted_at.is_(None),
                    ConsoleInvitation.revoked_at.is_(None),
                    ConsoleInvitation.expires_at > utcnow(),
                )
                .order_by(ConsoleInvitation.id)
            )
        ).all()
    return (
        [{"id": m[0], "login": m[1], "name": m[2], "role": m[3]} for m in members],
        [
            {
                "id": i.id,
                "email": i.email,
                "role": i.role,
                "expires": i.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
            }
            for i in invites
        ],
    )


async def _render(request: Request, access, **extra):  # type: ignore[no-untyped-def]
    members, invites = await _members(request, access.pid)
    ctx = {"members": members, "invites": invites, "roles": ROLES, **extra}
    return page(
        request, "console/members.html", access, ctx, section="members", status=extra.pop("status", 200)
    )


@router.get("/admin/p/{pid}/members")
async def members_page(request: Request, pid: int) -> Response:
    return await _render(request, await project_access(request, pid))


@router.post("/admin/p/{pid}/members/invite")
async def invite(request: Request, pid: int) -> Response:
    access, form = await project_post(request, pid, "owner")
    raw, role = field(form, "email", 400), field(form, "role", 20)
    errors: dict[str, str] = {}
    email = ""
    try:
        email = normalize_email(raw).lower()  # a login: compared case-insensitively
    except InvalidEmail as exc:
        errors["email"] = str(exc.detail or "This is not an email address.")
    if role not in ROLES:
        errors["role"] = "Choose owner, editor or viewer."
    if errors:
        return await _render(request, access, errors=errors, values={"email": raw, "role": role}, status=422)
    url = await create_invitation(request, access.viewer, pid, email, role)
    return await _render(request, access, invite_url=url, invite_email=email)


async def _owners(db, pid: int) -> int:  # type: ignore[no-untyped-def]
    return int(
        await db.scalar(
            sa.select(sa.func.count())
            .select_from(ConsoleMembership)
            .where(ConsoleMembership.project_id == pid, ConsoleMembership.role == "owner")
        )
        or 0
    )


@router.post("/admin/p/{pid}/members/{uid}/role")
async def change_role(request: Request, pid: int, uid: int) -> Response:
    access, form = await project_post(request, pid, "owner")
    role = field(form, "role", 20)
    if role not in ROLES:
        return await _render(
            request, access, errors={f"role-{uid}": "Choose owner, editor or viewer."}, status=422
        )
    async with request.app.state.runtime.sessionmaker() as db:
        m = await db.get(ConsoleMembership, (uid, pid), with_for_update=True)
        if m is None:
            raise ConsoleProblem(404, "No such member", "This person is not a member of the project.")
        if m.role == "owner" and role != "owner" and await _owners(db, pid) <= 1:
            await db.rollback()
            return await _render(
                request, access, errors={f"role-{uid}": "A project keeps at least one owner."}, status=409
            )
        old, m.role = m.role, role
        await db.commit()
    await audit.record(
        request,
        access.viewer,
        "member.role_changed",
        project_id=pid,
        target=f"user:{uid}",
        detail={"from": old, "to": role},
    )
    return done(request, f"/admin/p/{pid}/members", "Role changed.")


@router.post("/admin/p/{pid}/members/{uid}/remove")
async def remove_member(request: Request, pid: int, uid: int) -> Response:
    access, _ = await project_post(request, pid, "owner")
    async with request.app.state.runtime.sessionmaker() as db:
        m = await db.get(ConsoleMembership, (uid, pid), with_for_update=True)
        if m is None:
            raise ConsoleProblem(404, "No such member", "This person is not a member of the project.")
        if m.role == "owner" and await _owners(db, pid) <= 1:
            await db.rollback()
            return await _render(
                request, access, errors={f"role-{uid}": "A project keeps at least one owner."}, status=409
            )
        await db.delete(m)
        await db.commit()
    await audit.record(request, access.viewer, "member.removed", project_id=pid, target=f"user:{uid}")
    return done(request, f"/admin/p/{pid}/members", "Member removed.")


@router.post("/admin/p/{pid}/invitations/{iid}/revoke")
async def revoke_invitation(request: Request, pid: int, iid: int) -> Response:
    access, _ = await project_post(request, pid, "owner")
    async with request.app.state.runtime.sessionmaker() as db:
        res = await db.execute(
            sa.update(ConsoleInvitation)
            .where(
                ConsoleInvitation.id == iid,
                ConsoleInvitation.project_id == pid,
                ConsoleInvitation.accepted_at.is_(None),
                ConsoleInvitation.revoked_at.is_(None),
            )
            .values(revoked_at=utcnow())
        )
        await db.commit()
    if res.rowcount != 1:
        raise ConsoleProblem(404, "No such invitation", "This invitation was used, revoked or never existed.")
    await audit.record(
        request, access.viewer, "member.invitation_revoked", project_id=pid, target=f"invite:{iid}"
    )
    return done(request, f"/admin/p/{pid}/members", "Invitation revoked.")
