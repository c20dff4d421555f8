"""Campaign fan-out: materialise one message per eligible recipient with one INSERT … SELECT, from a sender
process (`POST /v1/campaigns/{id}/send`), sampling that process's memory meanwhile.

    .venv/bin/python -m bench.sender_fanout [--quick] [--full] [--canary {off,on}]
        (default 200k recipients, --full 1M; --canary off by default so the figures compare with earlier runs)

Figures: recipients/s and seconds for the fan-out (target 1M ≤ 15 s), peak RSS of the sender (target ≤ 200 MB).
Ceiling in the same run: a bare INSERT … SELECT of the same number of rows from generate_series into an
unindexed table (what Postgres does with no joins, no eligibility filter and no indexes to maintain).

`--canary on` creates the campaign with `canary: on`, so the send's transaction also runs `plan_canary` (a
random sample, the rest `held`): the cost it adds is the fan-out's seconds with `on` minus with `off`. Its own
time is printed beside: after the send (sender stopped), `plan_canary` runs again on the same messages in a
transaction that is rolled back (its statements timed one by one), then its UPDATE under EXPLAIN ANALYZE. Both
modes make that measurement (as if the campaign were `on`), so every run reports what the planning costs.
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


async def canary_planning(db_url: str, campaign_id: int, n: int) -> dict[str, Any]:
    """`plan_canary` (mode on) over the campaign's fanned-out messages, in a transaction rolled back: each of
    its statements timed, then its UPDATE run again under EXPLAIN ANALYZE in another rolled-back transaction.
    The rows are put back as the fan-out leaves them (held → queued) and vacuumed before each, so neither run
    reads the dead row versions of the one before."""
    import sqlalchemy as sa

    from services.sender.canary import plan_canary
    from services.sender.settings import SenderSettings
    from shared.db.engine import create_engine, create_sessionmaker
    from shared.models.sender import Campaign
    from shared.settings import DatabaseSettings

    eng = create_engine(DatabaseSettings(url=db_url))
    timed: list[tuple[str, Any, float]] = []
    started: list[float] = []

    def before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        started.append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        timed.append((statement, params, time.perf_counter() - started.pop()))

    async def vacuum() -> None:
        async with eng.connect() as conn:
            ac = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await ac.execute(sa.text("VACUUM (ANALYZE) messages"))

    try:
        async with eng.begin() as conn:
            # A `--canary on` send left the rest held: back to queued, as plan_canary finds it after fan-out.
            await conn.execute(
                sa.text("UPDATE messages SET state = 'queued' WHERE campaign_id = :c AND state = 'held'"),
                {"c": campaign_id},
            )
        await vacuum()
        sync_engine = eng.sync_engine
        async with create_sessionmaker(eng)() as s:
            await s.begin()
            c = (await s.execute(sa.select(Campaign).where(Campaign.id == campaign_id))).scalar_one()
            c.canary = "on"
            sa.event.listen(sync_engine, "before_cursor_execute", before)
            sa.event.listen(sync_engine, "after_cursor_execute", after)
            t0 = time.perf_counter()
            try:
                k = await plan_canary(s, c, n, SenderSettings())
                wall = time.perf_counter() - t0
            finally:
                sa.event.remove(sync_engine, "before_cursor_execute", before)
                sa.event.remove(sync_engine, "after_cursor_execute", after)
            await s.rollback()
        await vacuum()
        update = next((st, p) for st, p, _ in timed if st.lstrip().upper().startswith("UPDATE"))
        async with eng.connect() as conn:
            await conn.begin()
            result = await conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + update[0], update[1])
            plan = [row[0] for row in result.all()]
            await conn.rollback()
    finally:
        await eng.dispose()
    total = next((ln for ln in plan if ln.startswith("Execution Time")), "")
    return {
        "sample": k,
        "plan_canary_s": round(wall, 3),
        "statements": [{"sql": " ".join(st.split())[:60], "s": round(sec, 3)} for st, _, sec in timed],
        "explain_total": total,
        "explain": plan,
    }


async def measure(n: int, canary: str = "off") -> list[dict[str, Any]]:
    from tests.sender.procs import BenchInfra, seed_campaign, seed_list, seed_project, sql

    async with BenchInfra() as inf:
        pid = await seed_project(inf.db_url, max_send_rate=1)
        lst = await seed_list(inf.db_url, pid, n, attrs=False)
        cid = await seed_campaign(inf.db_url, pid, lst, html="<p>Hi</p>")
        # The model's default is `auto`, which on this new project would plan a canary too: say which.
        await sql(inf.db_url, "UPDATE campaigns SET canary = :m WHERE id = :c", {"m": canary, "c": cid})
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
        held = (
            await sql(
                inf.db_url,
                "SELECT count(*) FROM messages WHERE campaign_id = :c AND state = 'held'",
                {"c": cid},
            )
        )[0][0]
        p.stop()
        planning = await canary_planning(inf.db_url, cid, int(body.get("recipients") or n))
        return [
            {
                "name": f"fan-out {n // 1000}k recipients, canary {canary} (one INSERT … SELECT, via the API)",
                "value": round(n / secs),
                "unit": "rows/s",
                "ceiling": round(n / ceiling_s),
                "ceiling_name": "bare INSERT … SELECT generate_series, no indexes",
                "detail": {
                    "seconds": round(secs, 2),
                    "recipients": body.get("recipients"),
                    "projected_1M_s": round(1_000_000 * secs / n, 1),
                    "held": held,
                },
            },
            {
                "name": f"canary planning on the same {n // 1000}k messages (plan_canary, rolled back)",
                "value": planning["plan_canary_s"],
                "unit": "s",
                "higher_is_better": False,
                "detail": {
                    "sample": planning["sample"],
                    "statements": planning["statements"],
                    "explain": planning["explain_total"],
                },
                "explain": planning["explain"],
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
    ap.add_argument(
        "--canary",
        choices=("off", "on"),
        default="off",
        help="the campaign's canary mode (on: a random sample, the rest held); default off",
    )
    args = ap.parse_args()
    n = 1_000_000 if args.full else 50_000 if args.quick else 200_000
    for r in asyncio.run(measure(n, args.canary)):
        ceiling = f"(ceiling {r['ceiling']}: {r['ceiling_name']}) " if "ceiling" in r else ""
        print(f"{r['name']:<70} {r['value']:>10} {r['unit']}  {ceiling}{r.get('detail', '')}")
        for line in r.get("explain", []):
            print("    " + line)


if __name__ == "__main__":
    main()
