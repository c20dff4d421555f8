"""The sender service's app: its routes, bus consumers and background loops."""

from __future__ import annotations

from fastapi import FastAPI

from shared.runtime import Runtime
from shared.service_app import ServiceSpec, build_app
from shared.settings import Settings


def service_spec() -> ServiceSpec:
    return ServiceSpec(name="sender")


def create_app(*, settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    return build_app(service_spec(), settings=settings, runtime=runtime)
