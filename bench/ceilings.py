"""The machine's raw ceilings, measured in the same run as the figures they are compared with.

- RabbitMQ: aio-pika publish (persistent, publisher confirms in windows of 500, quorum queue) and consume with
  manual acks (prefetch 200), in a fresh vhost of the machine's broker.
- HTTP: aiohttp client at concurrency 50 against a minimal SES-like stand-in in another process.
- Postgres: single-row autocommit INSERTs on one connection, and batched inserts (unnest, 1,000 rows per batch),
  in a fresh database.

`.venv/bin/python -m bench.ceilings [--quick]` prints them; `bench.run_all` calls `measure()` once per run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from typing import Any

CEILING_KEYS = {
    "rabbitmq publish": "rabbitmq_publish",
    "rabbitmq consume": "rabbitmq_consume",
    "http stand-in": "http_standin",
    "postgres insert": "postgres_insert_single",
    "postgres batch insert": "postgres_insert_batch",
}


async def rabbitmq(n: int) -> tuple[float, float]:
    """(publishes/s, consumes/s) on a quorum queue."""
    import aio_pika

    from tests.support import infra

    url = await asyncio.to_thread(infra.create_vhost)
    try:
        conn = await aio_pika.connect(url)
        async with conn:
            ch = await conn.channel(publisher_confirms=True)
            q = await ch.declare_queue("ceiling", durable=True, arguments={"x-queue-type": "quorum"})
            body = b'{"message_ids": [1, 2, 3], "campaign_id": 1}'
            started = time.perf_counter()
            window = 500
            for start in range(0, n, window):
                await asyncio.gather(
                    *(
                        ch.default_exchange.publish(
                            aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                            routing_key=q.name,
                        )
                        for _ in range(min(window, n - start))
                    )
                )
            publish_rate = n / (time.perf_counter() - started)

            cch = await conn.channel()
            await cch.set_qos(prefetch_count=200)
            cq = await cch.get_queue(q.name)
            done = asyncio.Event()
            seen = 0

            async def on_message(msg: aio_pika.abc.AbstractIncomingMessage) -> None:
                nonlocal seen
                await msg.ack()
                seen += 1
                if seen >= n:
                    done.set()

            started = time.perf_counter()
            tag = await cq.consume(on_message)
            await asyncio.wait_for(done.wait(), 120)
            consume_rate = n / (time.perf_counter() - started)
            await cq.cancel(tag)
    finally:
        await asyncio.to_thread(infra.delete_vhost, url)
    return publish_rate, consume_rate


STANDIN = r"""
import sys
from aiohttp import web
BODY = b'{"MessageId": "0100018c-0000-0000-0000-000000000000-000000"}'
async def send(request):
    await request.read()
    return web.Response(body=BODY, content_type="application/json")
app = web.Application(client_max_size=2**24)
app.router.add_post("/{tail:.*}", send)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


async def http_standin(seconds: float, concurrency: int = 50, body_size: int = 20_000) -> float:
    """Requests/s of an aiohttp client POSTing a ~20 KB body to a minimal stand-in in its own process."""
    import aiohttp

    from tests.system.private_infra import free_port, port_open

    port = free_port()
    proc = subprocess.Popen(  # noqa: ASYNC220 - started once, before timing
        [sys.executable, "-c", STANDIN, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        while not port_open(port):
            if time.monotonic() > deadline:
                raise RuntimeError("HTTP stand-in did not start")
            await asyncio.sleep(0.05)
        url = f"http://127.0.0.1:{port}/v2/email/outbound-emails"
        payload = os.urandom(body_size // 2).hex().encode()
        count = 0
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
            stop_at = time.perf_counter() + seconds

            async def worker() -> None:
                nonlocal count
                while time.perf_counter() < stop_at:
                    async with session.post(url, data=payload) as r:
                        await r.read()
                    count += 1

            started = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return count / (time.perf_counter() - started)
    finally:
        proc.kill()
        proc.wait()


async def postgres(single_seconds: float, batch_rows: int) -> tuple[float, float]:
    """(single-row autocommit inserts/s on one connection, batched rows/s)."""
    import asyncpg

    from tests.support import infra

    url = await infra.create_pg_database("sesame_bench")
    dsn = "postgresql://" + url.split("://", 1)[1]
    try:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(
                "CREATE TABLE t (id bigserial primary key, project_id bigint, email text, state text, "
                "created_at timestamptz default now())"
            )
            stmt = await conn.prepare("INSERT INTO t (project_id, email, state) VALUES ($1, $2, 'queued')")
            n = 0
            started = time.perf_counter()
            stop_at = started + single_seconds
            while time.perf_counter() < stop_at:
                await stmt.fetchval(1, f"user{n}@example.com")
                n += 1
            single = n / (time.perf_counter() - started)

            started = time.perf_counter()
            batch = 1000
            for start in range(0, batch_rows, batch):
                emails = [f"b{i}@example.com" for i in range(start, min(start + batch, batch_rows))]
                await conn.execute(
                    "INSERT INTO t (project_id, email, state) SELECT 1, e, 'queued' FROM unnest($1::text[]) AS e",
                    emails,
                )
            batched = batch_rows / (time.perf_counter() - started)
        finally:
            await conn.close()
    finally:
        await infra.drop_pg_database(url)
    return single, batched


async def measure(quick: bool = False) -> dict[str, float]:
    """Every ceiling, keyed as in CEILING_KEYS' values."""
    pub, con = await rabbitmq(3000 if quick else 20000)
    http = await http_standin(2 if quick else 5)
    single, batched = await postgres(1.5 if quick else 4, 20_000 if quick else 200_000)
    return {
        "rabbitmq_publish": pub,
        "rabbitmq_consume": con,
        "http_standin": http,
        "postgres_insert_single": single,
        "postgres_insert_batch": batched,
    }


DESCRIPTIONS = {
    "rabbitmq_publish": ("raw aio-pika publish, persistent, confirms (quorum)", "msg/s"),
    "rabbitmq_consume": ("raw aio-pika consume + ack, prefetch 200", "msg/s"),
    "http_standin": ("raw aiohttp POST 20 KB → stand-in, concurrency 50", "req/s"),
    "postgres_insert_single": ("raw Postgres single-row INSERT, autocommit, 1 conn", "rows/s"),
    "postgres_insert_batch": ("raw Postgres batched INSERT (unnest, 1k/batch)", "rows/s"),
}


def as_rows(values: dict[str, float]) -> list[dict[str, Any]]:
    return [
        {"name": DESCRIPTIONS[k][0], "value": v, "unit": DESCRIPTIONS[k][1], "key": k}
        for k, v in values.items()
    ]


async def run(quick: bool) -> list[dict[str, Any]]:
    return as_rows(await measure(quick))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("SESAME_ENV", "test")
    rows = asyncio.run(run(args.quick))
    for r in rows:
        print(f"{r['name']:<55} {r['value']:>12,.0f} {r['unit']}")


if __name__ == "__main__":
    main()
