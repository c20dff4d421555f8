"""The imports API: `POST /v1/lists/{id}/imports` spools the CSV (or the JSON list, bulk_json.py) to a file while it
uploads and hands it to the import runner (import_runner.py); `GET /v1/imports`, `GET /v1/imports/{id}` (progress
and the screening's report while it runs) and its refused rows."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import uuid
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Header, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.subscriptions.bulk_json import CSV_BODY, json_to_csv
from services.subscriptions.common import Page, SubSettings, encode_cursor, iso, page_out
from services.subscriptions.import_runner import create_import
from services.subscriptions.lists import get_list
from services.subscriptions.projects import get_project
from services.subscriptions.schemas import ImportOut, ImportPage, ImportRowErrorPage
from shared.errors import BadRequest, NotFound, PayloadTooLarge
from shared.internal_auth import ApiKeyId, ProjectId
from shared.models.subscriptions import ContactImport, ImportRowError
from shared.service_app import DbSession, RuntimeDep


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
