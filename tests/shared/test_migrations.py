"""Migrations: upgrade to head and back to base on both dialects, and the models match the migrated schema."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared.db.engine import create_engine
from shared.migrate import downgrade, upgrade
from shared.models import load_all, metadata
from shared.settings import DatabaseSettings


async def _tables(url: str) -> set[str]:
    engine = create_engine(DatabaseSettings(url=url))
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda c: sa.inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def _diff(url: str) -> list:
    load_all()
    engine = create_engine(DatabaseSettings(url=url))
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": False}), metadata)
            )
    finally:
        await engine.dispose()


async def test_models_match_migrations(db_url: str) -> None:
    diff = await _diff(db_url)
    assert diff == [], f"models and migrations differ (write a migration): {diff}"


async def test_downgrade_to_base_and_up_again(db_url: str) -> None:
    assert {"projects", "outbox", "api_keys"} <= await _tables(db_url)
    await asyncio.to_thread(downgrade, db_url, "base")
    assert await _tables(db_url) <= {"alembic_version"}
    await asyncio.to_thread(upgrade, db_url)
    assert {"projects", "outbox", "api_keys"} <= await _tables(db_url)
