"""Mail captured by the sandbox SES, for the project (/v1/sandbox) and operators (/admin/sender/…)."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query, Response
from fastapi.responses import PlainTextResponse

from services.sender.api.common import iso
from services.sender.api.schemas import CaptureOut, CapturePage, legacy_page
from shared.errors import NotFound
from shared.internal_auth import Internal, ProjectId
from shared.models.sender import Message, SandboxMessage
from shared.pagination import PAGE_LIMIT_DEFAULT, CursorQuery, LimitQuery, next_page, start_id
from shared.service_app import DbSession

router = APIRouter(tags=["sandbox"])


def capture_json(
    m: SandboxMessage, raw: bool = False, kind: str | None = None, campaign_id: int | None = None
) -> dict[str, Any]:
    out = {
        "id": m.id,
        "ses_message_id": m.ses_message_id,
        "message_id": m.message_id,
        "to": m.to_address,
        "from": m.from_address,
        "subject": m.subject,
        "simulator_outcome": m.simulator_outcome,
        # from the sent message's record (null when it is gone): transactional | marketing | notification
        "kind": kind,
        "campaign_id": campaign_id,
        "created_at": iso(m.created_at),
    }
    if raw:
        out["raw"] = m.raw
    return out


def _with_message() -> Any:
    """Captures with the kind and campaign of the message they record (an outer join: the row may be gone)."""
    return sa.select(SandboxMessage, Message.kind, Message.campaign_id).outerjoin(
        Message,
        sa.and_(Message.id == SandboxMessage.message_id, Message.project_id == SandboxMessage.project_id),
    )


async def _list(
    session: Any, project_id: int, limit: int, before_id: int | None, to: str | None
) -> dict[str, Any]:
    q = _with_message().where(SandboxMessage.project_id == project_id)
    if before_id is not None:
        q = q.where(SandboxMessage.id < before_id)
    if to:
        q = q.where(SandboxMessage.to_address == to)
    rows = (await session.execute(q.order_by(SandboxMessage.id.desc()).limit(limit + 1))).all()
    next_id, next_cursor = next_page([r[0].id for r in rows], limit)
    items = [capture_json(m, kind=kind, campaign_id=cid) for m, kind, cid in rows[:limit]]
    return legacy_page(items, next_id, next_cursor, "messages")


async def _one(session: Any, project_id: int, capture_id: int) -> Any:
    row = (
        await session.execute(
            _with_message().where(SandboxMessage.id == capture_id, SandboxMessage.project_id == project_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("captured message not found")
    return row


@router.get("/v1/sandbox/messages", response_model=CapturePage)
async def list_captures(
    session: DbSession,
    project_id: ProjectId,
    response: Response,
    cursor: CursorQuery = None,
    limit: LimitQuery = PAGE_LIMIT_DEFAULT,
    before_id: Annotated[int | None, Query(deprecated=True, description="old paging: use cursor")] = None,
    to: str | None = None,
) -> dict[str, Any]:
    """Newest first, `next_cursor` pages on; `to` keeps one recipient's mail."""
    return await _list(session, project_id, limit, start_id(response, cursor, before_id), to)


@router.get("/v1/sandbox/messages/{capture_id}", response_model=CaptureOut)
async def get_capture(capture_id: int, session: DbSession, project_id: ProjectId) -> dict[str, Any]:
    m, kind, campaign_id = await _one(session, project_id, capture_id)
    return capture_json(m, raw=True, kind=kind, campaign_id=campaign_id)


@router.get("/admin/sender/projects/{project_id}/sandbox/messages", dependencies=[Internal])
async def admin_list_captures(
    project_id: int,
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before_id: int | None = None,
    to: str | None = None,
) -> dict[str, Any]:
    return await _list(session, project_id, limit, before_id, to)


@router.get("/admin/sender/projects/{project_id}/sandbox/messages/{capture_id}.eml", dependencies=[Internal])
async def admin_capture_raw(project_id: int, capture_id: int, session: DbSession) -> PlainTextResponse:
    m = (await _one(session, project_id, capture_id))[0]
    return PlainTextResponse(m.raw, media_type="message/rfc822")
