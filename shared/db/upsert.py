"""Dialect-aware INSERT … ON CONFLICT: Postgres and SQLite share the same builder API."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


def dialect_name(bind: AsyncSession | AsyncConnection | sa.Engine | Any) -> str:
    """'postgresql' or 'sqlite' for a session, connection or engine."""
    if isinstance(bind, AsyncSession):
        return bind.get_bind().dialect.name
    return bind.dialect.name


def insert(table: Any, bind: AsyncSession | AsyncConnection | Any) -> Any:
    """An INSERT for `table` that supports `.on_conflict_do_nothing()` / `.on_conflict_do_update()`."""
    if dialect_name(bind) == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
