"""`sesame status` and `sesame deadletters`: on the in-process bus, then as commands against the real RabbitMQ."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest

from sesame.cli import main
from sesame.commands.deadletters import list_dead, replay
from sesame.commands.status import (
    Status,
    known_queues,
    outbox_status,
    project_status,
    queue_status,
    render_text,
)
from sesame.services import SERVICES
from shared.bus.memory import MemoryBus
from shared.bus.protocol import Envelope, OutgoingMessage, PermanentError, QueueSpec
from shared.db.engine import create_engine
from shared.db.types import utcnow
from shared.settings import BusSettings, DatabaseSettings
from tests.ops.conftest import ROOT


async def _wait_for(predicate, within: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + within
    while not await predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.05)


async def _dead_letter(bus, queue: QueueSpec, n: int) -> None:  # type: ignore[no-untyped-def]
    async def refuse(env: Envelope) -> None:
        raise PermanentError(f"cannot handle {env.payload['n']}")

    consumer = await bus.consume(queue, refuse)
    await bus.publish_many(
        [OutgoingMessage("ops.work.x", {"n": i}, f"m{i}-{uuid.uuid4().hex[:6]}") for i in range(n)]
    )

    async def all_dead() -> bool:
        return len(await bus.dead_letters(queue.name)) == n

    await _wait_for(all_dead)
    await consumer.stop()


def test_known_queues_are_the_services_consumers() -> None:
    import importlib

    expected = {"extra.queue"}
    for svc in SERVICES:
        expected |= {
            q.name for q, _ in importlib.import_module(f"services.{svc}.app").service_spec().consumers
        }
    assert known_queues(["extra.queue"]) == sorted(expected)


async def test_status_and_replay_on_the_memory_bus() -> None:
    bus = MemoryBus(BusSettings(retry_delays=[0.01]), namespace="ops")
    await bus.start()
    queue = QueueSpec("ops.work", ["ops.work.*"])
    try:
        await _dead_letter(bus, queue, 3)
        (qs,) = await queue_status(bus, ["ops.work"])
        assert (qs.ready, qs.dead, qs.dead_capped) == (0, 3, False)
        text = render_text(Status(bus="memory", queues=[qs], projects=[{"project_id": 7, "name": "Acme"}]))
        assert "ops.work  0      3" in text and "7           Acme" in text
        items = await list_dead(bus, "ops.work")
        assert sorted(i["payload"]["n"] for i in items) == [0, 1, 2]
        assert all("cannot handle" in i["reason"] and i["routing_key"] == "ops.work.x" for i in items)

        assert await replay(bus, ["ops.work"]) == {"ops.work": 3}
        (qs,) = await queue_status(bus, ["ops.work"])
        assert (qs.ready, qs.dead) == (3, 0)
        seen: list[int] = []

        async def accept(env: Envelope) -> None:
            seen.append(env.payload["n"])

        consumer = await bus.consume(queue, accept)

        async def drained() -> bool:
            return len(seen) == 3

        await _wait_for(drained)
        await consumer.stop()
        assert sorted(seen) == [0, 1, 2]
    finally:
        await bus.close()


def _filler(column):  # type: ignore[no-untyped-def]
    """A value for a NOT NULL column the test does not care about (the services' schemas keep evolving)."""
    import sqlalchemy as sa

    t = column.type
    if isinstance(t, sa.Boolean):
        return False
    if isinstance(t, sa.Integer | sa.Float | sa.Numeric):
        return 0
    if isinstance(t, sa.DateTime):
        return utcnow()
    if isinstance(t, sa.JSON):
        return {}
    return "x"


async def _insert(conn, table, **values):  # type: ignore[no-untyped-def]
    """Insert one row through the reflected table, filling required columns the test leaves out."""
    for col in table.columns:
        if col.name in values or col.nullable or col.server_default is not None:
            continue
        if col.primary_key and col.autoincrement in (True, "auto") and len(table.primary_key.columns) == 1:
            continue
        values[col.name] = _filler(col)
    result = await conn.execute(table.insert().values(**values))
    return result.inserted_primary_key[0] if result.inserted_primary_key else None


async def _seed(db_url: str) -> int:
    """A project with an SES account near its daily quota, paused marketing, a guard warning; 2 unpublished rows."""
    import sqlalchemy as sa

    engine = create_engine(DatabaseSettings(url=db_url))
    md = sa.MetaData()
    names = ["projects", "ses_accounts", "sender_project_state", "project_guards", "outbox"]
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: md.reflect(c, only=names))
            t = md.tables
            now = utcnow()
            project_id = await _insert(conn, t["projects"], name="Acme", settings={}, created_at=now)
            await _insert(conn, t["projects"], name="Deleted", settings={}, created_at=now, deleted_at=now)
            await _insert(
                conn,
                t["ses_accounts"],
                project_id=project_id,
                region="eu-west-1",
                max_send_rate=14.0,
                max_24h_send=50000.0,
                sent_last_24h=40000.0,
                sending_enabled=True,
            )
            await _insert(
                conn,
                t["sender_project_state"],
                project_id=project_id,
                marketing_paused=True,
                transactional_paused=False,
                reason="guard",
            )
            await _insert(conn, t["project_guards"], project_id=project_id, state="warning")
            for created, published in ((now - timedelta(minutes=10), None), (now, None), (now, now)):
                await _insert(
                    conn,
                    t["outbox"],
                    message_id=uuid.uuid4().hex,
                    routing_key="x.y",
                    payload={},
                    headers={},
                    created_at=created,
                    published_at=published,
                    attempts=0,
                )
            return int(project_id)
    finally:
        await engine.dispose()


