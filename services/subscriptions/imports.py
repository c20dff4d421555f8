"""Bulk CSV import of contacts into a list as `active` (with the stated consent source).

The CSV is streamed (API: spooled to a file while it uploads; CLI: read from its path), validated row by row in a
worker thread, and the good rows go in set-based, one transaction per batch: on Postgres one multi-row
`INSERT … SELECT unnest(…) ON CONFLICT` for contacts and one for subscriptions + their change-log rows. Bad rows
are recorded with their line numbers and reasons. Progress counters are updated after every batch, so
`GET /v1/imports/{id}` shows them while the import runs. Re-running the same file changes nothing the second time
(existing contacts and subscriptions are kept: an address that unsubscribed stays unsubscribed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Header, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.subscriptions.bulk_json import CSV_BODY, json_to_csv
from services.subscriptions.common import Page, SubSettings, encode_cursor, iso, page_out
from services.subscriptions.csv_rows import Batch, CsvBatches, HeaderError
from services.subscriptions.lists import get_list
from services.subscriptions.projects import get_project
from services.subscriptions.schemas import ImportOut, ImportPage, ImportRowErrorPage
from services.subscriptions.screening import ImportScreen, hold_reason, project_hold_risk
from services.subscriptions.settings import SubscriptionsSettings
from shared import domain_log
from shared.contracts.subscription import SubscriptionsImported
from shared.db.types import UTCDateTime, utcnow
from shared.db.upsert import dialect_name
from shared.errors import BadRequest, NotFound, PayloadTooLarge, Unprocessable
from shared.internal_auth import ApiKeyId, ProjectId
from shared.models.subscriptions import ContactImport, ImportRowError
from shared.outbox import enqueue
from shared.runtime import Runtime
from shared.service_app import DbSession, RuntimeDep

log = logging.getLogger("sesame.subscriptions.imports")

ProgressCallback = Callable[[ContactImport], None]

# One statement per batch: contacts (new ones inserted, existing ones get new attributes merged; every row's id
# comes back, so no lookup), their subscriptions (existing ones untouched) and a change-log row per new subscription.
_PG_BATCH = """
WITH c AS (
  INSERT INTO contacts AS ct (project_id, email, email_hash, attributes, created_at, updated_at, import_id)
  SELECT $1, t.email, t.h, t.a::jsonb, $5, $5, $9 FROM unnest($2::text[], $3::text[], $4::text[]) AS t(email, h, a)
  ON CONFLICT (project_id, email_hash) DO UPDATE SET
    attributes = CASE WHEN ct.attributes @> EXCLUDED.attributes THEN ct.attributes
                      ELSE ct.attributes || EXCLUDED.attributes END,
    updated_at = CASE WHEN ct.attributes @> EXCLUDED.attributes THEN ct.updated_at ELSE EXCLUDED.updated_at END
  RETURNING ct.id, (xmax = 0) AS inserted
), s AS (
  INSERT INTO subscriptions
    (project_id, list_id, contact_id, status, consent_source, created_at, updated_at, import_id)
  SELECT $1, $6, c.id, 'active', $7, $5, $5, $9 FROM c
  ON CONFLICT (list_id, contact_id) DO NOTHING
  RETURNING id, contact_id
), l AS (
  INSERT INTO subscription_changes
    (project_id, subscription_id, list_id, contact_id, previous_status, status, source, detail, created_at)
  SELECT $1, s.id, $6, s.contact_id, NULL, 'active', 'import', $8, $5 FROM s
)
SELECT (SELECT count(*) FROM c WHERE c.inserted) AS created,
       (SELECT coalesce(array_agg(s.contact_id ORDER BY s.contact_id), '{}') FROM s) AS subscribed
