"""`sesame ses connect`: registered under the `ses` command group by `register_connect(ses_subparsers)`.

The command works on the database directly and never starts the bus or the outbox relay: what it enqueues
(the loop-test mails) is published by the running server's relay sweep, like any committed outbox row.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register_connect(ses_sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = ses_sub.add_parser(
        "connect",
        help="wire SES feedback (SNS topics, webhook subscription, identity or configuration set) — idempotent",
    )
    add_connect_arguments(p)


def add_connect_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--project", type=int, required=True, help="project id")
    p.add_argument("--identity", help="the verified sending domain (default: the SES account's from domain)")
    p.add_argument(
        "--mode",
        choices=("configuration_set", "identity"),
        help="how topics are linked (default configuration_set)",
    )
    p.add_argument(
        "--configuration-set",
        dest="configuration_set",
        help="configuration set to use (default: the identity's or sesame-<project>)",
    )
    p.add_argument(
        "--prove-loop",
        action="store_true",
        help="then send to the SES mailbox simulator and wait for the feedback",
    )
    p.add_argument(
        "--no-suppression-import", action="store_true", help="do not import the SES account suppression list"
    )
    p.add_argument("--dry-run", action="store_true", help="only report what would change")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_connect)


def _connect(args: argparse.Namespace) -> int:
    from sesame.commands._common import load_settings, run

    settings = load_settings()
    return run(_run_connect(settings, args))


async def _run_connect(settings: Any, args: argparse.Namespace) -> int:
    from services.sender.ses_setup.service import SesSetup
    from shared.errors import SesameError
    from shared.runtime import Runtime

    rt = Runtime(settings)  # not started: no bus, no relay (see the module docstring)
    try:
        try:
            out = await SesSetup(rt).connect(
                args.project,
                identity=args.identity,
                mode=args.mode,
                configuration_set=args.configuration_set,
                prove_loop=args.prove_loop,
                import_suppressions=not args.no_suppression_import,
                dry_run=args.dry_run,
            )
        except SesameError as exc:
            print(f"sesame: error: {exc.detail}", file=sys.stderr)
            return 1
        if args.json:
            print(json.dumps(out.to_dict(), indent=2, default=str))
        else:
            print(out.render())
        return 0 if out.to_dict()["ok"] else 1
    finally:
        await rt.engine.dispose()
