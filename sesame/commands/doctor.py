"""`sesame doctor --project ID [--domain D] [--json] [--request-draft]`: the production-access readiness report."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sesame.commands._common import load_settings, run


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("doctor", help="check a project's SES setup against AWS's production-access checklist")
    p.add_argument("--project", type=int, required=True, help="project id")
    p.add_argument("--domain", help="sending domain to check (default: the connected identity / from domain)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--request-draft", action="store_true", help="also print the production-access request draft"
    )
    p.set_defaults(func=_doctor)


def _doctor(args: argparse.Namespace) -> int:
    return run(_run(load_settings(), args))


async def _run(settings: Any, args: argparse.Namespace) -> int:
    from services.sender.ses_setup.service import SesSetup
    from shared.errors import SesameError
    from shared.runtime import Runtime

    rt = Runtime(settings)  # database only: the report reads, it publishes nothing
    try:
        svc = SesSetup(rt)
        try:
            if args.request_draft:
                draft = await svc.request_draft(args.project, args.domain)
                if args.json:
                    print(json.dumps(draft, indent=2, default=str))
                else:
                    print(draft["text"])
                    if draft["unverified"]:
                        print("Not claimed (the report did not verify them):")
                        for item in draft["unverified"]:
                            print(f"  - {item}")
                return 0 if draft["ready"] else 1
            report = await svc.readiness(args.project, args.domain)
        except SesameError as exc:
            print(f"sesame: error: {exc.detail}", file=sys.stderr)
            return 1
        print(json.dumps(report.to_dict(), indent=2, default=str) if args.json else report.render())
        return 0 if report.ready else 1
    finally:
        await rt.engine.dispose()
