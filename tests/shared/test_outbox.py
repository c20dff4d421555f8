"""The transactional outbox on both dialects and both buses: what committed is published, nothing else, never lost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from shared.bus import Envelope, OutgoingMessage, PublishError, QueueSpec, TransientError
from shared.db.uow import first_delivery
from shared.models.core import OutboxMessage
from shared.outbox import OutboxRelay, enqueue, enqueue_many
from shared.runtime import Runtime
from tests.shared.test_bus_contract import eventually, make_bus

SPEC = QueueSpec("audit", ["thing.#"])


@pytest.fixture(params=["memory", "rabbitmq"])
def bus_url(request: pytest.FixtureRequest) -> str:
    return "memory://" if request.param == "memory" else request.getfixturevalue("amqp_url")  # type: ignore[no-any-return]


@pytest.fixture
async def runtime(db_url: str, bus_url: str, bus_namespace: str, settings_for: Any) -> AsyncIterator[Runtime]:
    rt = Runtime(settings_for(db_url, bus_url), bus_namespace=bus_namespace)
    await rt.start()
    await rt.bus.declare(SPEC)
    yield rt
    await rt.stop()


async def unpublished(rt: Runtime) -> int:
    async with rt.sessionmaker() as s:
        q = sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.published_at.is_(None))
        return int((await s.execute(q)).scalar_one())


async def drain(rt: Runtime, n: int) -> list[Envelope]:
    """Consume exactly the `n` messages expected on the audit queue, then check nothing else is there."""
    seen: list[Envelope] = []

    async def handler(env: Envelope) -> None:
        seen.append(env)

    c = await rt.bus.consume(SPEC, handler)
    await eventually(lambda: len(seen) >= n, what=f"{n} messages")
    await asyncio.sleep(0.2)
    await c.stop()
    return seen


async def test_publishes_exactly_what_committed(runtime: Runtime) -> None:
    async with runtime.uow() as s:
        enqueue(s, "thing.created", {"n": 1}, message_id="c1")
        enqueue(s, "thing.created", {"n": 2}, message_id="c2", headers={"correlation_id": "abc"})

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with runtime.uow() as s:
            enqueue(s, "thing.created", {"n": 3}, message_id="rolled-back")
            await s.flush()
            raise Boom

    async with runtime.uow() as s:
        enqueue(s, "thing.updated", {"n": 4}, message_id="c3")

    # The relay was woken by the commits; everything committed goes out, in commit order.
    seen = await drain(runtime, 3)
    assert [e.message_id for e in seen] == ["c1", "c2", "c3"]
    assert [e.payload for e in seen] == [{"n": 1}, {"n": 2}, {"n": 4}]
    assert seen[1].headers == {"correlation_id": "abc"}
    assert seen[2].routing_key == "thing.updated"
    await eventually(lambda: _unpublished_is(runtime, 0), what="rows marked published")
    async with runtime.sessionmaker() as s:
        ids = set((await s.scalars(sa.select(OutboxMessage.message_id))).all())
    assert "rolled-back" not in ids


async def test_enqueue_many_publishes_in_order_and_only_when_committed(runtime: Runtime) -> None:
    with pytest.raises(RuntimeError):
        async with runtime.uow() as s:
            await enqueue_many(s, [("thing.lost", {"n": -1})])
            raise RuntimeError("rolled back")
    payloads = [
        {"n": i, "text": 'é " \\ x', "nested": {"at": "2026-01-01T00:00:00Z"}} for i in range(30)
    ]
    async with runtime.uow() as s:
        await enqueue_many(s, [("thing.created", p) for p in payloads])
        await enqueue_many(s, [])
    seen = await drain(runtime, 30)
    assert [e.payload for e in seen] == payloads
    assert len({e.message_id for e in seen}) == 30
    await eventually(lambda: _unpublished_is(runtime, 0), what="rows marked published")


async def _unpublished_is(rt: Runtime, n: int) -> bool:
    return await unpublished(rt) == n


async def test_crash_between_commit_and_publish_is_published_by_the_sweep(
    db_url: str, bus_url: str, bus_namespace: str, settings_for: Any
) -> None:
    settings = settings_for(db_url, bus_url)
    # A process commits its outbox rows, then dies before its relay publishes (here: the broker is not even
    # reachable — its bus never started — so the publish fails and the rows stay).
    crashed = Runtime(settings, bus_namespace=bus_namespace)
    async with crashed.uow() as s:
        for i in range(5):
            enqueue(s, "thing.created", {"i": i}, message_id=f"late-{i}")
    with pytest.raises(PublishError):
        await crashed.relay.flush()
    assert await unpublished(crashed) == 5
    await crashed.engine.dispose()

    # Another process (or the same one, restarted) runs the relay: its periodic sweep finds the rows.
    rt = Runtime(settings, bus_namespace=bus_namespace)
    await rt.start()
    try:
        await rt.bus.declare(SPEC)
        await rt.relay.stop()  # replace the default relay by one that sweeps quickly and is never notified
        rt.relay = OutboxRelay(rt.sessionmaker, rt.bus, poll_interval=0.1)
        rt.relay.start()
        seen = await drain(rt, 5)
        assert [e.message_id for e in seen] == [f"late-{i}" for i in range(5)]
        await eventually(lambda: _unpublished_is(rt, 0), what="rows marked published")
    finally:
        await rt.stop()


async def test_relay_keeps_rows_while_the_bus_is_down(runtime: Runtime, bus_namespace: str) -> None:
    """A publish failure leaves the rows for the next sweep; nothing is marked published that was not confirmed."""
    real_bus = runtime.bus
    down = make_bus("memory", None, bus_namespace)  # never started: every publish raises PublishError
    runtime.relay._bus = down
    async with runtime.uow() as s:
        enqueue(s, "thing.created", {"x": 1}, message_id="while-down")
    await asyncio.sleep(0.3)
    assert await unpublished(runtime) == 1
    runtime.relay._bus = real_bus
    assert await runtime.relay.flush() == 1
    seen = await drain(runtime, 1)
    assert [e.message_id for e in seen] == ["while-down"]


async def test_idempotent_consumer_skips_a_redelivered_message(runtime: Runtime) -> None:
    calls: list[int] = []

    async def handler(env: Envelope) -> None:
        calls.append(env.attempt)
        async with runtime.uow() as s:
            if not await first_delivery(s, "audit-consumer", env.message_id):
                return  # already applied: ack and skip
            enqueue(s, "effect.done", {"of": env.message_id}, message_id=f"effect-{env.message_id}")
            if env.attempt == 1 and env.payload.get("flaky"):
                # Fails after recording: the transaction rolls back, so the retry is not mistaken for a duplicate.
                raise TransientError("database hiccup")

    c = await runtime.bus.consume(SPEC, handler)
    try:
        msg = OutgoingMessage("thing.created", {"flaky": True}, "dup-1")
        await runtime.bus.publish(msg)
        await eventually(lambda: len(calls) == 2, what="a retry after the transient failure")
        await runtime.bus.publish(msg)  # the same message again (e.g. the relay published it twice)
        await eventually(lambda: len(calls) == 3, what="the duplicate delivery")
        await asyncio.sleep(0.2)
    finally:
        await c.stop()
    assert calls == [1, 2, 1]
    async with runtime.sessionmaker() as s:
        effects = (
            await s.scalars(
                sa.select(OutboxMessage.message_id).where(OutboxMessage.routing_key == "effect.done")
            )
        ).all()
    assert effects == ["effect-dup-1"]
    assert await runtime.bus.dead_letters("audit") == []
