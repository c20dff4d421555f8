"""`sesame migrate`: apply the database migrations (a one-shot job in Compose and Kubernetes)."""

from __future__ import annotations

import argparse

from sesame.commands._common import load_settings


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("migrate", help="apply database migrations")
    p.add_argument("--downgrade", metavar="REV", help="downgrade to REV instead (e.g. base)")
    p.set_defaults(func=_migrate)


def _migrate(args: argparse.Namespace) -> int:
    from shared.migrate import downgrade, upgrade

    settings = load_settings()
    if args.downgrade:
        downgrade(settings.database.url, args.downgrade, encryption_key=settings.security.encryption_key)
        print(f"database downgraded to {args.downgrade}")
    else:
        upgrade(settings.database.url, encryption_key=settings.security.encryption_key)
        print("database is at the latest schema")
    return 0
