"""`sesame console …`: the owner console's accounts from the shell — list users, set a password (a lost one, or a
new operator), give a user a role in a project. Talks to the database directly (run `sesame migrate` first)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from sesame.commands._common import run, with_session


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("console", help="console accounts: list users, set a password, grant a role")
    csub = p.add_subparsers(dest="console_command", metavar="ACTION", required=True)

    ls = csub.add_parser("users", help="list console users and their roles")
    ls.set_defaults(func=_users)

    pw = csub.add_parser(
        "set-password",
        help="set a user's password (creates the user); the password is read from SESAME_NEW_PASSWORD or asked",
    )
    pw.add_argument("login", help="an email address, or `admin`")
    pw.add_argument("--operator", action="store_true", help="make the user an operator (every project)")
    pw.set_defaults(func=_set_password)

    g = csub.add_parser("grant", help="give a user a role in a project (owner, editor or viewer)")
    g.add_argument("login")
    g.add_argument("project_id", type=int)
    g.add_argument("role", choices=("owner", "editor", "viewer"))
    g.set_defaults(func=_grant)


def _users(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from shared.models.console import ConsoleMembership, ConsoleUser

    async def go(session):  # type: ignore[no-untyped-def]
        users = (await session.scalars(sa.select(ConsoleUser).order_by(ConsoleUser.login))).all()
        roles = (await session.execute(sa.select(ConsoleMembership))).scalars().all()
        return users, roles

    users, roles = run(with_session(go))
    for u in users:
        mine = ", ".join(f"{m.project_id}:{m.role}" for m in roles if m.user_id == u.id)
        flags = " operator" if u.is_operator else ""
        flags += " disabled" if u.disabled_at else ""
        print(f"{u.login}{flags}  {mine}".rstrip())
    return 0


def _set_password(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from services.gateway.console.passwords import hash_password, password_problem
    from shared.db.types import utcnow
    from shared.models.console import ConsoleSession, ConsoleUser

    login = args.login.strip().lower()
    password = os.environ.get("SESAME_NEW_PASSWORD") or getpass.getpass(f"New password for {login}: ")
    problem = password_problem(password, login=login)
    if problem:
        print(f"sesame: error: {problem}", file=sys.stderr)
        return 1

    async def go(session):  # type: ignore[no-untyped-def]
        user = await session.scalar(sa.select(ConsoleUser).where(ConsoleUser.login == login))
        now = utcnow()
        if user is None:
            user = ConsoleUser(
                login=login, name="", password_hash=hash_password(password), is_operator=args.operator
            )
            session.add(user)
            await session.flush()
            return "created"
        user.password_hash, user.password_changed_at = hash_password(password), now
        if args.operator:
            user.is_operator = True
        await session.execute(
            sa.update(ConsoleSession)
            .where(ConsoleSession.user_id == user.id, ConsoleSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return "updated (its sessions were logged out)"

    print(f"{login}: {run(with_session(go))}", file=sys.stderr)
    return 0


def _grant(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from shared.models.console import ConsoleMembership, ConsoleUser
    from shared.models.core import Project

    async def go(session):  # type: ignore[no-untyped-def]
        user = await session.scalar(
            sa.select(ConsoleUser).where(ConsoleUser.login == args.login.strip().lower())
        )
        project = await session.get(Project, args.project_id)
        if user is None:
            raise ValueError(
                f"no console user {args.login!r} (create one with `sesame console set-password`)"
            )
        if project is None or project.deleted_at is not None:
            raise ValueError(f"no project {args.project_id}")
        m = await session.get(ConsoleMembership, (user.id, project.id))
        if m is None:
            session.add(ConsoleMembership(user_id=user.id, project_id=project.id, role=args.role))
        else:
            m.role = args.role
        return f"{user.login} is {args.role} of project {project.id} ({project.name})"

    print(run(with_session(go)), file=sys.stderr)
    return 0
