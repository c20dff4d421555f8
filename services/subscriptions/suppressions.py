"""The suppression list API (list/search, add, remove with who and why, CSV import/export) and the service
functions the bounce/complaint consumers use. Lookups go by `email_hash`, so erased contacts stay suppressed."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from services.subscriptions.common import Page, SubSettings, iso, page_out
from services.subscriptions.csv_export import CSV_RESPONSE, CsvChunks, csv_response
from services.subscriptions.projects import get_project
from services.subscriptions.schemas import (
    RemovalOut,
    RemovalPage,
    SuppressionCreatedOut,
    SuppressionImportOut,
    SuppressionImportRowError,
    SuppressionOut,
    SuppressionPage,
)
from shared.contracts.subscription import SuppressionChanged
from shared.db.types import utcnow
from shared.db.upsert import insert
from shared.email_address import InvalidEmail, email_hash, normalize_email
from shared.errors import BadRequest, NotFound, PayloadTooLarge
from shared.internal_auth import ProjectId
from shared.models.subscriptions import SUPPRESSION_REASONS, Suppression, SuppressionRemoval
from shared.outbox import enqueue
from shared.service_app import DbSession
from shared.suppression import address_hash

Reason = Literal["hard_bounce", "soft_bounce", "complaint", "manual", "ses_suppression", "unsubscribed_all"]


def _publish(session: AsyncSession, project_id: int, h: str, reason: str, *, removed: bool) -> None:
    msg = SuppressionChanged(project_id=project_id, email_hash=h, reason=reason, removed=removed, at=utcnow())
    enqueue(session, "suppression.removed" if removed else "suppression.added", msg.payload())


async def add_suppression(
    session: AsyncSession,
    project_id: int,
    raw_email: str,
    reason: str,
    *,
    source_event: str | None = None,
    detail: str | None = None,
) -> tuple[Suppression, bool]:
    """Suppress an address for the project (idempotent: an existing entry is kept as it is)."""
    try:
        email: str | None = normalize_email(raw_email)
    except InvalidEmail:
        email = (
            raw_email.strip()[:320] or None
        )  # feedback may carry addresses we would not accept; suppress anyway
    h = email_hash(email) if email else address_hash(raw_email)
    stmt = (
        insert(Suppression.__table__, session)
        .values(
            project_id=project_id,
            email=email,
            email_hash=h,
            reason=reason,
            source_event=source_event[:200] if source_event else None,
            detail=detail,
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["project_id", "email_hash"])
    )
    created = bool((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]
    if created:
        _publish(session, project_id, h, reason, removed=False)
    row = await session.scalar(
        sa.select(Suppression).where(Suppression.project_id == project_id, Suppression.email_hash == h)
    )
    assert row is not None
    return row, created


def suppression_out(s: Suppression) -> SuppressionOut:
    return SuppressionOut(
        id=s.id,
        email=s.email,
        email_hash=s.email_hash,
        reason=s.reason,
        source_event=s.source_event,
        detail=s.detail,
        created_at=s.created_at.isoformat(),
    )


def removal_out(r: SuppressionRemoval) -> RemovalOut:
    return RemovalOut(
        id=r.id,
        email=r.email,
        email_hash=r.email_hash,
        reason=r.reason,
        suppressed_at=r.suppressed_at.isoformat(),
        removed_by=r.removed_by,
        why=r.why,
        removed_at=r.removed_at.isoformat(),
    )


class SuppressionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=320)
    reason: Reason = "manual"
    detail: str | None = Field(None, max_length=2000)


class SuppressionRemove(BaseModel):
    model_config = ConfigDict(extra="forbid")
    why: str = Field(min_length=3, max_length=1000)
    removed_by: str | None = Field(None, max_length=200)


router = APIRouter(tags=["suppressions"])


@router.get("/v1/suppressions", response_model=SuppressionPage)
async def list_suppressions(
    project_id: ProjectId,
    session: DbSession,
    page: Page,
    email: Annotated[str | None, Query(max_length=320, description="any spelling; matched by hash")] = None,
    q: Annotated[str | None, Query(max_length=320, description="part of the address")] = None,
    reason: Reason | None = None,
) -> dict[str, Any]:
    stmt = sa.select(Suppression).where(Suppression.project_id == project_id).order_by(Suppression.id)
    if email is not None:
        stmt = stmt.where(Suppression.email_hash == address_hash(email))
    if q:
        escaped = q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(sa.func.lower(Suppression.email).like(f"%{escaped}%", escape="\\"))
    if reason is not None:
        stmt = stmt.where(Suppression.reason == reason)
    if page.after is not None:
        stmt = stmt.where(Suppression.id > page.after)
    rows = list((await session.scalars(stmt.limit(page.limit + 1))).all())
    return page_out([suppression_out(s) for s in rows], rows, page.limit)


@router.post(
    "/v1/suppressions",
    status_code=201,
    response_model=SuppressionCreatedOut,
    responses={200: {"model": SuppressionCreatedOut, "description": "The address was suppressed already."}},
)
async def create_suppression(
    project_id: ProjectId, session: DbSession, body: SuppressionCreate, response: Response
) -> SuppressionCreatedOut:
    await get_project(session, project_id)
    row, created = await add_suppression(
        session, project_id, normalize_email(body.email), body.reason, source_event="api", detail=body.detail
    )
    if not created:
        response.status_code = 200
    return SuppressionCreatedOut(**suppression_out(row).model_dump(), created=created)


@router.get("/v1/suppressions/removals", response_model=RemovalPage)
async def list_removals(project_id: ProjectId, session: DbSession, page: Page) -> dict[str, Any]:
    stmt = (
        sa.select(SuppressionRemoval)
        .where(SuppressionRemoval.project_id == project_id)
        .order_by(SuppressionRemoval.id)
        .limit(page.limit + 1)
    )
    if page.after is not None:
        stmt = stmt.where(SuppressionRemoval.id > page.after)
    rows = list((await session.scalars(stmt)).all())
    return page_out([removal_out(r) for r in rows], rows, page.limit)


@router.get("/v1/suppressions/export", responses=CSV_RESPONSE, response_class=StreamingResponse)
async def export_suppressions(project_id: ProjectId, request: Request) -> StreamingResponse:
    """CSV of the whole list, streamed page by page (email is empty for erased contacts)."""
    rt = request.app.state.runtime

    async def rows() -> AsyncIterator[str]:
        out = CsvChunks(["email", "email_hash", "reason", "source_event", "detail", "created_at"])
        after = 0
        while True:
            async with rt.uow() as session:
                batch = (
                    await session.scalars(
                        sa.select(Suppression)
                        .where(Suppression.project_id == project_id, Suppression.id > after)
                        .order_by(Suppression.id)
                        .limit(2000)
                    )
                ).all()
            for s in batch:
                out.row([s.email, s.email_hash, s.reason, s.source_event, s.detail, iso(s.created_at)])
            yield out.take()
            if len(batch) < 2000:
                return
            after = batch[-1].id

    return csv_response(rows(), f"suppressions-{project_id}.csv")


async def read_limited_body(request: Request, limit: int) -> bytes:
    """The request body, refusing more than `limit` bytes even without a Content-Length."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"body over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/v1/suppressions/import",
    response_model=SuppressionImportOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
            "description": "CSV with a header row: `email`, optional `reason` (default manual) and `detail`.",
        }
    },
)
async def import_suppressions(
    project_id: ProjectId, session: DbSession, request: Request, ss: SubSettings
) -> SuppressionImportOut:
    """CSV with an `email` column and optional `reason` (default manual) and `detail` columns."""
    await get_project(session, project_id)
    raw = await read_limited_body(request, ss.suppression_csv_max_bytes)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequest("CSV must be UTF-8", error="invalid_csv") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if "email" not in fields:
        raise BadRequest("CSV needs a header row with an `email` column", error="invalid_csv")
    reader.fieldnames = fields
    errors: list[SuppressionImportRowError] = []
    good: dict[str, dict[str, Any]] = {}
    now = utcnow()
    rows = 0
    try:
        for row in reader:
            rows += 1
            line = reader.line_num
            reason = (row.get("reason") or "manual").strip() or "manual"
            if reason not in SUPPRESSION_REASONS:
                errors.append(SuppressionImportRowError(line=line, reason=f"unknown reason {reason!r}"))
                continue
            try:
                email = normalize_email(row.get("email") or "")
            except InvalidEmail as exc:
                errors.append(SuppressionImportRowError(line=line, reason=str(exc.detail)))
                continue
            h = email_hash(email)
            good.setdefault(
                h,
                {
                    "project_id": project_id,
                    "email": email,
                    "email_hash": h,
                    "reason": reason,
                    "source_event": "csv_import",
                    "detail": (row.get("detail") or None),
                    "created_at": now,
                },
            )
    except csv.Error as exc:
        raise BadRequest(
            f"CSV could not be read near line {reader.line_num}: {exc}", error="invalid_csv"
        ) from None
    added = 0
    values = list(good.values())
    for i in range(0, len(values), 500):
        chunk = values[i : i + 500]
        stmt = insert(Suppression.__table__, session).values(chunk)
        stmt = stmt.on_conflict_do_nothing(index_elements=["project_id", "email_hash"]).returning(
            Suppression.email_hash, Suppression.reason
        )
        for added_hash, added_reason in (await session.execute(stmt)).all():
            added += 1
            _publish(session, project_id, str(added_hash), str(added_reason), removed=False)
    return SuppressionImportOut(
        rows=rows, added=added, existing=len(values) - added, failed=len(errors), errors=errors[:1000]
    )


