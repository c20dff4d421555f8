"""The bus contract (shared/bus/protocol.py), checked against BOTH implementations: in-process and RabbitMQ.

RabbitMQ runs on the session's own vhost with a unique namespace per test. Retry delays are short
(0.05 s, 0.1 s) and max_attempts is 3 so failures reach the dead-letter store quickly.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aio_pika
import pytest

from shared.bus import (
    Envelope,
    MalformedMessage,
    OutgoingMessage,
    PermanentError,
    PublishError,
    QueueSpec,
    TransientError,
)
from shared.bus.memory import MemoryBus
from shared.bus.protocol import DEAD_REASON_HEADER
from shared.bus.rabbitmq import RabbitBus
from shared.settings import BusSettings

RETRY_DELAYS = [0.05, 0.1]


def make_bus(kind: str, amqp_url: str | None, namespace: str, **overrides: Any) -> Any:
    """A MemoryBus or a RabbitBus with short test delays (not started)."""
    opts: dict[str, Any] = {
        "retry_delays": RETRY_DELAYS,
        "max_attempts": 3,
        "connect_timeout": 10,
        **overrides,
    }
    if kind == "memory":
        return MemoryBus(BusSettings(url="memory://", **opts), namespace=namespace, publish_timeout=0.2)
    assert amqp_url
    return RabbitBus(BusSettings(url=amqp_url, **opts), namespace=namespace)


async def eventually(
    check: Callable[[], Awaitable[bool] | bool], within: float = 10.0, what: str = ""
) -> None:
    """Poll `check` until true; fail with `what` after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = check()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        await asyncio.sleep(0.02)


