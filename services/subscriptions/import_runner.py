"""The import runner: creates an import of a CSV into a list (contacts become `active` with the stated consent
source) and runs it — reads the file in a worker thread, screens it (screening.py), writes the good rows batch by
batch (import_writes.py) and finishes it as completed, held or failed; `ImportRunner` runs the API's imports in this
process.

The CSV is streamed (API: spooled to a file while it uploads; CLI: read from its path) and validated row by row
(csv_rows.py). Bad rows are recorded with their line numbers and reasons. Progress counters are updated after every
batch, so `GET /v1/imports/{id}` shows them while the import runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.subscriptions.csv_rows import CsvBatches, HeaderError
from services.subscriptions.import_writes import apply_batch
from services.subscriptions.lists import get_list
from services.subscriptions.projects import get_project
from services.subscriptions.screening import ImportScreen, hold_reason, project_hold_risk
from services.subscriptions.settings import SubscriptionsSettings
from shared import domain_log
from shared.db.types import utcnow
from shared.errors import NotFound, Unprocessable
from shared.models.subscriptions import ContactImport
from shared.runtime import Runtime

log = logging.getLogger("sesame.subscriptions.imports")  # the name its log lines have always had

ProgressCallback = Callable[[ContactImport], None]


def _latest(
    current: ContactImport, new: ContactImport, on_progress: ProgressCallback | None
) -> ContactImport:
    """Keep the most advanced snapshot of the counters (concurrent batches finish in any order)."""
    best = new if new.rows_processed >= current.rows_processed else current
    if on_progress:
        on_progress(best)
    return best


async def _finish(
    rt: Runtime,
    import_id: int,
    status: str,
    error: str | None = None,
    screening: dict[str, Any] | None = None,
    hold: str | None = None,
) -> ContactImport:
    async with rt.uow() as session:
        values: dict[str, Any] = {
            "status": status,
            "error": error,
            "finished_at": utcnow(),
            "updated_at": utcnow(),
        }
        if screening is not None:
            values.update(screening=screening, hold_reason=hold)
        await session.execute(sa.update(ContactImport).where(ContactImport.id == import_id).values(**values))
        imp = await session.get(ContactImport, import_id, populate_existing=True)
        assert imp is not None
        domain_log.import_finished(session, imp)
        return imp


async def run_import(
    rt: Runtime,
    ss: SubscriptionsSettings,
    import_id: int,
    path: str | os.PathLike[str],
    *,
    on_progress: ProgressCallback | None = None,
) -> ContactImport:
    """Import the CSV at `path` into the import's list; returns the finished import row."""
    async with rt.uow() as session:
        imp = await session.get(ContactImport, import_id)
        if imp is None:
            raise NotFound("import not found")
        screen = None
        if ss.screening:
            project = await get_project(session, imp.project_id)
            screen = ImportScreen(ss, project_hold_risk(project, ss))
    try:
        with open(path, "rb") as fh:  # noqa: ASYNC230 - local spool file, reads happen in a thread
            try:
                batches = await asyncio.to_thread(
                    CsvBatches, fh, ss.import_batch_rows, screen.disposable if screen else None
                )
            except HeaderError as exc:
                return await _finish(rt, import_id, "failed", str(exc))
            # Read the next batch in a thread while the database takes the current one(s). On Postgres several
            # batches go in at once on their own connections (rows are sorted by hash inside each batch, so
            # concurrent batches take row locks in the same order and cannot deadlock each other).
            parallel = ss.import_parallel_batches if rt.engine.dialect.name == "postgresql" else 1
            inflight: set[asyncio.Task[ContactImport]] = set()
            pending = asyncio.ensure_future(asyncio.to_thread(batches.next_batch))
            try:
                while True:
                    batch = await pending
                    if batch is None:
                        break
                    pending = asyncio.ensure_future(asyncio.to_thread(batches.next_batch))
                    if screen is not None:
                        screen.add(batch)
                    if len(inflight) >= parallel:
                        finished, inflight = await asyncio.wait(inflight, return_when=asyncio.FIRST_COMPLETED)
                        for t in finished:
                            imp = _latest(imp, t.result(), on_progress)
                    inflight.add(asyncio.create_task(apply_batch(rt, imp, batch, ss.import_max_errors)))
                while inflight:
                    finished, inflight = await asyncio.wait(inflight, return_when=asyncio.FIRST_COMPLETED)
                    for t in finished:
                        imp = _latest(imp, t.result(), on_progress)
            finally:
                for t in inflight:
                    t.cancel()
                if inflight:
                    await asyncio.gather(*inflight, return_exceptions=True)
        if screen is None:
            done = await _finish(rt, import_id, "completed")
        else:
            report = await screen.report(imp.rows_processed, imp.rows_failed, imp.rows_duplicate)
            reason = hold_reason(report)
            done = await _finish(
                rt, import_id, "held" if reason else "completed", screening=report, hold=reason
            )
        if on_progress:
            on_progress(done)
        return done
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await asyncio.shield(
                _finish(rt, import_id, "failed", "interrupted: the service stopped; run it again")
            )
        raise
    except Exception as exc:
        log.exception("import %s failed", import_id)
        return await _finish(rt, import_id, "failed", f"{exc.__class__.__name__}: {exc}"[:2000])
    finally:
        if screen is not None:
            screen.close()


