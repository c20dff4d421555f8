"""Alembic, driven from code (no alembic.ini needed): `upgrade` / `downgrade` for both dialects."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str, encryption_key: str | None = None) -> Config:
    """An Alembic config pointing at shared/migrations and `url`; `encryption_key` is for migrations that
    encrypt or decrypt stored secrets (unset: SESAME_ENCRYPTION_KEY from the environment)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    if encryption_key:
        cfg.attributes["encryption_key"] = encryption_key
    return cfg


def _check_reachable(url: str) -> None:
    import asyncio

    from shared.db.engine import create_engine, ping
    from shared.runtime import StartupError
    from shared.settings import DatabaseSettings

    async def probe() -> None:
        engine = create_engine(DatabaseSettings(url=url))
        try:
            await asyncio.wait_for(ping(engine), 15)
        finally:
            await engine.dispose()

    try:
        asyncio.run(probe())
    except Exception as exc:  # noqa: BLE001
        raise StartupError(f"database unreachable: {exc}") from exc


def upgrade(url: str, revision: str = "heads", *, encryption_key: str | None = None) -> None:
    """Apply every migration branch up to `revision` (must not run on a live event loop: call from a thread)."""
    _check_reachable(url)
    command.upgrade(alembic_config(url, encryption_key), revision)


def downgrade(url: str, revision: str = "base", *, encryption_key: str | None = None) -> None:
    """Revert to `revision`."""
    command.downgrade(alembic_config(url, encryption_key), revision)
