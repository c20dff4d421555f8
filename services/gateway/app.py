"""The gateway's app: the only public port (pages, API routes, SNS webhook, dashboard)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware

from services.gateway import admin, api, forms, pages
from services.gateway.accept import weighted_values
from services.gateway.api_auth import ApiKeyAuth
from services.gateway.captcha import CaptchaVerifier
from services.gateway.console.access import ConsoleProblem, LoginRequired, login_url
from services.gateway.console.routes import ROUTERS as CONSOLE_ROUTERS
from services.gateway.i18n import N_
from services.gateway.key_usage import KeyUsage
from services.gateway.rendering import error_page
from services.gateway.security import SecurityHeadersMiddleware
from services.gateway.settings import GatewaySettings
from services.gateway.sns_passthrough import SnsWebhookPassthrough
from services.gateway.state import STATIC, Gateway
from services.gateway.upstream import Upstreams, UpstreamTimeout, UpstreamUnavailable
from shared.errors import error_body
from shared.runtime import Runtime
from shared.service_app import ServiceSpec, build_app
from shared.settings import Settings, get_settings

_FASTAPI_DOCS = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
_API_PREFIXES = ("/v1/", "/api/", "/webhooks/", "/openapi.json")


def _accept_q(accept: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for media, q in weighted_values(accept):
        out[media.lower()] = max(q, out.get(media.lower(), 0.0))
    return out


def wants_html(request: Request) -> bool:
    """A browser on a page route: text/html accepted and preferred over JSON. API paths always get JSON."""
    path = request.url.path
    if path.startswith(_API_PREFIXES) or path in ("/v1", "/api"):
        return False
    q = _accept_q(request.headers.get("accept", ""))
    html = q.get("text/html", q.get("application/xhtml+xml", 0.0))
    return html > 0 and html >= q.get("application/json", 0.0)


_HTTP_PAGES = {
    404: (N_("Page not found"), N_("There is nothing at this address. Please check the link you followed.")),
    405: (N_("This cannot be done here"), N_("This page does not accept that kind of request.")),
    413: (N_("Too much data"), N_("What was sent is too large. Nothing was changed.")),
    0: (N_("Something went wrong"), N_("This request could not be handled. Nothing was changed.")),
}


def service_spec() -> ServiceSpec:
    return ServiceSpec(
        name="gateway",
        routers=[forms.router, pages.router, api.router, admin.router, *CONSOLE_ROUTERS],  # hot routes first
        title="Sesame API",
    )


class _CachedStatic(StaticFiles):
    async def get_response(self, path: str, scope: Any) -> Response:
        resp = await super().get_response(path, scope)
        if resp.status_code == 200:
            resp.headers["cache-control"] = "public, max-age=3600"
            # The embeddable snippet loads the widget (a module script: fetched with CORS) from other sites.
            resp.headers["access-control-allow-origin"] = "*"
        return resp


def create_app(
    *,
    settings: Settings | None = None,
    runtime: Runtime | None = None,
    upstream_apps: dict[str, Any] | None = None,
    gateway_settings: GatewaySettings | None = None,
) -> FastAPI:
    settings = settings or (runtime.settings if runtime else get_settings())
    config = gateway_settings or getattr(settings, "gateway", None) or GatewaySettings()
    app = build_app(service_spec(), settings=settings, runtime=runtime)
    # The gateway serves its own merged /openapi.json and a local /docs page instead of FastAPI's (CDN) ones.
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) not in _FASTAPI_DOCS]
    app.mount("/static", _CachedStatic(directory=str(STATIC)), name="static")
    app.add_middleware(SecurityHeadersMiddleware)
    # Innermost of the middlewares: SNS's POSTs are answered before routing (services/gateway/sns_passthrough.py).
    app.user_middleware.append(Middleware(SnsWebhookPassthrough))

    async def _upstream_down(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, UpstreamUnavailable | UpstreamTimeout)
        path = request.url.path
        if path.startswith(("/v1/", "/api/", "/webhooks/", "/openapi.json")):
            return JSONResponse(error_body(exc.error, exc.detail), exc.status_code)
        return error_page(
            request,
            exc.status_code,
            N_("Please try again in a moment"),
            N_("This page is not available right now. Nothing was changed."),
        )

    json_http = app.exception_handlers[StarletteHTTPException]

    async def _http_error(request: Request, exc: Exception) -> Response:
        """Browsers get a page for an unknown path or a refused method; API clients the JSON body as before."""
        assert isinstance(exc, StarletteHTTPException)
        if not wants_html(request):
            return await json_http(request, exc)  # type: ignore[no-any-return]
        title, message = _HTTP_PAGES.get(exc.status_code, _HTTP_PAGES[0])
        return error_page(request, exc.status_code, title, message, headers=getattr(exc, "headers", None))

    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(UpstreamUnavailable, _upstream_down)
    app.add_exception_handler(UpstreamTimeout, _upstream_down)

    async def _console_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ConsoleProblem)
        return error_page(request, exc.status, exc.title, exc.message)

    async def _login_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, LoginRequired)
        return RedirectResponse(login_url(exc.next_path), status_code=303)

    app.add_exception_handler(ConsoleProblem, _console_problem)
    app.add_exception_handler(LoginRequired, _login_required)

    @app.get("/", include_in_schema=False)
    async def root() -> Response:
        return RedirectResponse("/docs", status_code=307)

    upstreams = Upstreams(
        internal_token=settings.security.internal_token,
        urls={
            "subscriptions": settings.services.subscriptions_url,
            "events": settings.services.events_url,
            "sender": settings.services.sender_url,
        },
        apps=upstream_apps,
        timeout=config.upstream_timeout,
        connect_timeout=config.upstream_connect_timeout,
        pool_size=config.upstream_pool_size,
    )
    gw = Gateway(
        settings=settings,
        config=config,
        upstreams=upstreams,
        captcha=CaptchaVerifier(config, settings.security.secret_key),
    )
    app.state.gateway = gw
    app.state.upstream_apps = upstream_apps or {}
    inner_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: FastAPI) -> AsyncIterator[Any]:
        async with inner_lifespan(a) as state:
            usage = KeyUsage(upstreams, config.api_key_usage_flush_seconds)
            gw.auth = ApiKeyAuth(
                a.state.runtime, config.api_key_cache_seconds, config.auth_failures_per_minute, usage
            )
            await upstreams.start()
            usage_task = asyncio.create_task(usage.run(), name="gateway-key-usage")
            try:
                yield state
            finally:
                await usage.close(usage_task)  # before the upstreams go: the last uses are written
                await upstreams.close()
                await gw.captcha.close()

    app.router.lifespan_context = lifespan
    return app
