"""The `sesame` command. Each subcommand lives in sesame/commands/<name>.py and exposes `register(subparsers)`."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import sesame.commands as commands_pkg


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sesame", description="Sesame: email through your own Amazon SES account.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda m: m.name):
        if mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"sesame.commands.{mod.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - startup and operator errors are one clear line
        from shared.runtime import StartupError

        if isinstance(exc, StartupError | ValueError | ConnectionError | OSError):
            print(f"sesame: error: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
