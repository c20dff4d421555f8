"""SES feedback processing: inbox rows applied per second (policy, event rows, suppression counting, outbox,
reputation buckets), in the batches the dispatcher hands out, beside a raw batched INSERT of the same event rows.

Four mixes on a fresh Postgres database, each row a distinct stored notification as the webhook leaves it:
deliveries, opens and clicks carrying our message tags (what a running campaign sends back; the evidence crash
recovery trusts), and hard bounces (suppress, count, owner digest setting read, guard re-assessed once per batch).

    .venv/bin/python -m bench.events_processing [--quick] [--rows N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO.parent / "shared/reference/samples"
KINDS = ("delivery", "open", "click", "bounce")


def _bodies(kind: str, n: int, project_id: int) -> list[str]:
    sample = {"delivery": "event-delivery.json", "open": "event-open.json", "click": "event-click.json"}
    doc = json.loads((SAMPLES / sample.get(kind, "notification-bounce-permanent-general.json")).read_text())
    out = []
    for i in range(n):
        rcpt = f"{kind}{i}@example.com"
        doc["mail"]["messageId"] = f"bench-{kind}-{i}-{uuid.uuid4().hex[:8]}"
        doc["mail"]["destination"] = [rcpt]
        if kind != "bounce":
            doc["mail"]["tags"] = {"sesame-project": [str(project_id)], "sesame-message": [str(100000 + i)]}
            if kind == "delivery":
                doc["delivery"]["recipients"] = [rcpt]
            elif kind == "click":
                doc["click"]["link"] = f"https://example.com/article/{i % 7}"
        else:
            doc["bounce"]["bouncedRecipients"][0]["emailAddress"] = rcpt
            doc["bounce"]["feedbackId"] = uuid.uuid4().hex
        out.append(json.dumps(doc))
    return out


async def _measure(n: int) -> dict[str, Any]:
    import asyncpg
    import sqlalchemy as sa

    from services.events.context import EventsContext
    from services.events.inbox import process_batch, store
    from services.events.settings import EventsSettings
    from shared.migrate import upgrade
    from shared.models.core import Project
    from shared.runtime import Runtime
    from tests.support import infra
    from tests.support.settings import make_settings

    url = await infra.create_pg_database("sesame_bench")
    results: dict[str, Any] = {}
    try:
        await asyncio.to_thread(upgrade, url)
        settings = make_settings(url)  # database only, in-process bus
        rt = Runtime(settings)
        await rt.start()
        ctx = EventsContext.build(EventsSettings())
        batch = ctx.settings.inbox_batch_size
        try:
            async with rt.uow() as session:
                pid = (
                    await session.execute(
                        sa.insert(Project)
                        .values(name="bench", owner_email="o@example.com", settings={})
                        .returning(Project.id)
                    )
                ).scalar()
            assert pid is not None
            for kind in KINDS:
                ids: list[int] = []
                async with rt.uow() as session:
                    for i, body in enumerate(_bodies(kind, n, pid)):
                        row_id = await store(
                            session, project_id=pid, source="sns", message_id=f"{kind}-{i}", body=body
                        )
                        assert row_id is not None
                        ids.append(row_id)
                cpu0, t0 = time.process_time(), time.perf_counter()
                for k in range(0, len(ids), batch):
                    assert await process_batch(rt, ctx, ids[k : k + batch])
                wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
                results[kind] = {"rate": n / wall, "cpu_us": cpu / n * 1e6}
        finally:
            await ctx.close()
            await rt.stop()
        # the ceiling: the same number of email_events rows, batched INSERT … unnest, 100 per statement
        conn = await asyncpg.connect("postgresql://" + url.split("://", 1)[1])
        try:
            await conn.execute("CREATE TABLE bench_events (id bigserial primary key, project_id int, "
                               "dedupe_key text, email text, body text, UNIQUE (project_id, dedupe_key))")  # fmt: skip
            rows = [(1, uuid.uuid4().hex, f"c{i}@example.com", "{}") for i in range(n)]
            t0 = time.perf_counter()
            for k in range(0, n, batch):
                chunk = rows[k : k + batch]
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
    r = await _measure(500 if quick else 3000)
    ceiling = round(r["ceiling"])
    name = "raw batched INSERT of event rows (100 per statement)"
    return [
        {"name": "SES feedback processed, deliveries with our tags (batches of 100)",
         "value": round(r["delivery"]["rate"]), "unit": "rows/s", "ceiling": ceiling, "ceiling_name": name},
        {"name": "SES feedback processed, opens with our tags (email.opened published)",
         "value": round(r["open"]["rate"]), "unit": "rows/s", "ceiling": ceiling, "ceiling_name": name},
        {"name": "SES feedback processed, clicks with our tags (email.clicked published)",
         "value": round(r["click"]["rate"]), "unit": "rows/s", "ceiling": ceiling, "ceiling_name": name},
        {"name": "SES feedback processed, hard bounces (suppress + count + guard)",
         "value": round(r["bounce"]["rate"]), "unit": "rows/s", "ceiling": ceiling, "ceiling_name": name},
        {"name": "processing CPU per delivery row (events process)", "value": round(r["delivery"]["cpu_us"]),
         "unit": "us/row", "higher_is_better": False},
        {"name": "processing CPU per bounce row (events process)", "value": round(r["bounce"]["cpu_us"]),
         "unit": "us/row", "higher_is_better": False},
    ]  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rows", type=int, default=None)
    args = ap.parse_args()
    r = asyncio.run(_measure(args.rows or (500 if args.quick else 3000)))
    for kind in KINDS:
        x = r[kind]
        print(
            f"{kind:10} {x['rate']:8.0f} rows/s  {x['cpu_us']:6.0f} us CPU/row (this process)"
            f"  {x['rate'] / r['ceiling']:6.1%} of the ceiling"
        )
    print(f"ceiling    {r['ceiling']:8.0f} rows/s  (raw batched INSERT … unnest, 100 per statement)")


if __name__ == "__main__":
    main()
