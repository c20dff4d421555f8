"""Subscription state: creating contacts and subscriptions race-free, every status change logged and published,
double opt-in confirmation mail (with its resend cooldown) requested from the sender over the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.subscriptions.confirmation import confirmation_mail
from services.subscriptions.settings import SubscriptionsSettings
from shared.contracts.mail import MailRequested
from shared.contracts.subscription import SubscriptionChanged, change_event
from shared.db.types import utcnow
from shared.db.upsert import dialect_name, insert
from shared.email_address import email_hash, normalize_email
from shared.links import NO_ATTRIBUTION, Attribution
from shared.models.core import Project
from shared.models.subscriptions import Contact, MailingList, Subscription, SubscriptionChange
from shared.outbox import enqueue
from shared.runtime import Runtime
from shared.suppression import suppressed_hashes


def record_change(
    session: AsyncSession,
    sub: Subscription,
    previous: str | None,
    source: str,
    *,
    detail: str | None = None,
    at: datetime | None = None,
    attribution: Attribution = NO_ATTRIBUTION,
) -> None:
    """Log one status change and publish it (`subscription.<event>`) in the same transaction."""
    at = at or utcnow()
    session.add(
        SubscriptionChange(
            project_id=sub.project_id,
            subscription_id=sub.id,
            list_id=sub.list_id,
            contact_id=sub.contact_id,
            previous_status=previous,
            status=sub.status,
            source=source,
            detail=detail[:500] if detail else None,
            campaign_id=attribution.campaign_id,
            message_id=attribution.message_id,
            created_at=at,
        )
    )
    msg = change_message(sub.project_id, sub.list_id, sub.contact_id, sub.id, sub.status, previous, source,
                         paused_until=sub.paused_until, at=at, attribution=attribution)  # fmt: skip
    enqueue(session, f"subscription.{msg.event}", msg.payload())


def change_message(
    project_id: int,
    list_id: int,
    contact_id: int,
    subscription_id: int,
    status: str,
    previous: str | None,
    source: str,
    *,
    paused_until: datetime | None,
    at: datetime,
    attribution: Attribution = NO_ATTRIBUTION,
) -> SubscriptionChanged:
    """The `subscription.<event>` message of one status change."""
    return SubscriptionChanged(
        project_id=project_id,
        list_id=list_id,
        contact_id=contact_id,
        subscription_id=subscription_id,
        status=status,  # type: ignore[arg-type]
        previous_status=previous,  # type: ignore[arg-type]
        event=change_event(previous, status, source),
        source=source,  # type: ignore[arg-type]
        paused_until=paused_until,
        campaign_id=attribution.campaign_id,
        message_id=attribution.message_id,
        at=at,
    )


async def set_status(
    session: AsyncSession,
    sub: Subscription,
    status: str,
    source: str,
    *,
    paused_until: datetime | None = None,
    consent_source: str | None = None,
    detail: str | None = None,
    attribution: Attribution = NO_ATTRIBUTION,
) -> bool:
    """Move a (locked) subscription to `status`; False when nothing changes."""
    if sub.status == status and (status != "paused" or sub.paused_until == paused_until):
        return False
    previous = sub.status
    now = utcnow()
    sub.status = status
    sub.paused_until = paused_until if status == "paused" else None
    sub.updated_at = now
    if status == "active" and source == "confirmation":
        sub.confirmed_at = now
    if consent_source:
        sub.consent_source = consent_source
    await session.flush()
    record_change(session, sub, previous, source, detail=detail, at=now, attribution=attribution)
    return True


async def lock_subscription(session: AsyncSession, list_id: int, contact_id: int) -> Subscription | None:
    """The subscription row, fresh from the database and locked for this transaction (Postgres)."""
    q = (
        sa.select(Subscription)
        .where(Subscription.list_id == list_id, Subscription.contact_id == contact_id)
        .execution_options(populate_existing=True)
    )
    if dialect_name(session) == "postgresql":
        q = q.with_for_update()
    return await session.scalar(q)


async def upsert_contact(
    session: AsyncSession,
    project_id: int,
    email: str,
    attributes: dict[str, Any] | None,
    *,
    merge: bool = False,
) -> tuple[int, bool]:
    """(contact id, created?) for a normalised address; concurrent callers all get the same single row."""
    now = utcnow()
    h = email_hash(email)
    stmt = (
        insert(Contact.__table__, session)
        .values(
            project_id=project_id,
            email=email,
            email_hash=h,
            attributes=attributes or {},
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["project_id", "email_hash"])
    )
    created = bool((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]
    contact = await session.scalar(
        sa.select(Contact)
        .where(Contact.project_id == project_id, Contact.email_hash == h)
        .execution_options(populate_existing=True)
    )
    assert contact is not None
    if not created and merge and attributes:
        contact.attributes = {**(contact.attributes or {}), **attributes}
        contact.updated_at = now
        await session.flush()
    return contact.id, created


@dataclass
class SubscribeOutcome:
    contact_id: int
    subscription: Subscription
    created: bool
    mail_sent: bool


async def subscribe(
    session: AsyncSession,
    rt: Runtime,
    ss: SubscriptionsSettings,
    project: Project,
    lst: MailingList,
    raw_email: str,
    *,
    source: str,
    attributes: dict[str, Any] | None = None,
    active_consent: str | None = None,
    merge_attributes: bool = False,
    force_double_optin: bool = False,
) -> SubscribeOutcome:
    """Subscribe an address to a list.

    Double opt-in (default): a new or unsubscribed subscription becomes `pending` and a confirmation mail is
    requested; a pending one gets the mail again unless the cooldown has not passed; an active or paused one is
    left alone (the caller answers the same either way). `active_consent` (API/import with a stated consent source)
    or a list without double opt-in makes it `active` at once — except that re-joining after an unsubscribe always
    needs double opt-in unless consent is stated.
    """
    email = normalize_email(raw_email)
    contact_id, _ = await upsert_contact(session, project.id, email, attributes, merge=merge_attributes)
    direct = active_consent is not None or not (lst.double_optin or force_double_optin)
    now = utcnow()
    initial = "active" if direct else "pending"
    stmt = (
        insert(Subscription.__table__, session)
        .values(
            project_id=project.id,
            list_id=lst.id,
            contact_id=contact_id,
            status=initial,
            consent_source=active_consent,
            confirmed_at=None,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["list_id", "contact_id"])
    )
    created = bool((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]
    sub = await lock_subscription(session, lst.id, contact_id)
    assert sub is not None
    mail_sent = False
    if created:
        record_change(session, sub, None, source, detail=active_consent, at=now)
        if initial == "pending":
            mail_sent = await send_confirmation(session, rt, ss, project, lst, sub, email, force=True)
    elif sub.status == "pending":
        if direct:
            await set_status(
                session, sub, "active", source, consent_source=active_consent, detail=active_consent
            )
        else:
            mail_sent = await send_confirmation(session, rt, ss, project, lst, sub, email, force=False)
    elif sub.status == "unsubscribed":
        if active_consent is not None:
            await set_status(
                session, sub, "active", source, consent_source=active_consent, detail=active_consent
            )
        else:
            await set_status(session, sub, "pending", source)
            mail_sent = await send_confirmation(session, rt, ss, project, lst, sub, email, force=True)
    # active / paused: nothing changes and nothing is revealed.
    return SubscribeOutcome(contact_id, sub, created, mail_sent)


async def send_confirmation(
    session: AsyncSession,
    rt: Runtime,
    ss: SubscriptionsSettings,
    project: Project,
    lst: MailingList,
    sub: Subscription,
    email: str,
    *,
    force: bool,
) -> bool:
    """Request a confirmation mail for a (locked) pending subscription; False when the cooldown or a
    suppression holds it back."""
    now = utcnow()
    if not force and sub.confirmation_sent_at is not None:
        if now - sub.confirmation_sent_at < timedelta(seconds=ss.resend_cooldown_seconds):
            return False
    if await suppressed_hashes(session, project.id, [email_hash(email)]):
        return False  # never mail a suppressed address, not even to confirm
    sub.confirmation_sent_at = now
    await session.flush()
    mail = confirmation_mail(
        rt,
        ss,
        project.id,
        brand_name(project.name, project.settings),
        lst.id,
        lst.name,
        sub.id,
        sub.contact_id,
        email,
        lst.form_settings,
    )
    enqueue(session, MailRequested.ROUTING_KEY, mail.payload())
    return True


def brand_name(project_name: str, project_settings: dict[str, Any] | None) -> str:
    """The sender name subscribers know: the project's branding name, else the project's name."""
    return ((project_settings or {}).get("branding") or {}).get("name") or project_name  # type: ignore[no-any-return]


async def unsubscribe_all(
    session: AsyncSession,
    project_id: int,
    contact_id: int,
    source: str,
    attribution: Attribution = NO_ATTRIBUTION,
) -> int:
    """Unsubscribe a contact from every list of the project; returns how many subscriptions changed."""
    q = (
        sa.select(Subscription)
        .where(
            Subscription.project_id == project_id,
            Subscription.contact_id == contact_id,
            Subscription.status != "unsubscribed",
        )
        .order_by(Subscription.id)
        .execution_options(populate_existing=True)
    )
    if dialect_name(session) == "postgresql":
        q = q.with_for_update()
    changed = 0
    for sub in (await session.scalars(q)).all():
        changed += await set_status(session, sub, "unsubscribed", source, attribution=attribution)
    return changed