@pytest.fixture(params=["memory", "rabbitmq"])
def bus_kind(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def amqp_for(bus_kind: str, request: pytest.FixtureRequest) -> str | None:
    return request.getfixturevalue("amqp_url") if bus_kind == "rabbitmq" else None


@pytest.fixture
async def bus(bus_kind: str, amqp_for: str | None, bus_namespace: str) -> AsyncIterator[Any]:
    b = make_bus(bus_kind, amqp_for, bus_namespace)
    await b.start()
    yield b
    await b.close()


def spec(name: str = "work", *bindings: str, **kw: Any) -> QueueSpec:
    return QueueSpec(name=name, bindings=list(bindings) or [f"{name}.#"], **kw)


class Recorder:
    """A handler that records envelopes and can be told how to fail."""

    def __init__(self, fail: Callable[[Envelope], BaseException | None] | None = None) -> None:
        self.seen: list[Envelope] = []
        self.times: list[float] = []
        self._fail = fail

    async def __call__(self, env: Envelope) -> None:
        self.seen.append(env)
        self.times.append(time.monotonic())
        if self._fail is not None and (exc := self._fail(env)) is not None:
            raise exc


async def test_publish_consume_ack(bus: Any) -> None:
    rec = Recorder()
    await bus.declare(spec("orders", "orders.*"))
    msgs = [
        OutgoingMessage("orders.created", {"n": i}, f"m{i}", {"correlation_id": f"c{i}"}) for i in range(3)
    ]
    await bus.publish_many(msgs)
    await bus.publish(OutgoingMessage("orders.created", {"n": 3}))
    consumer = await bus.consume(spec("orders", "orders.*"), rec)
    await eventually(lambda: len(rec.seen) == 4, what="4 deliveries")
    by_n = {e.payload["n"]: e for e in rec.seen}
    assert by_n[0].message_id == "m0" and by_n[0].routing_key == "orders.created"
    assert by_n[1].headers == {"correlation_id": "c1"}
    assert by_n[3].message_id  # generated when not given
    assert all(e.attempt == 1 for e in rec.seen)
    await consumer.stop()
    # Acked: nothing is left in the queue and a new consumer gets nothing.
    assert await bus.queue_depth("orders") == 0
    again = Recorder()
    c2 = await bus.consume(spec("orders", "orders.*"), again)
    await asyncio.sleep(0.3)
    await c2.stop()
    assert again.seen == []
    assert await bus.dead_letters("orders") == []


async def test_topic_patterns_and_queue_depth(bus: Any) -> None:
    specs = {
        "star": spec("star", "a.*"),
        "hash": spec("hash", "a.#"),
        "tail": spec("tail", "#.x"),
        "exact": spec("exact", "a.b"),
        "two": spec("two", "b.*", "c.#"),
    }
    for s in specs.values():
        await bus.declare(s)
    keys = ["a", "a.b", "a.b.c", "a.x", "z.y.x", "b.q", "c", "c.d.e", "d.e"]
    await bus.publish_many([OutgoingMessage(k, {"k": k}) for k in keys])
    expected = {"star": 2, "hash": 4, "tail": 2, "exact": 1, "two": 3}
    for name, n in expected.items():
        assert await bus.queue_depth(name) == n, name
    assert await bus.queue_depth("no-such-queue") == 0


async def test_publish_many_keeps_order(bus: Any) -> None:
    rec = Recorder()
    s = spec("ordered", prefetch=1)
    await bus.declare(s)
    await bus.publish_many([OutgoingMessage("ordered.x", {"i": i}) for i in range(50)])
    c = await bus.consume(s, rec)
    await eventually(lambda: len(rec.seen) == 50, what="50 deliveries")
    await c.stop()
    assert [e.payload["i"] for e in rec.seen] == list(range(50))


async def test_transient_failure_is_retried_with_backoff(bus: Any) -> None:
    rec = Recorder(lambda env: TransientError("try later") if env.attempt < 3 else None)
    s = spec("flaky")
    c = await bus.consume(s, rec)
    await bus.publish(OutgoingMessage("flaky.x", {"v": 1}, "flaky-1", {"h": "v"}))
    await eventually(lambda: len(rec.seen) == 3, what="3 deliveries")
    await asyncio.sleep(0.3)  # nothing more arrives: the third delivery was acked
    await c.stop()
    assert [e.attempt for e in rec.seen] == [1, 2, 3]
    assert {e.message_id for e in rec.seen} == {"flaky-1"}
    assert all(
        e.payload == {"v": 1} and e.headers == {"h": "v"} and e.routing_key == "flaky.x" for e in rec.seen
    )
    # Backoff (±20 % jitter) separates the deliveries.
    assert rec.times[1] - rec.times[0] >= RETRY_DELAYS[0] * 0.8
    assert rec.times[2] - rec.times[1] >= RETRY_DELAYS[1] * 0.8
    assert await bus.dead_letters("flaky") == []


async def test_unexpected_exception_counts_as_transient_then_dead_letter(bus: Any) -> None:
    rec = Recorder(lambda env: RuntimeError("boom"))
    c = await bus.consume(spec("doomed"), rec)
    await bus.publish(OutgoingMessage("doomed.x", {"v": 2}, "doomed-1"))
    await eventually(lambda: _dead_count(bus, "doomed", 1), what="a dead letter")
    await asyncio.sleep(0.3)
    await c.stop()
    assert [e.attempt for e in rec.seen] == [1, 2, 3]  # max_attempts, never more
    [dead] = await bus.dead_letters("doomed")
    assert dead.message_id == "doomed-1" and dead.payload == {"v": 2} and dead.routing_key == "doomed.x"
    assert "gave up after 3 attempts" in dead.headers[DEAD_REASON_HEADER]
    assert "boom" in dead.headers[DEAD_REASON_HEADER]
    assert await bus.queue_depth("doomed") == 0


async def _dead_count(bus: Any, name: str, n: int) -> bool:
    return len(await bus.dead_letters(name)) == n


@pytest.mark.parametrize(
    ("exc", "reason"),
    [(PermanentError("no such list"), "permanent"), (MalformedMessage("missing field"), "malformed")],
)
async def test_permanent_failure_dead_letters_at_once(bus: Any, exc: Exception, reason: str) -> None:
    rec = Recorder(lambda env: exc)
    c = await bus.consume(spec("perm"), rec)
    await bus.publish(OutgoingMessage("perm.x", {"v": 3}, "perm-1"))
    await eventually(lambda: _dead_count(bus, "perm", 1), what="a dead letter")
    await asyncio.sleep(0.3)  # no retry arrives
    await c.stop()
    assert len(rec.seen) == 1
    [dead] = await bus.dead_letters("perm")
    assert dead.headers[DEAD_REASON_HEADER].startswith(reason)
    assert dead.payload == {"v": 3}


@pytest.mark.parametrize("body", [b"not json {", b"[1, 2, 3]", b"\xff\xfe"])
async def test_poison_message_dead_letters_without_reaching_the_handler(bus: Any, body: bytes) -> None:
    rec = Recorder()
    c = await bus.consume(spec("poison"), rec)
    await bus.publish_raw("poison.x", body)
    await bus.publish(OutgoingMessage("poison.x", {"ok": True}))
    await eventually(
        lambda: len(rec.seen) == 1 and _dead_count(bus, "poison", 1), what="dead poison + good msg"
    )
    await asyncio.sleep(0.2)
    await c.stop()
    assert [e.payload for e in rec.seen] == [{"ok": True}]
    [dead] = await bus.dead_letters("poison")
    assert dead.headers[DEAD_REASON_HEADER].startswith("malformed")
    assert await bus.queue_depth("poison") == 0


async def test_redelivery_after_consumer_dies_without_ack(bus: Any) -> None:
    started = asyncio.Event()

    async def stuck(env: Envelope) -> None:
        started.set()
        await asyncio.sleep(3600)

    s = spec("crash")
    dying = await bus.consume(s, stuck)
    await bus.publish(OutgoingMessage("crash.x", {"v": 4}, "crash-1"))
    await asyncio.wait_for(started.wait(), 10)
    await dying.abort()  # the process dies mid-message: no ack
    rec = Recorder()
    survivor = await bus.consume(s, rec)
    await eventually(lambda: len(rec.seen) == 1, what="redelivery to the survivor")
    await asyncio.sleep(0.2)
    await survivor.stop()
    [env] = rec.seen
    assert env.message_id == "crash-1" and env.payload == {"v": 4}
    assert env.attempt == 2  # the lost delivery counts
    assert await bus.queue_depth("crash") == 0


async def test_consumer_that_keeps_dying_is_bounded(bus: Any) -> None:
    s = spec("killer")
    await bus.declare(s)
    await bus.publish(OutgoingMessage("killer.x", {"v": 5}, "killer-1"))
    attempts = []
    for _ in range(3):  # max_attempts = 3
        started = asyncio.Event()

        async def stuck(env: Envelope, started: asyncio.Event = started) -> None:
            attempts.append(env.attempt)
            started.set()
            await asyncio.sleep(3600)

        c = await bus.consume(s, stuck)
        await asyncio.wait_for(started.wait(), 10)
        await c.abort()
    assert attempts == [1, 2, 3]
    await eventually(lambda: _dead_count(bus, "killer", 1), what="dead letter after repeated deaths")
    [dead] = await bus.dead_letters("killer")
    assert dead.message_id == "killer-1" and "deliver" in dead.headers[DEAD_REASON_HEADER]
    assert await bus.queue_depth("killer") == 0


async def test_graceful_stop_finishes_in_flight_work(bus: Any) -> None:
    done: list[int] = []
    started = asyncio.Event()

    async def slow(env: Envelope) -> None:
        started.set()
        await asyncio.sleep(0.3)
        done.append(env.payload["v"])

    s = spec("graceful")
    c = await bus.consume(s, slow)
    await bus.publish(OutgoingMessage("graceful.x", {"v": 6}))
    await asyncio.wait_for(started.wait(), 10)
    await c.stop()
    assert done == [6]  # stop waited for the handler
    rec = Recorder()
    c2 = await bus.consume(s, rec)
    await asyncio.sleep(0.3)
    await c2.stop()
    assert rec.seen == []  # and it was acked


async def test_prefetch_bounds_concurrent_handlers(bus: Any) -> None:
    running = 0
    peak = 0
    handled = 0

    async def handler(env: Envelope) -> None:
        nonlocal running, peak, handled
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.05)
        running -= 1
        handled += 1

    s = spec("bounded", prefetch=2)
    await bus.declare(s)
    await bus.publish_many([OutgoingMessage("bounded.x", {"i": i}) for i in range(8)])
    c = await bus.consume(s, handler)
    await eventually(lambda: handled == 8, what="8 handled")
    await c.stop()
    assert peak == 2


