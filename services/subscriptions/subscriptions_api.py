"""/v1/subscriptions: subscribe through the API (double opt-in, or active with a stated consent source),
list and filter, change status (every change logged with its source and published)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from services.subscriptions.common import Page, SubSettings, iso, page_out
from services.subscriptions.contacts import change_out, check_attributes, get_contact
from services.subscriptions.lists import get_list
from services.subscriptions.membership import lock_subscription, send_confirmation, set_status, subscribe
from services.subscriptions.projects import get_project
from services.subscriptions.schemas import (
    ChangePage,
    ConfirmationSent,
    SubscriptionCreated,
    SubscriptionOut,
    SubscriptionPage,
)
from shared.db.types import utcnow
from shared.db.upsert import dialect_name
from shared.errors import Conflict, NotFound, Unprocessable
from shared.internal_auth import ApiKeyId, ProjectId
from shared.models.subscriptions import Contact, Subscription, SubscriptionChange
from shared.service_app import DbSession, RuntimeDep


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    list_id: int
    email: str | None = Field(None, max_length=320)
    contact_id: int | None = None
    attributes: dict[str, Any] = Field(default_factory=dict)
    # None: the list's double opt-in decides. "active" needs consent_source (how consent was obtained).
    status: Literal["pending", "active"] | None = None
    consent_source: str | None = Field(None, min_length=3, max_length=500)

    @field_validator("attributes")
    @classmethod
    def _attrs(cls, v: dict[str, Any]) -> dict[str, Any]:
        return check_attributes(v)

    @model_validator(mode="after")
    def _who(self) -> SubscriptionCreate:
        if (self.email is None) == (self.contact_id is None):
            raise ValueError("give either email or contact_id")
        if self.status == "active" and not self.consent_source:
            raise ValueError("status active needs consent_source (how this address consented)")
        return self


class SubscriptionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["active", "paused", "unsubscribed"]
    paused_until: datetime | None = None
    consent_source: str | None = Field(None, min_length=3, max_length=500)


def subscription_out(s: Subscription, email: str | None = None) -> dict[str, Any]:
    return {
        "id": s.id,
        "list_id": s.list_id,
        "contact_id": s.contact_id,
        "email": email,
        "status": s.status,
        "paused_until": iso(s.paused_until),
        "consent_source": s.consent_source,
        "confirmation_sent_at": iso(s.confirmation_sent_at),
        "confirmed_at": iso(s.confirmed_at),
        "created_at": iso(s.created_at),
        "updated_at": iso(s.updated_at),
    }


async def _get_sub(session: AsyncSession, project_id: int, sub_id: int) -> tuple[Subscription, Contact]:
    q = (
        sa.select(Subscription, Contact)
        .join(Contact, Contact.id == Subscription.contact_id)
        .where(Subscription.id == sub_id, Subscription.project_id == project_id)
        .execution_options(populate_existing=True)
    )
    if dialect_name(session) == "postgresql":
        q = q.with_for_update(of=Subscription)
    row = (await session.execute(q)).first()
    if row is None:
        raise NotFound("subscription not found")
    return row[0], row[1]


router = APIRouter(tags=["subscriptions"])


@router.get("/v1/subscriptions", response_model=SubscriptionPage)
async def list_subscriptions(
    project_id: ProjectId,
    session: DbSession,
    page: Page,
    list_id: int | None = None,
    contact_id: int | None = None,
    status: Annotated[Literal["pending", "active", "paused", "unsubscribed"] | None, Query()] = None,
) -> dict[str, Any]:
    q = (
        sa.select(Subscription, Contact.email)
        .join(Contact, Contact.id == Subscription.contact_id)
        .where(Subscription.project_id == project_id)
        .order_by(Subscription.id)
        .limit(page.limit + 1)
    )
    if list_id is not None:
        q = q.where(Subscription.list_id == list_id)
    if contact_id is not None:
        q = q.where(Subscription.contact_id == contact_id)
    if status is not None:
        q = q.where(Subscription.status == status)
    if page.after is not None:
        q = q.where(Subscription.id > page.after)
    rows = list((await session.execute(q)).all())
    subs = [r[0] for r in rows]
    return page_out([subscription_out(s, e) for s, e in rows], subs, page.limit)


@router.post("/v1/subscriptions", status_code=201, response_model=SubscriptionCreated)
async def create_subscription(
    project_id: ProjectId,
    session: DbSession,
    rt: RuntimeDep,
    ss: SubSettings,
    body: SubscriptionCreate,
    response: Response,
    api_key_id: ApiKeyId,
) -> dict[str, Any]:
    project = await get_project(session, project_id)
    lst = await get_list(session, project_id, body.list_id)
    if body.contact_id is not None:
        contact = await get_contact(session, project_id, body.contact_id)
        if contact.email is None:
            raise Conflict("this contact was erased", error="contact_erased")
        email = contact.email
    else:
        email = body.email or ""
    consent = body.consent_source if body.status == "active" else None
    outcome = await subscribe(
        session,
        rt,
        ss,
        project,
        lst,
        email,
        source="api",
        attributes=body.attributes,
        active_consent=consent,
        merge_attributes=True,
        force_double_optin=body.status == "pending",
    )
    if outcome.created and api_key_id is not None:
        outcome.subscription.api_key_id = api_key_id  # the source of this subscription, for attribution
    if not outcome.created:
        response.status_code = 200
    contact = await get_contact(session, project_id, outcome.contact_id)
    return {**subscription_out(outcome.subscription, contact.email), "confirmation_sent": outcome.mail_sent}


@router.get("/v1/subscriptions/{sub_id}", response_model=SubscriptionOut)
async def read_subscription(project_id: ProjectId, session: DbSession, sub_id: int) -> dict[str, Any]:
    sub, contact = await _get_sub(session, project_id, sub_id)
    return subscription_out(sub, contact.email)


@router.patch("/v1/subscriptions/{sub_id}", response_model=SubscriptionOut)
async def update_subscription(
    project_id: ProjectId, session: DbSession, sub_id: int, body: SubscriptionPatch
) -> dict[str, Any]:
    sub, contact = await _get_sub(session, project_id, sub_id)
    if contact.erased_at is not None:
        raise Conflict("this contact was erased", error="contact_erased")
    now = utcnow()
    if body.status == "paused":
        if body.paused_until is None or body.paused_until.tzinfo is None:
            raise Unprocessable("paused_until (timezone-aware) is required", error="paused_until_required")
        if body.paused_until <= now or body.paused_until > now + timedelta(days=3660):
            raise Unprocessable("paused_until must be in the future", error="paused_until_out_of_range")
        if sub.status not in ("active", "paused"):
            raise Conflict(f"a {sub.status} subscription cannot be paused", error="invalid_transition")
        await set_status(session, sub, "paused", "api", paused_until=body.paused_until)
    elif body.status == "active":
        if sub.status in ("pending", "unsubscribed") and not body.consent_source:
            raise Unprocessable(
                "activating without double opt-in needs consent_source", error="consent_source_required"
            )
        await set_status(
            session, sub, "active", "api", consent_source=body.consent_source, detail=body.consent_source
        )
    else:
        await set_status(session, sub, "unsubscribed", "api")
    return subscription_out(sub, contact.email)


@router.post(
    "/v1/subscriptions/{sub_id}/resend-confirmation", status_code=202, response_model=ConfirmationSent
)
async def resend_confirmation(
    project_id: ProjectId, session: DbSession, rt: RuntimeDep, ss: SubSettings, sub_id: int
) -> dict[str, Any]:
    sub, contact = await _get_sub(session, project_id, sub_id)
    if sub.status != "pending" or contact.email is None:
        raise Conflict("only a pending subscription gets a confirmation mail", error="not_pending")
    project = await get_project(session, project_id)
    lst = await get_list(session, project_id, sub.list_id)
    locked = await lock_subscription(session, lst.id, contact.id)
    assert locked is not None
    sent = await send_confirmation(session, rt, ss, project, lst, locked, contact.email, force=False)
    return {"confirmation_sent": sent}


@router.get("/v1/subscriptions/{sub_id}/changes", response_model=ChangePage)
async def subscription_changes(
    project_id: ProjectId, session: DbSession, sub_id: int, page: Page
) -> dict[str, Any]:
    sub, _ = await _get_sub(session, project_id, sub_id)
    q = (
        sa.select(SubscriptionChange)
        .where(SubscriptionChange.subscription_id == sub.id)
        .order_by(SubscriptionChange.id)
        .limit(page.limit + 1)
    )
    if page.after is not None:
        q = q.where(SubscriptionChange.id > page.after)
    rows = list((await session.scalars(q)).all())
    return page_out([change_out(r) for r in rows], rows, page.limit)
