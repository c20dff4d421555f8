"""Helpers the subcommands share: reading settings with one-line errors, running a coroutine."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from pydantic import ValidationError

from shared.settings import Settings

T = TypeVar("T")


def load_settings() -> Settings:
    """Settings from the environment; a bad value becomes one clear ValueError line."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"bad setting {'.'.join(str(p) for p in first['loc']) or exc.title}: {first['msg']}") from None


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


