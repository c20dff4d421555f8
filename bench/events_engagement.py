"""Engagement rollup (services/events/engagement.py): stored `email_events` rows folded into the campaign, link,
message and contact aggregates per second, in the rollup's own batches, beside a raw batched INSERT of the same
rows.

A fresh Postgres database; one campaign of `rows / 4` messages, each with a delivery, two opens (one of them
earlier than the other, stored after it) and a click on one of 5 links — the mix a tracked campaign sends back.

    .venv/bin/python -m bench.events_engagement [--quick] [--rows N]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import time
import uuid
from typing import Any


async def _measure(n: int) -> dict[str, Any]:
    import asyncpg
    import sqlalchemy as sa

    from services.events.engagement import rollup_pending
    from shared.migrate import upgrade
    from shared.models.core import Project
    from shared.models.events import EmailEvent
    from shared.models.sender import Campaign, Message
    from shared.runtime import Runtime
    from tests.support import infra
    from tests.support.settings import make_settings

    url = await infra.create_pg_database("sesame_bench_engagement")
    results: dict[str, Any] = {}
    try:
        await asyncio.to_thread(upgrade, url)
        rt = Runtime(make_settings(url))
        await rt.start()
        try:
            start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
            async with rt.uow() as s:
                pid = (await s.execute(sa.insert(Project).values(name="bench", owner_email="o@example.com",
                                                                 settings={}).returning(Project.id))).scalar_one()  # fmt: skip
                cid = (await s.execute(sa.insert(Campaign).values(project_id=pid, name="b", list_ids=[1],
                                                                  status="sent").returning(Campaign.id))).scalar_one()  # fmt: skip
                messages = n // 4
                mids = (await s.execute(sa.insert(Message).returning(Message.id), [
                    {"project_id": pid, "kind": "marketing", "state": "sent", "campaign_id": cid, "contact_id": i + 1,
                     "to_address": f"r{i}@example.com", "email_hash": f"h{i}", "sent_at": start}
                    for i in range(messages)])).scalars().all()  # fmt: skip
                events = []
                for i, mid in enumerate(mids):
                    at = start + dt.timedelta(seconds=i % 3600)
                    for kind, delay, detail in (("delivery", 1, {}), ("open", 300, {}), ("open", 120, {}),
                                                ("click", 400, {"link": f"https://acme.example/{i % 5}"})):  # fmt: skip
                        events.append({"project_id": pid, "dedupe_key": uuid.uuid4().hex, "event_type": kind,
                                       "message_id": mid, "email": f"r{i}@example.com",
                                       "occurred_at": at + dt.timedelta(seconds=delay), "detail": detail})  # fmt: skip
                for k in range(0, len(events), 1000):
                    await s.execute(sa.insert(EmailEvent), events[k : k + 1000])
            cpu0, t0 = time.process_time(), time.perf_counter()
            done = await rollup_pending(rt)
            wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            assert done == len(events), (done, len(events))
            results["rollup"] = {"rate": done / wall, "cpu_us": cpu / done * 1e6, "rows": done}
        finally:
            await rt.stop()
        conn = await asyncpg.connect("postgresql://" + url.split("://", 1)[1])
        try:
            await conn.execute("CREATE TABLE bench_events (id bigserial primary key, project_id int, "
                               "dedupe_key text, email text, body text, UNIQUE (project_id, dedupe_key))")  # fmt: skip
            rows = [(1, uuid.uuid4().hex, f"c{i}@example.com", "{}") for i in range(n)]
            t0 = time.perf_counter()
            for k in range(0, n, 2000):
                chunk = rows[k : k + 2000]
                await conn.execute(
                    "INSERT INTO bench_events (project_id, dedupe_key, email, body) "
                    "SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[])",
                    *[list(col) for col in zip(*chunk, strict=True)],
                )
            results["ceiling"] = n / (time.perf_counter() - t0)
        finally:
            await conn.close()
        return results
    finally:
        await infra.drop_pg_database(url)


async def run(quick: bool) -> list[dict[str, Any]]:
    r = await _measure(4000 if quick else 40000)
    return [
        {"name": "engagement rollup of delivery/open/click rows (batches of 2000)", "value": round(r["rollup"]["rate"]),
         "unit": "rows/s", "ceiling": round(r["ceiling"]),
         "ceiling_name": "raw batched INSERT of event rows (2000 per statement)"},
        {"name": "rollup CPU per event row (events process)", "value": round(r["rollup"]["cpu_us"]),
         "unit": "us/row", "higher_is_better": False},
    ]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rows", type=int, default=None)
    args = ap.parse_args()
    r = asyncio.run(_measure(args.rows or (4000 if args.quick else 40000)))
    x = r["rollup"]
    print(
        f"rollup     {x['rate']:8.0f} rows/s  {x['cpu_us']:6.0f} us CPU/row (this process), {x['rows']} rows"
    )
    print(f"ceiling    {r['ceiling']:8.0f} rows/s  (raw batched INSERT … unnest, 2000 per statement)")


if __name__ == "__main__":
    main()
