"""Feedback policy: record each event once, decide suppression, publish the result, feed the rates.

Per address, counting and deciding are one atomic step: the `feedback_addresses` row is upserted first
(ON CONFLICT DO UPDATE takes its row lock on Postgres until commit; SQLite runs one writer at a time), so two
concurrent deliveries of feedback for the same address serialise, and the second one counts the first.
Addresses are locked in hash order so two notifications with overlapping recipients cannot deadlock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.events import metrics
from services.events.guard import evaluate, guard_row
from services.events.reputation import add_to_bucket
from services.events.ses_feedback import FeedbackItem
from services.events.settings import EventsSettings
from shared.contracts.email import (
    EmailBounced,
    EmailClicked,
    EmailComplained,
    EmailDelivered,
    EmailOpened,
    EmailRejected,
)
from shared.db.types import UTCDateTime, utcnow
from shared.db.upsert import dialect_name, insert
from shared.models.events import EmailEvent, FeedbackAddress
from shared.outbox import enqueue

log = logging.getLogger("sesame.events.policy")
HARD, SOFT = "Permanent", ("Transient", "Undetermined")


@dataclass
class Outcome:
    """What one notification did (for the digest and the tests)."""

    events: list[int] = field(default_factory=list)
    duplicates: int = 0
    bounces: int = 0
    complaints: int = 0
    rejects: list[str] = field(default_factory=list)
    suppressed: list[str] = field(default_factory=list)
    counted: bool = False  # feedback that moves the rates was recorded
    types: dict[str, int] = field(default_factory=dict)  # recorded events by type (for the metrics)
    reasons: dict[str, int] = field(default_factory=dict)  # suppressions by reason (for the metrics)

    def count_metrics(self) -> None:
        """Add this outcome to the Prometheus counters (call once its transaction committed)."""
        for t, n in self.types.items():
            metrics.FEEDBACK.labels(t).inc(n)
        for r, n in self.reasons.items():
            metrics.SUPPRESSED.labels(r).inc(n)


# The hot statements are built once per dialect and executed with parameters: building one with `.values(...)`
# per event costs more CPU (cache-key generation over every bound value) than running it.
_STATEMENTS: dict[tuple[str, str], Any] = {}


def _statement(session: AsyncSession, name: str) -> Any:
    key = (dialect_name(session), name)
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        stmt = _STATEMENTS[key] = _BUILDERS[name](session)
    return stmt


def _build_lock(session: AsyncSession) -> Any:
    base = insert(FeedbackAddress.__table__, session)
    return base.on_conflict_do_update(
        index_elements=["project_id", "email_hash"], set_={"updated_at": base.excluded.updated_at}
    )


def _build_record(session: AsyncSession) -> Any:
    return (
        insert(EmailEvent.__table__, session)
        .on_conflict_do_nothing(index_elements=["project_id", "dedupe_key"])
        .returning(EmailEvent.__table__.c.id)
    )


def _build_touch(session: AsyncSession) -> Any:
    fa = FeedbackAddress.__table__
    return (
        sa.update(fa)
        .where(
            fa.c.project_id == sa.bindparam("p_project_id"), fa.c.email_hash == sa.bindparam("p_email_hash")
        )
        .values(
            bounces=fa.c.bounces + sa.bindparam("p_bounces"),
            complaints=fa.c.complaints + sa.bindparam("p_complaints"),
            updated_at=sa.bindparam("p_now", type_=UTCDateTime()),
            suppressed_reason=sa.func.coalesce(
                fa.c.suppressed_reason, sa.bindparam("p_reason", type_=sa.String())
            ),
            suppressed_at=sa.func.coalesce(
                fa.c.suppressed_at,
                sa.case(
                    (sa.bindparam("p_reason", type_=sa.String()).is_(None), None),
                    else_=sa.bindparam("p_now", type_=UTCDateTime()),
                ),
            ),
        )
    )


_BUILDERS = {"lock": _build_lock, "record": _build_record, "touch": _build_touch}


async def _lock_address(session: AsyncSession, project_id: int, ehash: str, now: datetime) -> None:
    await session.execute(
        _statement(session, "lock"),
        {"project_id": project_id, "email_hash": ehash, "bounces": 0, "complaints": 0, "updated_at": now},
    )


async def _record(
    session: AsyncSession,
    project_id: int,
    inbox_id: int | None,
    item: FeedbackItem,
    message_id: int | None,
    **flags: Any,
) -> int | None:
    """Insert the event once (by dedupe key); None if it was already recorded."""
    detail = dict(item.detail)
    if item.tag_project_id is not None and item.tag_project_id != project_id:
        detail["tag_project_mismatch"] = item.tag_project_id
    params = {
        "project_id": project_id,
        "inbox_id": inbox_id,
        "dedupe_key": item.dedupe_key,
        "event_type": item.event_type,
        "email": item.email,
        "email_hash": item.email_hash,
        "ses_message_id": item.ses_message_id,
        "message_id": message_id,
        "bounce_type": item.bounce_type,
        "bounce_subtype": item.bounce_subtype,
        "feedback_type": item.feedback_type or item.complaint_subtype,
        "diagnostic": item.diagnostic or item.reason,
        "detail": detail,
        "occurred_at": item.occurred_at,
        "created_at": utcnow(),
        "soft_bounce": False,
        "counted": False,
        "suppressed": False,
        **flags,
    }
    return (await session.execute(_statement(session, "record"), params)).scalar()


def _sender_messages() -> Any:
    """The sender's `messages` model if that module exists (read-only use), else None."""
    try:
        from shared.models import sender as sender_models
    except ImportError:
        return None
    model = getattr(sender_models, "Message", None)
    return model if model is not None and hasattr(model, "ses_message_id") else None


