"""Migrations: upgrade to head and back to base on both dialects, and the models match the migrated schema."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from cryptography.fernet import Fernet

from shared.crypto import decrypt
from shared.db.engine import create_engine
from shared.db.types import utcnow
from shared.migrate import downgrade, upgrade
from shared.models import load_all, metadata
from shared.models.core import Project
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
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"compare_type": False}), metadata
                )
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


async def test_plain_webhook_secrets_are_encrypted_by_the_migration(db_url: str) -> None:
    """Rows written before secrets were encrypted (plain `whsec_` values) come out encrypted with the key the
    migration was given; the downgrade gives the plain values back."""
    key = Fernet.generate_key().decode()
    await asyncio.to_thread(downgrade, db_url, "events_webhooks", encryption_key=key)
    engine = create_engine(DatabaseSettings(url=db_url))
    try:
        async with engine.begin() as conn:
            pid = (
                await conn.execute(
                    sa.insert(Project.__table__)
                    .values(name="Acme", settings={})
                    .returning(Project.__table__.c.id)
                )
            ).scalar_one()
            now = utcnow()
            for secret, previous in (("whsec_current", "whsec_before"), ("whsec_only", None)):
                await conn.execute(
                    sa.text(
                        "INSERT INTO webhook_endpoints (project_id, url, description, event_types, enabled, secret,"
                        " previous_secret, created_at, updated_at) VALUES (:pid, 'https://example.com/h', '',"
                        " '[]', true, :secret, :previous, :now, :now)"
                    ),
                    {"pid": pid, "secret": secret, "previous": previous, "now": now},
                )
        await asyncio.to_thread(upgrade, db_url, encryption_key=key)
        assert await _diff(db_url) == []
        async with engine.connect() as conn:
            rows = [
                dict(r._mapping)
                for r in await conn.execute(sa.text("SELECT * FROM webhook_endpoints ORDER BY id"))
            ]
        assert not [r for r in rows if any("whsec_" in str(v) for v in r.values())], rows
        assert [
            (
                decrypt(key, r["secret_enc"]),
                r["previous_secret_enc"] and decrypt(key, r["previous_secret_enc"]),
            )
            for r in rows
        ] == [
            ("whsec_current", "whsec_before"),
            ("whsec_only", None),
        ]
        await asyncio.to_thread(downgrade, db_url, "events_webhooks", encryption_key=key)
        async with engine.connect() as conn:
            plain = (
                await conn.execute(
                    sa.text("SELECT secret, previous_secret FROM webhook_endpoints ORDER BY id")
                )
            ).all()
        assert [tuple(r) for r in plain] == [("whsec_current", "whsec_before"), ("whsec_only", None)]
    finally:
        await engine.dispose()


def test_every_revision_message_is_one_line() -> None:
    """Alembic logs a revision's message (its docstring's first paragraph) in the 'Running upgrade' line that
    `sesame run` prints: a message broken over two lines breaks the one-line-per-record log."""
    import ast
    from pathlib import Path

    versions = Path(__file__).resolve().parents[2] / "shared" / "migrations" / "versions"
    files = sorted(versions.glob("*.py"))
    assert len(files) > 10
    broken = []
    for path in files:
        doc = ast.get_docstring(ast.parse(path.read_text()), clean=False) or ""
        if "\n" in doc.split("\n\n")[0].strip():
            broken.append(path.name)
    assert not broken, broken
