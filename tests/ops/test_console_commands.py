"""`sesame console …` as a real command on both dialects: a lost password reset (sessions logged out), a role granted."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import sqlalchemy as sa

from services.gateway.console.passwords import verify_password
from shared.db.engine import create_engine
from shared.models.console import ConsoleMembership, ConsoleUser
from shared.models.core import Project
from shared.settings import DatabaseSettings


def _sesame(db_url: str, *args: str, password: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SESAME_DATABASE_URL": db_url,
        "SESAME_BUS_URL": "memory://",
        "SESAME_ENV": "development",
    }
    if password:
        env["SESAME_NEW_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, "-m", "sesame", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_set_password_and_grant(db_url: str) -> None:
    engine = create_engine(DatabaseSettings(url=db_url))
    try:
        async with engine.begin() as conn:
            pid = (
                await conn.execute(sa.insert(Project).values(name="Acme", settings={}).returning(Project.id))
            ).scalar_one()
        res = await asyncio.to_thread(_sesame, db_url, "console", "set-password", "admin", password="short")
        assert res.returncode == 1 and "at least 10" in res.stderr
        res = await asyncio.to_thread(
            _sesame,
            db_url,
            "console",
            "set-password",
            "Ops@Example.com",
            "--operator",
            password="a long passphrase",
        )
        assert res.returncode == 0, res.stderr
        res = await asyncio.to_thread(
            _sesame, db_url, "console", "grant", "ops@example.com", str(pid), "editor"
        )
        assert res.returncode == 0 and "editor of project" in res.stderr, res.stderr
        res = await asyncio.to_thread(
            _sesame, db_url, "console", "grant", "nobody@example.com", str(pid), "owner"
        )
        assert res.returncode == 1 and "no console user" in res.stderr
        res = await asyncio.to_thread(_sesame, db_url, "console", "users")
        assert "ops@example.com operator" in res.stdout and f"{pid}:editor" in res.stdout
        async with engine.connect() as conn:
            user = (
                await conn.execute(sa.select(ConsoleUser).where(ConsoleUser.login == "ops@example.com"))
            ).one()
            role = (await conn.execute(sa.select(ConsoleMembership.role))).scalar_one()
        assert (
            user.is_operator and verify_password(user.password_hash, "a long passphrase") and role == "editor"
        )
    finally:
        await engine.dispose()
