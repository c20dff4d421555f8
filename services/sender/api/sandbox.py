"""Mail captured by the sandbox SES, for the project (/v1/sandbox) and operators (/admin/sender/…)."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse

from services.sender.api.common import iso
from shared.errors import NotFound
from shared.internal_auth import Internal, ProjectId
from shared.models.sender import SandboxMessage
from shared.service_app import DbSession

router = APIRouter(tags=["sandbox"])


def capture_json(m: SandboxMessage, raw: bool = False) -> dict[str, Any]:
    out = {
        "id": m.id,
        "ses_message_id": m.ses_message_id,
        "message_id": m.message_id,
        "to": m.to_address,
        "from": m.from_address,
        "subject": m.subject,
        "simulator_outcome": m.simulator_outcome,
        "created_at": iso(m.created_at),
    }
    if raw:
        out["raw"] = m.raw
    return out


async def _list(
    session: Any, project_id: int, limit: int, before_id: int | None, to: str | None
) -> dict[str, Any]:
    q = sa.select(SandboxMessage).where(SandboxMessage.project_id == project_id)
    if before_id is not None:
        q = q.where(SandboxMessage.id < before_id)
    if to:
        q = q.where(SandboxMessage.to_address == to)
    rows = (await session.execute(q.order_by(SandboxMessage.id.desc()).limit(limit))).scalars().all()
    return {
        "messages": [capture_json(m) for m in rows],
        "next_before_id": rows[-1].id if len(rows) == limit else None,
    }


async def _one(session: Any, project_id: int, capture_id: int) -> SandboxMessage:
    m = (
        await session.execute(
            sa.select(SandboxMessage).where(
                SandboxMessage.id == capture_id, SandboxMessage.project_id == project_id
            )
        )
    ).scalar_one_or_none()
    if m is None:
        raise NotFound("captured message not found")
    return m  # type: ignore[no-any-return]


@router.get("/v1/sandbox/messages")
async def list_captures(
    session: DbSession,
    project_id: ProjectId,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before_id: int | None = None,
    to: str | None = None,
) -> dict[str, Any]:
    return await _list(session, project_id, limit, before_id, to)


@router.get("/v1/sandbox/messages/{capture_id}")
async def get_capture(capture_id: int, session: DbSession, project_id: ProjectId) -> dict[str, Any]:
    return capture_json(await _one(session, project_id, capture_id), raw=True)


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
    m = await _one(session, project_id, capture_id)
    return PlainTextResponse(m.raw, media_type="message/rfc822")
