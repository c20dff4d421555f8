"""Prove the feedback loop, show "last feedback received", and alert when feedback stops while mail is sent.

The loop proof sends to the SES mailbox simulator through the sender's own pipeline (a `mail.requested` per
address, so the mail carries Sesame's headers and tags exactly like real mail) and waits until the events
service has stored the matching feedback event; it reports how long each took from the SES send to arrival.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.sender.ses_setup import project_data
from shared.contracts.mail import MailRequested
from shared.db.types import utcnow
from shared.models.core import Project
from shared.models.events import EmailEvent
from shared.models.sender import Message
from shared.models.ses_setup import SesSetupState
from shared.outbox import enqueue

log = logging.getLogger("sesame.ses_setup.loop")

# expected feedback event → simulator mailbox
LOOP = {"delivery": "success", "bounce": "bounce", "complaint": "complaint"}
SIMULATOR_DOMAIN = "simulator.amazonses.com"
Uow = Callable[[], AbstractAsyncContextManager[AsyncSession]]


@dataclass
class LoopItem:
    expect: str
    address: str
    idempotency_key: str
    message_id: int | None = None
    state: str = "requested"  # requested | sent | failed | received | timeout
    sent_at: str | None = None
    feedback_at: str | None = None
    seconds: float | None = None
    detail: str | None = None


@dataclass
class LoopResult:
    run_id: str
    project_id: int
    started_at: str
    items: list[LoopItem] = field(default_factory=list)
    waited_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(i.state == "received" for i in self.items)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}

    def render(self) -> str:
        lines = [f"Feedback loop test {self.run_id} (project {self.project_id})"]
        for i in self.items:
            took = f"{i.seconds:.1f}s" if i.seconds is not None else "-"
            lines.append(f"  {i.expect:<9} {i.address:<58} {i.state:<9} {took:>8}  {i.detail or ''}".rstrip())
        lines.append("result: " + ("all three feedback events arrived" if self.ok else "NOT proven"))
        return "\n".join(lines)


def loop_addresses(run_id: str) -> dict[str, str]:
    return {kind: f"{box}+sesame-loop-{run_id}@{SIMULATOR_DOMAIN}" for kind, box in LOOP.items()}


def request_loop(session: AsyncSession, project_id: int, run_id: str | None = None) -> LoopResult:
    """Queue the three simulator mails in the caller's unit of work (published after commit)."""
    run_id = run_id or uuid.uuid4().hex[:12]
    result = LoopResult(run_id, project_id, utcnow().isoformat())
    for kind, address in loop_addresses(run_id).items():
        key = f"ses-loop:{project_id}:{run_id}:{kind}"
        mail = MailRequested(
            project_id=project_id,
            to=address,
            subject=f"Sesame feedback loop test ({kind})",
            text=f"Sesame checks that SES {kind} feedback reaches it. Run {run_id}.",
            kind="transactional",
            idempotency_key=key,
            tags={"sesame-loop": run_id},
            meta={"ses_loop": run_id},
        )
        enqueue(
            session,
            MailRequested.ROUTING_KEY,
            mail.payload(),
            message_id=f"ses-loop-{project_id}-{run_id}-{kind}",
        )
        result.items.append(LoopItem(kind, address, key))
    return result


async def _observe(session: AsyncSession, result: LoopResult) -> None:
    keys = {f"bus:{i.idempotency_key}": i for i in result.items}
    rows = (
        await session.execute(
            sa.select(
                Message.id, Message.idempotency_key, Message.state, Message.sent_at, Message.last_error
            ).where(Message.project_id == result.project_id, Message.idempotency_key.in_(list(keys)))
        )
    ).all()
    for mid, key, state, sent_at, error in rows:
        item = keys[key]
        item.message_id = int(mid)
        if sent_at is not None:
            item.sent_at = sent_at.isoformat()
        if state in ("failed", "suppressed", "cancelled") and item.state != "received":
            item.state, item.detail = "failed", f"message {state}: {error or ''}".strip()
        elif item.state == "requested" and sent_at is not None:
            item.state = "sent"
    by_id = {i.message_id: i for i in result.items if i.message_id is not None}
    by_addr = {i.address.lower(): i for i in result.items}
    events = (
        await session.execute(
            sa.select(
                EmailEvent.event_type, EmailEvent.message_id, EmailEvent.email, EmailEvent.created_at
            ).where(
                EmailEvent.project_id == result.project_id,
                sa.or_(
                    EmailEvent.message_id.in_(list(by_id)) if by_id else sa.false(),
                    sa.func.lower(EmailEvent.email).in_(list(by_addr)),
                ),
            )
        )
    ).all()
    for etype, mid, email, created in events:
        item = by_id.get(mid) or by_addr.get((email or "").lower())
        if item is None or etype != item.expect or item.state == "received":
            continue
        item.state, item.feedback_at = "received", created.isoformat()
        start = datetime.fromisoformat(item.sent_at or result.started_at)
        item.seconds = round(max(0.0, (created - start).total_seconds()), 3)


