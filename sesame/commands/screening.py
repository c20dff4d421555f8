"""`sesame screening update-disposable --source FILE_OR_URL`: refresh the extra disposable-domain list of imports.

Import screening uses the `disposable-email-domains` package's list plus the file named by
SESAME_SUBSCRIPTIONS_SCREENING_DISPOSABLE_FILE (or `--file`). This command replaces that file with the domains read
from a file or an http(s) URL (one per line, `#` comments), e.g. the upstream blocklist; running imports pick the
new file up at their next start (it is reloaded when its modification time changes).
`sesame screening check DOMAIN…` tells whether domains count as disposable and whether local parts are roles.
"""

from __future__ import annotations

import argparse

from sesame.commands._common import run


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "screening", help="import screening: refresh the disposable-domain list, check domains"
    )
    ssub = p.add_subparsers(dest="screening_command", metavar="ACTION", required=True)
    u = ssub.add_parser(
        "update-disposable", help="replace the extra disposable-domain file from a file or URL"
    )
    u.add_argument("--source", required=True, help="a file path or an http(s) URL: one domain per line")
    u.add_argument(
        "--file",
        default=None,
        help="the file to write (default: SESAME_SUBSCRIPTIONS_SCREENING_DISPOSABLE_FILE)",
    )
    u.set_defaults(func=_update)
    c = ssub.add_parser("check", help="is an address's domain disposable, its local part a role?")
    c.add_argument("addresses", nargs="+", help="addresses or domains")
    c.set_defaults(func=_check)


def _target(args: argparse.Namespace) -> str:
    from services.subscriptions.settings import SubscriptionsSettings

    path = args.file or SubscriptionsSettings().screening_disposable_file
    if not path:
        raise ValueError(
            "no file to write: pass --file or set SESAME_SUBSCRIPTIONS_SCREENING_DISPOSABLE_FILE"
        )
    return str(path)


def _update(args: argparse.Namespace) -> int:
    from services.subscriptions.screening import fetch_disposable, write_disposable

    path = _target(args)
    try:
        domains = run(fetch_disposable(args.source))
    except Exception as exc:  # noqa: BLE001 - an unreachable URL or unreadable file is one clear line
        raise ValueError(f"cannot read {args.source}: {type(exc).__name__}: {exc}") from None
    if not domains:
        raise ValueError(f"{args.source} holds no domain: the file was left as it was")
    write_disposable(path, domains)
    print(f"{len(domains)} disposable domains written to {path}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from services.subscriptions.screening import disposable_domains, is_role
    from services.subscriptions.settings import SubscriptionsSettings

    disposable = disposable_domains(SubscriptionsSettings().screening_disposable_file)
    for item in args.addresses:
        local, _, domain = item.rpartition("@")
        flags = []
        if disposable.check(domain.lower()):
            flags.append("disposable domain")
        if local and is_role(local):
            flags.append("role address")
        print(f"{item}: {', '.join(flags) or 'ok'}")
    return 0