async def test_outbox_backlog_and_project_quota(db_url: str) -> None:
    project_id = await _seed(db_url)
    engine = create_engine(DatabaseSettings(url=db_url))
    try:
        outbox = await outbox_status(engine)
        assert outbox.unpublished == 2
        assert outbox.oldest_age_seconds is not None and 500 < outbox.oldest_age_seconds < 3600
        (p,) = await project_status(engine)  # the deleted project is left out
    finally:
        await engine.dispose()
    assert p["project_id"] == project_id and p["name"] == "Acme" and p["region"] == "eu-west-1"
    assert p["max_send_rate"] == 14.0 and p["max_24h_send"] == 50000.0
    assert p["quota_used_pct"] == pytest.approx(80.0, abs=0.5)
    assert p["marketing_paused"] is True and not p["transactional_paused"]
    assert p["guard_state"] == "warning"


def _sesame(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("SESAME_")} | env
    return subprocess.run(
        [sys.executable, "-m", "sesame", *args],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _in_process(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *argv: str) -> int:
    """Run a command the way main() does, in this process (imports already warm), with `env` as settings."""
    for key in [k for k in os.environ if k.startswith("SESAME_") and k != "SESAME_ENV"]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return main(list(argv))


def test_deadletters_refuses_the_in_process_bus(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"SESAME_DATABASE_URL": sqlite_url, "SESAME_BUS_URL": "memory://"}
    for argv in (["deadletters", "list", "q"], ["deadletters", "replay", "--all"]):
        assert _in_process(monkeypatch, env, *argv) == 1
        assert "SESAME_BUS_URL=amqp://" in capsys.readouterr().err
    res = _sesame({"SESAME_DATABASE_URL": sqlite_url, "SESAME_BUS_URL": "memory://"}, "status")
    assert res.returncode == 0, res.stderr
    assert "Outbox\n0 unpublished" in res.stdout and "in-process bus" in res.stdout


@pytest.mark.rabbitmq
async def test_commands_against_rabbitmq(
    amqp_url: str,
    pg_url: str,
    bus_namespace: str,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    from shared.bus.rabbitmq import RabbitBus

    project_id = await _seed(pg_url)
    bus = RabbitBus(BusSettings(url=amqp_url, retry_delays=[0.05]), namespace=bus_namespace)
    await bus.start()
    queue = QueueSpec("ops.work", ["ops.work.*"])
    env = {
        "SESAME_DATABASE_URL": pg_url,
        "SESAME_BUS_URL": amqp_url,
        "SESAME_BUS_EXCHANGE": bus_namespace,
        "SESAME_LOG_JSON": "false",
    }
    try:
        await bus.declare(queue)
        await _dead_letter_rabbit(bus, queue)

        res = await asyncio.to_thread(_sesame, env, "status", "--json", "--queue", "ops.work")
        assert res.returncode == 0, res.stderr
        status = json.loads(res.stdout)
        assert status["bus"] == "rabbitmq"
        work = next(q for q in status["queues"] if q["name"] == "ops.work")
        assert (work["ready"], work["dead"]) == (0, 2)
        assert {q["name"] for q in status["queues"]} >= set(known_queues())
        assert status["outbox"]["unpublished"] == 2
        (p,) = status["projects"]
        assert p["project_id"] == project_id and p["guard_state"] == "warning"

        # The other commands in this process (a fresh event loop in a thread, as `main` would run them).
        capfd.readouterr()
        rc = await asyncio.to_thread(
            _in_process, monkeypatch, env, "deadletters", "list", "ops.work", "--json"
        )
        out, err = capfd.readouterr()
        assert rc == 0, err
        items = [json.loads(line) for line in out.splitlines()]
        assert sorted(i["payload"]["n"] for i in items) == [0, 1]
        assert all("cannot handle" in i["reason"] for i in items)
        assert "not a queue any service consumes" in err  # ops.work is ours, not a service's
        # Listing only peeks: the dead letters are still there.
        assert len(await bus.dead_letters("ops.work")) == 2

        rc = await asyncio.to_thread(_in_process, monkeypatch, env, "deadletters", "list")
        assert rc == 0 and "ops.work" not in capfd.readouterr().out  # counts per known (service) queue only
        rc = await asyncio.to_thread(_in_process, monkeypatch, env, "deadletters", "replay", "ops.work")
        out, err = capfd.readouterr()
        assert rc == 0, err
        assert "ops.work\t2 replayed" in out
        assert len(await bus.dead_letters("ops.work")) == 0
        seen: list[int] = []

        async def accept(e: Envelope) -> None:
            assert e.attempt == 1
            seen.append(e.payload["n"])

        consumer = await bus.consume(queue, accept)

        async def drained() -> bool:
            return len(seen) == 2

        await _wait_for(drained)
        await consumer.stop()
        assert sorted(seen) == [0, 1]
    finally:
        await bus.close()


async def _dead_letter_rabbit(bus, queue: QueueSpec) -> None:  # type: ignore[no-untyped-def]
    async def refuse(env: Envelope) -> None:
        raise PermanentError(f"cannot handle {env.payload['n']}")

    consumer = await bus.consume(queue, refuse)
    await bus.publish_many([OutgoingMessage("ops.work.x", {"n": i}, uuid.uuid4().hex) for i in range(2)])

    async def all_dead() -> bool:
        return len(await bus.dead_letters(queue.name)) == 2

    await _wait_for(all_dead)
    await consumer.stop()
