"""The exact commands of docker-compose.yml (and the image's HEALTHCHECK), run as processes in production mode
against the real Postgres and RabbitMQ: migrate, the four services ready, health checks, graceful SIGTERM."""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sesame.services import SERVICES
from tests.ops.conftest import ROOT, read_env_file
from tests.support import infra

SESAME = [sys.executable, "-m", "sesame"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthcheck_argv() -> list[str]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    line = next(ln for ln in text.splitlines() if ln.startswith("HEALTHCHECK"))
    argv = json.loads(line[line.index("CMD") + 3 :])
    assert argv[0] == "python"
    return [sys.executable, *argv[1:]]


def _production_env(db_url: str, amqp_url: str, namespace: str, ports: dict[str, int]) -> dict[str, str]:
    """.env.example with its placeholders replaced, plus what docker-compose.yml sets, pointed at local infra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESAME_")}
    example = read_env_file(ROOT / ".env.example")
    env.update({k: v for k, v in example.items() if k.startswith("SESAME_") and k != "SESAME_IMAGE"})
    env.update(
        SESAME_SECRET_KEY=secrets.token_hex(32),
        SESAME_INTERNAL_TOKEN=secrets.token_hex(32),
        SESAME_ENCRYPTION_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        SESAME_ADMIN_PASSWORD=secrets.token_hex(16),
        SESAME_DATABASE_URL=db_url,
        SESAME_BUS_URL=amqp_url,
        SESAME_BUS_EXCHANGE=namespace,
        SESAME_HOST="127.0.0.1",
        SESAME_PUBLIC_URL=f"http://127.0.0.1:{ports['gateway']}",
        SESAME_LOG_JSON="true",
    )
    for svc in ("subscriptions", "events", "sender"):
        env[f"SESAME_{svc.upper()}_URL"] = f"http://127.0.0.1:{ports[svc]}"
    assert env["SESAME_ENV"] == "production"
    return env


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.rabbitmq
def test_compose_commands_run_in_production_mode(
    compose: dict, amqp_url: str, bus_namespace: str, tmp_path: Path
) -> None:
    db_url = infra.run_sync(infra.create_pg_database("sesame_ops"))
    ports = {svc: _free_port() for svc in SERVICES}
    env = _production_env(db_url, amqp_url, bus_namespace, ports)
    procs: dict[str, subprocess.Popen[bytes]] = {}
    try:
        migrate = compose["services"]["migrate"]["command"]
        for _ in range(2):  # a re-run (every upgrade, every `docker compose up`) is a no-op
            res = subprocess.run(
                [*SESAME, *migrate], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
            )
            assert res.returncode == 0, res.stderr[-3000:]

        for svc in SERVICES:
            cmd = list(compose["services"][svc]["command"])
            cmd[cmd.index("--port") + 1] = str(ports[svc])
            log = tmp_path / f"{svc}.log"
            procs[svc] = subprocess.Popen(
                [*SESAME, *cmd],
                cwd=ROOT,
                env={**env, "SESAME_PORT": str(ports[svc])},
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
            )

        deadline = time.monotonic() + 90
        pending = set(SERVICES)
        while pending:
            for svc in list(pending):
                assert procs[svc].poll() is None, f"{svc} exited:\n{_tail(tmp_path / f'{svc}.log')}"
                status, body = _get(f"http://127.0.0.1:{ports[svc]}/readyz")
                if status == 200:
                    assert json.loads(body)["checks"] == {"database": "ok", "bus": "ok"}
                    pending.discard(svc)
            assert time.monotonic() < deadline, f"not ready: {pending}\n" + "\n".join(
                _tail(tmp_path / f"{s}.log") for s in pending
            )
            time.sleep(0.3)

        health = _healthcheck_argv()
        for svc in SERVICES:
            assert _get(f"http://127.0.0.1:{ports[svc]}/healthz")[0] == 200
            res = subprocess.run(
                health, env={**env, "SESAME_PORT": str(ports[svc])}, capture_output=True, timeout=30
            )
            assert res.returncode == 0, res.stderr
            status, body = _get(f"http://127.0.0.1:{ports[svc]}/metrics")
            assert status == 200 and b"sesame_http_requests_total" in body
        closed = subprocess.run(
            health, env={**env, "SESAME_PORT": str(_free_port())}, capture_output=True, timeout=30
        )
        assert closed.returncode != 0, "the health check must fail when nothing answers"

        grace = float(env["SESAME_SHUTDOWN_GRACE_SECONDS"])
        for proc in procs.values():
            proc.send_signal(signal.SIGTERM)
        for svc, proc in procs.items():
            started = time.monotonic()
            try:
                rc = proc.wait(timeout=grace + 10)
            except subprocess.TimeoutExpired:
                raise AssertionError(
                    f"{svc} still running {grace + 10}s after SIGTERM:\n{_tail(tmp_path / f'{svc}.log')}"
                ) from None
            log = _tail(tmp_path / f"{svc}.log")
            # uvicorn re-raises the signal after its graceful shutdown, so "killed by SIGTERM" is a clean exit too.
            assert rc in (0, -signal.SIGTERM), f"{svc} exited {rc} on SIGTERM:\n{log}"
            assert "Application shutdown complete" in log and "Traceback" not in log, log
            assert time.monotonic() - started < grace + 5
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        infra.run_sync(infra.drop_pg_database(db_url))