async def wait_for_loop(
    uow: Uow, result: LoopResult, *, wait_seconds: float, poll: float = 1.0
) -> LoopResult:
    """Poll until the three feedback events are stored or `wait_seconds` pass (each poll is its own transaction)."""
    started = time.monotonic()
    while True:
        async with uow() as session:
            await _observe(session, result)
        pending = [i for i in result.items if i.state not in ("received", "failed")]
        if not pending or time.monotonic() - started >= wait_seconds:
            break
        await asyncio.sleep(poll)
    for i in result.items:
        if i.state in ("requested", "sent"):
            i.detail = (
                "never sent: is the sender running and the project's sending not paused?"
                if i.state == "requested"
                else "sent, but no feedback arrived: run `sesame ses connect` and check the SNS subscriptions"
            )
            i.state = "timeout"
    result.waited_seconds = round(time.monotonic() - started, 2)
    return result


async def record_loop(session: AsyncSession, result: LoopResult, *, running: bool = False) -> None:
    st = await project_data.setup_state(session, result.project_id, create=True)
    assert st is not None
    st.last_loop = {**result.to_dict(), "status": "running" if running else "done"}
    st.updated_at = utcnow()


# ------------------------------------------------------------------ last feedback and the stall guard


async def feedback_overview(session: AsyncSession, project_id: int, stall_hours: float) -> dict[str, Any]:
    """For the dashboard: last feedback received, recent volume, stall state, last loop proof."""
    now = utcnow()
    await project_data.project_row(session, project_id)
    last = await project_data.last_feedback(session, project_id)
    st = await project_data.setup_state(session, project_id)
    since = now - timedelta(hours=stall_hours)
    sent = await project_data.sent_since(session, project_id, since)
    return {
        "last_feedback_at": last["received_at"].isoformat() if last else None,
        "last_feedback_type": last["event_type"] if last else None,
        "sent_last_window": sent,
        "window_hours": stall_hours,
        "stalled": bool(st and st.stall_alerted_at),
        "stall_alerted_at": st.stall_alerted_at.isoformat() if st and st.stall_alerted_at else None,
        "connected_at": st.connected_at.isoformat() if st and st.connected_at else None,
        "last_loop": st.last_loop if st else {},
        "subscriptions": await project_data.subscription_records(session, project_id),
    }


async def check_stall(
    session: AsyncSession,
    project_id: int,
    *,
    hours: float,
    now: datetime | None = None,
    grace_minutes: float = 15,
) -> str:
    """ok | stalled | alerted | recovered. Mail sent in the window (older than the grace period, so its
    feedback had time to arrive) but no feedback stored since the window began → one owner mail per stall."""
    now = now or utcnow()
    window_start = now - timedelta(hours=hours)
    sent = int(
        await session.scalar(
            sa.select(sa.func.count())
            .select_from(Message)
            .where(
                Message.project_id == project_id,
                Message.sent_at >= window_start,
                Message.sent_at <= now - timedelta(minutes=grace_minutes),
            )
        )
        or 0
    )
    feedback = await project_data.feedback_since(session, project_id, window_start)
    if sent and not feedback:
        # Guarded update: of several replicas, exactly one wins and mails the owner.
        won = await session.execute(
            sa.update(SesSetupState)
            .where(SesSetupState.project_id == project_id, SesSetupState.stall_alerted_at.is_(None))
            .values(stall_alerted_at=now, updated_at=now)
        )
        if not won.rowcount:
            return "stalled"
        owner = await session.scalar(sa.select(Project.owner_email).where(Project.id == project_id))
        if owner:
            key = f"ses-feedback-stall:{project_id}:{now.isoformat()}"
            mail = MailRequested(
                project_id=project_id,
                to=owner,
                subject="Sesame receives no SES feedback",
                text=(
                    f"{sent} mails were sent in the last {hours:g} hours but no bounce, complaint or delivery "
                    "notification reached Sesame since then. Without feedback Sesame cannot suppress bouncing "
                    "addresses or pause before AWS does.\n\nRun `sesame ses connect` (it repairs the SNS topics, "
                    "subscriptions and SES wiring) and `sesame doctor` for the details."
                ),
                kind="notification",
                idempotency_key=key,
            )
            enqueue(
                session,
                MailRequested.ROUTING_KEY,
                mail.payload(),
                message_id="mail-" + hashlib.sha1(key.encode()).hexdigest(),
            )
        else:
            log.warning("project %s: feedback stalled but no owner_email to tell", project_id)
        return "alerted"
    if feedback:
        cleared = await session.execute(
            sa.update(SesSetupState)
            .where(SesSetupState.project_id == project_id, SesSetupState.stall_alerted_at.is_not(None))
            .values(stall_alerted_at=None, updated_at=now)
        )
        if cleared.rowcount:
            return "recovered"
    return "ok"
