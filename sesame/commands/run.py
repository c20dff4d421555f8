"""`sesame run`: the embedded default — all four apps in one process on one port."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from sesame.commands._common import load_settings, run, tune_gc_for_serving


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("run", help="run all of Sesame in one process (embedded default)")
    p.add_argument("--host", default=None, help="bind address (default SESAME_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default SESAME_PORT or 8025)")
    p.add_argument("--no-migrate", action="store_true", help="do not apply database migrations first")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    import uvicorn

    from sesame.embedded import create_embedded_app
    from shared.logging import setup_logging
    from shared.migrate import upgrade
    from shared.runtime import preflight

    if args.host:
        os.environ["SESAME_HOST"] = args.host
    if args.port:
        os.environ["SESAME_PORT"] = str(args.port)
    settings = load_settings()
    setup_logging(settings.runtime.log_level, json_logs=settings.runtime.log_json, service="embedded")
    # Unreachable database or broker: one clear line (StartupError) rather than a traceback.
    run(preflight(settings))
    if not args.no_migrate:
        upgrade(settings.database.url)
    app = create_embedded_app(settings)
    host, port = settings.runtime.host, settings.runtime.port
    print(
        f"Sesame is running: open http://{host}:{port}/ (dashboard: /admin, API docs: /docs)",
        file=sys.stderr,
        flush=True,
    )
    logging.getLogger("sesame").info("embedded mode on %s:%s", host, port)
    tune_gc_for_serving()
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        timeout_graceful_shutdown=int(settings.runtime.shutdown_grace_seconds),
    )
    return 0
