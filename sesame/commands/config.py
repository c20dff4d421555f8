"""`sesame config reference`: print, write or check the generated configuration reference."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("config", help="configuration tools")
    config_sub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    ref = config_sub.add_parser("reference", help="the Markdown reference of every setting of every service")
    mode = ref.add_mutually_exclusive_group()
    mode.add_argument(
        "--write",
        nargs="?",
        const="docs/configuration.md",
        metavar="PATH",
        help="write it to PATH (default docs/configuration.md) instead of printing",
    )
    mode.add_argument(
        "--check",
        nargs="?",
        const="docs/configuration.md",
        metavar="PATH",
        help="exit 1 if PATH (default docs/configuration.md) differs from what would be generated",
    )
    ref.set_defaults(func=_reference)


def _reference(args: argparse.Namespace) -> int:
    from sesame.config_reference import REGENERATE, render

    text = render()
    if args.write:
        path = Path(args.write)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
        return 0
    if args.check:
        path = Path(args.check)
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            print(f"{path} is stale: run `{REGENERATE}`", file=sys.stderr)
            return 1
        print(f"{path} is up to date", file=sys.stderr)
        return 0
    sys.stdout.write(text)
    return 0
