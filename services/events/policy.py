"""Feedback policy: record each event once, decide suppression, publish the result, feed the rates.

Per address, counting and deciding are one atomic step: the `feedback_addresses` row is upserted first
(ON CONFLICT DO UPDATE takes its row lock on Postgres until commit; SQLite runs one writer at a time), so two
concurrent deliveries of feedback for the same address serialise, and the second one counts the first.
A batch locks all its addresses in one statement, in (project, hash) order, so two batches with overlapping
recipients cannot deadlock. Deliveries, opens and clicks decide nothing and take no lock.

Everything else is set-based too (feedback_sql.py): the events of a whole batch go in with one
INSERT … ON CONFLICT DO NOTHING RETURNING, the contracts in one outbox INSERT, the reputation counts once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.events import feedback_sql, metrics
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
from shared.db.types import utcnow
from shared.models.events import EmailEvent
from shared.outbox import enqueue_many

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


@dataclass(frozen=True)
class Notification:
    """One stored notification's items, as the batch hands them to the policy."""

    project_id: int
    items: list[FeedbackItem]
    inbox_id: int | None = None


def _sender_messages() -> Any:
    """The sender's `messages` model if that module exists (read-only use), else None."""
    try:
        from shared.models import sender as sender_models
    except ImportError:
        return None
    model = getattr(sender_models, "Message", None)
    return model if model is not None and hasattr(model, "ses_message_id") else None


async def _message_ids(session: AsyncSession, notes: list[Notification]) -> dict[tuple[int, str], int]:
    """Our messages.id by (project, SES message id) for the items our tags/header do not link, in one query
    (an event whose send is not recorded yet stays unlinked: the email.sent consumer links it later)."""
    wanted = {
        (n.project_id, i.ses_message_id)
        for n in notes
        for i in n.items
        if i.tag_message_id is None or i.tag_project_id not in (None, n.project_id)
    }
    model = _sender_messages()
    if not wanted or model is None:
        return {}
    rows = await session.execute(
        sa.select(model.project_id, model.ses_message_id, sa.func.min(model.id))
        .where(model.ses_message_id.in_(sorted({s for _, s in wanted})))
        .group_by(model.project_id, model.ses_message_id)
    )
    return {(p, s): i for p, s, i in rows if (p, s) in wanted}


def _linked(n: Notification, item: FeedbackItem, found: dict[tuple[int, str], int]) -> int | None:
    if item.tag_message_id is not None and item.tag_project_id in (None, n.project_id):
        return item.tag_message_id
    return found.get((n.project_id, item.ses_message_id))


def _decided(item: FeedbackItem) -> bool:
    """Bounces and complaints with an address decide a suppression: only they take the address lock."""
    return item.event_type in ("bounce", "complaint") and bool(item.email_hash)


def _event_row(n: Notification, item: FeedbackItem, message_id: int | None) -> dict[str, Any]:
    detail = dict(item.detail)
    if item.tag_project_id is not None and item.tag_project_id != n.project_id:
        detail["tag_project_mismatch"] = item.tag_project_id
    soft = counted = suppressed = False
    if _decided(item) and item.event_type == "bounce":
        hard = item.bounce_type == HARD
        soft, counted, suppressed = (
            not hard and not item.auto_reply,
            hard and item.bounce_subtype != "OnAccountSuppressionList",
            hard,
        )
    elif _decided(item):
        counted, suppressed = item.complaint_subtype != "OnAccountSuppressionList", True
    return {
        "project_id": n.project_id,
        "inbox_id": n.inbox_id,
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
        "soft_bounce": soft,
        "counted": counted,
        "suppressed": suppressed,
    }


async def _soft_policies(
    session: AsyncSession, notes: list[Notification], settings: EventsSettings
) -> dict[int, tuple[int, timedelta]]:
    """Per project with soft bounces in the batch: (threshold, window), the project's own when it set one."""
    out: dict[int, tuple[int, timedelta]] = {}
    for n in notes:
        if n.project_id in out or not any(
            i.event_type == "bounce" and i.bounce_type != HARD for i in n.items
        ):
            continue
        g = await guard_row(session, n.project_id)
        out[n.project_id] = (
            g.soft_bounce_threshold or settings.soft_bounce_threshold,
            timedelta(days=g.soft_bounce_window_days or settings.soft_bounce_window_days),
        )
    return out


