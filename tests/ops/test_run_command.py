"""`sesame run` as a real process on a fresh SQLite: the first-run block once the port answers, mail links that
follow --port, log lines as JSON or text, a taken port as one line."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pty
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import httpx
import pytest

from sesame.commands._serving import local_url
from sesame.commands.run import first_run_text
from shared.settings import SecuritySettings, Settings
from tests.gateway.embedded import CONFIRM_RE, captured_mail, mail_text
from tests.ops.conftest import ROOT

TEXT_LINE = re.compile(r"\d\d:\d\d:\d\d (DEBUG|INFO |WARNING|ERROR|CRITICAL) +\S+: .*")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No SESAME_ variable from the outside (no SESAME_PUBLIC_URL, no SESAME_LOG_JSON): the defaults under test."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("SESAME_")}
    env.update(
        SESAME_ENV="test",
        SESAME_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/run.db",
        SESAME_SHUTDOWN_GRACE_SECONDS="5",
        SESAME_SENDER_SWEEP_INTERVAL="0.5",  # campaigns finish within a second of their last mail
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Run:
    """`sesame run` with its stderr read line by line as it comes (a pipe, or a terminal when `tty`)."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path, *, tty: bool = False) -> None:
        self.port = int(args[args.index("--port") + 1])
        self.lines: list[str] = []
        self.banner = threading.Event()
        self.accepting_at_banner: bool | None = None
        master = slave = -1
        if tty:
            master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sesame", "run", *args],
            env=env,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=slave if tty else subprocess.PIPE,
        )
        if tty:
            os.close(slave)
            stream: IO[bytes] = os.fdopen(master, "rb", buffering=0)
        else:
            assert self.proc.stderr is not None
            stream = self.proc.stderr
        self._reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[bytes]) -> None:
        # A terminal's master end reports EIO once the child is gone.
        with contextlib.suppress(OSError), stream:
            for raw in iter(stream.readline, b""):
                line = raw.decode(errors="replace").rstrip("\r\n")
                if "Console" in line and "/admin" in line and not self.banner.is_set():
                    # Checked the moment the line is read: printed before the port is served, this is refused.
                    self.accepting_at_banner = accepts(self.port)
                    self.banner.set()
                self.lines.append(line)

    def wait_banner(self, within: float = 90.0) -> str:
        deadline = time.monotonic() + within
        while not self.banner.wait(0.2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError("no first-run block:\n" + "\n".join(self.lines[-60:]))
        time.sleep(0.1)  # the rest of the block
        start = next(i for i, line in enumerate(self.lines) if line.startswith("Sesame is running"))
        end = next(i for i in range(start, len(self.lines)) if self.lines[i].startswith("Stop with"))
        return "\n".join(self.lines[start : end + 1])

    def stop(self) -> list[str]:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(timeout=10)
        assert self.proc.returncode in (0, -signal.SIGTERM), "\n".join(self.lines[-60:])
        return self.lines

    def log_lines(self, block: str) -> list[str]:
        """Every stderr line that is not the first-run block."""
        skip = set(block.splitlines())
        return [line for line in self.lines if line.strip() and line not in skip]


def _sesame(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sesame", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
async def test_first_run_block_once_the_port_answers_and_mail_links_use_the_port(tmp_path: Path) -> None:
    port = free_port()
    env = run_env(tmp_path)
    run = Run(["--port", str(port)], env, tmp_path)
    try:
        block = await asyncio.to_thread(run.wait_banner)
        assert run.accepting_at_banner is True, "the block was printed before the port accepted connections"
        base = f"http://127.0.0.1:{port}"
        assert f"Console   {base}/admin" in block
        assert f"API docs  {base}/docs" in block
        assert 'user admin, password "admin": the development default' in block
        assert "SESAME_ADMIN_PASSWORD" in block and "first login" in block
        assert "sandbox" in block and "Outbox" in block
        assert f"Links in mail point to {base} (SESAME_PUBLIC_URL)" in block

        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            assert (await client.get("/readyz")).status_code == 200  # ready at once, no retry needed
            assert (await client.get("/admin/login")).status_code == 200

            made = await asyncio.to_thread(_sesame, env, tmp_path, "project", "create", "Acme")
            assert made.returncode == 0, made.stderr
            key = made.stdout.strip()
            auth = {"Authorization": f"Bearer {key}"}
            r = await client.post("/v1/lists", json={"name": "News"}, headers=auth)
            assert r.status_code == 201, r.text
            list_id = r.json()["id"]
            r = await client.post(
                "/v1/subscriptions", json={"list_id": list_id, "email": "ann@example.com"}, headers=auth
            )
            assert r.status_code == 201 and r.json()["status"] == "pending", r.text

            # The confirmation mail the sandbox captured links to this very process, and the link works.
            mail = await captured_mail(client, key, "ann@example.com", subject_has="Confirm")
            link = CONFIRM_RE.search(mail_text(mail))
            assert link is not None and link.group(0).startswith(f"{base}/confirm/"), mail_text(mail)
            r = await client.post(link.group(0))
            assert r.status_code == 200 and "Subscription confirmed" in r.text

            r = await client.post(
                "/v1/campaigns",
                json={
                    "name": "Nov",
                    "list_ids": [list_id],
                    "subject": "November",
                    "html": "<p>Hi</p>",
                    "send_now": True,
                },
                headers=auth,
            )
            assert r.status_code == 201, r.text
            await captured_mail(client, key, "ann@example.com", subject_has="November")
            deadline = time.monotonic() + 20
            while not any("finished (sent)" in line for line in run.lines):
                assert time.monotonic() < deadline, "no campaign-finished line:\n" + "\n".join(
                    run.lines[-30:]
                )
                await asyncio.sleep(0.2)
    finally:
        lines = run.stop()

    # Not a terminal, nothing asked: every log line is one JSON object.
    records = []
    for line in run.log_lines(block):
        assert line.startswith("{"), f"not JSON: {line!r}\n" + "\n".join(lines[-40:])
        records.append(json.loads(line))
    assert any(r["message"] == "Application startup complete." for r in records)
    domain = [r["message"] for r in records if r["logger"] == "sesame.domain"]
    assert any(
        re.fullmatch(rf"subscription confirmed: contact \d+ on list {list_id} \(project \d+\)", m)
        for m in domain
    ), domain
    assert any(
        re.fullmatch(r'campaign \d+ "Nov" started: 1 recipients \(project \d+\)', m) for m in domain
    ), domain
    assert any(
        re.fullmatch(r'campaign \d+ "Nov" finished \(sent\): 1 sent \(project \d+\)', m) for m in domain
    ), domain
    assert not any("ann@example.com" in m for m in domain)
    assert len(domain) == 3, domain  # not a line per mail: the confirmation and the campaign mail have none


@pytest.mark.slow
@pytest.mark.parametrize(
    ("tty", "flag", "expect"),
    [
        (True, [], "text"),  # a person at a terminal
        (False, ["--log-format", "text"], "text"),  # asked for, though stderr is a pipe
        (True, ["--log-format", "json"], "json"),  # asked for, though stderr is a terminal
    ],
    ids=["terminal", "pipe-text", "terminal-json"],
)
def test_log_format_follows_the_terminal_unless_asked(
    tty: bool, flag: list[str], expect: str, tmp_path: Path
) -> None:
    port = free_port()
    run = Run(["--port", str(port), *flag], run_env(tmp_path), tmp_path, tty=tty)
    try:
        block = run.wait_banner()
        assert f"http://127.0.0.1:{port}/admin" in block
    finally:
        run.stop()
    lines = run.log_lines(block)
    assert any("Application startup complete." in line for line in lines), lines
    for line in lines:
        if expect == "text":
            assert TEXT_LINE.fullmatch(line) and not line.lstrip().startswith("{"), line
        else:
            json.loads(line)
    if expect == "text":
        assert any(
            re.fullmatch(r"\d\d:\d\d:\d\d INFO  uvicorn: Application startup complete\.", x) for x in lines
        )


@pytest.mark.parametrize("command", [["run"], ["serve", "events"]])
def test_a_taken_port_is_one_line_and_a_failure(command: list[str], tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = _sesame(run_env(tmp_path), tmp_path, *command, "--port", str(port))
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines == [
        f"sesame: error: port {port} is already in use on 127.0.0.1 (another Sesame?): choose one with --port"
    ], done.stderr
    assert not (tmp_path / "run.db").exists()  # refused before migrating anything


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:9000"),
        ("0.0.0.0", "http://localhost:9000"),  # bound everywhere: a browser on this machine uses localhost
        ("::", "http://localhost:9000"),
        ("::1", "http://[::1]:9000"),
        ("192.0.2.10", "http://192.0.2.10:9000"),
        ("mail.internal", "http://mail.internal:9000"),
    ],
)
def test_local_url(host: str, url: str) -> None:
    assert local_url(host, 9000) == url


def test_block_with_an_own_admin_password_does_not_show_it() -> None:
    settings = Settings()
    settings.security = SecuritySettings(admin_password="correct horse battery staple")
    text = first_run_text(settings, "http://localhost:8080", bound="0.0.0.0:8080")
    assert "listening on 0.0.0.0:8080 (all interfaces)" in text
    assert "Console   http://localhost:8080/admin" in text
    assert "the value of SESAME_ADMIN_PASSWORD" in text and "development default" not in text
    assert "correct horse" not in text


@pytest.mark.slow
def test_an_explicit_public_url_is_kept(tmp_path: Path) -> None:
    port = free_port()
    env = run_env(tmp_path, SESAME_PUBLIC_URL="https://mail.example.org/")
    run = Run(["--port", str(port)], env, tmp_path)
    try:
        block = run.wait_banner()
    finally:
        run.stop()
    assert f"Console   http://127.0.0.1:{port}/admin" in block  # the console is still here
    assert "Links in mail point to https://mail.example.org (SESAME_PUBLIC_URL)" in block
