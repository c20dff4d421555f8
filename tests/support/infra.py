"""Real infrastructure for tests: a fresh Postgres database or RabbitMQ vhost each, dropped afterwards.

Tests never skip when these are down: they fail, loudly, because CI must prove the distributed mode.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import uuid

import asyncpg

PG_ADMIN_DSN = os.environ.get("SESAME_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_BASE = os.environ.get("SESAME_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672")


def _asyncpg_dsn_to_sqlalchemy(dsn: str) -> str:
    return "postgresql+asyncpg://" + dsn.split("://", 1)[1]


async def create_pg_database(prefix: str = "sesame_test") -> str:
    """Create an empty database; returns its SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    return _asyncpg_dsn_to_sqlalchemy(f"{base}/{name}")


async def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _rabbitmqctl(*args: str) -> None:
    exe = shutil.which("rabbitmqctl")
    if exe is None:
        raise RuntimeError("rabbitmqctl not found: RabbitMQ must be installed for the tests")
    subprocess.run([exe, *args], check=True, capture_output=True, timeout=60)


def create_vhost() -> str:
    """A fresh RabbitMQ vhost with guest permissions; returns its amqp URL."""
    vhost = f"sesame_test_{uuid.uuid4().hex[:12]}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    return f"{AMQP_BASE}/{vhost}"


def delete_vhost(url: str) -> None:
    _rabbitmqctl("delete_vhost", url.rsplit("/", 1)[1])


def run_sync(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)
