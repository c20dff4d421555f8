"""Sender replicas as real OS processes (`sesame serve sender`) on Postgres + RabbitMQ, and data seeding.

Shared by tests/sender/test_processes.py and the bench/sender_*.py benchmarks.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from shared.crypto import encrypt
from shared.db.engine import create_engine, create_sessionmaker
from shared.db.types import utcnow
from shared.email_address import email_hash
from shared.models.core import Project
from shared.models.sender import Campaign, SesAccount
from shared.settings import DEV_ENCRYPTION_KEY, DatabaseSettings

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SenderProcess:
    def __init__(
        self, db_url: str, amqp_url: str, exchange: str, ses_url: str, logdir: Path, name: str, **env: Any
    ) -> None:
        self.port = free_port()
        self.name = name
        self.log_path = logdir / f"{name}.log"
        self.env = {
            **os.environ,
            "SESAME_ENV": "test",
            "SESAME_LOG_JSON": "false",
            "SESAME_LOG_LEVEL": "WARNING",
            "SESAME_DATABASE_URL": db_url,
            "SESAME_DATABASE_POOL_SIZE": "4",
            "SESAME_BUS_URL": amqp_url,
            "SESAME_BUS_EXCHANGE": exchange,
            "SESAME_SENDER_SES_ENDPOINT_URL": ses_url,
            "SESAME_SENDER_WARMUP_ENABLED": "false",
            "SESAME_SENDER_DISPATCH_INTERVAL": "0.05",
            "SESAME_SENDER_SWEEP_INTERVAL": "0.5",
            "SESAME_PUBLIC_URL": "https://mail.example.org",
            **{k: str(v) for k, v in env.items()},
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sesame", "serve", "sender", "--port", str(self.port)],
            env=self.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready: {self.log_path.read_text()[-2000:]}")

    def metric(self, name: str) -> float:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=5) as r:
            total = 0.0
            for line in r.read().decode().splitlines():
                if line.startswith(name) and not line.startswith("#"):
                    total += float(line.rsplit(" ", 1)[1])
            return total

    def rss_mb(self) -> float:
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:  # type: ignore[union-attr]
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except (OSError, AttributeError):
            pass
        return 0.0

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill9()


async def seed_project(db_url: str, *, max_send_rate: float, max_24h: float = 1e9) -> int:
    """A project with an SES account (credentials under the dev key) whose quota snapshot is fresh."""
    engine = create_engine(DatabaseSettings(url=db_url))
    try:
        async with create_sessionmaker(engine)() as s, s.begin():
            p = Project(name="p", owner_email="owner@example.com", settings={})
            s.add(p)
            await s.flush()
            s.add(
                SesAccount(
                    project_id=p.id,
                    region="us-east-1",
                    credential_mode="keys",
                    access_key_id_enc=encrypt(DEV_ENCRYPTION_KEY, "AKIAIOSFODNN7EXAMPLE"),
                    secret_access_key_enc=encrypt(
                        DEV_ENCRYPTION_KEY, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
                    ),
                    from_address="News <news@example.com>",
                    max_send_rate=max_send_rate,
                    max_24h_send=max_24h,
                    sent_last_24h=0,
                    sent_since_read=0,
                    quota_read_at=utcnow(),
                    quota_source="GetAccount",
                    warmup_enabled=False,
                )
            )
            return p.id
    finally:
        await engine.dispose()


async def seed_list(
    db_url: str, project_id: int, n: int, *, domain: str = "example.org", attrs: bool = True
) -> int:
    """A list with `n` active subscribers, inserted set-based (generate_series on Postgres)."""
    engine = create_engine(DatabaseSettings(url=db_url))
    try:
        async with engine.begin() as conn:
            list_id = (
                await conn.execute(
                    sa.text(
                        "INSERT INTO lists (project_id, name, description, double_optin, form_settings, created_at, updated_at)"
                        " VALUES (:p, 'bench', '', false, '{}', now(), now()) RETURNING id"
                    ),
                    {"p": project_id},
                )
            ).scalar_one()
            await conn.execute(
                sa.text(
                    "INSERT INTO contacts (project_id, email, email_hash, attributes, created_at, updated_at)"
                    " SELECT :p, 'user' || g || '@' || :d, encode(sha256(('user' || g || '@' || :d)::bytea), 'hex'),"
                    " CASE WHEN :a THEN jsonb_build_object('first_name', 'Name' || g, 'city', 'City' || (g % 100))"
                    " ELSE '{}'::jsonb END, now(), now() FROM generate_series(1, :n) g"
                ),
                {"p": project_id, "d": f"{list_id}.{domain}", "n": n, "a": attrs},
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO subscriptions (project_id, list_id, contact_id, status, created_at, updated_at)"
                    " SELECT :p, :l, id, 'active', now(), now() FROM contacts WHERE project_id = :p"
                    " AND email LIKE '%@' || :d"
                ),
                {"p": project_id, "l": list_id, "d": f"{list_id}.{domain}"},
            )
        assert email_hash(
            "a@b.c"
        )  # same hash as shared.email_address (sha256 hex of the lower-cased address)
        return int(list_id)
    finally:
        await engine.dispose()


async def seed_campaign(
    db_url: str, project_id: int, list_id: int, *, html: str, subject: str = "Hello {{ first_name }}"
) -> int:
    engine = create_engine(DatabaseSettings(url=db_url))
    try:
        async with create_sessionmaker(engine)() as s, s.begin():
            c = Campaign(
                project_id=project_id,
                name="bench",
                subject=subject,
                html=html,
                list_ids=[list_id],
                status="draft",
            )
            s.add(c)
            await s.flush()
            return c.id
    finally:
        await engine.dispose()


async def start_campaign_now(db_url: str, campaign_id: int) -> tuple[int, float]:
    """Fan the campaign out (one INSERT … SELECT); returns (recipients, seconds)."""
    from services.sender.fanout import fan_out

    engine = create_engine(DatabaseSettings(url=db_url))
    try:
        t0 = time.perf_counter()
        async with create_sessionmaker(engine)() as s, s.begin():
            c = (await s.execute(sa.select(Campaign).where(Campaign.id == campaign_id))).scalar_one()
            c.status = "sending"
            n = await fan_out(s, c)
        return n, time.perf_counter() - t0
    finally:
        await engine.dispose()


async def campaign_counts(db_url: str, campaign_id: int) -> dict[str, int]:
    """Messages per state (an unreachable database — e.g. out of connections on a shared machine — reads as {})."""
    engine = create_engine(DatabaseSettings(url=db_url))
    try:
        return await _campaign_counts(engine, campaign_id)
    except sa.exc.DBAPIError:
        return {}
    finally:
        await engine.dispose()


async def _campaign_counts(engine: Any, campaign_id: int) -> dict[str, int]:
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.text("SELECT state, count(*) FROM messages WHERE campaign_id = :c GROUP BY state"),
                {"c": campaign_id},
            )
        ).all()
        return {r[0]: int(r[1]) for r in rows}


async def sql(db_url: str, stmt: str, params: Mapping[str, Any] | None = None) -> list[Any]:
    engine = create_engine(DatabaseSettings(url=db_url))
    try:
        async with engine.begin() as conn:
            result = await conn.execute(sa.text(stmt), dict(params or {}))
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()


class BenchInfra:
    """A migrated Postgres database, a RabbitMQ vhost and an SES stand-in process, removed on exit (benches)."""

    def __init__(self, *, rate: float | None = None, logdir: Path | None = None) -> None:
        import tempfile

        self.rate = rate
        self.logdir = logdir or Path(tempfile.mkdtemp(prefix="sesame-bench-"))
        self.procs: list[SenderProcess] = []

    async def __aenter__(self) -> BenchInfra:
        import asyncio
        import uuid

        from shared.migrate import upgrade
        from tests.support import infra

        self.db_url = await infra.create_pg_database("sesame_bench")
        await asyncio.to_thread(upgrade, self.db_url)
        self.amqp_url = await asyncio.to_thread(infra.create_vhost)
        self.exchange = f"b{uuid.uuid4().hex[:8]}"
        args = [sys.executable, "-m", "tests.support.ses_standin", "--port", "0"]
        if self.rate:
            args += ["--rate", str(self.rate)]
        self.standin = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=REPO)  # noqa: ASYNC220
        self.ses_url = self.standin.stdout.readline().decode().strip()  # type: ignore[union-attr]
        return self

    def sender(self, name: str, **env: Any) -> SenderProcess:
        p = SenderProcess(self.db_url, self.amqp_url, self.exchange, self.ses_url, self.logdir, name, **env)
        self.procs.append(p)
        return p

    def standin_stats(self, detail: bool = False) -> dict[str, Any]:
        import json

        with urllib.request.urlopen(
            self.ses_url + "/_standin/stats" + ("?detail=1" if detail else ""), timeout=30
        ) as r:
            return dict(json.loads(r.read()))

    async def __aexit__(self, *exc: Any) -> None:
        import asyncio

        from tests.support import infra

        for p in self.procs:
            p.stop()
        self.standin.terminate()
        self.standin.wait(10)
        await infra.drop_pg_database(self.db_url)
        await asyncio.to_thread(infra.delete_vhost, self.amqp_url)