"""


async def _insert_pg(session: AsyncSession, imp: ContactImport, b: Batch) -> tuple[int, list[int]]:
    conn = await session.connection()
    raw = (await conn.get_raw_connection()).driver_connection
    assert raw is not None
    detail = f"import {imp.id}: {imp.consent_source}"[:500]
    order = sorted(range(len(b.hashes)), key=b.hashes.__getitem__)
    emails, hashes, attrs = ([col[i] for i in order] for col in (b.emails, b.hashes, b.attributes))
    row = await raw.fetchrow(
        _PG_BATCH,
        imp.project_id,
        emails,
        hashes,
        attrs,
        utcnow(),
        imp.list_id,
        imp.consent_source,
        detail,
        imp.id,
    )
    return int(row["created"]), list(row["subscribed"])


def _sqlite(sql: str, *expanding: str) -> sa.TextClause:
    params: list[sa.BindParameter[Any]] = [sa.bindparam(n, expanding=True) for n in expanding]
    if ":now" in sql:
        params.append(sa.bindparam("now", type_=UTCDateTime()))
    return sa.text(sql).bindparams(*params)


async def _insert_sqlite(session: AsyncSession, imp: ContactImport, b: Batch) -> tuple[int, list[int]]:
    """The same effect as `_insert_pg` with SQLite's means (the embedded mode; one writer at a time)."""
    now = utcnow()
    count = sa.text("SELECT count(*) FROM contacts WHERE project_id = :p")
    before = await session.scalar(count, {"p": imp.project_id})
    await session.execute(
        _sqlite(
            "INSERT INTO contacts (project_id, email, email_hash, attributes, created_at, updated_at, import_id) "
            "VALUES (:p, :e, :h, :a, :now, :now, :imp) ON CONFLICT (project_id, email_hash) DO UPDATE "
            "SET attributes = json_patch(contacts.attributes, excluded.attributes), updated_at = excluded.updated_at "
            "WHERE excluded.attributes <> '{}' "
            "AND json_patch(contacts.attributes, excluded.attributes) <> contacts.attributes"
        ),
        [
            {"p": imp.project_id, "e": e, "h": h, "a": a, "now": now, "imp": imp.id}
            for e, h, a in zip(b.emails, b.hashes, b.attributes, strict=True)
        ],
    )
    created = int(await session.scalar(count, {"p": imp.project_id}) or 0) - int(before or 0)
    ids: list[int] = []
    existing: set[int] = set()
    for i in range(0, len(b.hashes), 500):
        res = await session.execute(
            _sqlite("SELECT id FROM contacts WHERE project_id = :p AND email_hash IN :hashes", "hashes"),
            {"p": imp.project_id, "hashes": b.hashes[i : i + 500]},
        )
        chunk = [r[0] for r in res]
        ids.extend(chunk)
        res = await session.execute(
            _sqlite("SELECT contact_id FROM subscriptions WHERE list_id = :l AND contact_id IN :ids", "ids"),
            {"l": imp.list_id, "ids": chunk},
        )
        existing.update(r[0] for r in res)
    new = [cid for cid in ids if cid not in existing]
    if new:
        await session.execute(
            _sqlite(
                "INSERT INTO subscriptions (project_id, list_id, contact_id, status, consent_source, created_at, "
                "updated_at, import_id) VALUES (:p, :l, :c, 'active', :cs, :now, :now, :imp) "
                "ON CONFLICT (list_id, contact_id) DO NOTHING"
            ),
            [
                {
                    "p": imp.project_id,
                    "l": imp.list_id,
                    "c": c,
                    "cs": imp.consent_source,
                    "now": now,
                    "imp": imp.id,
                }
                for c in new
            ],
        )
        detail = f"import {imp.id}: {imp.consent_source}"[:500]
        for i in range(0, len(new), 500):
            await session.execute(
                _sqlite(
                    "INSERT INTO subscription_changes (project_id, subscription_id, list_id, contact_id, "
                    "previous_status, status, source, detail, created_at) "
                    "SELECT :p, id, :l, contact_id, NULL, 'active', 'import', :d, :now "
                    "FROM subscriptions WHERE list_id = :l AND contact_id IN :ids",
                    "ids",
                ),
                {"p": imp.project_id, "l": imp.list_id, "d": detail, "now": now, "ids": new[i : i + 500]},
            )
    return created, new


async def _apply_batch(rt: Runtime, imp: ContactImport, b: Batch, max_errors: int) -> ContactImport:
    """One transaction: the batch's rows, its bad-row reports and the progress counters."""
    async with rt.uow() as session:
        created, subscribed = 0, list[int]()
        if b.emails:
            if dialect_name(session) == "postgresql":
                created, subscribed = await _insert_pg(session, imp, b)
            else:
                created, subscribed = await _insert_sqlite(session, imp, b)
        room = max(0, max_errors - imp.rows_failed)
        if b.errors and room:
            await session.execute(
                sa.insert(ImportRowError),
                [
                    {"import_id": imp.id, "line": ln, "value": v, "reason": r[:500]}
                    for ln, v, r in b.errors[:room]
                ],
            )
        if subscribed:
            msg = SubscriptionsImported(
                project_id=imp.project_id,
                list_id=imp.list_id,
                import_id=imp.id,
                contact_ids=subscribed,
                at=utcnow(),
            )
            enqueue(session, SubscriptionsImported.ROUTING_KEY, msg.payload())
        values = {
            "processed_bytes": sa.case(
                (ContactImport.processed_bytes < b.position, b.position), else_=ContactImport.processed_bytes
            ),
            "rows_processed": ContactImport.rows_processed + b.rows,
            "rows_imported": ContactImport.rows_imported + len(b.emails),
            "contacts_created": ContactImport.contacts_created + created,
            "subscriptions_created": ContactImport.subscriptions_created + len(subscribed),
            "rows_duplicate": ContactImport.rows_duplicate + b.duplicates,
            "rows_failed": ContactImport.rows_failed + len(b.errors),
            "updated_at": utcnow(),
        }
        await session.execute(sa.update(ContactImport).where(ContactImport.id == imp.id).values(**values))
        fresh = await session.scalar(
            sa.select(ContactImport)
            .where(ContactImport.id == imp.id)
            .execution_options(populate_existing=True)
        )
        assert fresh is not None
        return fresh


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
                    inflight.add(asyncio.create_task(_apply_batch(rt, imp, batch, ss.import_max_errors)))
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