async def test_publish_into_a_full_queue_raises_publish_error(bus: Any) -> None:
    s = spec("full", max_length=2)
    await bus.declare(s)
    await bus.publish_many([OutgoingMessage("full.x", {"i": i}) for i in range(2)])
    # Quorum queues apply the limit to their committed state, so one more may slip in; never many.
    with pytest.raises(PublishError):
        for i in range(2, 6):
            await bus.publish(OutgoingMessage("full.x", {"i": i}))
    assert await bus.queue_depth("full") <= 3
    # Unrelated routes still publish fine afterwards.
    await bus.declare(spec("other"))
    await bus.publish(OutgoingMessage("other.x", {"ok": 1}))
    assert await bus.queue_depth("other") == 1


async def test_publish_on_a_closed_bus_raises_publish_error(bus_kind: str, amqp_for: str | None) -> None:
    b = make_bus(bus_kind, amqp_for, f"t{uuid.uuid4().hex[:10]}")
    await b.start()
    await b.ping()
    await b.close()
    with pytest.raises(ConnectionError):
        await b.ping()
    with pytest.raises(PublishError):
        await b.publish(OutgoingMessage("x.y", {}))


async def test_replay_dead_letters(bus: Any) -> None:
    broken = True
    rec = Recorder(lambda env: PermanentError("not yet") if broken else None)
    s = spec("replay")
    c = await bus.consume(s, rec)
    await bus.publish_many([OutgoingMessage("replay.x", {"i": i}, f"r{i}") for i in range(3)])
    await eventually(lambda: _dead_count(bus, "replay", 3), what="3 dead letters")
    # Peeking does not remove.
    assert len(await bus.dead_letters("replay")) == 3
    assert {d.message_id for d in await bus.dead_letters("replay")} == {"r0", "r1", "r2"}
    broken = False
    assert await bus.replay_dead_letters("replay") == 3
    await eventually(lambda: len(rec.seen) == 6, what="3 replayed deliveries")
    await c.stop()
    replayed = rec.seen[3:]
    assert sorted(e.message_id for e in replayed) == ["r0", "r1", "r2"]
    assert all(e.attempt == 1 and e.routing_key == "replay.x" for e in replayed)
    assert all(DEAD_REASON_HEADER not in e.headers for e in replayed)
    assert await bus.dead_letters("replay") == []
    assert await bus.replay_dead_letters("replay") == 0


