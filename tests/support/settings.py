"""Build a Settings object for one test without touching os.environ."""

from __future__ import annotations

from typing import Any

from shared.settings import BusSettings, DatabaseSettings, RuntimeSettings, Settings


def make_settings(
    db_url: str, bus_url: str = "memory://", *, bus: dict[str, Any] | None = None, **runtime: Any
) -> Settings:
    s = Settings()
    s.database = DatabaseSettings(url=db_url)
    s.bus = BusSettings(url=bus_url, **(bus or {"retry_delays": [0.05, 0.1, 0.2]}))
    s.runtime = RuntimeSettings(env="test", log_json=False, **runtime)
    return s
