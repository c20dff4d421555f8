"""`sesame serve <service>`: one service of the distributed mode in its own process."""

from __future__ import annotations

import argparse
import logging

from sesame.commands._common import (
    add_log_format_argument,
    load_settings,
    log_format_choice,
    run,
    tune_gc_for_serving,
)
from sesame.services import SERVICES
from shared.settings import SERVICE_PORTS


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("serve", help="run one service (distributed mode)")
    p.add_argument("service", choices=SERVICES)
    p.add_argument("--host", default=None, help="bind address (default SESAME_HOST)")
    p.add_argument("--port", type=int, default=None, help="port (default: the service's own)")
    add_log_format_argument(p)
    p.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    from sesame.commands._serving import bind, serve
    from sesame.services import create_service_app
    from shared.logging import setup_logging
    from shared.runtime import preflight

    settings = load_settings()
    setup_logging(
        settings.runtime.log_level, json_logs=log_format_choice(args, settings), service=args.service
    )
    host = args.host or settings.runtime.host
    # Bound first: a taken port is one clear line, before the database and the broker are even tried.
    sock = bind(host, args.port if args.port is not None else SERVICE_PORTS[args.service])
    port = int(sock.getsockname()[1])
    try:
        # Unreachable database or broker: one clear line (StartupError) rather than a lifespan traceback.
        run(preflight(settings))
        app = create_service_app(args.service, settings=settings)
    except BaseException:
        sock.close()
        raise

    def started() -> None:
        logging.getLogger("sesame").info("%s serving on %s:%s", args.service, host, port)

    tune_gc_for_serving()
    return serve(
        app,
        sock,
        on_started=started,
        host=host,
        port=port,
        access_log=False,
        timeout_graceful_shutdown=int(settings.runtime.shutdown_grace_seconds),
    )
