"""CSV contact import into Postgres (rows/s), beside the raw ceilings measured in the same run on the same rows.

    .venv/bin/python -m bench.subscriptions_import [--quick] [--rows N]

Figures:
- the import as the service runs it (`services.subscriptions.import_runner.run_import`, default settings: 5,000-row
  batches, 2 written at once on their own connections; streamed CSV, every row validated
  and normalised, contacts + active subscriptions + change-log rows inserted set-based per batch, progress updated
  per batch), into a freshly migrated database;
- ceiling 1: raw asyncpg COPY of the same, already-normalised contact rows into `contacts`;
- ceiling 2: raw asyncpg batched `INSERT … SELECT unnest(…)` of the same contact rows (5,000 per batch).
The ceilings insert contacts only; the import also writes a subscription and a change-log row per contact.
- screening: the same import with screening on (role / disposable / duplicate counts in the CSV thread, each
  distinct domain's MX looked up against a local DNS stand-in) beside the import with screening off, each into its
  own freshly migrated database (the file has 2 % role and 1 % disposable addresses); target: ≤ 25 % slower.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
from typing import Any

ROWS = 200_000
QUICK_ROWS = 30_000


def _write_csv(path: str, n: int) -> None:
    rng = random.Random(42)
    domains = ["example.com", "Example.org", "mail.example.net", "post.example.de", "inbox.example.fr"]
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("email,first_name,last_name,plan\n")
        for i in range(n):
            local, domain = f"user.{i}", rng.choice(domains)
            if i % 50 == 7:
                local = f"info+{i}"  # a role address
            elif i % 100 == 3:
                domain = "mailinator.com"  # a disposable domain
            fh.write(f"{local}@{domain},First{i},Last{i % 977},{('free', 'pro', 'team')[i % 3]}\n")


async def _timed_import(path: str, n: int, screening: bool, nameserver: str) -> tuple[float, Any]:
    """One import into a fresh database; (seconds, the finished import)."""
    from services.subscriptions.import_runner import create_import, run_import
    from services.subscriptions.projects import create_project
    from services.subscriptions.settings import SubscriptionsSettings
    from shared.db.types import utcnow
    from shared.migrate import upgrade
    from shared.models.subscriptions import MailingList
    from shared.runtime import Runtime
    from tests.support import infra
    from tests.support.settings import make_settings

    url = await infra.create_pg_database("sesame_bench_screen")
    try:
        await asyncio.to_thread(upgrade, url)
        ss = SubscriptionsSettings(
            screening=screening, screening_dns_nameservers=[nameserver], screening_dns_probe="example.com"
        )
        rt = Runtime(make_settings(url))
        await rt.start()
        try:
            async with rt.uow() as session:
                project, _, _ = await create_project(session, "bench")
                lst = MailingList(
                    project_id=project.id, name="bench", created_at=utcnow(), updated_at=utcnow()
                )
                session.add(lst)
                await session.flush()
                size = os.path.getsize(path)  # noqa: ASYNC240
                imp = await create_import(session, project.id, lst.id, "benchmark", "contacts.csv", size)
            started = time.perf_counter()
            done = await run_import(rt, ss, imp.id, path)
            return time.perf_counter() - started, done
        finally:
            await rt.stop()
    finally:
        await infra.drop_pg_database(url)


async def _measure_screening(n: int) -> list[dict[str, Any]]:
    from tests.support.dns_standin import DnsStandin

    dns = DnsStandin()
    dns.start()
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "contacts.csv")
    try:
        for d in ("example.com", "example.org", "mail.example.net", "post.example.de", "inbox.example.fr"):
            dns.set(d + ".", "MX", f"10 mx.{d}.")
        await asyncio.to_thread(_write_csv, path, n)
        plain_s, plain = await _timed_import(path, n, False, dns.nameserver)
        screened_s, screened = await _timed_import(path, n, True, dns.nameserver)
        assert plain.status == "completed" and screened.status == "completed", (plain.error, screened.error)
        q = screened.screening or {}
        assert q["role"]["count"] == n // 50 and q["dns"]["checked"] == 5, q
    finally:
        dns.stop()
        with __import__("contextlib").suppress(OSError):
            os.remove(path)
            os.rmdir(tmp)
    cost = screened_s / plain_s - 1
    print(
        f"screening cost: {cost:+.1%} (target ≤ +25 %); report: role {q['role']['share']:.1%}, "
        f"disposable {q['disposable']['share']:.1%}, no MX {q['no_mx']['share']:.1%}, risk {q['risk_score']:.1%}"
    )
    return [
        {
            "name": f"CSV import {n:,} rows with screening (role, disposable, duplicates, MX per domain)",
            "value": round(n / screened_s),
            "unit": "rows/s",
            "ceiling": round(n / plain_s),
            "ceiling_name": "the same import without screening",
            "target": round(0.8 * n / plain_s),
        }
    ]


async def _measure(n: int) -> list[dict[str, Any]]:
    import asyncpg

    from services.subscriptions.csv_rows import CsvBatches
    from services.subscriptions.import_runner import create_import, run_import
    from services.subscriptions.settings import SubscriptionsSettings
    from shared.migrate import upgrade
    from shared.models.subscriptions import MailingList
    from shared.runtime import Runtime
    from tests.support import infra
    from tests.support.settings import make_settings

    url = await infra.create_pg_database("sesame_bench")
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "contacts.csv")
    try:
        await asyncio.to_thread(upgrade, url)
        await asyncio.to_thread(_write_csv, path, n)
        settings = make_settings(url)  # database only, in-process bus
        ss = SubscriptionsSettings()
        rt = Runtime(settings)
        await rt.start()
        try:
            from services.subscriptions.projects import create_project
            from shared.db.types import utcnow

            async with rt.uow() as session:
                project, _, _ = await create_project(session, "bench")
                lst = MailingList(
                    project_id=project.id, name="bench", created_at=utcnow(), updated_at=utcnow()
                )
                session.add(lst)
                await session.flush()
                size = os.path.getsize(path)  # noqa: ASYNC240
                imp = await create_import(session, project.id, lst.id, "benchmark", "contacts.csv", size)
                other, _, _ = await create_project(session, "ceiling")
            started = time.perf_counter()
            done = await run_import(rt, ss, imp.id, path)
            import_s = time.perf_counter() - started
            assert done.status == "completed" and done.subscriptions_created == n, (done.status, done.error)
        finally:
            await rt.stop()

        # The same rows, parsed and normalised outside the timing, for the raw ceilings.
        with open(path, "rb") as fh:  # noqa: ASYNC230 - outside the timed part
            reader = CsvBatches(fh, 5000)
            emails: list[str] = []
            hashes: list[str] = []
            attrs: list[str] = []
            while (b := reader.next_batch()) is not None:
                emails += b.emails
                hashes += b.hashes
                attrs += b.attributes
        dsn = "postgresql://" + url.split("://", 1)[1]
        conn = await asyncpg.connect(dsn)
        try:
            from datetime import UTC, datetime

            now = datetime.now(UTC)
            records = [(other.id, e, h, a, now, now) for e, h, a in zip(emails, hashes, attrs, strict=True)]
            started = time.perf_counter()
            await conn.copy_records_to_table(
                "contacts",
                records=records,
                columns=["project_id", "email", "email_hash", "attributes", "created_at", "updated_at"],
            )
            copy_s = time.perf_counter() - started
            await conn.execute("DELETE FROM contacts WHERE project_id = $1", other.id)
            started = time.perf_counter()
            for i in range(0, len(emails), 5000):
                await conn.execute(
                    "INSERT INTO contacts (project_id, email, email_hash, attributes, created_at, updated_at) "
                    "SELECT $1, e, h, a::jsonb, $5, $5 FROM unnest($2::text[], $3::text[], $4::text[]) AS t(e, h, a)",
                    other.id,
                    emails[i : i + 5000],
                    hashes[i : i + 5000],
                    attrs[i : i + 5000],
                    now,
                )
            unnest_s = time.perf_counter() - started
        finally:
            await conn.close()
    finally:
        await infra.drop_pg_database(url)
        with __import__("contextlib").suppress(OSError):
            os.remove(path)
            os.rmdir(tmp)
    return [
        {
            "name": f"CSV import {n:,} rows → contacts + active subscriptions + change log (Postgres)",
            "value": round(n / import_s),
            "unit": "rows/s",
            "ceiling": round(n / copy_s),
            "ceiling_name": "raw asyncpg COPY of the same contact rows",
            "target": 20_000,
        },
        {
            "name": f"CSV import {n:,} rows (same run) vs raw batched INSERT … unnest",
            "value": round(n / import_s),
            "unit": "rows/s",
            "ceiling": round(n / unnest_s),
            "ceiling_name": "raw asyncpg INSERT … SELECT unnest, 5,000 rows/batch, contacts only",
            "target": 20_000,
        },
    ]


async def run(quick: bool) -> list[dict[str, Any]]:
    """Measure; one row per figure (bench/README.md)."""
    n = QUICK_ROWS if quick else ROWS
    return await _measure(n) + await _measure_screening(n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rows", type=int, default=None)
    args = ap.parse_args()
    os.environ.setdefault("SESAME_ENV", "test")
    n = args.rows or (QUICK_ROWS if args.quick else ROWS)

    async def both() -> list[dict[str, Any]]:
        return await _measure(n) + await _measure_screening(n)

    for row in asyncio.run(both()):
        ratio = row["value"] / row["ceiling"] if row.get("ceiling") else 0
        print(
            f"{row['name']}: {row['value']:,} {row['unit']}  |  {row['ceiling_name']}: {row['ceiling']:,} {row['unit']}  ({ratio:.0%})"
        )
    print(json.dumps({"rows": n}))


if __name__ == "__main__":
    main()
