"""Builds one service's FastAPI app: lifespan-owned resources, health, readiness, metrics, errors, logs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.bus.protocol import Consumer, Envelope, Handler, QueueSpec
from shared.digits import ascii_digits
from shared.errors import error_body, install_error_handlers
from shared.logging import correlation_id
from shared.runtime import Runtime
from shared.settings import Settings, get_settings

log = logging.getLogger("sesame.app")

HTTP_REQUESTS = Counter(
    "sesame_http_requests_total", "HTTP requests answered", ["service", "method", "status"]
)
HTTP_LATENCY = Histogram("sesame_http_request_seconds", "HTTP request latency", ["service"])
BUS_HANDLED = Counter("sesame_bus_messages_total", "Bus messages handled", ["service", "queue", "outcome"])

HandlerFactory = Callable[[Runtime], Handler]
Task = Callable[[Runtime], Awaitable[None]]


@dataclass
class ServiceSpec:
    """What a service contributes: routes, bus consumers, background loops, startup hooks."""

    name: str
    routers: Sequence[APIRouter] = ()
    consumers: Sequence[tuple[QueueSpec, HandlerFactory]] = ()
    tasks: Sequence[Task] = ()
    on_startup: Sequence[Task] = ()
    title: str | None = None
    ready_checks: Sequence[Task] = field(default_factory=list)
    # Routes allowed a larger body than RuntimeSettings.max_body_bytes: (path regex, max bytes), first match wins.
    body_limits: Sequence[tuple[str, int]] = ()


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


async def _db_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with get_runtime(request).uow() as session:
        yield session


async def _runtime(request: Request) -> Runtime:
    return get_runtime(request)


# One unit of work per request, committed when the route returns (before the response is sent).
# Dependencies are async on purpose: FastAPI runs a plain `def` dependency in a worker thread (a thread
# hand-off per request and dependency).
DbSession = Annotated[AsyncSession, Depends(_db_session, scope="function")]
RuntimeDep = Annotated[Runtime, Depends(_runtime)]


def _traced(service: str, queue: str, handler: Handler) -> Handler:
    async def run(env: Envelope) -> None:
        token = correlation_id.set(str(env.headers.get("correlation_id") or env.message_id))
        try:
            await handler(env)
            BUS_HANDLED.labels(service, queue, "ok").inc()
        except Exception:
            BUS_HANDLED.labels(service, queue, "error").inc()
            raise
        finally:
            correlation_id.reset(token)

    return run


async def _as_coro(awaitable: Awaitable[None]) -> None:
    await awaitable


class _RequestContext:
    """Correlation id, request-size check by Content-Length, `x-request-id` on the answer, request metrics."""

    def __init__(
        self, app: ASGIApp, *, service: str, max_body: int, body_limits: list[tuple[re.Pattern[str], int]]
    ) -> None:
        self.app, self.service, self.max_body, self.body_limits = app, service, max_body, body_limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cid = headers.get("x-request-id") or os.urandom(16).hex()  # uuid4().hex's randomness, cheaper
        token = correlation_id.set(cid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["x-request-id"] = cid
            await send(message)

        try:
            length = headers.get("content-length")
            path = scope.get("path", "")
            limit = next((n for p, n in self.body_limits if p.fullmatch(path)), self.max_body)
            if length is not None and (not ascii_digits(length, max_digits=40) or int(length) > limit):
                response = JSONResponse(error_body("payload_too_large", f"body over {limit} bytes"), 413)
                await response(scope, receive, send_with_id)
            else:
                await self.app(scope, receive, send_with_id)
        finally:
            HTTP_REQUESTS.labels(self.service, scope.get("method", ""), str(status)).inc()
            HTTP_LATENCY.labels(self.service).observe(time.perf_counter() - started)
            correlation_id.reset(token)


def build_app(spec: ServiceSpec, *, settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """The FastAPI app of one service; `runtime` given → shared (embedded), else built in the lifespan."""
    settings = settings or (runtime.settings if runtime else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt = runtime or Runtime(settings)
        await rt.start()
        app.state.runtime = rt
        consumers: list[Consumer] = []
        tasks: list[asyncio.Task[None]] = []
        try:
            for hook in spec.on_startup:
                await hook(rt)
            for qspec, factory in spec.consumers:
                consumers.append(await rt.bus.consume(qspec, _traced(spec.name, qspec.name, factory(rt))))
            for loop in spec.tasks:
                tasks.append(asyncio.create_task(_as_coro(loop(rt)), name=f"{spec.name}:{getattr(loop, '__name__', 'task')}"))
            app.state.ready = True
            yield
        finally:
            app.state.ready = False
            # Graceful stop: consumers stop taking work and finish in-flight messages, then loops end.
            grace = settings.runtime.shutdown_grace_seconds
            # All consumers drain together under one deadline, so the whole stop fits the grace period.
            if consumers:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(
                        asyncio.gather(*(c.stop() for c in consumers), return_exceptions=True), grace
                    )
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            await rt.stop()

    # FastAPI's built-in OpenTelemetry hooks are off: we export Prometheus metrics (/metrics), and asking whether
    # a tracer/meter/logger provider is configured costs several environment lookups on every request.
    app = FastAPI(
        title=spec.title or f"Sesame {spec.name}",
        lifespan=lifespan,
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.service_name = spec.name
    app.state.ready = False
    install_error_handlers(app)
    max_body = settings.runtime.max_body_bytes
    body_limits = [(re.compile(p), n) for p, n in spec.body_limits]

    # A plain ASGI middleware: Starlette's BaseHTTPMiddleware (`@app.middleware`) costs ≈ 0.5–1 ms of CPU per
    # request in task groups and memory streams — more than a whole small route.
    app.add_middleware(_RequestContext, service=spec.name, max_body=max_body, body_limits=body_limits)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": spec.name}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> JSONResponse:
        rt: Runtime | None = getattr(request.app.state, "runtime", None)
        if rt is None or not request.app.state.ready:
            return JSONResponse({"status": "starting"}, 503)
        checks: dict[str, str] = {}
        from shared.db.engine import ping

        for name, check in (("database", lambda: ping(rt.engine)), ("bus", rt.bus.ping)):
            try:
                await asyncio.wait_for(check(), 5)
                checks[name] = "ok"
            except Exception as exc:  # noqa: BLE001
                checks[name] = f"unavailable: {exc.__class__.__name__}"
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ready" if ok else "unavailable", "checks": checks}, 200 if ok else 503)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest().decode(), media_type=CONTENT_TYPE_LATEST)

    for router in spec.routers:
        app.include_router(router)
    _document_error_bodies(app)
    return app


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {"error": {"type": "string"}, "detail": {}},
    "required": ["error"],
}


def _document_error_bodies(app: FastAPI) -> None:
    """The OpenAPI document describes 422s as they are sent: {"error", "detail"} (install_error_handlers)."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict:  # type: ignore[type-arg]
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            schemas = schema.get("components", {}).get("schemas", {})
            if "HTTPValidationError" in schemas:
                schemas["HTTPValidationError"] = ERROR_SCHEMA
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
