"""Private Postgres clusters and RabbitMQ nodes that a test may stop, kill and restart.

The machine's own Postgres (5432) and RabbitMQ (5672) are shared with every other test run: fault tests never touch
them. Each private instance lives under one directory below `BASE` with an `owner.pid` file; instances whose owner
died (a killed test run) are torn down by `reap_leftovers()` before new ones start.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

BASE = Path(tempfile.gettempdir()) / "sesame_system"
PG_BIN = Path(os.environ.get("SESAME_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
RABBIT_BIN = Path(os.environ.get("SESAME_TEST_RABBIT_BIN", "/usr/lib/rabbitmq/bin"))
KEEP_LOGS_SECONDS = 6 * 3600
RABBIT_HOME = os.environ.get("SESAME_TEST_RABBIT_HOME", "/var/lib/rabbitmq")  # where the Erlang cookie is


def free_port() -> int:
    """A TCP port nobody listens on right now (loopback)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def _as_user(user: str) -> list[str]:
    """Run as `user` when we are root (Postgres refuses root; the RabbitMQ cookie belongs to rabbitmq)."""
    return ["runuser", "-u", user, "--"] if os.geteuid() == 0 else []


def _new_dir(kind: str) -> Path:
    BASE.mkdir(parents=True, exist_ok=True)
    os.chmod(BASE, 0o777)
    d = BASE / f"{kind}_{uuid.uuid4().hex[:10]}"
    d.mkdir()
    os.chmod(d, 0o777)
    (d / "owner.pid").write_text(str(os.getpid()))
    return d


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class PrivatePostgres:
    """A throw-away Postgres 15 cluster on a free port (trust auth, fsync off)."""

    def __init__(self) -> None:
        self.dir = _new_dir("pg")
        self.data = self.dir / "data"
        self.port = free_port()
        self.log = self.dir / "postgres.log"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        subprocess.run(
            [*_as_user("postgres"), str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
             "--no-sync", "-E", "UTF8"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def _ctl(self, *args: str, timeout: float = 60) -> None:
        subprocess.run(
            [*_as_user("postgres"), str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args],
            check=True, capture_output=True, timeout=timeout,
        )  # fmt: skip

    def start(self) -> None:
        opts = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
            # synchronous_commit stays on: with it off an acknowledged COMMIT is lost by the immediate-shutdown
            # fault (WAL buffers die with the server), which would make the database — not Sesame — lose records.
            # fsync=off is safe here: a killed server's written WAL survives in the OS page cache.
            "-c max_connections=300"
        )
        self._ctl("-o", opts, "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the cluster: `fast` (clients disconnected), `immediate` (like a crash)."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self._ctl("-m", mode, "-w", "-t", "60", "stop")

    def restart(self, down_seconds: float = 0.0, mode: str = "immediate") -> None:
        self.stop(mode)
        time.sleep(down_seconds)
        self.start()

    def create_database(self, name: str | None = None) -> str:
        name = name or f"sesame_{uuid.uuid4().hex[:8]}"
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-c", f'CREATE DATABASE "{name}"'],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        return self.url(name)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRabbit:
    """A private RabbitMQ node (own node name, ports, mnesia and log dirs; no plugins)."""

    def __init__(self) -> None:
        self.dir = _new_dir("rmq")
        self.node = f"sesame_faults_{uuid.uuid4().hex[:8]}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        (self.dir / "node").write_text(self.node)
        (self.dir / "plugins").write_text("[].\n")
        (self.dir / "env.conf").write_text("")  # do not read /etc/rabbitmq/rabbitmq-env.conf (node name)
        # Our own config: /etc/rabbitmq/rabbitmq.conf binds 5672, which belongs to the machine's broker.
        (self.dir / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.port}\nloopback_users = none\n"
        )
        if os.geteuid() == 0:
            for p in self.dir.iterdir():
                shutil.chown(p, "rabbitmq")
            shutil.chown(self.dir, "rabbitmq")

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _env(self) -> list[str]:
        d = self.dir
        return [
            "env", f"HOME={RABBIT_HOME}", f"RABBITMQ_NODENAME={self.node}", f"RABBITMQ_NODE_PORT={self.port}",
            f"RABBITMQ_DIST_PORT={self.dist_port}", f"RABBITMQ_MNESIA_BASE={d}/mnesia",
            f"RABBITMQ_LOG_BASE={d}/log", f"RABBITMQ_ENABLED_PLUGINS_FILE={d}/plugins",
            f"RABBITMQ_CONFIG_FILE={d}/rabbitmq.conf", f"RABBITMQ_CONF_ENV_FILE={d}/env.conf",
            f"RABBITMQ_PID_FILE={d}/beam.pid", "ERL_EPMD_ADDRESS=127.0.0.1",
        ]  # fmt: skip

    def _ctl(
        self, *args: str, timeout: float = 180, check: bool = True
    ) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [*_as_user("rabbitmq"), *self._env(), str(RABBIT_BIN / "rabbitmqctl"), "-n", self.node, *args],
            check=check, capture_output=True, timeout=timeout, cwd=self.dir,
        )  # fmt: skip

    def start(self, timeout: float = 180) -> None:
        subprocess.run(
            [*_as_user("rabbitmq"), *self._env(), str(RABBIT_BIN / "rabbitmq-server"), "-detached"],
            check=True, capture_output=True, timeout=180, cwd=self.dir,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while not port_open(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"private RabbitMQ {self.node} did not open port {self.port}; see {self.dir}/log"
                )
            time.sleep(0.3)
        self._ctl("await_startup", "--timeout", str(int(timeout)))

    def stop(self) -> None:
        self._ctl("stop", check=False)
        deadline = time.monotonic() + 30
        while port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.2)
        self._kill_beam()

    def _kill_beam(self) -> None:
        pidfile = self.dir / "beam.pid"
        with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
            os.kill(int(pidfile.read_text().strip()), signal.SIGKILL)

    def restart(self, down_seconds: float = 0.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def _reap_dir(d: Path) -> None:
    if d.name.startswith("pg_") and (d / "data" / "postmaster.pid").exists():
        with contextlib.suppress(Exception):
            subprocess.run(
                [*_as_user("postgres"), str(PG_BIN / "pg_ctl"), "-D", str(d / "data"), "-m", "immediate", "stop"],
                capture_output=True, timeout=60,
            )  # fmt: skip
    if d.name.startswith("rmq_") and (d / "node").exists():
        node = (d / "node").read_text().strip()
        with contextlib.suppress(Exception):
            subprocess.run(
                [*_as_user("rabbitmq"), "env", f"HOME={RABBIT_HOME}", str(RABBIT_BIN / "rabbitmqctl"), "-n", node,
                 "stop"],
                capture_output=True, timeout=60,
            )  # fmt: skip
        with contextlib.suppress(Exception):
            os.kill(int((d / "beam.pid").read_text().strip()), signal.SIGKILL)
    if d.name.startswith("run_"):
        # A system's processes die with it; its logs stay for a few hours for whoever investigates a failure.
        if (d / "pids").exists():
            for line in (d / "pids").read_text().split():
                with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
                    os.killpg(int(line), signal.SIGKILL)
            (d / "pids").unlink()
        if time.time() - d.stat().st_mtime < KEEP_LOGS_SECONDS:
            return
    shutil.rmtree(d, ignore_errors=True)


def reap_leftovers() -> list[str]:
    """Tear down private instances and service processes left by test runs that died; returns what was reaped."""
    reaped: list[str] = []
    if not BASE.is_dir():
        return reaped
    for d in BASE.iterdir():
        owner = d / "owner.pid"
        try:
            pid = int(owner.read_text().strip())
        except (FileNotFoundError, ValueError):
            pid = 0
        if pid and _pid_alive(pid):
            continue
        _reap_dir(d)
        reaped.append(d.name)
    return reaped
