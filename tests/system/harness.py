"""The system harness: Sesame as its users meet it, over HTTP only.

`DistributedSystem` runs `sesame migrate`, then the four services as separate `sesame serve` processes (several
sender replicas) against a Postgres database and a RabbitMQ vhost — either the machine's shared ones or private
instances that fault tests may restart (tests/system/private_infra.py). `EmbeddedSystem` runs `sesame run` on a
tmp SQLite file. Both expose `gateway_url`, process handles (kill -9, restart, logs) and `peak_rss_mb()`.

The SES side is a stand-in on loopback that counts every accepted mail (`ses` attribute); the SNS side is
`tests/system/sns_standin.py`: the events service trusts its test certificate only through
SESAME_EVENTS_ALLOW_TEST_TRUST_ANCHOR. Reusable by bench/ (nothing here depends on pytest).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import subprocess
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.system.private_infra import BASE, PrivatePostgres, PrivateRabbit, free_port
from tests.system.processes import REPO, ServiceProcess, sesame_argv
from tests.system.sns_standin import SnsPoster, SnsSigner

SECRET_KEY = "system-test-secret-key-0123456789abcdef"
INTERNAL_TOKEN = "system-test-internal-token-0123456789"
KEY_RE = re.compile(r"\bses_[0-9a-f]+_[A-Za-z0-9_\-]+")


def new_run_dir(kind: str = "run") -> Path:
    """A directory for one system's logs and files, reaped with its processes if the test run dies."""
    BASE.mkdir(parents=True, exist_ok=True)
    os.chmod(BASE, 0o777)
    d = BASE / f"{kind}_{uuid.uuid4().hex[:10]}"
    d.mkdir()
    (d / "owner.pid").write_text(str(os.getpid()))
    return d


@dataclass
class Infra:
    """Where the distributed services keep state; `pg` / `rabbit` are set when the instances are private."""

    db_url: str
    amqp_url: str
    pg: PrivatePostgres | None = None
    rabbit: PrivateRabbit | None = None
    cleanups: list[Any] = field(default_factory=list)

    @classmethod
    async def shared(cls) -> Infra:
        """A fresh database on the machine's Postgres and a fresh vhost on its RabbitMQ."""
        from tests.support import infra

        db = await infra.create_pg_database("sesame_system")
        vhost = await asyncio.to_thread(infra.create_vhost)
        return cls(
            db,
            vhost,
            cleanups=[lambda: infra.delete_vhost(vhost), lambda: infra.run_sync(infra.drop_pg_database(db))],
        )

    @classmethod
    async def private(cls, *, postgres: bool = True, rabbit: bool = True) -> Infra:
        """Private instances (restartable); what is not private comes from the machine's services."""
        from tests.support import infra

        cleanups: list[Any] = []
        pg = rb = None
        if postgres:
            pg = PrivatePostgres()
            await asyncio.to_thread(pg.start)
            cleanups.append(pg.destroy)
            db = await asyncio.to_thread(pg.create_database, "sesame")
        else:
            db = await infra.create_pg_database("sesame_system")
            cleanups.append(lambda: infra.run_sync(infra.drop_pg_database(db)))
        if rabbit:
            rb = PrivateRabbit()
            await asyncio.to_thread(rb.start)
            cleanups.append(rb.destroy)
            amqp = rb.url
        else:
            amqp = await asyncio.to_thread(infra.create_vhost)
            cleanups.append(lambda: infra.delete_vhost(amqp))
        return cls(db, amqp, pg, rb, cleanups)

    async def close(self) -> None:
        for fn in reversed(self.cleanups):
            with contextlib.suppress(Exception):
                await asyncio.to_thread(fn)


