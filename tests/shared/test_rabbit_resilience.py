"""RabbitMQ with the real broker misbehaving: connections closed under the bus, broker unreachable at startup."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest

from shared.bus import Envelope, OutgoingMessage, PublishError, QueueSpec
from shared.bus.rabbitmq import RabbitBus
from shared.settings import BusSettings
from tests.shared.test_bus_contract import eventually
from tests.support import infra

pytestmark = pytest.mark.rabbitmq


@pytest.fixture
def own_vhost() -> Iterator[str]:
    """A vhost of its own, so closing its connections touches nothing else."""
    url = infra.create_vhost()
    yield url
    infra.delete_vhost(url)


def close_all_connections(vhost_url: str) -> None:
    vhost = vhost_url.rsplit("/", 1)[1]
    exe = shutil.which("rabbitmqctl")
    assert exe, "rabbitmqctl is required"
    subprocess.run(
        [exe, "close_all_connections", "-p", vhost, "sesame test: broker closed it"],
        check=True,
        capture_output=True,
        timeout=60,
    )


async def publish_until_confirmed(bus: RabbitBus, messages: list[OutgoingMessage]) -> None:
    """What the outbox relay does: a window that was not confirmed is published again."""
    deadline = time.monotonic() + 60
    while True:
        try:
            await bus.publish_many(messages)
            return
        except PublishError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


async def _connection_count(bus: RabbitBus) -> int:
    return sum(1 for c in (bus._pub_conn, bus._sub_conn) if c is not None and c.connected.is_set())


async def test_consumer_survives_broker_closing_its_connections(own_vhost: str) -> None:
    bus = RabbitBus(BusSettings(url=own_vhost, retry_delays=[0.05, 0.1], connect_timeout=10), namespace="res")
    await bus.start()
    seen: dict[str, int] = {}
    in_flight_when_closed = asyncio.Event()

    async def handler(env: Envelope) -> None:
        seen[env.message_id] = seen.get(env.message_id, 0) + 1
        if len(seen) == 150:
            in_flight_when_closed.set()
        await asyncio.sleep(0.002)

    spec = QueueSpec("resilient", ["res.#"], prefetch=20)
    try:
        consumer = await bus.consume(spec, handler)
        before = [OutgoingMessage("res.item", {"i": i}, f"before-{i}") for i in range(300)]
        await publish_until_confirmed(bus, before)
        await asyncio.wait_for(in_flight_when_closed.wait(), 30)

        pub_conn, sub_conn = bus._pub_conn, bus._sub_conn
        assert pub_conn is not None and sub_conn is not None
        attempts_before = (pub_conn.connection_attempt, sub_conn.connection_attempt)
        await asyncio.to_thread(close_all_connections, own_vhost)

        # Both robust connections come back by themselves (same objects, new transports).
        await eventually(
            lambda: (
                pub_conn.connection_attempt > attempts_before[0]
                and sub_conn.connection_attempt > attempts_before[1]
            ),
            within=30,
            what="both connections to reconnect",
        )
        await eventually(lambda: _ping_ok(bus), within=30, what="ping to succeed again")

        after = [OutgoingMessage("res.item", {"i": i}, f"after-{i}") for i in range(300)]
        await publish_until_confirmed(bus, after)

        wanted = {m.message_id for m in before + after}
        await eventually(lambda: wanted <= seen.keys(), within=60, what="every message consumed")
        await eventually(lambda: _depth_zero(bus), within=30, what="the queue to drain")
        assert not (await bus.dead_letters("resilient"))
        # At least once: nothing lost; redeliveries only for what was in flight when the connection dropped.
        assert wanted == set(seen)
        assert sum(seen.values()) - len(wanted) <= spec.prefetch  # type: ignore[operator]
        await consumer.stop()
    finally:
        await bus.close()


async def _ping_ok(bus: RabbitBus) -> bool:
    try:
        await bus.ping()
        return True
    except ConnectionError:
        return False


async def _depth_zero(bus: RabbitBus) -> bool:
    return await bus.queue_depth("resilient") == 0


async def test_broker_unreachable_at_startup_is_one_clear_error() -> None:
    bus = RabbitBus(BusSettings(url="amqp://guest:secret@127.0.0.1:1/", connect_timeout=1.5), namespace="x")
    started = time.monotonic()
    with pytest.raises(ConnectionError) as info:
        await bus.start()
    elapsed = time.monotonic() - started
    message = str(info.value)
    assert "RabbitMQ unreachable at amqp://guest:***@127.0.0.1:1/" in message
    assert "secret" not in message and "\n" not in message
    assert 1.0 <= elapsed < 15  # it retried until the timeout, then gave up