def import_out(imp: ContactImport) -> dict[str, Any]:
    progress = (
        1.0
        if imp.status == "completed"
        else (imp.processed_bytes / imp.total_bytes if imp.total_bytes else 0.0)
    )
    return {
        "id": imp.id,
        "list_id": imp.list_id,
        "status": imp.status,
        "consent_source": imp.consent_source,
        "filename": imp.filename,
        "progress": round(min(progress, 1.0), 4),
        "total_bytes": imp.total_bytes,
        "processed_bytes": imp.processed_bytes,
        "rows_processed": imp.rows_processed,
        "rows_imported": imp.rows_imported,
        "contacts_created": imp.contacts_created,
        "subscriptions_created": imp.subscriptions_created,
        "rows_duplicate": imp.rows_duplicate,
        "rows_failed": imp.rows_failed,
        "error": imp.error,
        "quality": imp.screening,
        "hold_reason": imp.hold_reason,
        "decided_by": imp.decided_by,
        "decided_at": iso(imp.decided_at),
        "created_at": iso(imp.created_at),
        "updated_at": iso(imp.updated_at),
        "finished_at": iso(imp.finished_at),
    }


router = APIRouter(tags=["imports"])


@router.post(
    "/v1/lists/{list_id}/imports",
    status_code=202,
    openapi_extra=CSV_BODY,
    response_model=ImportOut,
    response_model_exclude_unset=True,
)
async def start_import(
    project_id: ProjectId,
    rt: RuntimeDep,
    ss: SubSettings,
    request: Request,
    list_id: int,
    api_key_id: ApiKeyId,
    consent_source: Annotated[str | None, Query(max_length=500)] = None,
    filename: Annotated[str | None, Query(max_length=500)] = None,
    x_consent_source: Annotated[str | None, Header(max_length=500)] = None,
) -> dict[str, Any]:
    """Body: the CSV itself (header row with an `email` column; other columns become attributes)."""
    consent = consent_source or x_consent_source or ""
    async with rt.uow() as session:  # refuse before reading a large body
        await get_project(session, project_id)
        await get_list(session, project_id, list_id)
    spool = Path(ss.import_spool_dir or tempfile.gettempdir())  # noqa: ASYNC240
    spool.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240
    path = spool / f"sesame-import-{uuid.uuid4().hex}.csv"
    size = 0
    try:
        with open(path, "wb") as fh:  # noqa: ASYNC230 - local spool file, written chunk by chunk
            async for chunk in request.stream():
                size += len(chunk)
                if size > ss.import_max_bytes:
                    raise PayloadTooLarge(f"body over {ss.import_max_bytes} bytes")
                fh.write(chunk)
        if size == 0:
            raise BadRequest("the body is empty: send the CSV file as the request body", error="empty_body")
        if request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json":
            json_path, path = path, path.with_suffix(".json.csv")
            try:
                size = await asyncio.to_thread(json_to_csv, json_path, path)
            finally:
                with contextlib.suppress(OSError):
                    json_path.unlink()
        async with rt.uow() as session:
            imp = await create_import(session, project_id, list_id, consent, filename, size)
            imp.api_key_id = api_key_id
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    request.app.state.import_runner.start(rt, imp.id, path)
    return import_out(imp)


async def _get_import(session: AsyncSession, project_id: int, import_id: int) -> ContactImport:
    imp = await session.scalar(
        sa.select(ContactImport).where(ContactImport.id == import_id, ContactImport.project_id == project_id)
    )
    if imp is None:
        raise NotFound("import not found")
    return imp


@router.get("/v1/imports", response_model=ImportPage, response_model_exclude_unset=True)
async def list_imports(
    project_id: ProjectId, session: DbSession, page: Page, list_id: int | None = None
) -> dict[str, Any]:
    q = sa.select(ContactImport).where(ContactImport.project_id == project_id).order_by(ContactImport.id)
    if list_id is not None:
        q = q.where(ContactImport.list_id == list_id)
    if page.after is not None:
        q = q.where(ContactImport.id > page.after)
    rows = list((await session.scalars(q.limit(page.limit + 1))).all())
    return page_out([import_out(r) for r in rows], rows, page.limit)


@router.get("/v1/imports/{import_id}", response_model=ImportOut, response_model_exclude_unset=True)
async def read_import(project_id: ProjectId, session: DbSession, import_id: int) -> dict[str, Any]:
    return import_out(await _get_import(session, project_id, import_id))


@router.get("/v1/imports/{import_id}/errors", response_model=ImportRowErrorPage)
async def import_errors(
    project_id: ProjectId, session: DbSession, import_id: int, page: Page
) -> dict[str, Any]:
    """Refused rows in line order (the cursor is the last line number seen)."""
    imp = await _get_import(session, project_id, import_id)
    q = sa.select(ImportRowError).where(ImportRowError.import_id == imp.id).order_by(ImportRowError.line)
    if page.after is not None:
        q = q.where(ImportRowError.line > page.after)
    rows = list((await session.scalars(q.limit(page.limit + 1))).all())
    more = len(rows) > page.limit
    return {
        "data": [{"line": r.line, "value": r.value, "reason": r.reason} for r in rows[: page.limit]],
        "next_cursor": encode_cursor(rows[page.limit - 1].line) if more else None,
    }