async def _resolve_message_id(
    session: AsyncSession, project_id: int, item: FeedbackItem, cache: dict[str, int | None]
) -> int | None:
    """Our messages.id: from our tags/header, else by SES message id in the sender's table (None if not sent yet:
    the email.sent consumer links such events when the send is recorded)."""
    if item.tag_message_id is not None and item.tag_project_id in (None, project_id):
        return item.tag_message_id
    if item.ses_message_id in cache:
        return cache[item.ses_message_id]
    model = _sender_messages()
    found = None
    if model is not None:
        found = await session.scalar(
            sa.select(model.id)
            .where(model.ses_message_id == item.ses_message_id, model.project_id == project_id)
            .limit(1)
        )
    cache[item.ses_message_id] = found
    return found


async def apply_feedback(
    session: AsyncSession,
    project_id: int,
    items: list[FeedbackItem],
    settings: EventsSettings,
    *,
    inbox_id: int | None = None,
    now: datetime | None = None,
    evaluate_guard: bool = True,
    bucket_totals: dict[str, int] | None = None,
) -> Outcome:
    """Apply the policy to one notification's items inside the caller's unit of work (`evaluate_guard=False`:
    the caller re-assesses the guard itself, once per batch; `Outcome.counted` tells it to). With
    `bucket_totals` the reputation counts are added there, for the caller to write once per batch."""
    now = now or utcnow()
    out = Outcome()
    if not items:
        return out
    threshold, window = settings.soft_bounce_threshold, timedelta(days=settings.soft_bounce_window_days)
    if any(i.event_type == "bounce" and i.bounce_type != HARD for i in items):
        g = await guard_row(session, project_id)  # per-project soft-bounce policy
        threshold = g.soft_bounce_threshold or threshold
        window = timedelta(days=g.soft_bounce_window_days) if g.soft_bounce_window_days else window
    linked: dict[str, int | None] = {}
    buckets = {"hard_bounces": 0, "soft_bounces": 0, "complaints": 0, "delivered": 0, "rejects": 0}
    counted_any = False

    for item in sorted(items, key=lambda i: (i.email_hash or "", i.event_type)):
        message_id = await _resolve_message_id(session, project_id, item, linked)
        base: dict[str, Any] = {
            "project_id": project_id,
            "email": item.email or "",
            "ses_message_id": item.ses_message_id,
            "message_id": message_id,
            "occurred_at": item.occurred_at,
        }
        if item.event_type == "bounce" and item.email_hash:
            await _lock_address(session, project_id, item.email_hash, now)
            hard = item.bounce_type == HARD
            soft = not hard and not item.auto_reply
            on_account = hard and item.bounce_subtype == "OnAccountSuppressionList"
            counted = hard and not on_account
            event_id = await _record(
                session,
                project_id,
                inbox_id,
                item,
                message_id,
                soft_bounce=soft,
                counted=counted,
                suppressed=hard,
            )
            if event_id is None:
                out.duplicates += 1
                continue
            suppress, reason = hard, ("ses_suppression" if on_account else "hard_bounce") if hard else None
            if soft:
                recent = await session.scalar(
                    sa.select(sa.func.count()).where(
                        EmailEvent.project_id == project_id,
                        EmailEvent.email_hash == item.email_hash,
                        EmailEvent.event_type == "bounce",
                        EmailEvent.soft_bounce.is_(True),
                        EmailEvent.occurred_at >= item.occurred_at - window,
                    )
                )
                if int(recent or 0) >= threshold:
                    suppress, reason = True, "soft_bounce"
                    await session.execute(
                        sa.update(EmailEvent).where(EmailEvent.id == event_id).values(suppressed=True)
                    )
            await _touch_address(
                session, project_id, item.email_hash, now, bounces=1, reason=reason if suppress else None
            )
            buckets["hard_bounces" if counted else "soft_bounces"] += 1 if (counted or soft) else 0
            counted_any |= counted
            out.bounces += 1
            if suppress:
                out.suppressed.append(item.email or "")
                out.reasons[reason or "hard_bounce"] = out.reasons.get(reason or "hard_bounce", 0) + 1
            contract = EmailBounced(
                **base,
                event_id=event_id,
                bounce_type=item.bounce_type or "Undetermined",
                bounce_subtype=item.bounce_subtype or "Undetermined",
                diagnostic=item.diagnostic,
                suppress=suppress,
                suppression_reason=reason,
                auto_reply=item.auto_reply,
            )
        elif item.event_type == "complaint" and item.email_hash:
            await _lock_address(session, project_id, item.email_hash, now)
            on_account = item.complaint_subtype == "OnAccountSuppressionList"
            event_id = await _record(
                session, project_id, inbox_id, item, message_id, counted=not on_account, suppressed=True
            )
            if event_id is None:
                out.duplicates += 1
                continue
            reason = "ses_suppression" if on_account else "complaint"
            await _touch_address(session, project_id, item.email_hash, now, complaints=1, reason=reason)
            buckets["complaints"] += 0 if on_account else 1
            counted_any |= not on_account
            out.complaints += 1
            out.suppressed.append(item.email or "")
            out.reasons[reason] = out.reasons.get(reason, 0) + 1
            contract = EmailComplained(
                **base,
                event_id=event_id,
                feedback_type=item.feedback_type,
                suppress=True,
                unsubscribe_all=not on_account,
                suppression_reason=reason,
            )
        elif item.event_type in ("delivery", "reject", "rendering_failure"):
            event_id = await _record(session, project_id, inbox_id, item, message_id)
            if event_id is None:
                out.duplicates += 1
                continue
            if item.event_type == "delivery":
                buckets["delivered"] += 1
                contract = EmailDelivered(**base, event_id=event_id)
            else:
                buckets["rejects"] += 1
                reason = f"{'SES rejected the message' if item.event_type == 'reject' else 'template rendering failed'}: {item.reason}"
                out.rejects.append(f"{item.email or '?'} ({item.ses_message_id}): {reason}")
                contract = EmailRejected(**base, event_id=event_id, reason=reason)
        elif item.event_type in ("open", "click"):
            event_id = await _record(session, project_id, inbox_id, item, message_id)
            if event_id is None:
                out.duplicates += 1
                continue
            contract = _engagement_contract(item, base, event_id)
        else:
            # send, delivery_delay, subscription (and bounces without an address): recorded only.
            event_id = await _record(session, project_id, inbox_id, item, message_id)
            if event_id is None:
                out.duplicates += 1
            else:
                out.events.append(event_id)
                out.types[item.event_type] = out.types.get(item.event_type, 0) + 1
            continue
        out.events.append(event_id)
        out.types[item.event_type] = out.types.get(item.event_type, 0) + 1
        enqueue(session, contract.ROUTING_KEY, contract.payload(), message_id=f"evt-{project_id}-{event_id}")

    if bucket_totals is None:
        await add_to_bucket(session, project_id, now, **buckets)
    else:
        for k, v in buckets.items():
            bucket_totals[k] = bucket_totals.get(k, 0) + v
    out.counted = counted_any
    if counted_any and evaluate_guard:
        await evaluate(session, project_id, settings, now)
    return out


