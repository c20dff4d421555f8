"""Fixtures on the real parts: a migrated database on both dialects, RabbitMQ vhosts, runtimes."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from shared.migrate import upgrade
from tests.support import infra
from tests.support.settings import make_settings

os.environ.setdefault("SESAME_ENV", "test")
# Processes the tests start (services, the CLI) import this checkout's code, not the checkout the venv's editable
# install points at (a git worktree shares the main checkout's venv).
_CHECKOUT = str(Path(__file__).resolve().parents[1])
if os.environ.get("PYTHONPATH", "").split(os.pathsep)[0] != _CHECKOUT:
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [_CHECKOUT, os.environ.get("PYTHONPATH")]))
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """../shared/reference (AWS/RFC facts and real signed samples)."""
    assert REFERENCE.is_dir(), f"reference material missing at {REFERENCE}"
    return REFERENCE


@pytest.fixture(scope="session")
def amqp_url() -> Iterator[str]:
    """A RabbitMQ vhost for this test session (deleted afterwards)."""
    url = infra.create_vhost()
    yield url
    infra.delete_vhost(url)


@pytest.fixture
def bus_namespace() -> str:
    """A unique exchange/queue prefix per test."""
    return f"t{uuid.uuid4().hex[:10]}"


async def _new_db(dialect: str, tmp_path: Path) -> str:
    if dialect == "postgres":
        url = await infra.create_pg_database()
    else:
        url = f"sqlite+aiosqlite:///{tmp_path}/sesame-{uuid.uuid4().hex[:8]}.db"
    await asyncio.to_thread(upgrade, url)
    return url


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A freshly migrated database, once on SQLite and once on the real Postgres."""
    url = await _new_db(request.param, tmp_path)
    yield url
    if request.param == "postgres":
        await infra.drop_pg_database(url)


@pytest.fixture
async def pg_url(tmp_path: Path) -> AsyncIterator[str]:
    """A freshly migrated database on the real Postgres only."""
    url = await _new_db("postgres", tmp_path)
    yield url
    await infra.drop_pg_database(url)


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    return await _new_db("sqlite", tmp_path)


@pytest.fixture
def settings_for():  # type: ignore[no-untyped-def]
    """settings_for(db_url, bus_url='memory://', **runtime) → Settings."""
    return make_settings
