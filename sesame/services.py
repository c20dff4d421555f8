"""The four services by name, each imported only when asked for."""

from __future__ import annotations

import importlib
from typing import Any

SERVICES = ("subscriptions", "events", "sender", "gateway")


def create_service_app(name: str, **kwargs: Any) -> Any:
    """`services.<name>.app.create_app(**kwargs)`."""
    if name not in SERVICES:
        raise ValueError(f"unknown service {name!r}; choose one of {', '.join(SERVICES)}")
    module = importlib.import_module(f"services.{name}.app")
    return module.create_app(**kwargs)
