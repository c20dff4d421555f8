"""The console's audit log: who changed what, when, from where — written after the change succeeded."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import Request

from services.gateway.console.sessions import Viewer
from services.gateway.state import gateway
from shared.models.console import AuditEntry

log_name = "sesame.console.audit"


def _short(detail: dict[str, Any]) -> dict[str, Any]:
    """Keep the log readable and bounded: long values cut, nested ones summarised."""
    out: dict[str, Any] = {}
    for k, v in list(detail.items())[:20]:
        if isinstance(v, str):
            out[k] = v[:200]
        elif isinstance(v, (int, float, bool)) or v is None:
            out[k] = v
        else:
            out[k] = str(v)[:200]
    return out


async def record(
    request: Request,
    viewer: Viewer,
    action: str,
    *,
    project_id: int | None = None,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    async with request.app.state.runtime.sessionmaker() as db:
        db.add(
            AuditEntry(
                user_id=viewer.user_id,
                user_login=viewer.login,
                project_id=project_id,
                action=action[:100],
                target=target[:200],
                detail=_short(detail or {}),
                ip=gateway(request).client_ip(request)[:64],
            )
        )
        await db.commit()


async def entries(
    request: Request, *, project_id: int | None, before: int | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if project_id is not None:
        stmt = stmt.where(AuditEntry.project_id == project_id)
    if before is not None:
        stmt = stmt.where(AuditEntry.id < before)
    async with request.app.state.runtime.sessionmaker() as db:
        rows = (await db.scalars(stmt)).all()
    return [
        {
            "id": r.id,
            "at": r.at.strftime("%Y-%m-%d %H:%M:%S UTC"),
            "who": r.user_login,
            "action": r.action,
            "target": r.target,
            "detail": r.detail or {},
            "ip": r.ip,
        }
        for r in rows
    ]
