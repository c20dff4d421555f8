"""`sesame run`: the embedded default — all four apps in one process on one port."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from sesame.commands._common import (
    add_log_format_argument,
    load_settings,
    log_format_choice,
    run,
    tune_gc_for_serving,
)
from shared.settings import Settings

DEV_ADMIN_PASSWORD = "admin"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("run", help="run all of Sesame in one process (embedded default)")
    p.add_argument("--host", default=None, help="bind address (default SESAME_HOST or 127.0.0.1)")
    p.add_argument(
        "--port",
        type=int,
        default=None,
        help="port (default SESAME_PORT or 8025); mail links follow it unless SESAME_PUBLIC_URL is set",
    )
    p.add_argument("--no-migrate", action="store_true", help="do not apply database migrations first")
    add_log_format_argument(p)
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from sesame.commands._serving import bind, local_url, serve
    from sesame.embedded import create_embedded_app
    from shared.logging import setup_logging
    from shared.migrate import upgrade
    from shared.runtime import preflight

    if args.host is not None:
        os.environ["SESAME_HOST"] = args.host
    if args.port is not None:
        os.environ["SESAME_PORT"] = str(args.port)
    settings = load_settings()
    setup_logging(settings.runtime.log_level, json_logs=log_format_choice(args, settings), service="embedded")
    host = settings.runtime.host
    # Bound before anything else starts: a taken port is one line now, not a failure after migrations.
    sock = bind(host, settings.runtime.port)
    try:
        port = int(sock.getsockname()[1])  # --port 0: the one the system chose
        if not _env_has("SESAME_PUBLIC_URL"):
            # Links in mail (confirm, unsubscribe) must reach this very process.
            os.environ["SESAME_PUBLIC_URL"] = local_url(host, port)
            settings = load_settings()
        # Unreachable database or broker: one clear line (StartupError) rather than a traceback.
        run(preflight(settings))
        if not args.no_migrate:
            upgrade(settings.database.url, encryption_key=settings.security.encryption_key)
        app = create_embedded_app(settings)
    except BaseException:
        sock.close()
        raise
    address = local_url(host, port)

    def started() -> None:
        print(first_run_text(settings, address, bound=f"{host}:{port}"), file=sys.stderr, flush=True)
        logging.getLogger("sesame").info("embedded mode on %s:%s, console %s/admin", host, port, address)

    tune_gc_for_serving()
    return serve(
        app,
        sock,
        on_started=started,
        host=host,
        port=port,
        timeout_graceful_shutdown=int(settings.runtime.shutdown_grace_seconds),
    )


def _env_has(name: str) -> bool:
    """Set in the environment in any case (settings read it case-insensitively), even if empty."""
    return any(key.upper() == name for key in os.environ)


def first_run_text(settings: Settings, address: str, *, bound: str) -> str:
    """What someone who just typed `sesame run` needs: where the console is, how to log in, where mail goes."""
    if settings.security.admin_password == DEV_ADMIN_PASSWORD:
        login = (
            'user admin, password "admin": the development default. Change it at your first login\n'
            "            (your account page); in production set SESAME_ADMIN_PASSWORD (the default is refused)."
        )
    else:
        login = (
            "user admin, password: the value of SESAME_ADMIN_PASSWORD (it sets the first login only;\n"
            "            afterwards the password is the one kept in the console)."
        )
    everywhere = " (all interfaces)" if bound.rsplit(":", 1)[0] in ("0.0.0.0", "::", "[::]", "") else ""
    return "\n".join(
        [
            "",
            f"Sesame is running, listening on {bound}{everywhere}.",
            f"  Console   {address}/admin",
            f"            {login}",
            f"  API docs  {address}/docs",
            "  Mail      projects without SES credentials send to the sandbox: nothing leaves this machine,",
            "            captured mail is in the console's Outbox.",
            f"  Links in mail point to {settings.runtime.public_url.rstrip('/')} (SESAME_PUBLIC_URL).",
            "Stop with Ctrl+C.",
            "",
        ]
    )