def _str(value: Any) -> str | None:
    return value[:2000] if isinstance(value, str) and value else None


def _engagement_contract(
    item: FeedbackItem, base: dict[str, Any], event_id: int
) -> EmailOpened | EmailClicked:
    d = item.detail
    agent = {"user_agent": _str(d.get("userAgent")), "ip_address": _str(d.get("ipAddress"))}
    if item.event_type == "open":
        return EmailOpened(**base, event_id=event_id, **agent)
    tags = d.get("linkTags")
    link_tags = {
        str(k): [str(x) for x in v] if isinstance(v, list) else [str(v)]
        for k, v in (tags.items() if isinstance(tags, dict) else ())
    }
    return EmailClicked(
        **base, event_id=event_id, link=_str(d.get("link")) or "", link_tags=link_tags, **agent
    )


async def _touch_address(
    session: AsyncSession,
    project_id: int,
    ehash: str,
    now: datetime,
    *,
    bounces: int = 0,
    complaints: int = 0,
    reason: str | None = None,
) -> None:
    await session.execute(
        _statement(session, "touch"),
        {
            "p_project_id": project_id,
            "p_email_hash": ehash,
            "p_bounces": bounces,
            "p_complaints": complaints,
            "p_now": now,
            "p_reason": reason or None,
        },
    )
