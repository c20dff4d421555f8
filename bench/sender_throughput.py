"""End-to-end campaign throughput: a personalised ~20 KB HTML newsletter, fan-out → dispatcher → RabbitMQ →
two sender processes (render + MIME + SESv2 SendEmail) → SES stand-in process with no rate limit.

    .venv/bin/python -m bench.sender_throughput [--quick] [--full]     (default 20k recipients, --full 100k)

Figure: recipients / (time from "send" to the last message recorded sent), on Postgres + RabbitMQ.
Ceiling in the same run: raw aiohttp POSTs of the same-size SendEmail body to the same stand-in (concurrency 50).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import time
from typing import Any

TARGET = 1000.0


async def _raw_ceiling(url: str, n: int, size: int) -> float:
    import aiohttp

    body = json.dumps(
        {
            "Content": {"Raw": {"Data": base64.b64encode(b"x" * size).decode()}},
            "Destination": {"ToAddresses": ["c@example.org"]},
        }
    ).encode()
    sem = asyncio.Semaphore(50)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=50)) as http:

        async def one() -> None:
            async with (
                sem,
                http.post(
                    url + "/v2/email/outbound-emails",
                    data=body,
                    headers={"Authorization": "AWS4-HMAC-SHA256 Credential=x"},
                ) as r,
            ):
                await r.read()

        t0 = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(n)))
        return n / (time.perf_counter() - t0)


async def measure(n: int, senders: int = 2) -> list[dict[str, Any]]:
    from bench.sender_mime import HTML
    from tests.sender.procs import (
        BenchInfra,
        campaign_counts,
        seed_campaign,
        seed_list,
        seed_project,
        start_campaign_now,
    )

    async with BenchInfra() as inf:
        pid = await seed_project(inf.db_url, max_send_rate=-1)
        lst = await seed_list(inf.db_url, pid, n)
        cid = await seed_campaign(inf.db_url, pid, lst, html=HTML)
        procs = [
            inf.sender(
                f"s{i}",
                SESAME_SENDER_WORK_BATCH=50,
                SESAME_SENDER_DISPATCH_BATCH=1000,
                SESAME_SENDER_MAX_QUEUED_BATCHES=60,
                SESAME_DATABASE_POOL_SIZE=6,
            )
            for i in range(senders)
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.wait_ready()
        t0 = time.perf_counter()
        recipients, fanout_s = await start_campaign_now(inf.db_url, cid)
        peak = {p.name: 0.0 for p in procs}
        while True:
            counts = await campaign_counts(inf.db_url, cid)
            for p in procs:
                peak[p.name] = max(peak[p.name], p.rss_mb())
            if counts.get("sent", 0) + counts.get("failed", 0) >= recipients:
                break
            await asyncio.sleep(0.25)
        elapsed = time.perf_counter() - t0
        stats = inf.standin_stats()
        ceiling = await _raw_ceiling(inf.ses_url, min(n, 5000), 26000)
        return [
            {
                "name": f"campaign {n // 1000}k, ~20 KB personalised HTML, end to end ({senders} senders)",
                "value": round(recipients / elapsed),
                "unit": "emails/s",
                "ceiling": round(ceiling),
                "ceiling_name": "raw aiohttp POST to the stand-in, same body size",
                "target": TARGET,
                "peak_rss_mb": peak,
                "detail": {
                    "fanout_s": round(fanout_s, 2),
                    "elapsed_s": round(elapsed, 1),
                    "counts": counts,
                    "accepted": stats["accepted_total"],
                    "duplicates": stats["max_per_recipient"] > 1,
                },
            }
        ]


async def run(quick: bool) -> list[dict[str, Any]]:
    return await measure(3000 if quick else 20000)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--full", action="store_true", help="100k recipients")
    args = ap.parse_args()
    rows = asyncio.run(measure(100_000 if args.full else 3000 if args.quick else 20_000))
    for r in rows:
        print(
            f"{r['name']}: {r['value']} {r['unit']} (target ≥ {r['target']:.0f}; ceiling {r['ceiling']}: "
            f"{r['ceiling_name']}); peak RSS {r['peak_rss_mb']}; {r['detail']}"
        )


if __name__ == "__main__":
    main()
