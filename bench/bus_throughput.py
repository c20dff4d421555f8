"""Bus throughput: RabbitBus publish_many / consume against raw aio-pika on the same broker, same run.

Runs on a temporary RabbitMQ vhost (created with rabbitmqctl, deleted afterwards). Raw ceilings:
- publish: aio-pika, persistent messages, publisher confirms awaited in windows of 1,000, to a topic exchange
  routed to one quorum queue (what RabbitBus does, minus its own work);
- consume: aio-pika consumer with manual ack per message, prefetch 200, on a quorum queue.
The in-process bus is measured too, for the embedded mode.

    .venv/bin/python -m bench.bus_throughput [--quick] [-n MESSAGES]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import time
import uuid
from typing import Any

PAYLOAD = {
    "project_id": 42,
    "message_id": 123456789,
    "campaign_id": 77,
    "to": "someone@example.com",
    "template": "newsletter-2026-11",
    "vars": {"first_name": "Ada", "plan": "pro"},
}
AMQP_BASE = os.environ.get("SESAME_TEST_AMQP", "amqp://guest:guest@127.0.0.1:5672")
WINDOW = 1000
PREFETCH = 200


def _rabbitmqctl(*args: str) -> None:
    exe = shutil.which("rabbitmqctl")
    if exe is None:
        raise RuntimeError("rabbitmqctl not found")
    subprocess.run([exe, *args], check=True, capture_output=True, timeout=60)


class _Clock:
    """Wall time and this process's CPU time over a block."""

    def __enter__(self) -> _Clock:
        self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.process_time() - self.cpu0


async def _raw(url: str, n: int, tag: str) -> dict[str, _Clock]:
    import aio_pika

    body = json.dumps(PAYLOAD).encode()
    conn = await aio_pika.connect(url)
    try:
        ch = await conn.channel(publisher_confirms=True)
        ex = await ch.declare_exchange(f"raw{tag}.events", aio_pika.ExchangeType.TOPIC, durable=True)
        q = await ch.declare_queue(f"raw{tag}.work", durable=True, arguments={"x-queue-type": "quorum"})
        await q.bind(ex, "work.#")
        with _Clock() as pub:
            for start in range(0, n, WINDOW):
                await asyncio.gather(
                    *(
                        ex.publish(
                            aio_pika.Message(
                                body,
                                content_type="application/json",
                                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                                message_id=uuid.uuid4().hex,
                            ),
                            "work.send",
                        )
                        for _ in range(min(WINDOW, n - start))
                    )
                )
        cch = await conn.channel(publisher_confirms=False)
        await cch.set_qos(prefetch_count=PREFETCH)
        cq = await cch.get_queue(f"raw{tag}.work")
        done = asyncio.Event()
        count = 0

        async def on_message(message: Any) -> None:
            nonlocal count
            json.loads(message.body)
            await message.ack()
            count += 1
            if count == n:
                done.set()

        with _Clock() as con:
            await cq.consume(on_message)
            await asyncio.wait_for(done.wait(), 300)
        return {"publish": pub, "consume": con}
    finally:
        await conn.close()


async def _sesame(url: str, n: int, tag: str) -> dict[str, _Clock]:
    from shared.bus import OutgoingMessage, QueueSpec
    from shared.bus.rabbitmq import RabbitBus
    from shared.settings import BusSettings

    bus = RabbitBus(BusSettings(url=url, prefetch=PREFETCH), namespace=f"bench{tag}")
    await bus.start()
    try:
        spec = QueueSpec("work", ["work.#"])
        await bus.declare(spec)
        msgs = [OutgoingMessage("work.send", dict(PAYLOAD), uuid.uuid4().hex) for _ in range(n)]
        with _Clock() as pub:
            await bus.publish_many(msgs)
        done = asyncio.Event()
        count = 0

        async def handler(env: Any) -> None:
            nonlocal count
            count += 1
            if count == n:
                done.set()

        with _Clock() as con:
            consumer = await bus.consume(spec, handler)
            await asyncio.wait_for(done.wait(), 300)
        await consumer.stop()
        return {"publish": pub, "consume": con}
    finally:
        await bus.close()


