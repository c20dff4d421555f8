"""Contacts: create, list and search, attributes, change history, and GDPR erasure."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from services.subscriptions.common import Page, iso, page_out
from services.subscriptions.csv_export import CSV_RESPONSE, CsvChunks, csv_response
from services.subscriptions.lists import get_list
from services.subscriptions.membership import unsubscribe_all, upsert_contact
from services.subscriptions.projects import get_project
from services.subscriptions.schemas import (
    ChangeOut,
    ChangePage,
    ContactDetailOut,
    ContactOut,
    ContactPage,
    ContactSubscriptionOut,
)
from shared.contracts.subscription import ContactErased
from shared.db.types import utcnow
from shared.db.upsert import dialect_name
from shared.email_address import InvalidEmail, email_hash, normalize_email
from shared.errors import Conflict, NotFound
from shared.internal_auth import ProjectId
from shared.models.subscriptions import (
    Contact,
    MailingList,
    Subscription,
    SubscriptionChange,
    Suppression,
    SuppressionRemoval,
)
from shared.outbox import enqueue
from shared.service_app import DbSession

MAX_ATTRIBUTES_BYTES = 64 * 1024


def check_attributes(v: dict[str, Any]) -> dict[str, Any]:
    if len(json.dumps(v, default=str)) > MAX_ATTRIBUTES_BYTES:
        raise ValueError(f"attributes larger than {MAX_ATTRIBUTES_BYTES} bytes")
    if any(len(k) > 100 for k in v):
        raise ValueError("attribute names are at most 100 characters")
    return v


class ContactCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=320)
    attributes: dict[str, Any] = Field(default_factory=dict)

    @field_validator("attributes")
    @classmethod
    def _attrs(cls, v: dict[str, Any]) -> dict[str, Any]:
        return check_attributes(v)


class ContactPatch(BaseModel):
    """`attributes` are merged into the stored ones; a null value removes that attribute."""

    model_config = ConfigDict(extra="forbid")
    attributes: dict[str, Any] = Field(default_factory=dict)

    @field_validator("attributes")
    @classmethod
    def _attrs(cls, v: dict[str, Any]) -> dict[str, Any]:
        return check_attributes(v)


def contact_out(c: Contact) -> ContactOut:
    return ContactOut(
        id=c.id,
        email=c.email,
        attributes=c.attributes or {},
        created_at=c.created_at.isoformat(),
        updated_at=c.updated_at.isoformat(),
        erased_at=iso(c.erased_at),
    )


def contact_detail_out(c: Contact, subs: list[Subscription]) -> ContactDetailOut:
    return ContactDetailOut(
        **contact_out(c).model_dump(),
        subscriptions=[
            ContactSubscriptionOut(
                id=s.id,
                list_id=s.list_id,
                status=s.status,
                paused_until=iso(s.paused_until),
                consent_source=s.consent_source,
                created_at=s.created_at.isoformat(),
                updated_at=s.updated_at.isoformat(),
            )
            for s in subs
        ],
    )


def change_out(ch: SubscriptionChange) -> ChangeOut:
    return ChangeOut(
        id=ch.id,
        subscription_id=ch.subscription_id,
        list_id=ch.list_id,
        contact_id=ch.contact_id,
        previous_status=ch.previous_status,
        status=ch.status,
        source=ch.source,
        detail=ch.detail,
        campaign_id=ch.campaign_id,
        message_id=ch.message_id,
        at=ch.created_at.isoformat(),
    )


async def get_contact(
    session: AsyncSession, project_id: int, contact_id: int, *, lock: bool = False
) -> Contact:
    q = sa.select(Contact).where(Contact.id == contact_id, Contact.project_id == project_id)
    if lock and dialect_name(session) == "postgresql":
        q = q.with_for_update()
    c = await session.scalar(q.execution_options(populate_existing=True))
    if c is None:
        raise NotFound("contact not found")
    return c


async def erase_contact(session: AsyncSession, project_id: int, contact: Contact) -> None:
    """GDPR erasure: personal data gone, subscriptions ended; a suppression keeps only the address hash."""
    if contact.erased_at is not None:
        return
    now = utcnow()
    erased_hash = contact.email_hash  # the other services find the address by it (the contact forgets it)
    await unsubscribe_all(session, project_id, contact.id, "api")
    if erased_hash:
        for table in (Suppression, SuppressionRemoval):
            await session.execute(
                sa.update(table)
                .where(table.project_id == project_id, table.email_hash == erased_hash)
                .values(email=None)
            )
    contact.email = None
    contact.email_hash = None
    contact.attributes = {}
    contact.erased_at = now
    contact.updated_at = now
    await session.flush()
    enqueue(
        session,
        ContactErased.ROUTING_KEY,
        ContactErased(project_id=project_id, contact_id=contact.id, email_hash=erased_hash, at=now).payload(),
    )


router = APIRouter(tags=["contacts"])


@router.get("/v1/contacts", response_model=ContactPage)
async def list_contacts(
    project_id: ProjectId,
    session: DbSession,
    page: Page,
    email: Annotated[str | None, Query(max_length=320, description="exact address (normalised)")] = None,
    q: Annotated[str | None, Query(max_length=320, description="part of the address")] = None,
    include_erased: bool = False,
) -> dict[str, Any]:
    stmt = (
        sa.select(Contact).where(Contact.project_id == project_id).order_by(Contact.id).limit(page.limit + 1)
    )
    if not include_erased:
        stmt = stmt.where(Contact.erased_at.is_(None))
    if email is not None:
        try:
            stmt = stmt.where(Contact.email_hash == email_hash(normalize_email(email)))
        except InvalidEmail:
            stmt = stmt.where(sa.false())
    if q:
        escaped = q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(sa.func.lower(Contact.email).like(f"%{escaped}%", escape="\\"))
    if page.after is not None:
        stmt = stmt.where(Contact.id > page.after)
    rows = list((await session.scalars(stmt)).all())
    return page_out([contact_out(c) for c in rows], rows, page.limit)


EXPORT_BATCH = 500  # contacts per query (attributes can be up to 64 KB each)


def _export_name(attributes: dict[str, Any]) -> str:
    """The contact's name when its attributes carry one: `name`, else `first_name` and `last_name`."""
    name = attributes.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    parts = [attributes.get(k) for k in ("first_name", "last_name")]
    return " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())