async def test_rabbit_nack_from_deleted_exchange_surfaces_as_publish_error(
    amqp_url: str, bus_namespace: str
) -> None:
    """A real broker-side failure: the events exchange vanishes under the publisher → PublishError, then recovery."""
    b = make_bus("rabbitmq", amqp_url, bus_namespace)
    await b.start()
    try:
        conn = await aio_pika.connect(amqp_url)
        async with conn:
            ch = await conn.channel()
            await ch.exchange_delete(f"{bus_namespace}.events")
        with pytest.raises(PublishError):
            await b.publish(OutgoingMessage("any.key", {"x": 1}))

        # The robust channel reopens and re-declares its exchanges; publishing works again.
        async def publishes() -> bool:
            try:
                await b.publish(OutgoingMessage("any.key", {"x": 2}))
                return True
            except PublishError:
                return False

        await eventually(publishes, within=15, what="publishing to recover")
    finally:
        await b.close()


async def test_rabbit_topology(amqp_url: str, bus_namespace: str) -> None:
    """Quorum work queue with DLX and delivery limit, durable dead-letter and retry queues."""
    b = make_bus("rabbitmq", amqp_url, bus_namespace)
    await b.start()
    try:
        await b.declare(spec("topo", "topo.#"))
        conn = await aio_pika.connect(amqp_url)
        async with conn:
            ch = await conn.channel()
            main = f"{bus_namespace}.topo"
            args = {
                "x-queue-type": "quorum",
                "x-dead-letter-exchange": f"{bus_namespace}.dlx",
                "x-dead-letter-routing-key": "topo",
                "x-delivery-limit": 2,
            }
            # A passive-equivalent check: redeclaring with the same arguments succeeds, different ones fail.
            await ch.declare_queue(main, durable=True, arguments=args)
            for name in (f"{main}.dead", f"{main}.retry.50", f"{main}.retry.100"):
                await ch.declare_queue(name, passive=True)
            with pytest.raises(aio_pika.exceptions.ChannelPreconditionFailed):
                await ch.declare_queue(main, durable=True, arguments={**args, "x-delivery-limit": 9})
    finally:
        await b.close()


