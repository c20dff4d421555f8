"""`sesame project …`: create a project (prints its first API key), list projects, manage API keys.

Talks to the database directly (run `sesame migrate` first); the services need not be running.
"""

from __future__ import annotations

import argparse
import sys

from sesame.commands._common import run, with_session


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("project", help="create and list projects, manage their API keys")
    psub = p.add_subparsers(dest="project_command", metavar="ACTION", required=True)

    c = psub.add_parser("create", help="create a project and print its first API key (shown once)")
    c.add_argument("name")
    c.add_argument("--owner-email", default=None, help="who gets the project's notifications")
    c.set_defaults(func=_create)

    ls = psub.add_parser("list", help="list projects")
    ls.set_defaults(func=_list)

    k = psub.add_parser("keys", help="list a project's API keys, or create / revoke one")
    k.add_argument("project_id", type=int)
    g = k.add_mutually_exclusive_group()
    g.add_argument("--create", metavar="NAME", help="create a key with this name (printed once)")
    g.add_argument("--revoke", metavar="KEY_ID", type=int, help="revoke this key")
    k.set_defaults(func=_keys)


def _create(args: argparse.Namespace) -> int:
    from services.subscriptions.projects import create_project

    async def go(session):  # type: ignore[no-untyped-def]
        project, key, new = await create_project(session, args.name, args.owner_email)
        return project.id, key.prefix, new.key

    pid, prefix, key = run(with_session(go))
    print(f"project {pid} created ({args.name})", file=sys.stderr)
    print(f"API key (shown once, store it now; prefix {prefix}):", file=sys.stderr)
    print(key)
    return 0


def _list(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from shared.models.core import Project

    async def go(session):  # type: ignore[no-untyped-def]
        q = sa.select(Project).where(Project.deleted_at.is_(None)).order_by(Project.id)
        return [(p.id, p.name, p.owner_email or "") for p in (await session.scalars(q)).all()]

    for pid, name, owner in run(with_session(go)):
        print(f"{pid}\t{name}\t{owner}")
    return 0


def _keys(args: argparse.Namespace) -> int:
    import sqlalchemy as sa

    from services.subscriptions.projects import create_api_key, get_project
    from shared.db.types import utcnow
    from shared.models.core import ApiKey

    async def go(session):  # type: ignore[no-untyped-def]
        await get_project(session, args.project_id)
        if args.create:
            key, new = await create_api_key(session, args.project_id, args.create)
            return ("created", key.id, new.key)
        if args.revoke is not None:
            key = await session.scalar(
                sa.select(ApiKey).where(ApiKey.id == args.revoke, ApiKey.project_id == args.project_id)
            )
            if key is None:
                raise ValueError(f"project {args.project_id} has no API key {args.revoke}")
            key.revoked_at = key.revoked_at or utcnow()
            return ("revoked", key.id, None)
        q = sa.select(ApiKey).where(ApiKey.project_id == args.project_id).order_by(ApiKey.id)
        return [
            (
                k.id,
                k.name,
                k.prefix,
                k.created_at.isoformat(),
                k.revoked_at.isoformat() if k.revoked_at else "",
            )
            for k in (await session.scalars(q)).all()
        ]

    from shared.errors import NotFound

    try:
        out = run(with_session(go))
    except NotFound:
        raise ValueError(f"no project {args.project_id}") from None
    if isinstance(out, tuple):
        action, kid, secret = out
        print(f"key {kid} {action}", file=sys.stderr)
        if secret:
            print(secret)
        return 0
    print("id\tname\tprefix\tcreated_at\trevoked_at")
    for row in out:
        print("\t".join(str(x) for x in row))
    return 0
