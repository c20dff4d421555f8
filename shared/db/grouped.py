"""Concurrent requests' rows written by one statement: the hot paths' grouped autocommit writes (Postgres).

A request queues its row and waits for its own outcome; one writer task writes whatever queued while its previous
statement ran, as one multi-row statement (`INSERT … SELECT FROM unnest(…)`). Under load a statement carries tens
of rows; a lone row goes at once, with no added wait. One statement per request had made every request wait for a
pooled connection and pay a statement's overhead in the process and in Postgres (the SNS inbox:
services/events/inbox_writer.py; a new address's signup: services/subscriptions/first_signup.py).

`write(rows)` returns one outcome per row, in order. A statement that fails is retried row by row, so a refused row
(a NUL byte, text that is not Unicode, a lost race on a unique key) fails only its own request, with the error the
single-row statement gives. A request that goes away leaves its row to be written; the process stopping cancels
the requests still waiting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

R = TypeVar("R")
T = TypeVar("T")


class GroupedWrites(Generic[R, T]):
    def __init__(
        self, write: Callable[[list[R]], Awaitable[list[T]]], *, name: str, max_rows: int = 500
    ) -> None:
        self._write_rows = write
        self._name = name
        self._max_rows = max_rows
        self._queue: list[tuple[R, asyncio.Future[T]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, row: R) -> T:
        """Write one row (grouped with whatever else is queued); its outcome, or the error its own write gave."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[T] = loop.create_future()
        self._queue.append((row, fut))
        if self._writer is None or self._writer.done():
            self._writer = loop.create_task(self._write_queued(), name=self._name)
        return await fut

    async def _write_queued(self) -> None:
        batch: list[tuple[R, asyncio.Future[T]]] = []
        try:
            while self._queue:
                batch, self._queue = self._queue[: self._max_rows], self._queue[self._max_rows :]
                await self._write(batch)
                batch = []
        finally:
            # Cancelled (the process stops) or failed unexpectedly: no request is left waiting.
            for _, fut in batch:
                if not fut.done():
                    fut.cancel()

    async def _write(self, batch: list[tuple[R, asyncio.Future[T]]]) -> None:
        try:
            outcomes = await self._write_rows([row for row, _ in batch])
        except Exception as exc:  # noqa: BLE001 - decided row by row below
            if len(batch) == 1:
                _settle(batch[0][1], exc=exc)
                return
            for row, fut in batch:  # each row on its own: only a refused row fails its request
                try:
                    (one,) = await self._write_rows([row])
                except Exception as row_exc:  # noqa: BLE001 - that request's own error
                    _settle(fut, exc=row_exc)
                else:
                    _settle(fut, one)
            return
        for (_, fut), outcome in zip(batch, outcomes, strict=True):
            _settle(fut, outcome)


def _settle(fut: asyncio.Future[T], result: T | None = None, *, exc: BaseException | None = None) -> None:
    if fut.done():  # its request went away meanwhile
        return
    if exc is not None:
        fut.set_exception(exc)
    else:
        fut.set_result(result)  # type: ignore[arg-type]