def _list_cell_name(name: str) -> str:
    """A list name inside the `lists` cell: `\\`, `:` and `;` escaped with a backslash (names may hold them)."""
    return name.replace("\\", "\\\\").replace(":", "\\:").replace(";", "\\;")


# Declared before /v1/contacts/{contact_id}: FastAPI matches paths in order, and "export" is no contact id.
@router.get("/v1/contacts/export", responses=CSV_RESPONSE, response_class=StreamingResponse)
async def export_contacts(
    project_id: ProjectId,
    request: Request,
    list_id: Annotated[int | None, Query(description="only this list's members, with their status")] = None,
) -> StreamingResponse:
    """CSV of the project's contacts (never erased ones), streamed: `email, name, created_at, attributes` (JSON),
    then `lists` (`name:status` pairs joined by `;`, live lists only) — or, with `list_id`, `status` on that
    list for each of its members."""
    rt = request.app.state.runtime
    if list_id is not None:
        async with rt.sessionmaker() as session:
            await get_list(session, project_id, list_id)  # 404 before the answer starts
    last_column = "lists" if list_id is None else "status"

    async def rows() -> AsyncIterator[str]:
        out = CsvChunks(["email", "name", "created_at", "attributes", last_column])
        after = 0
        while True:
            async with rt.sessionmaker() as session:
                q = sa.select(Contact).where(
                    Contact.project_id == project_id,
                    Contact.erased_at.is_(None),
                    Contact.email.is_not(None),
                    Contact.id > after,
                )
                if list_id is not None:
                    q = q.add_columns(Subscription.status).join(
                        Subscription,
                        sa.and_(Subscription.contact_id == Contact.id, Subscription.list_id == list_id),
                    )
                batch = (await session.execute(q.order_by(Contact.id).limit(EXPORT_BATCH))).all()
                memberships: dict[int, list[str]] = {}
                if list_id is None and batch:
                    subs = await session.execute(
                        sa.select(Subscription.contact_id, MailingList.name, Subscription.status)
                        .join(MailingList, MailingList.id == Subscription.list_id)
                        .where(
                            Subscription.project_id == project_id,
                            Subscription.contact_id.in_([r[0].id for r in batch]),
                            MailingList.deleted_at.is_(None),
                        )
                        .order_by(Subscription.contact_id, Subscription.list_id)
                    )
                    for cid, name, status in subs:
                        memberships.setdefault(cid, []).append(f"{_list_cell_name(name)}:{status}")
            for r in batch:
                c: Contact = r[0]
                attrs = c.attributes or {}
                last = ";".join(memberships.get(c.id, [])) if list_id is None else r[1]
                out.row(
                    [
                        c.email,
                        _export_name(attrs),
                        iso(c.created_at),
                        json.dumps(attrs, ensure_ascii=False, default=str),
                        last,
                    ]
                )
            yield out.take()
            if len(batch) < EXPORT_BATCH:
                return
            after = batch[-1][0].id

    suffix = f"-list-{list_id}" if list_id is not None else ""
    return csv_response(rows(), f"contacts-{project_id}{suffix}.csv")


