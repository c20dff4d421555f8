"""The gateway's app: the only public port (pages, API routes, SNS webhook, dashboard)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from shared.runtime import Runtime
from shared.service_app import ServiceSpec, build_app
from shared.settings import Settings


def service_spec() -> ServiceSpec:
    return ServiceSpec(name="gateway")


def create_app(
    *, settings: Settings | None = None, runtime: Runtime | None = None, upstream_apps: dict[str, Any] | None = None
) -> FastAPI:
    app = build_app(service_spec(), settings=settings, runtime=runtime)
    app.state.upstream_apps = upstream_apps or {}
    return app
