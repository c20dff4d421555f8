"""Erasure checks: which rows of which tables still hold an address, in any text or JSON column."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from shared.models.core import ConsumedMessage
from shared.runtime import Runtime


def text_columns(table: sa.Table) -> list[sa.Column[Any]]:
    """Every column that can hold an address: strings, texts and JSON documents."""
    return [c for c in table.columns if isinstance(c.type, (sa.String, sa.JSON))]


async def rows_holding(rt: Runtime, tables: Iterable[Any], address: str) -> dict[str, list[tuple[Any, str]]]:
    """{table: [(primary key, column)]} of every row with `address` (any case) in a text or JSON column."""
    assert not set(address) & {"%", "_", "\\"}, "a plain address, so LIKE needs no escaping"
    found: dict[str, list[tuple[Any, str]]] = {}
    async with rt.sessionmaker() as session:
        for model in tables:
            table: sa.Table = getattr(model, "__table__", model)
            pk = list(table.primary_key.columns)
            for col in text_columns(table):
                rows = await session.execute(
                    sa.select(*pk).where(sa.func.lower(sa.cast(col, sa.Text)).like(f"%{address.lower()}%"))
                )
                found.setdefault(table.name, []).extend((tuple(r), col.name) for r in rows)
    return {k: v for k, v in found.items() if v}


async def consumed(rt: Runtime, consumer: str, message_id: str) -> bool:
    """Whether `consumer` recorded `message_id` as handled (its effect committed with that row)."""
    async with rt.sessionmaker() as session:
        row = await session.scalar(
            sa.select(ConsumedMessage.consumer).where(
                ConsumedMessage.consumer == consumer, ConsumedMessage.message_id == message_id
            )
        )
    return row is not None


async def wait_consumed(rt: Runtime, consumer: str, message_id: str, timeout: float = 30.0) -> None:  # noqa: ASYNC109
    """Wait until `consumer` committed its handling of `message_id`."""
    deadline = time.monotonic() + timeout
    while not await consumed(rt, consumer, message_id):
        if time.monotonic() > deadline:
            raise AssertionError(f"{consumer} did not handle {message_id} within {timeout}s")
        await asyncio.sleep(0.05)