async def _memory(n: int) -> dict[str, _Clock]:
    from shared.bus import OutgoingMessage, QueueSpec
    from shared.bus.memory import MemoryBus
    from shared.settings import BusSettings

    bus = MemoryBus(
        BusSettings(url="memory://", prefetch=PREFETCH, memory_queue_size=n + 1), namespace="bench"
    )
    await bus.start()
    spec = QueueSpec("work", ["work.#"])
    await bus.declare(spec)
    msgs = [OutgoingMessage("work.send", dict(PAYLOAD), uuid.uuid4().hex) for _ in range(n)]
    with _Clock() as pub:
        await bus.publish_many(msgs)
    done = asyncio.Event()
    count = 0

    async def handler(env: Any) -> None:
        nonlocal count
        count += 1
        if count == n:
            done.set()

    with _Clock() as con:
        await bus.consume(spec, handler)
        await asyncio.wait_for(done.wait(), 300)
    await bus.close()
    return {"publish": pub, "consume": con}


async def run(quick: bool, n: int | None = None, rounds: int | None = None) -> list[dict[str, Any]]:
    """Measure; return one row per figure (see bench/README.md).

    Raw and RabbitBus runs alternate (and swap order each round) and the median of the rounds is reported,
    so load from anything else on the machine hits both sides alike.
    """
    n = n or (2_000 if quick else 10_000)
    rounds = rounds or (1 if quick else 3)
    vhost = f"sesame_bench_{uuid.uuid4().hex[:8]}"
    raw: list[dict[str, _Clock]] = []
    ours: list[dict[str, _Clock]] = []
    await asyncio.to_thread(_rabbitmqctl, "add_vhost", vhost)
    try:
        await asyncio.to_thread(_rabbitmqctl, "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        url = f"{AMQP_BASE}/{vhost}"
        for r in range(rounds):
            if r % 2 == 0:
                raw.append(await _raw(url, n, str(r)))
                ours.append(await _sesame(url, n, str(r)))
            else:
                ours.append(await _sesame(url, n, str(r)))
                raw.append(await _raw(url, n, str(r)))
    finally:
        await asyncio.to_thread(_rabbitmqctl, "delete_vhost", vhost)
    mem = [await _memory(n) for _ in range(rounds)]

    def rate(runs: list[dict[str, _Clock]], phase: str) -> float:
        return statistics.median(n / x[phase].wall for x in runs)

    def cpu(runs: list[dict[str, _Clock]], phase: str) -> float:
        return statistics.median(x[phase].cpu / n * 1e6 for x in runs)

    rows: list[dict[str, Any]] = []
    for phase, ceiling_name in (
        ("publish", "raw aio-pika publish, confirms"),
        ("consume", "raw aio-pika consume+ack"),
    ):
        rows.append(
            {
                "name": f"RabbitBus {'publish_many' if phase == 'publish' else 'consume + ack'} ({n} msgs, quorum)",
                "value": round(rate(ours, phase)),
                "unit": "msg/s",
                "ceiling": round(rate(raw, phase)),
                "ceiling_name": ceiling_name,
                "cpu_us_per_msg": round(cpu(ours, phase)),
                "ceiling_cpu_us_per_msg": round(cpu(raw, phase)),
            }
        )
    for phase in ("publish", "consume"):
        rows.append(
            {
                "name": f"MemoryBus {'publish_many' if phase == 'publish' else 'consume'} ({n} msgs)",
                "value": round(rate(mem, phase)),
                "unit": "msg/s",
                "cpu_us_per_msg": round(cpu(mem, phase)),
            }
        )
    return rows


def _print(rows: list[dict[str, Any]]) -> None:
    head = f"{'figure':<44} {'value':>10} {'raw ceiling':>12} {'ratio':>6} {'CPU µs/msg':>11} {'raw CPU':>8}"
    print(head)
    print("-" * len(head))
    for r in rows:
        ceiling = r.get("ceiling")
        ratio = f"{r['value'] / ceiling:.2f}" if ceiling else "-"
        raw_cpu = r.get("ceiling_cpu_us_per_msg", "-")
        print(
            f"{r['name']:<44} {r['value']:>6} {r['unit']:<3} {ceiling or '-':>12} {ratio:>6} "
            f"{r['cpu_us_per_msg']:>11} {raw_cpu:>8}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a few thousand messages only")
    parser.add_argument("-n", type=int, default=None, help="messages per phase")
    parser.add_argument("--rounds", type=int, default=None, help="alternating raw/RabbitBus rounds (median)")
    args = parser.parse_args()
    _print(asyncio.run(run(args.quick, args.n, args.rounds)))


if __name__ == "__main__":
    main()