@router.get("/v1/suppressions/{suppression_id}", response_model=SuppressionOut)
async def read_suppression(project_id: ProjectId, session: DbSession, suppression_id: int) -> SuppressionOut:
    s = await session.scalar(
        sa.select(Suppression).where(Suppression.id == suppression_id, Suppression.project_id == project_id)
    )
    if s is None:
        raise NotFound("suppression not found")
    return suppression_out(s)


@router.delete("/v1/suppressions/{suppression_id}", response_model=RemovalOut)
async def delete_suppression(
    project_id: ProjectId,
    session: DbSession,
    suppression_id: int,
    request: Request,
    why: Annotated[str, Query(min_length=3, max_length=1000)],
    removed_by: Annotated[str | None, Query(max_length=200)] = None,
) -> RemovalOut:
    """The same as POST …/remove, with `why` (required) and `removed_by` as query parameters."""
    body = SuppressionRemove(why=why, removed_by=removed_by)
    return await remove_suppression(project_id, session, suppression_id, body, request)


@router.post("/v1/suppressions/{suppression_id}/remove", response_model=RemovalOut)
async def remove_suppression(
    project_id: ProjectId, session: DbSession, suppression_id: int, body: SuppressionRemove, request: Request
) -> RemovalOut:
    """Remove an entry; the removal (who, why, the entry's reason and age) is kept in the removal log."""
    s = await session.scalar(
        sa.select(Suppression).where(Suppression.id == suppression_id, Suppression.project_id == project_id)
    )
    if s is None:
        raise NotFound("suppression not found")
    who = body.removed_by or request.headers.get("x-sesame-actor") or "api"
    removal = SuppressionRemoval(
        project_id=project_id,
        email=s.email,
        email_hash=s.email_hash,
        reason=s.reason,
        suppressed_at=s.created_at,
        removed_by=who[:200],
        why=body.why,
        removed_at=utcnow(),
    )
    session.add(removal)
    await session.delete(s)
    await session.flush()
    _publish(session, project_id, s.email_hash, s.reason, removed=True)
    return removal_out(removal)
