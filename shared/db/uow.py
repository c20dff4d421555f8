"""One unit of work per request or message: the caller's context commits or rolls back, nothing else does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db.upsert import dialect_name, insert
from shared.models.core import ConsumedMessage


@asynccontextmanager
async def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession], on_commit: Callable[[], None] | None = None
) -> AsyncIterator[AsyncSession]:
    """A session in a transaction: committed when the block ends, rolled back if it raises."""
    async with sessionmaker() as session:
        async with session.begin():
            yield session
        if on_commit is not None and session.info.pop("outbox_dirty", False):
            on_commit()


_FIRST: dict[str, Any] = {}


async def first_delivery(session: AsyncSession, consumer: str, message_id: str) -> bool:
    """Record that `consumer` handles `message_id` in this transaction; False if it already did (skip it)."""
    name = dialect_name(session)
    stmt = _FIRST.get(name)
    if stmt is None:  # built once per dialect, run with parameters (every consumed message passes here)
        stmt = _FIRST[name] = insert(ConsumedMessage.__table__, session).on_conflict_do_nothing(
            index_elements=["consumer", "message_id"]
        )
    result = await session.execute(stmt, {"consumer": consumer, "message_id": message_id})
    return bool(getattr(result, "rowcount", 0))


