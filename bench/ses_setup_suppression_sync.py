"""SES account suppression-list import into Sesame (addresses/s), beside raw ceilings measured in the same run.

    .venv/bin/python -m bench.ses_setup_suppression_sync [--quick] [--rows N]

Figures (Postgres, the SESv2 stand-in on loopback serving N suppressed addresses, 1,000 per page):
- first sync: page through ListSuppressedDestinations, three-way merge, insert N suppressions + N outbox events +
  N baseline rows, one transaction — as `sesame ses connect` and the periodic task run it;
- second sync (nothing changed): the steady-state cost of the periodic task;
- ceiling 1: only paging the list through the same AWS client (the API floor of any sync);
- ceiling 2: raw asyncpg `INSERT … SELECT unnest` of the same N rows into `suppressions` (5,000 per batch).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from typing import Any

ROWS = 20_000
QUICK_ROWS = 5_000


async def _measure(n: int) -> list[dict[str, Any]]:
    import asyncpg

    from services.sender.ses_setup.aws import AwsSession, AwsTarget
    from services.sender.ses_setup.suppression_sync import list_account_suppressions, sync_suppressions
    from shared.email_address import email_hash
    from shared.migrate import upgrade
    from shared.models.core import Project
    from shared.runtime import Runtime
    from tests.support import infra
    from tests.support.sesv2_extras import SesV2Extras
    from tests.support.settings import make_settings

    v2 = SesV2Extras()
    v2.start()
    for i in range(n):
        v2.suppress(f"user.{i}@bounced.example.net", "COMPLAINT" if i % 10 == 0 else "BOUNCE")
    target = AwsTarget("eu-west-1", "AKIDBENCH", "bench-secret", endpoints={"sesv2": v2.url})
    url = await infra.create_pg_database("sesame_bench")
    try:
        await asyncio.to_thread(upgrade, url)
        settings = make_settings(url)  # database only, in-process bus
        rt = Runtime(settings)  # database only
        try:
            async with rt.uow() as s:
                p, other = Project(name="bench", settings={}), Project(name="ceiling", settings={})
                s.add_all([p, other])
                await s.flush()
                pid, other_id = p.id, other.id
            async with AwsSession(target) as aws:
                started = time.perf_counter()
                listed = await list_account_suppressions(aws)
                list_s = time.perf_counter() - started
            assert len(listed) == n
            async with AwsSession(target) as aws, rt.uow() as s:
                started = time.perf_counter()
                first = await sync_suppressions(aws, s, pid, push=False)
            first_s = time.perf_counter() - started  # includes the commit
            assert len(first.imported) == n
            async with AwsSession(target) as aws, rt.uow() as s:
                started = time.perf_counter()
                second = await sync_suppressions(aws, s, pid, push=False)
            second_s = time.perf_counter() - started
            assert not second.imported and not second.removed_in_sesame
        finally:
            await rt.engine.dispose()

        emails = [f"user.{i}@bounced.example.net" for i in range(n)]
        hashes = [email_hash(e) for e in emails]
        conn = await asyncpg.connect("postgresql://" + url.split("://", 1)[1])
        try:
            from datetime import UTC, datetime

            now = datetime.now(UTC)
            started = time.perf_counter()
            for i in range(0, n, 5000):
                await conn.execute(
                    "INSERT INTO suppressions (project_id, email, email_hash, reason, created_at) "
                    "SELECT $1, e, h, 'ses_suppression', $4 FROM unnest($2::text[], $3::text[]) AS t(e, h)",
                    other_id,
                    emails[i : i + 5000],
                    hashes[i : i + 5000],
                    now,
                )
            raw_s = time.perf_counter() - started
        finally:
            await conn.close()
    finally:
        v2.stop()
        await infra.drop_pg_database(url)
    return [
        {
            "name": f"SES suppression list → Sesame, first sync of {n:,} addresses (page + merge + insert + events)",
            "value": round(n / first_s),
            "unit": "addresses/s",
            "ceiling": round(n / list_s),
            "ceiling_name": "paging ListSuppressedDestinations alone (same client, stand-in)",
        },
        {
            "name": f"SES suppression list → Sesame, first sync of {n:,} addresses vs raw insert",
            "value": round(n / first_s),
            "unit": "addresses/s",
            "ceiling": round(n / raw_s),
            "ceiling_name": "raw asyncpg INSERT … unnest into suppressions, 5,000/batch",
        },
        {
            "name": f"SES suppression list, periodic sync with no change ({n:,} addresses)",
            "value": round(n / second_s),
            "unit": "addresses/s",
            "ceiling": round(n / list_s),
            "ceiling_name": "paging ListSuppressedDestinations alone (same client, stand-in)",
        },
    ]


async def run(quick: bool) -> list[dict[str, Any]]:
    """Measure; one row per figure (bench/README.md)."""
    return await _measure(QUICK_ROWS if quick else ROWS)


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rows", type=int, default=None)
    args = ap.parse_args()
    os.environ.setdefault("SESAME_ENV", "test")
    n = args.rows or (QUICK_ROWS if args.quick else ROWS)
    for row in asyncio.run(_measure(n)):
        ratio = row["value"] / row["ceiling"] if row.get("ceiling") else 0
        print(
            f"{row['name']}: {row['value']:,} {row['unit']}  |  {row['ceiling_name']}: "
            f"{row['ceiling']:,} {row['unit']}  ({ratio:.0%})"
        )
    print(json.dumps({"rows": n}))


if __name__ == "__main__":
    main()
