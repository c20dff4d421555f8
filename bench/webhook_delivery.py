"""Webhook delivery (services/events/webhooks/delivery.py): signed deliveries per second from one process —
claim a batch with one guarded UPDATE, sign (Standard Webhooks, HMAC-SHA256), POST through the SSRF-vetting aiohttp
client, record outcome + attempt log — beside the raw ceiling: bare aiohttp POSTs of the same bodies to the same
local aiohttp receiver at the same concurrency.

A fresh Postgres database, one project, one endpoint (`--endpoints K`: K, the deliveries spread evenly), `n`
pending deliveries of an email.delivered event, drained by the service's loop (`Deliverer.run`, until every
delivery is recorded; `--rounds`: batch by batch with `Deliverer.round`, as before).

    .venv/bin/python -m bench.webhook_delivery [--quick] [--n N] [--rounds] [--endpoints K]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any


async def _measure(n: int, rounds: bool = False, endpoints: int = 1) -> dict[str, Any]:
    import aiohttp
    import sqlalchemy as sa

    from services.events.settings import EventsSettings
    from services.events.webhooks.delivery import Deliverer, enqueue_event
    from services.events.webhooks.signing import new_secret
    from shared.crypto import encrypt
    from shared.migrate import upgrade
    from shared.models.core import Project
    from shared.models.webhooks import WebhookDelivery, WebhookEndpoint
    from shared.runtime import Runtime
    from tests.support import infra
    from tests.support.settings import make_settings
    from tests.support.webhook_receiver import Receiver

    settings = EventsSettings(
        webhook_allow_networks=["127.0.0.1/32"], webhook_batch_size=200, webhook_concurrency=50
    )
    receiver = await Receiver(record=False).start()
    url = await infra.create_pg_database("sesame_bench_webhooks")
    n -= n % endpoints
    out: dict[str, Any] = {"n": n}
    try:
        await asyncio.to_thread(upgrade, url)
        rt = Runtime(make_settings(url))
        await rt.start()
        try:
            async with rt.uow() as s:
                pid = (await s.execute(sa.insert(Project).values(name="bench", owner_email="o@example.com",
                                                                 settings={}).returning(Project.id))).scalar_one()  # fmt: skip
                for k in range(endpoints):
                    s.add(WebhookEndpoint(project_id=pid, url=f"{receiver.url}/{k}", description="", event_types=[],
                                          enabled=True, secret_enc=encrypt(rt.settings.security.encryption_key,
                                                                           new_secret())))  # fmt: skip
            data = {
                "project_id": pid,
                "email": "ann@example.com",
                "message_id": 1,
                "occurred_at": "2026-01-01T00:00:00Z",
            }
            async with rt.uow() as s:
                for i in range(n // endpoints):  # one delivery per endpoint each
                    await enqueue_event(
                        s, settings, pid, "email.delivered", f"bench-{i}", {**data, "message_id": i}
                    )
            async with rt.sessionmaker() as s:
                bodies = list((await s.scalars(sa.select(WebhookDelivery.body).limit(n))).all())
            d = Deliverer(rt, settings)

            async def succeeded() -> int:
                async with rt.sessionmaker() as s:
                    q = sa.select(sa.func.count()).where(WebhookDelivery.status == "succeeded")
                    return int(await s.scalar(q) or 0)

            cpu0, t0 = time.process_time(), time.perf_counter()
            if rounds:  # batch by batch: claim, gather every attempt, record
                done = 0
                while (k := await d.round()) > 0:
                    done += k
                await d.client.close()
                assert done == n, done
            else:  # the service's loop: claims ahead, records outcomes as they finish
                task = asyncio.create_task(d.run())
                while receiver.count < n or await succeeded() < n:  # noqa: ASYNC110 - polls the database
                    await asyncio.sleep(0.02)
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            assert receiver.count == n, receiver.count
            ok = await succeeded()
            assert ok == n, ok
            out["delivery"] = {"rate": n / wall, "cpu_us": cpu / n * 1e6}
        finally:
            await rt.stop()

        # The ceiling: the same bodies POSTed by a bare aiohttp session, 50 in flight, nothing recorded.
        receiver.count = 0
        sem = asyncio.Semaphore(50)
        async with aiohttp.ClientSession() as http:

            async def post(body: str) -> None:
                async with sem, http.post(receiver.url, data=body.encode()) as r:
                    await r.read()

            t0 = time.perf_counter()
            await asyncio.gather(*(post(b) for b in bodies))
            out["ceiling"] = len(bodies) / (time.perf_counter() - t0)
        return out
    finally:
        await receiver.stop()
        await infra.drop_pg_database(url)


async def run(quick: bool) -> list[dict[str, Any]]:
    r = await _measure(1000 if quick else 5000)
    return [
        {"name": "webhook deliveries (claim, sign, vetted POST, record) from one process", "unit": "deliveries/s",
         "value": round(r["delivery"]["rate"]), "ceiling": round(r["ceiling"]),
         "ceiling_name": "raw aiohttp POST, same receiver, 50 in flight"},
        {"name": "webhook delivery CPU per delivery (one process)", "value": round(r["delivery"]["cpu_us"]),
         "unit": "us/delivery", "higher_is_better": False},
    ]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--n", type=int, default=None)
    ap.add_argument("--rounds", action="store_true", help="drain with Deliverer.round() instead of run()")
    ap.add_argument("--endpoints", type=int, default=1, help="spread the deliveries over this many endpoints")
    args = ap.parse_args()
    r = asyncio.run(_measure(args.n or (1000 if args.quick else 5000), args.rounds, args.endpoints))
    x = r["delivery"]
    print(
        f"deliveries {x['rate']:8.0f} /s  {x['cpu_us']:6.0f} us CPU/delivery (this process, receiver included)"
    )
    print(f"ceiling    {r['ceiling']:8.0f} /s  (raw aiohttp POST, same receiver, 50 in flight)")
    print(f"ratio      {x['rate'] / r['ceiling']:8.2f}")


if __name__ == "__main__":
    main()
