"""Bounces and complaints attributed to where the contact came from: an import, a signup form, the API.

A marketing message names its list and contact; the subscription (list × contact) names its source — the import
that created it (`subscriptions.import_id`), else how it was created (the first row of its change log: form, api,
preferences, …, per list). For each source: messages sent (an SES message id), counted hard bounces and real
complaints (`email_events.counted`, as the reputation rates count them), their rates, and a flag when a rate is over
the project's warn threshold — so the report names the import or form that hurts. One grouped query; the events
service only reads the sender's and the subscriptions service's tables here.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from pydantic import BaseModel

from services.events import guard as guard_mod
from shared.internal_auth import Internal, ProjectId
from shared.models.core import ApiKey
from shared.models.events import EmailEvent
from shared.models.sender import Message
from shared.models.subscriptions import ContactImport, MailingList, Subscription, SubscriptionChange
from shared.service_app import DbSession

v1 = APIRouter(prefix="/v1")
admin = APIRouter(prefix="/admin", dependencies=[Internal])


class SourceRow(BaseModel):
    source: str  # import | form | api | preferences | … | unknown
    import_id: int | None
    import_filename: str | None
    import_status: str | None
    list_id: int | None
    list_name: str | None
    api_key_id: (
        int | None
    )  # the key that created the subscriptions (or started the import); None: form, console
    api_key_name: str | None
    label: str
    sent: int
    bounces: int
    complaints: int
    bounce_rate: float
    complaint_rate: float
    flagged: bool
    flag_reasons: list[str]


class SourcesOut(BaseModel):
    sources: list[SourceRow]
    thresholds: dict[str, float]


async def source_report(session: Any, settings: Any, project_id: int, limit: int = 200) -> SourcesOut:
    """Per-source sent / bounce / complaint counts and rates, worst bounce rate first."""
    feedback = (
        sa.select(
            EmailEvent.message_id.label("message_id"),
            sa.func.max(sa.case((EmailEvent.event_type == "bounce", 1), else_=0)).label("bounced"),
            sa.func.max(sa.case((EmailEvent.event_type == "complaint", 1), else_=0)).label("complained"),
        )
        .where(
            EmailEvent.project_id == project_id,
            EmailEvent.counted.is_(True),
            EmailEvent.message_id.is_not(None),
        )
        .group_by(EmailEvent.message_id)
        .subquery()
    )
    first_source = (
        sa.select(SubscriptionChange.source)
        .where(SubscriptionChange.subscription_id == Subscription.id)
        .order_by(SubscriptionChange.id)
        .limit(1)
        .correlate(Subscription)
        .scalar_subquery()
    )
    kind = sa.case(
        (Subscription.import_id.is_not(None), sa.literal("import")),
        else_=sa.func.coalesce(first_source, sa.literal("unknown")),
    ).label("kind")
    per_message = (
        sa.select(
            kind,
            Subscription.import_id.label("import_id"),
            Subscription.api_key_id.label("api_key_id"),
            Message.list_id.label("list_id"),
            Message.id.label("message_id"),
            sa.func.coalesce(feedback.c.bounced, 0).label("bounced"),
            sa.func.coalesce(feedback.c.complained, 0).label("complained"),
        )
        .select_from(Message)
        .join(
            Subscription,
            sa.and_(Subscription.list_id == Message.list_id, Subscription.contact_id == Message.contact_id),
        )
        .outerjoin(feedback, feedback.c.message_id == Message.id)
        .where(
            Message.project_id == project_id,
            Message.kind == "marketing",
            Message.ses_message_id.is_not(None),
        )
        .subquery()
    )
    grouped = (
        sa.select(
            per_message.c.kind,
            per_message.c.import_id,
            per_message.c.api_key_id,
            per_message.c.list_id,
            sa.func.count().label("sent"),
            sa.func.sum(per_message.c.bounced).label("bounces"),
            sa.func.sum(per_message.c.complained).label("complaints"),
        )
        .group_by(
            per_message.c.kind, per_message.c.import_id, per_message.c.api_key_id, per_message.c.list_id
        )
        .subquery()
    )
    key_id = sa.func.coalesce(grouped.c.api_key_id, ContactImport.api_key_id)
    q = (
        sa.select(
            grouped,
            ContactImport.filename,
            ContactImport.status,
            MailingList.name,
            key_id.label("key_id"),
            ApiKey.name.label("key_name"),
        )
        .select_from(grouped)
        .outerjoin(ContactImport, ContactImport.id == grouped.c.import_id)
        .outerjoin(MailingList, MailingList.id == grouped.c.list_id)
        .outerjoin(ApiKey, sa.and_(ApiKey.id == key_id, ApiKey.project_id == project_id))
        .limit(limit)
    )
    g = await guard_mod.guard_row(session, project_id)
    th = guard_mod.thresholds(g, settings)
    rows: list[SourceRow] = []
    for r in (await session.execute(q)).all():
        sent, bounces, complaints = int(r.sent), int(r.bounces or 0), int(r.complaints or 0)
        br = bounces / sent if sent else 0.0
        cr = complaints / sent if sent else 0.0
        reasons = []
        if br > th["warn_bounce_rate"]:
            reasons.append(f"bounce rate {br:.1%} over the warn threshold {th['warn_bounce_rate']:.1%}")
        if cr > th["warn_complaint_rate"]:
            reasons.append(f"complaint rate {cr:.2%} over the warn threshold {th['warn_complaint_rate']:.2%}")
        list_name = r.name
        if r.kind == "import":
            label = f"import {r.import_id}" + (f" ({r.filename})" if r.filename else "")
        elif r.key_id is not None:
            label = f"{r.kind} key “{r.key_name or r.key_id}” on list {list_name or r.list_id}"
        else:
            label = f"{r.kind} on list {list_name or r.list_id}"
        rows.append(
            SourceRow(
                source=r.kind,
                import_id=r.import_id,
                import_filename=r.filename,
                import_status=r.status,
                list_id=r.list_id,
                list_name=list_name,
                api_key_id=r.key_id,
                api_key_name=r.key_name,
                label=label,
                sent=sent,
                bounces=bounces,
                complaints=complaints,
                bounce_rate=round(br, 4),
                complaint_rate=round(cr, 4),
                flagged=bool(reasons),
                flag_reasons=reasons,
            )
        )
    rows.sort(key=lambda s: (not s.flagged, -s.bounce_rate, -s.complaint_rate, -s.sent))
    return SourcesOut(sources=rows, thresholds=th)


@v1.get("/reputation/sources", response_model=SourcesOut)
async def v1_sources(project_id: ProjectId, session: DbSession, request: Request) -> SourcesOut:
    """Bounces and complaints per contact source (import, form, API) with a flag over the warn thresholds."""
    return await source_report(session, request.app.state.events.settings, project_id)


@admin.get("/projects/{project_id}/reputation/sources", response_model=SourcesOut)
async def admin_sources(project_id: int, session: DbSession, request: Request) -> SourcesOut:
    return await source_report(session, request.app.state.events.settings, project_id)
