"""`sesame ses …`: operator commands for SES accounts.

- `sesame ses rotate-key --old-key OLD [--new-key NEW]`: `sesame secrets rotate-key` (every stored secret, SES
  credentials and webhook signing secrets, re-encrypted from the old SESAME_ENCRYPTION_KEY to the new one).
- `sesame ses status [--project ID]` prints each account's quota snapshot, pause state and waiting mail.
"""

from __future__ import annotations

import argparse
import json

from sesame.commands._common import load_settings, run
from sesame.commands.secrets import add_rotate_key_parser


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("ses", help="SES account operations (key rotation, quota and queue status)")
    ses_sub = p.add_subparsers(dest="ses_command", metavar="SES_COMMAND")
    add_rotate_key_parser(ses_sub)  # the same as `sesame secrets rotate-key` (sesame/commands/secrets.py)
    s = ses_sub.add_parser("status", help="quota snapshot, pause state and waiting mail per project")
    s.add_argument("--project", type=int, default=None)
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=_status)
    from services.sender.ses_setup.cli import register_connect

    register_connect(ses_sub)  # `sesame ses connect` (services/sender/ses_setup/cli.py)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


async def collect_status(database_url: str, project_id: int | None) -> list[dict]:  # type: ignore[type-arg]
    import sqlalchemy as sa

    from services.sender.api.ses_account import sending_status
    from shared.db.engine import create_engine, create_sessionmaker
    from shared.models.core import Project
    from shared.settings import DatabaseSettings

    engine = create_engine(DatabaseSettings(url=database_url))
    try:
        async with create_sessionmaker(engine)() as session:
            q = sa.select(Project.id, Project.name).where(Project.deleted_at.is_(None)).order_by(Project.id)
            if project_id is not None:
                q = q.where(Project.id == project_id)
            out = []
            for pid, name in (await session.execute(q)).all():
                st = await sending_status(session, pid)
                out.append({"project_id": pid, "name": name, **st})
            return out
    finally:
        await engine.dispose()


def _status(args: argparse.Namespace) -> int:
    settings = load_settings()
    rows = run(collect_status(settings.database.url, args.project))
    if args.json:
        print(json.dumps(rows, indent=2, default=str))
        return 0
    for r in rows:
        q = r["quota"] or {}
        paused = "paused: " + str(r["pause_reason"]) if r["marketing_paused"] else "sending"
        quota = (
            f"rate {q.get('max_send_rate')}/s, {q.get('sent_last_24h')}/{q.get('max_24h_send')} in 24 h"
            if q
            else "sandbox SES"
        )
        w = r["waiting"]
        print(
            f"project {r['project_id']} ({r['name']}): {paused}; {quota}; "
            f"queued {w['queued']}, sending {w['sending']}, delayed {w['delayed']}"
        )
    return 0
