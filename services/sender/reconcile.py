"""Rows left in `sending`: did SES accept the mail? Evidence decides; policy only when waiting tells nothing more.

A row is `sending` from the moment it holds a send slot until its outcome is recorded (worker.py). One still
`sending` after `stale_sending_seconds` belongs to a sender that died in between (kill -9, OOM, host lost), or its
SES call got no answer (timeout, dropped connection: the worker leaves such a row `sending`): SES may or may not
have accepted it, and SES has no idempotency key to ask. Every mail carries our ids
(SES tags `sesame-project` / `sesame-message`, header `X-Sesame-Message-Id`), and the events service links the
feedback SES publishes for it to the row — by those ids, or by the SES message id once the send is recorded.
The sweep decides each stale row, oldest first:

1. Evidence: a feedback event linked to the row (Send, Delivery, Bounce, Complaint, Reject …) proves SES
   accepted it → `sent`, with the SES message id the event carries (and the usual `email.sent`).
2. Meaningful absence: the events service processed, at least `ambiguous_margin_seconds` ago, feedback for mail
   of the same project sent *after* this row. Had SES accepted this one, its feedback would have come too → SES
   never had it: back to `queued` (not a duplicate).
3. Otherwise it keeps waiting (feedback delayed, not wired, or no later mail yet), at most
   `ambiguous_max_wait_seconds` after its `sending_at`; then `ambiguous_policy` decides: `resend` (at-least-once:
   a duplicate if SES had accepted it after all) or `fail` (at-most-once; `failed` with the reason and an
   `email.failed`).
A row already tried `max_attempts` times is failed instead of sent again (a mail that crashes its sender, an SES
that never answers).

Rule 2 assumes an accepted mail's first feedback is not more than the margin behind feedback for mail sent after
it. Send events (a configuration set publishing SEND) come within seconds of acceptance; without them the first
feedback is the Delivery or Bounce, which a greylisting receiver can hold back for minutes — raise the margin if
that matters more than recovery time. Feedback that carries none of our ids (identity notifications without
"include original headers") can never link an unrecorded row: such rows end in rule 2 or 3.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.sender.settings import SenderSettings
from shared.contracts.email import EmailFailed, EmailSent
from shared.db.upsert import dialect_name
from shared.models.events import EmailEvent
from shared.models.sender import Message
from shared.outbox import enqueue

log = logging.getLogger("sesame.sender.reconcile")
M = Message.__table__
E = EmailEvent.__table__
ROWS_PER_SWEEP = 1000
# How many of a project's mails sent after its oldest undecided row are examined for processed feedback: a
# bounded probe (index on project_id, sent_at); more rows only make the sweep slower, never less safe.
LATER_MAILS_PROBED = 1000

UNKNOWN = "SES acceptance unknown (the sender died before recording its call, or SES gave no answer)"
RESENT = f"{UNKNOWN}; feedback arrived for later mail but none for this one: sent again"
RESENT_AFTER_WAIT = (
    UNKNOWN + "; no feedback within {wait:.0f} s: sent again (possible duplicate, ambiguous_policy=resend)"
)
FAILED_AFTER_WAIT = UNKNOWN + "; no feedback within {wait:.0f} s: not sent again (ambiguous_policy=fail)"
GAVE_UP = UNKNOWN + " {attempts} times; not sent again (max_attempts)"


@dataclass
class Reconciled:
    """What one pass decided (rows still waiting are counted, not changed)."""

    confirmed: int = 0
    requeued: int = 0
    resent_unsure: int = 0
    failed: int = 0
    waiting: int = 0

    @property
    def changed(self) -> int:
        return self.confirmed + self.requeued + self.resent_unsure + self.failed


def _evidence() -> Any:
    """The SES message id from a feedback event linked to the row (by our tag / header, or by its SES id)."""
    return (
        sa.select(E.c.ses_message_id)
        .where(E.c.message_id == M.c.id, E.c.project_id == M.c.project_id, E.c.ses_message_id.is_not(None))
        .order_by(E.c.id)
        .limit(1)
        .scalar_subquery()
    )


async def feedback_frontier(
    session: AsyncSession, project_id: int, after: datetime, processed_before: datetime
) -> datetime | None:
    """The latest `sending_at` among the project's first mails sent after `after` whose feedback the events
    service had processed by `processed_before` (None: no such mail yet)."""
    later = (
        sa.select(M.c.id, M.c.sending_at)
        .where(M.c.project_id == project_id, M.c.sent_at.is_not(None), M.c.sent_at > after)
        .order_by(M.c.sent_at)
        .limit(LATER_MAILS_PROBED)
        .subquery()
    )
    fed = sa.exists().where(
        E.c.message_id == later.c.id, E.c.project_id == project_id, E.c.created_at <= processed_before
    )
    value = (await session.execute(sa.select(sa.func.max(later.c.sending_at)).where(fed))).scalar()
    return _aware(value) if value is not None else None


def _aware(ts: datetime) -> datetime:
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


async def reconcile_stale_sending(
    session: AsyncSession, settings: SenderSettings, now: datetime
) -> Reconciled:
    """Decide the rows left in `sending` longer than `stale_sending_seconds` (see the module docstring); writes
    inside the caller's unit of work, each change guarded by `state = 'sending'`."""
    out = Reconciled()
    q = (
        sa.select(
            M.c.id,
            M.c.project_id,
            M.c.kind,
            M.c.to_address,
            M.c.campaign_id,
            M.c.contact_id,
            M.c.sending_at,
            M.c.attempts,
            sa.func.coalesce(M.c.ses_message_id, _evidence()).label("evidence"),
        )
        .where(
            M.c.state == "sending", M.c.sending_at < now - timedelta(seconds=settings.stale_sending_seconds)
        )
        .order_by(M.c.sending_at)
        .limit(ROWS_PER_SWEEP)
    )
    if dialect_name(session) == "postgresql":
        q = q.with_for_update(skip_locked=True, of=M)
    rows = (await session.execute(q)).all()
    if not rows:
        return out

    undecided: dict[int, list[Any]] = defaultdict(list)
    for r in rows:
        if r.evidence:
            out.confirmed += await _confirm(session, r, now)
        else:
            undecided[r.project_id].append(r)

    processed_before = now - timedelta(seconds=settings.ambiguous_margin_seconds)
    wait = max(settings.ambiguous_max_wait_seconds, settings.stale_sending_seconds)
    give_up_before = now - timedelta(seconds=wait)
    requeue: list[Any] = []
    unsure: list[Any] = []
    for project_id, waiting in undecided.items():
        oldest = _aware(waiting[0].sending_at)
        frontier = await feedback_frontier(session, project_id, oldest, processed_before)
        for r in waiting:
            sending_at = _aware(r.sending_at)
            if frontier is not None and frontier > sending_at:
                requeue.append(r)
            elif sending_at < give_up_before:
                unsure.append(r)
            else:
                out.waiting += 1
    # A mail whose every attempt ends like this (one that crashes the sender, an SES that never answers) stops.
    spent = [r for r in [*requeue, *unsure] if r.attempts >= settings.max_attempts]
    for r in spent:
        out.failed += await _fail(session, [r], GAVE_UP.format(attempts=r.attempts), now)
    requeue = [r for r in requeue if r not in spent]
    unsure = [r for r in unsure if r not in spent]
    out.requeued = await _requeue(session, [r.id for r in requeue], RESENT, now)
    if settings.ambiguous_policy == "resend":
        out.resent_unsure = await _requeue(
            session, [r.id for r in unsure], RESENT_AFTER_WAIT.format(wait=wait), now
        )
    else:
        out.failed += await _fail(session, unsure, FAILED_AFTER_WAIT.format(wait=wait), now)
    return out


