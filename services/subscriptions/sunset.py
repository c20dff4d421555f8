"""Sunset policy per list (off unless `lists.sunset_days` / `sunset_campaigns` is set): active subscribers who
stopped engaging are paused from marketing — status `paused` without an end (a subscriber's resume on the
preference page or the owner's through the API undoes it), logged with source `sunset` and in the domain log.

- `sunset_days` D: no open or click in the last D days although at least one of the list's campaigns was sent
  to them in that time; the subscription's last status change is at least D days old (a new or just resumed
  subscriber is never judged on a window they were not in).
- `sunset_campaigns` M: none of the last M campaign messages of the list sent to them since their last status
  change was opened or clicked (fewer than M received: not judged).
- Both set: both must hold. A project whose SES has published no open or click at all (tracking off) is skipped:
  every subscriber would look disengaged.

Reads the events service's engagement tables and the sender's messages; writes only subscriptions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.subscriptions.membership import set_status
from shared import domain_log
from shared.db.types import utcnow
from shared.db.upsert import dialect_name
from shared.models.engagement import ContactEngagement, MessageEngagement
from shared.models.events import EmailEvent
from shared.models.sender import Message
from shared.models.subscriptions import MailingList, Subscription
from shared.runtime import Runtime

log = logging.getLogger("sesame.subscriptions.sunset")
S, M, ME, CE = Subscription, Message.__table__, MessageEngagement.__table__, ContactEngagement.__table__
# Both rules read the list's sent campaign messages through ix_messages_sent_by_list, whose predicate these match
# only as literals, not parameters (a generic plan of the prepared statement could not prove it otherwise).
SENT_CAMPAIGN_MAIL = (M.c.state == sa.literal_column("'sent'"), M.c.campaign_id.is_not(None))


def _days_rule(lst: MailingList, now: datetime) -> sa.ColumnElement[bool]:
    cut = now - timedelta(days=lst.sunset_days or 0)
    engaged = (
        sa.select(CE.c.contact_id)
        .where(
            CE.c.contact_id == S.contact_id,
            sa.or_(CE.c.last_opened_at >= cut, CE.c.last_clicked_at >= cut),
        )
        .exists()
    )
    mailed = (
        sa.select(M.c.id)
        .where(
            M.c.contact_id == S.contact_id,
            M.c.list_id == lst.id,
            *SENT_CAMPAIGN_MAIL,
            M.c.sent_at >= cut,
        )  # fmt: skip
        .exists()
    )
    return sa.and_(S.updated_at <= cut, ~engaged, mailed)


def _campaigns_rule(lst: MailingList) -> sa.ColumnElement[bool]:
    n = lst.sunset_campaigns or 0
    s2 = Subscription.__table__.alias("s2")
    recent = (
        sa.select(
            M.c.id.label("message_id"),
            M.c.contact_id,
            sa.func.row_number()
            .over(partition_by=M.c.contact_id, order_by=(M.c.sent_at.desc(), M.c.id.desc()))
            .label("rn"),
        )
        .select_from(M.join(s2, sa.and_(s2.c.contact_id == M.c.contact_id, s2.c.list_id == lst.id)))
        .where(
            M.c.list_id == lst.id,
            *SENT_CAMPAIGN_MAIL,
            M.c.sent_at >= s2.c.updated_at,
            s2.c.status == "active",
        )  # fmt: skip
        .subquery()
    )
    engaged = sa.case((sa.or_(ME.c.opened_at.is_not(None), ME.c.clicked_at.is_not(None)), 1), else_=0)
    judged = (
        sa.select(recent.c.contact_id)
        .select_from(recent.outerjoin(ME, ME.c.message_id == recent.c.message_id))
        .where(recent.c.rn <= n)
        .group_by(recent.c.contact_id)
        .having(sa.and_(sa.func.count() >= n, sa.func.sum(engaged) == 0))
    )
    return S.contact_id.in_(judged)


async def _tracked(session: AsyncSession, project_id: int) -> bool:
    seen = await session.scalar(
        sa.select(EmailEvent.id)
        .where(EmailEvent.project_id == project_id, EmailEvent.event_type.in_(("open", "click")))
        .limit(1)
    )
    return seen is not None


def disengaged(lst: MailingList, now: datetime) -> sa.Select[tuple[Subscription]] | None:
    """The list's active subscriptions its sunset policy pauses now (None: the list has no policy)."""
    rules = []
    if lst.sunset_days:
        rules.append(_days_rule(lst, now))
    if lst.sunset_campaigns:
        rules.append(_campaigns_rule(lst))
    if not rules:
        return None
    return (
        sa.select(Subscription)
        .where(S.list_id == lst.id, S.status == "active", *rules)
        .order_by(S.id)
        .execution_options(populate_existing=True)
    )


async def sunset_list(session: AsyncSession, lst: MailingList, now: datetime | None = None) -> int:
    """Pause this list's disengaged active subscribers; returns how many were paused."""
    q = disengaged(lst, now or utcnow())
    if q is None or not await _tracked(session, lst.project_id):
        return 0
    if dialect_name(session) == "postgresql":
        q = q.with_for_update(of=Subscription, skip_locked=True)
    paused = 0
    detail = "; ".join(
        part
        for part in (
            f"no open or click in {lst.sunset_days} days" if lst.sunset_days else "",
            f"none of the last {lst.sunset_campaigns} campaigns opened or clicked"
            if lst.sunset_campaigns
            else "",
        )
        if part
    )
    for sub in (await session.scalars(q)).all():
        paused += await set_status(session, sub, "paused", "sunset", paused_until=None, detail=detail)
    if paused:
        domain_log.after_commit(
            session, f"sunset: {paused} subscriber(s) of list {lst.id} paused from marketing ({detail})"
        )
    return paused


async def sunset_all(rt: Runtime) -> int:
    """One pass over every list with a sunset policy, one transaction per list."""
    async with rt.sessionmaker() as session:
        ids = (
            await session.scalars(
                sa.select(MailingList.id).where(
                    MailingList.deleted_at.is_(None),
                    sa.or_(MailingList.sunset_days.is_not(None), MailingList.sunset_campaigns.is_not(None)),
                )
            )
        ).all()
    total = 0
    for list_id in ids:
        async with rt.uow() as session:
            lst = await session.get(MailingList, list_id)
            if lst is not None:
                total += await sunset_list(session, lst)
    return total


def sunset_loop(interval: float) -> Callable[[Runtime], Awaitable[None]]:
    async def apply_sunset_policies(rt: Runtime) -> None:
        while True:
            try:
                await sunset_all(rt)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - try again next round
                log.warning("sunset pass failed: %r", exc)
            await asyncio.sleep(interval)

    return apply_sunset_policies