class SystemBase:
    """What both modes share: the run dir, the SNS signer, HTTP helpers, project bootstrap."""

    gateway_url: str
    run_dir: Path
    base_env: dict[str, str]

    def __init__(self, run_dir: Path | None = None) -> None:
        self.run_dir = run_dir or new_run_dir()
        self.signer = SnsSigner()
        self.trust_anchor = self.signer.write_cert(self.run_dir / "sns-test-cert.pem")
        self.sns = SnsPoster()
        self.processes: list[ServiceProcess] = []

    def _common_env(self, ses_url: str | None, extra: Mapping[str, str] | None) -> dict[str, str]:
        env = {
            "SESAME_ENV": "test",
            "SESAME_LOG_JSON": "false",
            "SESAME_LOG_LEVEL": os.environ.get("SESAME_SYSTEM_LOG_LEVEL", "INFO"),
            "SESAME_SECRET_KEY": SECRET_KEY,
            "SESAME_INTERNAL_TOKEN": INTERNAL_TOKEN,
            "SESAME_SHUTDOWN_GRACE_SECONDS": "3",
            "SESAME_BUS_RETRY_DELAYS": "[0.2, 0.5, 1, 2]",
            "SESAME_BUS_CONNECT_TIMEOUT": "60",
            "SESAME_EVENTS_TEST_TRUST_ANCHOR_PEM": str(self.trust_anchor),
            "SESAME_EVENTS_ALLOW_TEST_TRUST_ANCHOR": "true",
            "SESAME_GATEWAY_AUTH_FAILURES_PER_MINUTE": "20",
            # These systems test delivery, faults and shutdown with campaigns of hundreds of mails to fresh
            # projects, which `canary: auto` would hold for its window; tests/sender/test_canary*.py test the canary.
            "SESAME_SENDER_CANARY_MIN": "1000000",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "PYTHONUNBUFFERED": "1",
        }
        if ses_url:
            env["SESAME_SENDER_SES_ENDPOINT_URL"] = ses_url
        env.update(extra or {})
        return env

    # ------------------------------------------------------------------ HTTP helpers

    def client(self, api_key: str | None = None, **kw: Any) -> httpx.AsyncClient:
        """An HTTP client on the gateway (with the API key as bearer when given)."""
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        headers.update(kw.pop("headers", {}))
        return httpx.AsyncClient(
            base_url=self.gateway_url, headers=headers, timeout=kw.pop("timeout", 30), **kw
        )

    async def sesame_cli(self, *args: str, within: float = 120) -> str:
        """Run a `sesame …` command with this system's settings; its stdout."""
        proc = await asyncio.create_subprocess_exec(
            *sesame_argv(*args),
            env={**os.environ, **self.base_env},
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), within)
        if proc.returncode != 0:
            raise RuntimeError(f"sesame {' '.join(args)} exited {proc.returncode}: {err.decode()[-2000:]}")
        return out.decode() + err.decode()

    async def create_project(self, name: str, owner_email: str | None = None) -> tuple[int | None, str]:
        """A project and its first API key via `sesame project create` (the operator's bootstrap step)."""
        args = ["project", "create", name]
        if owner_email:
            args += ["--owner-email", owner_email]
        out = await self.sesame_cli(*args)
        m = KEY_RE.search(out)
        if not m:
            raise RuntimeError(f"no API key in `sesame project create` output:\n{out}")
        pid = re.search(r"project\D{0,20}(\d+)", out, re.I)
        return (int(pid.group(1)) if pid else None), m.group(0)

    async def post_sns(self, endpoint_url: str, envelope: dict[str, Any], *, retry: bool = True) -> Any:
        return await self.sns.deliver(endpoint_url, envelope, retry=retry)

    def logs(self) -> dict[str, Path]:
        return {p.name: p.log_path for p in self.processes}

    def peak_rss_mb(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for p in self.processes:
            mb = p.peak_rss_mb()
            if mb is not None:
                out[p.name] = mb
        return out

    def grep_logs(self, pattern: str) -> list[str]:
        rx = re.compile(pattern)
        hits: list[str] = []
        for p in self.processes:
            with contextlib.suppress(FileNotFoundError):
                hits += [
                    f"{p.name}: {line}"
                    for line in p.log_path.read_text(errors="replace").splitlines()
                    if rx.search(line)
                ]
        return hits


class DistributedSystem(SystemBase):
    """subscriptions, events, N senders and the gateway as separate `sesame serve` processes."""

    def __init__(
        self,
        infra: Infra,
        *,
        ses_url: str | None = None,
        sender_replicas: int = 2,
        env: Mapping[str, str] | None = None,
        service_env: Mapping[str, Mapping[str, str]] | None = None,
        run_dir: Path | None = None,
    ) -> None:
        super().__init__(run_dir)
        self.infra = infra
        self.ports = {name: free_port() for name in ("gateway", "subscriptions", "events")}
        self.sender_ports = [free_port() for _ in range(sender_replicas)]
        self.gateway_url = f"http://127.0.0.1:{self.ports['gateway']}"
        self.base_env = self._common_env(ses_url, env)
        self.base_env.update(
            {
                "SESAME_DATABASE_URL": infra.db_url,
                "SESAME_BUS_URL": infra.amqp_url,
                "SESAME_PUBLIC_URL": self.gateway_url,
                "SESAME_SUBSCRIPTIONS_URL": f"http://127.0.0.1:{self.ports['subscriptions']}",
                "SESAME_EVENTS_URL": f"http://127.0.0.1:{self.ports['events']}",
                # The gateway reaches "the sender" through one replica; the others only work the queue.
                "SESAME_SENDER_URL": f"http://127.0.0.1:{self.sender_ports[0]}",
                "SESAME_DATABASE_POOL_SIZE": "5",
            }
        )
        service_env = service_env or {}
        pids = self.run_dir / "pids"

        def proc(name: str, service: str, port: int) -> ServiceProcess:
            env = {**self.base_env, **service_env.get(service, {}), **service_env.get(name, {})}
            return ServiceProcess(
                name, sesame_argv("serve", service, "--port", str(port)), env, port, self.run_dir, pids
            )

        self.subscriptions = proc("subscriptions", "subscriptions", self.ports["subscriptions"])
        self.events = proc("events", "events", self.ports["events"])
        self.senders = [proc(f"sender-{i}", "sender", p) for i, p in enumerate(self.sender_ports)]
        self.gateway = proc("gateway", "gateway", self.ports["gateway"])
        self.processes = [self.subscriptions, self.events, *self.senders, self.gateway]

    async def migrate(self) -> None:
        m = ServiceProcess("migrate", sesame_argv("migrate"), self.base_env, None, self.run_dir)
        await asyncio.to_thread(m.run_to_end, 180)

    async def start(self, ready_within: float = 90) -> DistributedSystem:
        await self.migrate()
        for p in self.processes:
            p.start()
        await asyncio.gather(*(p.wait_ready(ready_within) for p in self.processes))
        return self

    async def stop(self) -> None:
        await asyncio.gather(*(asyncio.to_thread(p.stop, 10) for p in self.processes))
        await self.sns.aclose()

    def sender(self, i: int = 0) -> ServiceProcess:
        return self.senders[i]


class EmbeddedSystem(SystemBase):
    """`sesame run`: all four apps in one process, SQLite file, in-process bus."""

    def __init__(
        self, *, ses_url: str | None = None, env: Mapping[str, str] | None = None, run_dir: Path | None = None
    ) -> None:
        super().__init__(run_dir)
        self.port = free_port()
        self.gateway_url = f"http://127.0.0.1:{self.port}"
        self.db_path = self.run_dir / "sesame.db"
        self.base_env = self._common_env(ses_url, env)
        self.base_env.update(
            {
                "SESAME_DATABASE_URL": f"sqlite+aiosqlite:///{self.db_path}",
                "SESAME_BUS_URL": "memory://",
                "SESAME_PUBLIC_URL": self.gateway_url,
                "SESAME_PORT": str(self.port),
            }
        )
        self.app = ServiceProcess(
            "embedded", sesame_argv("run", "--port", str(self.port)), self.base_env, self.port, self.run_dir,
            self.run_dir / "pids",
        )  # fmt: skip
        self.processes = [self.app]

    async def start(self, ready_within: float = 90) -> EmbeddedSystem:
        self.app.start()
        await self.app.wait_ready(ready_within)
        return self

    async def stop(self) -> None:
        await asyncio.to_thread(self.app.stop, 10)
        await self.sns.aclose()


# ---------------------------------------------------------------------------------------------- waiting


async def eventually(check: Any, *, within: float = 30, every: float = 0.25, what: str = "condition") -> Any:
    """Await `check()` until it returns something truthy (returned) or `within` seconds pass (AssertionError)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    last: Any = None
    while True:
        try:
            last = await check()
        except AssertionError as exc:
            last = exc
        else:
            if last:
                return last
        if loop.time() > deadline:
            raise AssertionError(f"{what} not reached within {within}s (last: {last!r})")
        await asyncio.sleep(every)


def run_cleanly(cmd: list[str], **kw: Any) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def dump_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, default=str))


class MotoSes:
    """moto's server (API fidelity: unverified senders refused with MessageRejected; raw MIME read back from
    /moto-api/data.json). moto enforces no rates and has no SESv2 GetAccount (the sender falls back to v1)."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)

    def start(self) -> MotoSes:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def verify_domain(self, domain: str) -> None:
        import boto3

        client = boto3.client(
            "sesv2", endpoint_url=self.url, region_name="us-east-1",
            aws_access_key_id="AKIASESAMESYSTEMTEST", aws_secret_access_key="system-test-secret-access-key",
        )  # fmt: skip
        client.create_email_identity(EmailIdentity=domain)

    def raw_messages(self) -> list[dict[str, Any]]:
        """Every raw message moto accepted: {id, source, destinations, raw_data}."""
        r = httpx.get(self.url + "/moto-api/data.json", timeout=10)
        r.raise_for_status()
        return list(r.json().get("ses", {}).get("RawMessage", []))
