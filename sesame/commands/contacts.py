"""`sesame contacts import --project ID --list ID FILE.csv --consent-source TEXT`: bulk import with a progress bar.

The same import as `POST /v1/lists/{id}/imports`, run in this process straight from the file (no upload, no size
limit). Bad rows are reported with their line numbers; re-running the same file changes nothing the second time.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys

from sesame.commands._common import load_settings, run


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("contacts", help="contact tools (bulk CSV import)")
    csub = p.add_subparsers(dest="contacts_command", metavar="ACTION", required=True)
    i = csub.add_parser(
        "import", help="import a CSV (header row with an `email` column) into a list as active"
    )
    i.add_argument("file", help="the CSV file; columns other than email become contact attributes")
    i.add_argument("--project", type=int, required=True, help="project id")
    i.add_argument("--list", dest="list_id", type=int, required=True, help="list id")
    i.add_argument(
        "--consent-source",
        required=True,
        help="how these addresses consented (recorded with every subscription), e.g. 'shop checkout opt-in 2024'",
    )
    i.add_argument(
        "--errors", metavar="PATH", help="write every refused row (line, value, reason) to this CSV"
    )
    i.add_argument("--no-progress", action="store_true", help="no progress bar")
    i.set_defaults(func=_import)


def _import(args: argparse.Namespace) -> int:
    if not os.path.isfile(args.file):
        raise ValueError(f"no such file: {args.file}")
    return run(_run_import(args))


async def _run_import(args: argparse.Namespace) -> int:
    import sqlalchemy as sa
    from tqdm import tqdm

    from services.subscriptions.import_runner import create_import, run_import
    from services.subscriptions.settings import SubscriptionsSettings
    from shared.errors import SesameError
    from shared.models.subscriptions import ContactImport, ImportRowError
    from shared.runtime import Runtime

    settings = load_settings()
    ss = SubscriptionsSettings()
    rt = Runtime(settings)
    size = os.path.getsize(args.file)  # noqa: ASYNC240
    try:
        try:
            async with rt.uow() as session:
                imp = await create_import(
                    session,
                    args.project,
                    args.list_id,
                    args.consent_source,
                    os.path.basename(args.file),
                    size,
                )
        except SesameError as exc:
            raise ValueError(str(exc.detail)) from None
        bar = tqdm(total=size, unit="B", unit_scale=True, disable=args.no_progress, desc=f"import {imp.id}")

        def progress(i: ContactImport) -> None:
            bar.update(max(0, (i.total_bytes if i.status == "completed" else i.processed_bytes) - bar.n))
            bar.set_postfix(rows=i.rows_processed, bad=i.rows_failed, refresh=False)

        done = await run_import(rt, ss, imp.id, args.file, on_progress=progress)
        bar.close()
        print(
            f"import {done.id} {done.status}: {done.rows_processed} rows, {done.rows_imported} imported "
            f"({done.contacts_created} new contacts, {done.subscriptions_created} new subscriptions), "
            f"{done.rows_duplicate} duplicates, {done.rows_failed} refused"
        )
        if done.error:
            print(f"error: {done.error}", file=sys.stderr)
        async with rt.uow() as session:
            q = (
                sa.select(ImportRowError)
                .where(ImportRowError.import_id == done.id)
                .order_by(ImportRowError.id)
            )
            errors = [(e.line, e.value or "", e.reason) for e in (await session.scalars(q)).all()]
        if args.errors:
            with open(args.errors, "w", newline="", encoding="utf-8") as fh:  # noqa: ASYNC230
                w = csv.writer(fh)
                w.writerow(["line", "value", "reason"])
                w.writerows(errors)
        else:
            for line, value, reason in errors[:20]:
                print(f"  line {line}: {reason} ({value})", file=sys.stderr)
            if len(errors) > 20:
                print(f"  … {len(errors) - 20} more (use --errors PATH)", file=sys.stderr)
        return 0 if done.status == "completed" else 1
    finally:
        await rt.engine.dispose()