async def test_message_waiting_for_its_retry_is_not_ready(bus_kind: str, amqp_for: str | None) -> None:
    """During the backoff the message is parked (RabbitMQ: a delay queue), not in the ready count, not dead."""
    b = make_bus(bus_kind, amqp_for, f"t{uuid.uuid4().hex[:10]}", retry_delays=[1.0])
    await b.start()
    try:
        rec = Recorder(lambda env: TransientError("later") if env.attempt == 1 else None)
        c = await b.consume(spec("parked"), rec)
        await b.publish(OutgoingMessage("parked.x", {"v": 1}, "parked-1"))
        await eventually(lambda: len(rec.seen) == 1, what="first delivery")
        await asyncio.sleep(0.3)
        assert await b.queue_depth("parked") == 0
        assert await b.dead_letters("parked") == []
        await eventually(lambda: len(rec.seen) == 2, what="the retry")
        await c.stop()
        assert rec.seen[1].attempt == 2 and rec.times[1] - rec.times[0] >= 0.8
    finally:
        await b.close()


async def test_close_lets_in_flight_handlers_finish(bus_kind: str, amqp_for: str | None) -> None:
    b = make_bus(bus_kind, amqp_for, f"t{uuid.uuid4().hex[:10]}")
    await b.start()
    started = asyncio.Event()
    done: list[str] = []

    async def slow(env: Envelope) -> None:
        started.set()
        await asyncio.sleep(0.3)
        done.append(env.message_id)

    await b.consume(spec("closing"), slow)
    await b.publish(OutgoingMessage("closing.x", {}, "closing-1"))
    await asyncio.wait_for(started.wait(), 10)
    await b.close()
    assert done == ["closing-1"]


async def test_slow_message_is_not_acked_with_the_ones_that_overtook_it(bus: Any) -> None:
    """Acks may be batched, but never past a message still being handled: if its consumer dies, only it returns."""
    release = asyncio.Event()
    finished: list[int] = []

    async def handler(env: Envelope) -> None:
        if env.payload["i"] == 0:
            await release.wait()  # stuck until the consumer dies
        finished.append(env.payload["i"])

    s = spec("overtaken", prefetch=10)
    await bus.declare(s)
    await bus.publish_many([OutgoingMessage("overtaken.x", {"i": i}, f"o{i}") for i in range(10)])
    c = await bus.consume(s, handler)
    await eventually(lambda: sorted(finished) == list(range(1, 10)), what="messages 1..9 handled")
    await asyncio.sleep(0.3)  # their acks go out
    await c.abort()
    rec = Recorder()
    survivor = await bus.consume(s, rec)
    await eventually(lambda: len(rec.seen) >= 1, what="the stuck message redelivered")
    await asyncio.sleep(0.3)
    await survivor.stop()
    assert [(e.message_id, e.attempt) for e in rec.seen] == [("o0", 2)]
