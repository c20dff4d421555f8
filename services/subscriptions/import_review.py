"""The owner's decision on a held import: accept (its contacts become sendable) or reject (what it added goes).

An import is held when its screening risk passes the project's threshold (screening.py). Both decisions are one
guarded UPDATE (`status = 'held'` → …): a second click, or two owners at once, get 409 and change nothing.
Rejecting deletes the subscriptions the import created and the contacts it created that are left on no list.
"""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Body
from pydantic import BaseModel, Field

from services.subscriptions.common import iso
from shared import domain_log
from shared.db.types import utcnow
from shared.errors import Conflict, NotFound
from shared.internal_auth import ProjectId
from shared.models.subscriptions import Contact, ContactImport, Subscription
from shared.service_app import DbSession

router = APIRouter(tags=["imports"])


class Decision(BaseModel):
    by: str | None = Field(
        None, max_length=200, description="Who decides (the console sends its user's login)."
    )


class DecisionOut(BaseModel):
    id: int
    status: str
    hold_reason: str | None
    decided_by: str | None
    decided_at: str | None
    subscriptions_removed: int = 0
    contacts_removed: int = 0


async def _decide(session: DbSession, project_id: int, import_id: int, status: str, by: str) -> ContactImport:
    now = utcnow()
    res = await session.execute(
        sa.update(ContactImport)
        .where(
            ContactImport.id == import_id,
            ContactImport.project_id == project_id,
            ContactImport.status == "held",
        )
        .values(status=status, decided_by=by[:200], decided_at=now, updated_at=now)
    )
    imp = await session.scalar(
        sa.select(ContactImport)
        .where(ContactImport.id == import_id, ContactImport.project_id == project_id)
        .execution_options(populate_existing=True)
    )
    if imp is None:
        raise NotFound("import not found")
    if not res.rowcount:  # type: ignore[attr-defined]
        raise Conflict(f"the import is {imp.status}, not held: nothing to decide", error="import_not_held")
    return imp


def _out(imp: ContactImport, subs: int = 0, contacts: int = 0) -> DecisionOut:
    return DecisionOut(
        id=imp.id,
        status=imp.status,
        hold_reason=imp.hold_reason,
        decided_by=imp.decided_by,
        decided_at=iso(imp.decided_at),
        subscriptions_removed=subs,
        contacts_removed=contacts,
    )


@router.post("/v1/imports/{import_id}/accept", response_model=DecisionOut)
async def accept_import(
    project_id: ProjectId,
    session: DbSession,
    import_id: int,
    decision: Annotated[Decision | None, Body()] = None,
) -> DecisionOut:
    """Release a held import: its contacts become sendable (the campaign fan-out stops skipping them)."""
    by = (decision.by if decision and decision.by else None) or "api"
    imp = await _decide(session, project_id, import_id, "completed", by)
    domain_log.after_commit(session, f"held import {imp.id} accepted by {by} (project {project_id})")
    return _out(imp)


@router.post("/v1/imports/{import_id}/reject", response_model=DecisionOut)
async def reject_import(
    project_id: ProjectId,
    session: DbSession,
    import_id: int,
    decision: Annotated[Decision | None, Body()] = None,
) -> DecisionOut:
    """Undo a held import: the subscriptions it created and the contacts it created (left on no list) go."""
    by = (decision.by if decision and decision.by else None) or "api"
    imp = await _decide(session, project_id, import_id, "rejected", by)
    subs = await session.execute(
        sa.delete(Subscription).where(
            Subscription.list_id == imp.list_id,
            Subscription.project_id == project_id,
            Subscription.import_id == imp.id,
        )
    )
    contacts = await session.execute(
        sa.delete(Contact).where(
            Contact.project_id == project_id,
            Contact.import_id == imp.id,
            ~sa.exists().where(Subscription.contact_id == Contact.id),
        )
    )
    n_subs, n_contacts = int(subs.rowcount or 0), int(contacts.rowcount or 0)  # type: ignore[attr-defined]
    domain_log.after_commit(
        session,
        f"held import {imp.id} rejected by {by}: {n_subs} subscriptions and {n_contacts} contacts removed "
        f"(project {project_id})",
    )
    return _out(imp, n_subs, n_contacts)