async def _soft_bounce_reached(
    session: AsyncSession, row: dict[str, Any], event_id: int, policy: tuple[int, timedelta]
) -> bool:
    """This soft bounce brings the address to the threshold within the window (counting the recorded ones up
    to this one: ids follow the order the batch recorded them in, under the address lock)."""
    threshold, window = policy
    recent = await session.scalar(
        sa.select(sa.func.count()).where(
            EmailEvent.project_id == row["project_id"],
            EmailEvent.email_hash == row["email_hash"],
            EmailEvent.event_type == "bounce",
            EmailEvent.soft_bounce.is_(True),
            EmailEvent.occurred_at >= row["occurred_at"] - window,
            EmailEvent.id <= event_id,
        )
    )
    return int(recent or 0) >= threshold


async def apply_batch(
    session: AsyncSession,
    notes: list[Notification],
    settings: EventsSettings,
    *,
    now: datetime | None = None,
    evaluate_guard: bool = True,
    bucket_totals: dict[int, dict[str, int]] | None = None,
) -> list[Outcome]:
    """Apply the policy to a batch of notifications inside the caller's unit of work, one statement per step:
    link messages, lock the addresses that get a decision (hash order), record every event once, count and
    suppress, queue the contracts, add the reputation counts. One Outcome per notification, in order.
    `evaluate_guard=False`: the caller re-assesses the guard (`Outcome.counted` tells it to); with `bucket_totals`
    the reputation counts are added there per project, for the caller to write once."""
    now = now or utcnow()
    outcomes = [Outcome() for _ in notes]
    # Within a notification in hash order (as the locks are taken), notifications in batch order.
    work = [
        (k, i)
        for k, n in enumerate(notes)
        for i in sorted(n.items, key=lambda i: (i.email_hash or "", i.event_type))
    ]
    if not work:
        return outcomes
    found = await _message_ids(session, notes)
    locks = sorted({(notes[k].project_id, i.email_hash) for k, i in work if _decided(i) and i.email_hash})
    await feedback_sql.lock_addresses(session, locks, now)
    rows = [_event_row(notes[k], i, _linked(notes[k], i, found)) for k, i in work]
    ids = await feedback_sql.insert_events(session, rows, now)
    soft_policy = (
        await _soft_policies(session, notes, settings) if any(r["soft_bounce"] for r in rows) else {}
    )

    touches: dict[tuple[int, str], tuple[int, int, str | None]] = {}
    buckets: dict[int, dict[str, int]] = {}
    published: list[tuple[str, dict[str, Any], str]] = []
    for (k, item), row, event_id in zip(work, rows, ids, strict=True):
        out, n = outcomes[k], notes[k]
        if event_id is None:
            out.duplicates += 1
            continue
        out.events.append(event_id)
        out.types[item.event_type] = out.types.get(item.event_type, 0) + 1
        counts = buckets.setdefault(n.project_id, {})
        base: dict[str, Any] = {
            "project_id": n.project_id,
            "email": item.email or "",
            "ses_message_id": item.ses_message_id,
            "message_id": row["message_id"],
            "occurred_at": item.occurred_at,
            "event_id": event_id,
        }
        contract: Any
        if _decided(item):
            assert item.email_hash is not None
            reason: str | None
            if item.event_type == "bounce":
                on_account = item.bounce_subtype == "OnAccountSuppressionList"
                suppress = bool(row["suppressed"])
                reason = ("ses_suppression" if on_account else "hard_bounce") if suppress else None
                if row["soft_bounce"] and await _soft_bounce_reached(
                    session, row, event_id, soft_policy[n.project_id]
                ):
                    suppress, reason = True, "soft_bounce"
                    await session.execute(
                        sa.update(EmailEvent).where(EmailEvent.id == event_id).values(suppressed=True)
                    )
                bucket = "hard_bounces" if row["counted"] else "soft_bounces" if row["soft_bounce"] else None
                out.bounces += 1
                delta = (1, 0)
                contract = EmailBounced(
                    **base,
                    bounce_type=item.bounce_type or "Undetermined",
                    bounce_subtype=item.bounce_subtype or "Undetermined",
                    diagnostic=item.diagnostic,
                    suppress=suppress,
                    suppression_reason=reason,
                    auto_reply=item.auto_reply,
                )
            else:
                on_account = item.complaint_subtype == "OnAccountSuppressionList"
                reason = "ses_suppression" if on_account else "complaint"
                bucket = None if on_account else "complaints"
                out.complaints += 1
                delta = (0, 1)
                contract = EmailComplained(
                    **base,
                    feedback_type=item.feedback_type,
                    suppress=True,
                    unsubscribe_all=not on_account,
                    suppression_reason=reason,
                )
            key = (n.project_id, item.email_hash)
            b, c, r = touches.get(key, (0, 0, None))
            touches[key] = (b + delta[0], c + delta[1], r or reason)
            if bucket:
                counts[bucket] = counts.get(bucket, 0) + 1
            out.counted |= bool(row["counted"])
            if reason:
                out.suppressed.append(item.email or "")
                out.reasons[reason] = out.reasons.get(reason, 0) + 1
        elif item.event_type == "delivery":
            counts["delivered"] = counts.get("delivered", 0) + 1
            contract = EmailDelivered(**base)
        elif item.event_type in ("reject", "rendering_failure"):
            counts["rejects"] = counts.get("rejects", 0) + 1
            what = "SES rejected the message" if item.event_type == "reject" else "template rendering failed"
            text = f"{what}: {item.reason}"
            out.rejects.append(f"{item.email or '?'} ({item.ses_message_id}): {text}")
            contract = EmailRejected(**base, reason=text)
        elif item.event_type in ("open", "click"):
            contract = _engagement_contract(item, base)
        else:
            continue  # send, delivery_delay, subscription (and bounces without an address): recorded only
        published.append((contract.ROUTING_KEY, contract.payload(), f"evt-{n.project_id}-{event_id}"))

    await feedback_sql.touch_addresses(session, touches, now)
    await enqueue_many(session, [(rk, p) for rk, p, _ in published], message_ids=[m for _, _, m in published])
    for project_id, counts in sorted(buckets.items()):
        if bucket_totals is None:
            await add_to_bucket(session, project_id, now, **counts)
        else:
            totals = bucket_totals.setdefault(project_id, {})
            for name, v in counts.items():
                totals[name] = totals.get(name, 0) + v
    if evaluate_guard:
        for project_id in sorted({n.project_id for n, o in zip(notes, outcomes, strict=True) if o.counted}):
            await evaluate(session, project_id, settings, now)
    return outcomes


async def apply_feedback(
    session: AsyncSession,
    project_id: int,
    items: list[FeedbackItem],
    settings: EventsSettings,
    *,
    inbox_id: int | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Apply the policy to one notification's items inside the caller's unit of work."""
    return (await apply_batch(session, [Notification(project_id, items, inbox_id)], settings, now=now))[0]


def _str(value: Any) -> str | None:
    return value[:2000] if isinstance(value, str) and value else None


def _engagement_contract(item: FeedbackItem, base: dict[str, Any]) -> EmailOpened | EmailClicked:
    d = item.detail
    agent = {"user_agent": _str(d.get("userAgent")), "ip_address": _str(d.get("ipAddress"))}
    if item.event_type == "open":
        return EmailOpened(**base, **agent)
    tags = d.get("linkTags")
    link_tags = {
        str(k): [str(x) for x in v] if isinstance(v, list) else [str(v)]
        for k, v in (tags.items() if isinstance(tags, dict) else ())
    }
    return EmailClicked(**base, link=_str(d.get("link")) or "", link_tags=link_tags, **agent)
