"""Service processes of the system harness: start, wait for /readyz, kill -9, stop, restart, logs to files."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SESAME = str(VENV_BIN / "sesame") if (VENV_BIN / "sesame").exists() else None


def sesame_argv(*args: str) -> list[str]:
    """`sesame …` from this venv (falls back to `python -m sesame`)."""
    return [SESAME, *args] if SESAME else [sys.executable, "-m", "sesame", *args]


class ServiceProcess:
    """One OS process (its own process group) whose output goes to `<logdir>/<name>.log`."""

    def __init__(
        self, name: str, argv: Sequence[str], env: Mapping[str, str], port: int | None, logdir: Path,
        pid_registry: Path | None = None,
    ) -> None:  # fmt: skip
        self.name = name
        self.argv = list(argv)
        self.env = dict(env)
        self.port = port
        self.log_path = logdir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self._pid_registry = pid_registry

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> None:
        if self.alive():
            return
        self.starts += 1
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it
        log.write(
            f"\n===== start #{self.starts} {time.strftime('%H:%M:%S')} {' '.join(self.argv)}\n".encode()
        )
        log.flush()
        env = {**os.environ, **self.env}
        self.proc = subprocess.Popen(
            self.argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, start_new_session=True
        )
        log.close()
        if self._pid_registry is not None:
            with open(self._pid_registry, "a") as f:
                f.write(f"{self.proc.pid}\n")

    def kill9(self) -> None:
        """SIGKILL the whole process group: no graceful shutdown, in-flight work is abandoned."""
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM (graceful), then SIGKILL after `timeout`."""
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill9()

    def run_to_end(self, timeout: float = 180) -> int:
        """Start and wait for exit (one-shot commands such as `sesame migrate`); raises with the log if it fails."""
        self.start()
        assert self.proc is not None
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill9()
            raise RuntimeError(f"{self.name} did not finish in {timeout}s:\n{self.tail()}") from None
        if rc != 0:
            raise RuntimeError(f"{self.name} exited {rc}:\n{self.tail()}")
        return rc

    def tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def peak_rss_mb(self) -> float | None:
        """Peak resident memory (VmHWM) of the process, from /proc."""
        if not self.alive():
            return None
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return None

    async def wait_ready(self, within: float = 60, path: str = "/readyz") -> None:
        """Poll `path` until 200; fails with the process log if it exits or times out."""
        deadline = time.monotonic() + within
        last = ""
        async with httpx.AsyncClient(timeout=10) as client:
            while True:
                if not self.alive():
                    raise RuntimeError(
                        f"{self.name} exited ({self.proc and self.proc.returncode}):\n{self.tail()}"
                    )
                try:
                    r = await client.get(self.url + path)
                    if r.status_code == 200:
                        return
                    last = f"{r.status_code} {r.text[:200]}"
                except httpx.HTTPError as exc:
                    last = repr(exc)
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.name} not ready after {within}s ({last}):\n{self.tail()}")
                await asyncio.sleep(0.25)

    async def restart(self, within: float = 60) -> None:
        self.stop()
        self.start()
        await self.wait_ready(within)
