"""Helpers the subcommands share: reading settings with one-line errors, running a coroutine."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable, Coroutine
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
        raise ValueError(
            f"bad setting {'.'.join(str(p) for p in first['loc']) or exc.title}: {first['msg']}"
        ) from None


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def with_session(fn: Callable[[Any], Awaitable[T]]) -> T:
    """`fn(session)` in one unit of work on a runtime built from the environment's settings, then disposed."""
    from shared.runtime import Runtime

    rt = Runtime(load_settings())
    try:
        async with rt.uow() as session:
            return await fn(session)
    finally:
        await rt.engine.dispose()


def add_log_format_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-format",
        choices=("json", "text"),
        default=None,
        help="log lines as JSON or readable text (default: SESAME_LOG_JSON if set, else text on a terminal, JSON otherwise)",
    )


def log_format_choice(args: argparse.Namespace, settings: Settings) -> bool | None:
    """JSON logs? The flag, then SESAME_LOG_JSON; None leaves it to whether stderr is a terminal."""
    if args.log_format is not None:
        return bool(args.log_format == "json")
    return settings.runtime.log_json


def tune_gc_for_serving() -> None:
    """Once the app is built, before serving: what exists now (modules, routes, settings, templates) lives as
    long as the process, so it leaves the collector's view (gc.freeze), and young objects are collected in
    larger, rarer passes. With CPython's defaults the collector's passes were the whole p99 of the SNS webhook
    through the gateway (bench/events_ingest.py at 1,500/s offered: p99 101 ms with the defaults, 13 ms tuned,
    8.7 ms with the collector off). Cycles are still collected; only the serving processes are tuned."""
    import gc

    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
