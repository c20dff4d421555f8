"""Campaign fan-out: materialise one message per eligible recipient with one INSERT … SELECT, from a sender
process (`POST /v1/campaigns/{id}/send`), sampling that process's memory meanwhile.

    .venv/bin/python -m bench.sender_fanout [--quick] [--full]     (default 200k recipients, --full 1M)

Figures: recipients/s and seconds for the fan-out (target 1M ≤ 15 s), peak RSS of the sender (target ≤ 200 MB).
Ceiling in the same run: a bare INSERT … SELECT of the same number of rows from generate_series into an
unindexed table (what Postgres does with no joins, no eligibility filter and no indexes to maintain).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import urllib.request
from typing import Any


def _post(url: str, project_id: int) -> dict[str, Any]:
    from shared.settings import DEV_SECRET

    req = urllib.request.Request(
        url,
        data=b"{}",
        method="POST",
        headers={
            "Content-Type": "application/json",
            "x-sesame-internal-token": DEV_SECRET + "-internal",
            "x-sesame-project-id": str(project_id),
        },
    )
    with urllib.request.urlopen(req, timeout=600) as r:
        return dict(json.loads(r.read()))


async def measure(n: int) -> list[dict[str, Any]]:
    from tests.sender.procs import BenchInfra, seed_campaign, seed_list, seed_project, sql

    async with BenchInfra() as inf:
        pid = await seed_project(inf.db_url, max_send_rate=1)
        lst = await seed_list(inf.db_url, pid, n, attrs=False)
        cid = await seed_campaign(inf.db_url, pid, lst, html="<p>Hi</p>")
        await sql(inf.db_url, "ANALYZE")
        # Marketing stays paused (below) so the bench measures the fan-out alone.
        from shared.db.engine import create_engine
        from shared.settings import DatabaseSettings

        eng = create_engine(DatabaseSettings(url=inf.db_url))
        async with eng.begin() as conn:
            import sqlalchemy as sa

            await conn.execute(
                sa.text(
                    "INSERT INTO sender_project_state (project_id, marketing_paused, transactional_paused, updated_at) VALUES (:p, true, false, now())"
                ),
                {"p": pid},
            )
            t0 = time.perf_counter()
            await conn.execute(
                sa.text("CREATE TEMP TABLE ceiling (a bigint, b bigint, c text, d text, e timestamptz)")
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO ceiling SELECT g, g, 'user' || g || '@x.org', md5(g::text), now() FROM generate_series(1, :n) g"
                ),
                {"n": n},
            )
            ceiling_s = time.perf_counter() - t0
        await eng.dispose()
        p = inf.sender("fanout")
        p.start()
        p.wait_ready()
        base_rss = p.rss_mb()
        peak = base_rss
        loop = asyncio.get_running_loop()
        t0 = time.perf_counter()
        fut = loop.run_in_executor(None, _post, f"http://127.0.0.1:{p.port}/v1/campaigns/{cid}/send", pid)
        while not fut.done():
            peak = max(peak, p.rss_mb())
            await asyncio.sleep(0.05)
        body = await fut
        secs = time.perf_counter() - t0
        return [
            {
                "name": f"fan-out {n // 1000}k recipients (one INSERT … SELECT, via the API)",
                "value": round(n / secs),
                "unit": "rows/s",
                "ceiling": round(n / ceiling_s),
                "ceiling_name": "bare INSERT … SELECT generate_series, no indexes",
                "detail": {
                    "seconds": round(secs, 2),
                    "recipients": body.get("recipients"),
                    "projected_1M_s": round(1_000_000 * secs / n, 1),
                },
            },
            {
                "name": "sender RSS during fan-out (peak)",
                "value": round(peak, 1),
                "unit": "MB",
                "target": 200,
                "higher_is_better": False,
                "peak_rss_mb": {"sender": round(peak, 1)},
                "detail": {"before": round(base_rss, 1)},
            },
        ]


async def run(quick: bool) -> list[dict[str, Any]]:
    return await measure(50_000 if quick else 200_000)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--full", action="store_true", help="1M recipients")
    args = ap.parse_args()
    for r in asyncio.run(measure(1_000_000 if args.full else 50_000 if args.quick else 200_000)):
        print(
            f"{r['name']:<70} {r['value']:>10} {r['unit']}  (ceiling {r.get('ceiling')}: {r.get('ceiling_name')}) {r.get('detail', '')}"
        )


if __name__ == "__main__":
    main()
