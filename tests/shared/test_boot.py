"""Every service boots and answers /readyz in both modes; startup errors are one clear line, never a traceback."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from sesame.embedded import create_embedded_app
from sesame.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sesame_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESAME_")}
    env.update(SESAME_ENV="test", SESAME_LOG_JSON="true", SESAME_SHUTDOWN_GRACE_SECONDS="5", **extra)
    env["PYTHONPATH"] = str(ROOT)
    return env


def start_sesame(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "sesame", *args],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def wait_ready(proc: subprocess.Popen[bytes], port: int, within: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                _, err = proc.communicate()
                raise AssertionError(f"exited with {proc.returncode} before ready:\n{err.decode()[-3000:]}")
            try:
                r = await client.get(f"http://127.0.0.1:{port}/readyz")
                if r.status_code == 200:
                    return r.json()  # type: ignore[no-any-return]
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    proc.terminate()
    _, err = proc.communicate(timeout=30)
    raise AssertionError(f"{proc.args!r}: /readyz not 200 within {within}s:\n{err.decode()[-3000:]}")


def stop_cleanly(proc: subprocess.Popen[bytes]) -> str:
    """SIGTERM, then the process must exit 0 on its own (graceful shutdown)."""
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("did not exit within 20 s of SIGTERM") from None
    text = err.decode()
    assert_clean_exit(proc, text)
    return text


def assert_clean_exit(proc: subprocess.Popen[bytes], text: str, name: str = "") -> None:
    """Graceful: lifespan shutdown ran to the end, no traceback. uvicorn re-raises the SIGTERM it caught once
    shutdown is complete, so the exit status is 0 or 'terminated by SIGTERM' (143 to a shell)."""
    assert proc.returncode in (0, -signal.SIGTERM), f"{name} exit code {proc.returncode}:\n{text[-3000:]}"
    assert "Application shutdown complete" in text, f"{name}:\n{text[-3000:]}"
    assert "Traceback" not in text and '"level": "ERROR"' not in text, f"{name}:\n{text[-3000:]}"


async def test_embedded_app_readyz_for_all_four(sqlite_url: str, settings_for: Any) -> None:
    app = create_embedded_app(settings_for(sqlite_url))
    async with app.router.lifespan_context(app):
        apps = {"gateway": app, **app.state.embedded_apps}
        assert set(apps) == set(SERVICES)
        for name, sub in apps.items():
            transport = httpx.ASGITransport(app=sub)
            async with httpx.AsyncClient(transport=transport, base_url="http://embedded") as client:
                r = await client.get("/readyz")
                assert r.status_code == 200, (name, r.text)
                assert r.json() == {"status": "ready", "checks": {"database": "ok", "bus": "ok"}}
                assert (await client.get("/healthz")).json()["service"] == name
                # The embedded mode shares one runtime (one engine, one in-process bus).
                assert sub.state.runtime is app.state.runtime
    # After the lifespan, the shared runtime is closed.
    with pytest.raises(ConnectionError):
        await app.state.runtime.bus.ping()


@pytest.mark.slow
async def test_sesame_run_serves_embedded_mode(tmp_path: Path) -> None:
    port = free_port()
    env = sesame_env(SESAME_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/run.db")
    proc = start_sesame(["run", "--port", str(port)], env, tmp_path)
    try:
        body = await wait_ready(proc, port)
        assert body["checks"] == {"database": "ok", "bus": "ok"}
    finally:
        if proc.poll() is None:
            err = stop_cleanly(proc)
            assert f"http://127.0.0.1:{port}/" in err  # it says where to open it
    assert (tmp_path / "run.db").exists()


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.rabbitmq
async def test_distributed_services_boot_and_stop_cleanly(pg_url: str, amqp_url: str, tmp_path: Path) -> None:
    env = sesame_env(
        SESAME_DATABASE_URL=pg_url,
        SESAME_BUS_URL=amqp_url,
        SESAME_BUS_EXCHANGE=f"boot{uuid.uuid4().hex[:8]}",
        SESAME_BUS_CONNECT_TIMEOUT="10",
        SESAME_DATABASE_POOL_SIZE="2",  # four processes on a shared test server
    )
    ports = {name: free_port() for name in SERVICES}
    env.update(
        SESAME_SUBSCRIPTIONS_URL=f"http://127.0.0.1:{ports['subscriptions']}",
        SESAME_EVENTS_URL=f"http://127.0.0.1:{ports['events']}",
        SESAME_SENDER_URL=f"http://127.0.0.1:{ports['sender']}",
    )
    procs = {
        name: start_sesame(["serve", name, "--port", str(ports[name])], env, tmp_path) for name in SERVICES
    }
    try:
        bodies = await asyncio.gather(*(wait_ready(procs[n], ports[n]) for n in SERVICES))
        for body in bodies:
            assert body["checks"] == {"database": "ok", "bus": "ok"}
    except BaseException:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
            proc.communicate()
        raise
    for proc in procs.values():
        proc.send_signal(signal.SIGTERM)
    # Normally a second. The bound: the grace (5 s here) for consumers to drain, then the bus's own close deadline
    # (all consumers together, 10 s) and the connection close — a stop that ignores its deadlines fails.
    for name, proc in procs.items():
        try:
            _, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            raise AssertionError(f"{name} did not exit within 30 s of SIGTERM:\n{err.decode()[-3000:]}") from None
        assert_clean_exit(proc, err.decode(), name)


def run_failing(args: list[str], env: dict[str, str], cwd: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "sesame", *args], env=env, cwd=cwd, capture_output=True, timeout=60
    )
    err = proc.stderr.decode()
    assert proc.returncode != 0, err
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    assert lines[0].startswith("sesame: error: "), lines[0]
    return lines[0]


@pytest.mark.parametrize("command", [["serve", "subscriptions"], ["run"]])
def test_bad_database_url_scheme_is_one_line(command: list[str], tmp_path: Path) -> None:
    line = run_failing(
        [*command, "--port", str(free_port())],
        sesame_env(SESAME_DATABASE_URL="mysql://root@localhost/x"),
        tmp_path,
    )
    assert "database url must be" in line


def test_bad_bus_url_scheme_is_one_line(tmp_path: Path) -> None:
    line = run_failing(
        ["serve", "events", "--port", str(free_port())],
        sesame_env(SESAME_BUS_URL="kafka://broker:9092"),
        tmp_path,
    )
    assert "bus url must be" in line


@pytest.mark.postgres
def test_postgres_unreachable_is_one_line(tmp_path: Path) -> None:
    env = sesame_env(SESAME_DATABASE_URL="postgresql+asyncpg://postgres:hunter2@127.0.0.1:1/sesame")
    line = run_failing(["serve", "sender", "--port", str(free_port())], env, tmp_path)
    assert "database unreachable at postgresql+asyncpg://postgres:***@127.0.0.1:1/sesame" in line
    assert "hunter2" not in line


@pytest.mark.rabbitmq
async def test_broker_unreachable_is_one_line(pg_url: str, tmp_path: Path) -> None:
    env = sesame_env(
        SESAME_DATABASE_URL=pg_url,
        SESAME_BUS_URL="amqp://guest:guest@127.0.0.1:1/",
        SESAME_BUS_CONNECT_TIMEOUT="2",
    )
    started = time.monotonic()
    line = await asyncio.to_thread(
        run_failing, ["serve", "gateway", "--port", str(free_port())], env, tmp_path
    )
    assert "message bus unreachable: RabbitMQ unreachable at amqp://guest:***@127.0.0.1:1/ after 2s" in line
    assert time.monotonic() - started >= 2  # it kept retrying for the connect timeout


@pytest.mark.postgres
def test_missing_postgres_database_is_one_line(tmp_path: Path) -> None:
    """SQLAlchemy's errors carry a second 'Background on this error' line: still one line on stderr."""
    env = sesame_env(
        SESAME_DATABASE_URL=f"postgresql+asyncpg://postgres@127.0.0.1:5432/nope_{uuid.uuid4().hex[:8]}"
    )
    line = run_failing(["serve", "events", "--port", str(free_port())], env, tmp_path)
    assert "database unreachable at postgresql+asyncpg://postgres@127.0.0.1:5432/nope_" in line
    assert "does not exist" in line