@router.post("/v1/contacts", status_code=201, response_model=ContactDetailOut)
async def create_contact(project_id: ProjectId, session: DbSession, body: ContactCreate) -> ContactDetailOut:
    await get_project(session, project_id)
    contact_id, created = await upsert_contact(
        session, project_id, normalize_email(body.email), body.attributes
    )
    if not created:
        raise Conflict(
            {"message": "a contact with this address exists", "id": contact_id}, error="contact_exists"
        )
    return contact_detail_out(await get_contact(session, project_id, contact_id), [])


@router.get("/v1/contacts/{contact_id}", response_model=ContactDetailOut)
async def read_contact(project_id: ProjectId, session: DbSession, contact_id: int) -> ContactDetailOut:
    c = await get_contact(session, project_id, contact_id)
    subs = (
        await session.scalars(
            sa.select(Subscription).where(Subscription.contact_id == c.id).order_by(Subscription.id)
        )
    ).all()
    return contact_detail_out(c, list(subs))


@router.patch("/v1/contacts/{contact_id}", response_model=ContactOut)
async def update_contact(
    project_id: ProjectId, session: DbSession, contact_id: int, body: ContactPatch
) -> ContactOut:
    c = await get_contact(session, project_id, contact_id, lock=True)
    if c.erased_at is not None:
        raise Conflict("this contact was erased", error="contact_erased")
    attrs = dict(c.attributes or {})
    for k, v in body.attributes.items():
        if v is None:
            attrs.pop(k, None)
        else:
            attrs[k] = v
    c.attributes = check_attributes(attrs)
    c.updated_at = utcnow()
    await session.flush()
    return contact_out(c)


@router.delete("/v1/contacts/{contact_id}", status_code=204)
async def erase(project_id: ProjectId, session: DbSession, contact_id: int) -> Response:
    """GDPR erasure (idempotent)."""
    c = await get_contact(session, project_id, contact_id, lock=True)
    await erase_contact(session, project_id, c)
    return Response(status_code=204)


@router.get("/v1/contacts/{contact_id}/changes", response_model=ChangePage)
async def contact_changes(
    project_id: ProjectId, session: DbSession, contact_id: int, page: Page
) -> dict[str, Any]:
    c = await get_contact(session, project_id, contact_id)
    q = (
        sa.select(SubscriptionChange)
        .where(
            SubscriptionChange.subscription_id.in_(
                sa.select(Subscription.id).where(Subscription.contact_id == c.id)
            )
        )
        .order_by(SubscriptionChange.id)
        .limit(page.limit + 1)
    )
    if page.after is not None:
        q = q.where(SubscriptionChange.id > page.after)
    rows = list((await session.scalars(q)).all())
    return page_out([change_out(r) for r in rows], rows, page.limit)
