"""Console logins: server-side sessions (absolute and idle expiry, revocable), the cookie, CSRF tokens, bootstrap.

The cookie holds a random secret; the table keeps only its SHA-256, so a read of the database cannot be replayed
as a login. The CSRF token is an HMAC of that hash: a POST must carry it in the `csrf` field.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from fastapi import Request
from fastapi.responses import Response

from services.gateway.console.passwords import hash_password, verify_password
from services.gateway.state import gateway
from shared.db.types import utcnow
from shared.models.console import ConsoleSession, ConsoleUser

COOKIE = "sesame_admin"
COOKIE_PATH = "/admin"
BOOTSTRAP_LOGIN = "admin"
# A session's last_seen_at is written at most this often (not on every page view).
_TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class Viewer:
    """The logged-in person, as one request sees them."""

    user_id: int
    login: str
    name: str
    is_operator: bool
    session_hash: str
    csrf: str
    password_is_default: bool = False


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def csrf_for(request: Request, session_hash: str) -> str:
    key = gateway(request).settings.security.secret_key.encode()
    return hmac.new(key, f"csrf:{session_hash}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(viewer: Viewer, presented: str) -> bool:
    return bool(presented) and hmac.compare_digest(viewer.csrf, presented)


async def check_credentials(request: Request, login: str, password: str) -> ConsoleUser | None:
    """The user whose login and password these are (creating the bootstrap operator the first time), or None."""
    gw = gateway(request)
    login = login.strip().lower()
    async with request.app.state.runtime.sessionmaker() as db:
        user = await db.scalar(sa.select(ConsoleUser).where(ConsoleUser.login == login))
        if user is None and login == BOOTSTRAP_LOGIN:
            # SESAME_ADMIN_PASSWORD bootstraps the first operator only: once the row exists, its hash is the truth.
            expected = gw.settings.security.admin_password
            if not hmac.compare_digest(password.encode(), expected.encode()):
                verify_password(None, password)  # same cost as a real check
                return None
            now = utcnow()
            user = ConsoleUser(
                login=BOOTSTRAP_LOGIN,
                name="Operator",
                password_hash=hash_password(password),
                is_operator=True,
                created_at=now,
                password_changed_at=now,  # equal: "never changed" (the default-password warning reads it)
            )
            db.add(user)
            try:
                await db.commit()
            except sa.exc.IntegrityError:  # another replica bootstrapped at the same moment
                await db.rollback()
                user = await db.scalar(sa.select(ConsoleUser).where(ConsoleUser.login == login))
                if user is None or not verify_password(user.password_hash, password):
                    return None
            return user
        if not verify_password(user.password_hash if user else None, password):
            return None
        assert user is not None
        if user.disabled_at is not None:
            return None
        return user


async def start_session(request: Request, user: ConsoleUser, response: Response) -> Viewer:
    """A new session row and its cookie on `response`; the viewer that session makes."""
    gw = gateway(request)
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    hours = gw.config.admin_session_hours
    async with request.app.state.runtime.sessionmaker() as db:
        db.add(
            ConsoleSession(
                id_hash=_hash(secret),
                user_id=user.id,
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(hours=hours),
                ip=gw.client_ip(request)[:64],
            )
        )
        await db.commit()
    response.set_cookie(
        COOKIE,
        secret,
        max_age=int(hours * 3600),
        httponly=True,
        secure=gw.cookie_secure,
        samesite="strict",
        path=COOKIE_PATH,
    )
    return Viewer(
        user_id=user.id,
        login=user.login,
        name=user.name,
        is_operator=user.is_operator,
        session_hash=_hash(secret),
        csrf=csrf_for(request, _hash(secret)),
    )


async def current_viewer(request: Request) -> Viewer | None:
    """The session's user, or None when there is no live session (expired, idle too long, revoked, disabled)."""
    cached = request.scope.get("sesame.viewer")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    secret = request.cookies.get(COOKIE)
    if not secret or len(secret) > 200:
        return None
    gw = gateway(request)
    id_hash = _hash(secret)
    now = utcnow()
    idle = timedelta(minutes=gw.config.console_idle_minutes)
    async with request.app.state.runtime.sessionmaker() as db:
        row = (
            await db.execute(
                sa.select(ConsoleSession, ConsoleUser)
                .join(ConsoleUser, ConsoleUser.id == ConsoleSession.user_id)
                .where(ConsoleSession.id_hash == id_hash)
            )
        ).first()
        if row is None:
            return None
        sess, user = row
        if (
            sess.revoked_at is not None
            or sess.expires_at <= now
            or sess.last_seen_at + idle <= now
            or user.disabled_at is not None
        ):
            return None
        if now - sess.last_seen_at >= _TOUCH_EVERY:
            await db.execute(
                sa.update(ConsoleSession).where(ConsoleSession.id_hash == id_hash).values(last_seen_at=now)
            )
            await db.commit()
    viewer = Viewer(
        user_id=user.id,
        login=user.login,
        name=user.name,
        is_operator=user.is_operator,
        session_hash=id_hash,
        csrf=csrf_for(request, id_hash),
        password_is_default=user.login == BOOTSTRAP_LOGIN
        and user.password_changed_at <= user.created_at
        and gw.settings.security.admin_password == "admin",
    )
    request.scope["sesame.viewer"] = viewer
    return viewer


async def end_session(request: Request, viewer: Viewer, response: Response) -> None:
    async with request.app.state.runtime.sessionmaker() as db:
        await db.execute(
            sa.update(ConsoleSession)
            .where(ConsoleSession.id_hash == viewer.session_hash)
            .values(revoked_at=utcnow())
        )
        await db.commit()
    response.delete_cookie(COOKIE, path=COOKIE_PATH)


async def change_password(request: Request, viewer: Viewer, new_password: str) -> None:
    """Store a new hash and end every other session of this user."""
    now = utcnow()
    async with request.app.state.runtime.sessionmaker() as db:
        await db.execute(
            sa.update(ConsoleUser)
            .where(ConsoleUser.id == viewer.user_id)
            .values(password_hash=hash_password(new_password), password_changed_at=now)
        )
        await db.execute(
            sa.update(ConsoleSession)
            .where(
                ConsoleSession.user_id == viewer.user_id,
                ConsoleSession.id_hash != viewer.session_hash,
                ConsoleSession.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )
        await db.commit()
