"""Operator routes of the sender (internal token only): queue and quota status, resume a project."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter

from services.sender.accounts import resume_project
from services.sender.api.common import CoreDep
from services.sender.api.ses_account import sending_status
from services.sender.worker import MK_QUEUE, TX_QUEUE
from shared.internal_auth import Internal
from shared.models.sender import Campaign, Message
from shared.service_app import DbSession, RuntimeDep

router = APIRouter(prefix="/admin/sender", tags=["admin"], dependencies=[Internal])


@router.get("/status")
async def status(session: DbSession, rt: RuntimeDep) -> dict[str, Any]:
    counts = dict(
        (
            await session.execute(
                sa.select(Message.state, sa.func.count())
                .where(Message.state.in_(("queued", "sending", "delayed")))
                .group_by(Message.state)
            )
        ).all()
    )
    campaigns = dict(
        (await session.execute(sa.select(Campaign.status, sa.func.count()).group_by(Campaign.status))).all()
    )
    return {
        "waiting": {k: int(counts.get(k, 0)) for k in ("queued", "sending", "delayed")},
        "campaigns": {k: int(v) for k, v in campaigns.items()},
        "bus": {
            "transactional": await rt.bus.queue_depth(TX_QUEUE.name),
            "marketing": await rt.bus.queue_depth(MK_QUEUE.name),
        },
    }


@router.get("/projects/{project_id}")
async def project_status(project_id: int, session: DbSession) -> dict[str, Any]:
    return await sending_status(session, project_id)


@router.post("/projects/{project_id}/resume")
async def resume(project_id: int, session: DbSession, core: CoreDep) -> dict[str, Any]:
    await resume_project(session, project_id)
    await session.flush()
    core.accounts.invalidate(project_id)
    core.dispatcher.notify()
    return await sending_status(session, project_id)
