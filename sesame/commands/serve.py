"""`sesame serve <service>`: one service of the distributed mode in its own process."""

from __future__ import annotations

import argparse

from sesame.commands._common import load_settings, run, tune_gc_for_serving
from sesame.services import SERVICES
from shared.settings import SERVICE_PORTS


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("serve", help="run one service (distributed mode)")
    p.add_argument("service", choices=SERVICES)
    p.add_argument("--host", default=None, help="bind address (default SESAME_HOST)")
    p.add_argument("--port", type=int, default=None, help="port (default: the service's own)")
    p.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sesame.services import create_service_app
    from shared.logging import setup_logging
    from shared.runtime import preflight

    settings = load_settings()
    setup_logging(settings.runtime.log_level, json_logs=settings.runtime.log_json, service=args.service)
    # Unreachable database or broker: one clear line (StartupError) rather than a lifespan traceback.
    run(preflight(settings))
    app = create_service_app(args.service, settings=settings)
    tune_gc_for_serving()
    uvicorn.run(
        app,
        host=args.host or settings.runtime.host,
        port=args.port or SERVICE_PORTS[args.service],
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.runtime.shutdown_grace_seconds),
    )
    return 0
