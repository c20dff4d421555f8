"""The `sesame project` and `sesame contacts import` commands against a real (SQLite and Postgres) database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from sesame.cli import main
from shared.api_keys import key_matches
from shared.db.engine import create_engine
from shared.models.core import ApiKey
from shared.settings import DatabaseSettings


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


async def test_project_create_and_contacts_import(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SESAME_DATABASE_URL", db_url)
    monkeypatch.setenv("SESAME_ENV", "test")

    def _run(*args: str) -> Result:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse refusals
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return Result(code, out.out, out.err)

    async def _sesame(_url: str, *args: str) -> Result:
        return await asyncio.to_thread(_run, *args)

    out = await _sesame(db_url, "project", "create", "Shop", "--owner-email", "owner@example.com")
    assert out.returncode == 0, out.stderr
    key = out.stdout.strip()
    assert key.startswith("ses_") and "shown once" in out.stderr
    engine = create_engine(DatabaseSettings(url=db_url))
    try:
        async with engine.begin() as conn:
            stored = (await conn.execute(sa.select(ApiKey.project_id, ApiKey.key_hash))).one()
            assert key_matches(key, stored.key_hash)
            pid = stored.project_id
            lid = (
                await conn.execute(
                    sa.text(
                        "INSERT INTO lists (project_id, name, description, double_optin, form_settings, created_at, "
                        "updated_at) VALUES (:p, 'L', '', true, '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id"
                    ),
                    {"p": pid},
                )
            ).scalar_one()
        csv_path = tmp_path / "c.csv"
        csv_path.write_text(
            "email,name\n" + "".join(f"u{i}@example.com,U{i}\n" for i in range(300)) + "broken,x\n"
        )
        errors_path = tmp_path / "errors.csv"
        args = ["contacts", "import", str(csv_path), "--project", str(pid), "--list", str(lid)]
        refused = await _sesame(db_url, *args)
        assert refused.returncode == 2 and "--consent-source" in refused.stderr
        args += ["--consent-source", "shop opt-in 2024", "--errors", str(errors_path)]
        done = await _sesame(db_url, *args)
        assert done.returncode == 0, done.stderr
        assert "completed: 301 rows, 300 imported (300 new contacts, 300 new subscriptions)" in done.stdout
        assert "1 refused" in done.stdout and errors_path.read_text().splitlines()[1].startswith(
            "302,broken,"
        )
        again = await _sesame(db_url, *args)
        assert "(0 new contacts, 0 new subscriptions)" in again.stdout
        async with engine.begin() as conn:
            n = (
                await conn.execute(sa.text("SELECT count(*) FROM subscriptions WHERE status = 'active'"))
            ).scalar()
            assert n == 300
        keys = await _sesame(db_url, "project", "keys", str(pid), "--create", "ci")
        assert keys.returncode == 0 and keys.stdout.strip().startswith("ses_")
        listing = await _sesame(db_url, "project", "keys", str(pid))
        assert listing.stdout.count("\n") == 3
        missing = await _sesame(db_url, "project", "keys", "9999")
        assert missing.returncode == 1 and "no project 9999" in missing.stderr
    finally:
        await engine.dispose()