async def create_import(
    session: AsyncSession,
    project_id: int,
    list_id: int,
    consent_source: str,
    filename: str | None,
    total_bytes: int,
) -> ContactImport:
    consent = (consent_source or "").strip()
    if len(consent) < 3:
        raise Unprocessable(
            "imported contacts become active: state how they consented (consent_source)",
            error="consent_source_required",
        )
    await get_project(session, project_id)
    await get_list(session, project_id, list_id)
    now = utcnow()
    imp = ContactImport(
        project_id=project_id,
        list_id=list_id,
        status="running",
        consent_source=consent[:500],
        filename=(filename or None) and filename[:500],
        total_bytes=total_bytes,
        processed_bytes=0,
        rows_processed=0,
        rows_imported=0,
        contacts_created=0,
        subscriptions_created=0,
        rows_duplicate=0,
        rows_failed=0,
        created_at=now,
        updated_at=now,
    )
    session.add(imp)
    await session.flush()
    return imp


class ImportRunner:
    """Runs API-started imports in this process; on shutdown they stop and are marked failed (re-run them)."""

    def __init__(self, ss: SubscriptionsSettings) -> None:
        self.ss = ss
        self.tasks: dict[int, asyncio.Task[ContactImport]] = {}

    def start(self, rt: Runtime, import_id: int, path: Path) -> None:
        async def run() -> ContactImport:
            try:
                return await run_import(rt, self.ss, import_id, path)
            finally:
                with contextlib.suppress(OSError):
                    path.unlink()  # noqa: ASYNC240

        task = asyncio.create_task(run(), name=f"import-{import_id}")
        self.tasks[import_id] = task
        task.add_done_callback(lambda _: self.tasks.pop(import_id, None))

    async def recover(self, rt: Runtime) -> None:
        """Imports left `running` by a process that died (no progress for 5 minutes) are marked failed."""
        async with rt.uow() as session:
            await session.execute(
                sa.update(ContactImport)
                .where(
                    ContactImport.status == "running",
                    ContactImport.updated_at < utcnow() - timedelta(minutes=5),
                )
                .values(
                    status="failed",
                    error="interrupted: the service stopped; run it again",
                    finished_at=utcnow(),
                )
            )

    async def supervise(self, rt: Runtime) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            tasks = list(self.tasks.values())
            for t in tasks:
                t.cancel()
            for t in tasks:
                with contextlib.suppress(BaseException):
                    await t
