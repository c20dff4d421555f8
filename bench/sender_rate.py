"""Rate precision: three sender replicas share one SES account whose max send rate is R = 50, with a backlog.

    .venv/bin/python -m bench.sender_rate [--quick] [--full]     (default 1,000 messages ≈ 21 s; --full 3,000)

Figures (from the SES stand-in's clock, which enforces R strictly like SES):
- the largest number of SendEmail requests arriving in any one-second window (must be ≤ R),
- the mean accepted rate while the backlog lasted (target ≥ 95 % of R), and throttling answers (should be 0).
The ceiling is R itself.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

R = 50


async def measure(n: int) -> list[dict[str, Any]]:
    from tests.sender.procs import (
        BenchInfra,
        campaign_counts,
        seed_campaign,
        seed_list,
        seed_project,
        start_campaign_now,
    )
    from tests.support.ses_standin import max_in_window

    async with BenchInfra(rate=R) as inf:
        pid = await seed_project(inf.db_url, max_send_rate=R)
        lst = await seed_list(inf.db_url, pid, n)
        cid = await seed_campaign(inf.db_url, pid, lst, html="<p>Hello {{ first_name }}</p>")
        procs = [inf.sender(f"r{i}", SESAME_SENDER_WORK_BATCH=10) for i in range(3)]
        for p in procs:
            p.start()
        for p in procs:
            p.wait_ready()
        await start_campaign_now(inf.db_url, cid)
        while True:
            c = await campaign_counts(inf.db_url, cid)
            if c.get("sent", 0) >= n:
                break
            await asyncio.sleep(0.5)
        st = inf.standin_stats(detail=True)
        acc = sorted(st["accepted_times"])
        # The mean over whole seconds of backlog (skip the first and last partial second).
        span = acc[-1] - acc[0]
        mean = (len(acc) - 1) / span if span > 0 else 0.0
        per_proc = [p.metric("sesame_sender_sent_total") for p in procs]
        return [
            {
                "name": f"max SendEmail requests in any 1-s window, 3 replicas, R={R}",
                "value": max_in_window(st["arrival_times"]),
                "unit": "requests",
                "ceiling": R,
                "ceiling_name": "SES max send rate R (must not exceed)",
                "higher_is_better": False,
            },
            {
                "name": f"mean accepted rate with a backlog, 3 replicas, R={R}",
                "value": round(mean, 2),
                "unit": "emails/s",
                "ceiling": R,
                "ceiling_name": "SES max send rate R",
                "target": 0.95 * R,
            },
            {
                "name": "throttling answers from the stand-in",
                "value": st["throttled"],
                "unit": "answers",
                "higher_is_better": False,
                "detail": {
                    "per_replica_sent": per_proc,
                    "messages": n,
                    "seconds": round(span, 1),
                    "at": time.strftime("%H:%M:%S"),
                },
            },
        ]


async def run(quick: bool) -> list[dict[str, Any]]:
    return await measure(300 if quick else 1000)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--full", action="store_true")
    args = ap.parse_args()
    for r in asyncio.run(measure(3000 if args.full else 300 if args.quick else 1000)):
        print(
            f"{r['name']:<70} {r['value']:>8} {r['unit']}  (ceiling {r.get('ceiling')}; target {r.get('target')}) {r.get('detail', '')}"
        )


if __name__ == "__main__":
    main()