async def _confirm(session: AsyncSession, r: Any, now: datetime) -> int:
    sent_at = _aware(r.sending_at)
    done = (
        await session.execute(
            sa.update(M)
            .where(M.c.id == r.id, M.c.state == "sending")
            .values(
                state="sent",
                ses_message_id=sa.func.coalesce(M.c.ses_message_id, r.evidence),
                sent_at=sa.func.coalesce(M.c.sent_at, M.c.sending_at),
                last_error=None,
                updated_at=now,
            )
            .returning(M.c.id)
        )
    ).first()
    if done is None:
        return 0
    ev = EmailSent(
        project_id=r.project_id,
        message_id=r.id,
        ses_message_id=r.evidence,
        to=r.to_address,
        kind=r.kind,
        campaign_id=r.campaign_id,
        contact_id=r.contact_id,
        sent_at=sent_at,
    )
    enqueue(session, ev.ROUTING_KEY, ev.payload())
    return 1


async def _requeue(session: AsyncSession, ids: list[int], reason: str, now: datetime) -> int:
    if not ids:
        return 0
    result = await session.execute(
        sa.update(M)
        .where(M.c.id.in_(ids), M.c.state == "sending")
        .values(state="queued", claimed_until=None, send_after=now, last_error=reason, updated_at=now)
        .returning(M.c.id)
    )
    return len(result.all())


async def _fail(session: AsyncSession, rows: list[Any], reason: str, now: datetime) -> int:
    if not rows:
        return 0
    result = await session.execute(
        sa.update(M)
        .where(M.c.id.in_([r.id for r in rows]), M.c.state == "sending")
        .values(state="failed", last_error=reason, updated_at=now)
        .returning(M.c.id)
    )
    failed = set(result.scalars())
    for r in rows:
        if r.id in failed:
            ev = EmailFailed(
                project_id=r.project_id,
                message_id=r.id,
                to=r.to_address,
                reason=reason,
                campaign_id=r.campaign_id,
            )
            enqueue(session, ev.ROUTING_KEY, ev.payload())
    return len(failed)
