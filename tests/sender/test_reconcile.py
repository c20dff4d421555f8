"""The rules for rows a dead sender left in `sending` (services/sender/reconcile.py), on SQLite and Postgres:
evidence linked by our tag or header (or the SES id) confirms; feedback processed for later mail re-queues; no
such feedback keeps the row waiting, up to the maximum wait, after which `ambiguous_policy` decides."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from services.events.policy import apply_feedback
from services.events.ses_feedback import parse_feedback
from services.events.settings import EventsSettings
from services.sender.reconcile import Reconciled, reconcile_stale_sending
from services.sender.settings import SenderSettings
from shared.db.types import utcnow
from shared.email_address import email_hash
from shared.models.core import OutboxMessage
from shared.models.events import EmailEvent
from shared.models.sender import Message
from tests.sender.conftest import Sender, make_project, wait_for

RULES = SenderSettings(stale_sending_seconds=120, ambiguous_margin_seconds=60, ambiguous_max_wait_seconds=900)


@pytest.fixture
async def s(sender_factory) -> AsyncIterator[Sender]:  # type: ignore[no-untyped-def]
    # The app's own sweep never reaches these rows (they are not stale to it): each test drives the rules itself.
    async with sender_factory(stale_sending_seconds=100_000, sweep_interval=3600) as s:
        yield s


async def _message(s: Sender, pid: int, to: str, **values: Any) -> int:
    now = utcnow()
    async with s.rt.uow() as sess:
        m = Message(
            project_id=pid, kind="marketing", to_address=to, email_hash=email_hash(to), subject="s", text="t",
            attempts=1, send_after=now, created_at=now, updated_at=now, **values,
        )  # fmt: skip
        sess.add(m)
        await sess.flush()
        return m.id


async def _event(s: Sender, pid: int, message_id: int | None, ses_id: str, created_at: datetime) -> None:
    async with s.rt.uow() as sess:
        sess.add(
            EmailEvent(
                project_id=pid, dedupe_key=f"{ses_id}-{message_id}", event_type="delivery", email="x@example.com",
                ses_message_id=ses_id, message_id=message_id, detail={}, occurred_at=created_at,
                created_at=created_at,
            )
        )  # fmt: skip


async def _reconcile(s: Sender, now: datetime, settings: SenderSettings = RULES) -> Reconciled:
    async with s.rt.uow() as sess:
        return await reconcile_stale_sending(sess, settings, now)


async def _row(s: Sender, mid: int) -> Any:
    async with s.rt.uow() as sess:
        return (await sess.execute(sa.select(Message).where(Message.id == mid))).scalar_one()


async def _outbox(s: Sender, key: str) -> list[dict[str, Any]]:
    async with s.rt.uow() as sess:
        q = sa.select(OutboxMessage.payload).where(OutboxMessage.routing_key == key)
        return list((await sess.execute(q)).scalars())


async def _apply(s: Sender, pid: int, doc: dict[str, Any], linked: int | None = None) -> None:
    """The events service applies the feedback; its `email.delivered` reaches the sender's feedback consumer,
    which marks the linked row — waited for, so the row is not locked by that update while the rules run."""
    async with s.rt.uow() as sess:
        await apply_feedback(sess, pid, parse_feedback(doc), EventsSettings())
    if linked is not None:
        await wait_for(lambda: s.scalar(sa.select(Message.feedback).where(Message.id == linked)))


def _feedback(pid: int, mid: int, ses_id: str, to: str, how: str) -> dict[str, Any]:
    """A Delivery SES publishes for the mail: event publishing with our tags, a notification with our header
    (original headers included), or a notification that carries none of our ids."""
    mail: dict[str, Any] = {"timestamp": "2026-01-01T00:00:00.000Z", "messageId": ses_id, "destination": [to]}
    if how == "tag":
        mail["tags"] = {"sesame-project": [str(pid)], "sesame-message": [str(mid)]}
    elif how == "header":
        mail["headers"] = [{"name": "X-Sesame-Message-Id", "value": str(mid)}]
    kind = "eventType" if how == "tag" else "notificationType"
    return {
        kind: "Delivery",
        "mail": mail,
        "delivery": {"timestamp": "2026-01-01T00:00:01.000Z", "recipients": [to]},
    }


@pytest.mark.parametrize("how", ["tag", "header"])
async def test_feedback_linked_by_our_ids_confirms_the_row(s: Sender, how: str) -> None:
    pid = await make_project(s.rt)
    t0 = utcnow()
    mid = await _message(s, pid, "a@example.com", state="sending", sending_at=t0)
    await _apply(s, pid, _feedback(pid, mid, "0100-accepted", "a@example.com", how), linked=mid)

    assert (await _reconcile(s, t0 + timedelta(seconds=60))).changed == 0  # a live sender may still record it
    out = await _reconcile(s, t0 + timedelta(seconds=121))
    assert (out.confirmed, out.requeued, out.waiting) == (1, 0, 0)
    row = await _row(s, mid)
    assert (row.state, row.ses_message_id, row.last_error) == ("sent", "0100-accepted", None)
    assert row.sent_at == row.sending_at
    sent = await _outbox(s, "email.sent")
    assert [(e["message_id"], e["ses_message_id"]) for e in sent] == [(mid, "0100-accepted")]
    assert (await _reconcile(s, t0 + timedelta(seconds=200))).changed == 0  # decided once


async def test_feedback_without_our_ids_links_by_ses_id_only(s: Sender) -> None:
    pid = await make_project(s.rt)
    t0 = utcnow()
    known = await _message(
        s, pid, "k@example.com", state="sending", sending_at=t0, ses_message_id="0100-known"
    )
    unknown = await _message(s, pid, "u@example.com", state="sending", sending_at=t0)
    await _apply(s, pid, _feedback(pid, known, "0100-known", "k@example.com", "bare"), linked=known)
    await _apply(s, pid, _feedback(pid, unknown, "0100-unknown", "u@example.com", "bare"))
    out = await _reconcile(s, t0 + timedelta(seconds=121))
    assert (out.confirmed, out.waiting) == (1, 1)  # a row that never learnt its SES id cannot be found by it
    assert (await _row(s, known)).state == "sent"
    assert (await _row(s, unknown)).state == "sending"


async def test_feedback_for_later_mail_requeues_the_row(s: Sender) -> None:
    pid = await make_project(s.rt)
    t0 = utcnow()
    lost = await _message(s, pid, "lost@example.com", state="sending", sending_at=t0)
    later = await _message(
        s, pid, "later@example.com", state="sent", sending_at=t0 + timedelta(seconds=1),
        sent_at=t0 + timedelta(seconds=1.2), ses_message_id="0100-later",
    )  # fmt: skip
    await _event(s, pid, later, "0100-later", created_at=t0 + timedelta(seconds=3))

    assert await _reconcile(s, t0 + timedelta(seconds=119)) == Reconciled()  # not stale yet
    out = await _reconcile(s, t0 + timedelta(seconds=121))
    assert (out.requeued, out.resent_unsure, out.failed) == (1, 0, 0)
    row = await _row(s, lost)
    assert row.state == "queued" and row.claimed_until is None
    assert "feedback arrived for later mail" in (row.last_error or "")


async def test_margin_is_counted_from_when_the_later_feedback_was_processed(s: Sender) -> None:
    pid = await make_project(s.rt)
    t0 = utcnow()
    await _message(s, pid, "lost@example.com", state="sending", sending_at=t0)
    later = await _message(
        s, pid, "later@example.com", state="sent", sending_at=t0 + timedelta(seconds=1),
        sent_at=t0 + timedelta(seconds=1), ses_message_id="0100-later",
    )  # fmt: skip
    await _event(s, pid, later, "0100-later", created_at=t0 + timedelta(seconds=100))
    assert (await _reconcile(s, t0 + timedelta(seconds=150))).waiting == 1  # processed only 50 s ago
    assert (await _reconcile(s, t0 + timedelta(seconds=161))).requeued == 1


async def test_without_feedback_for_later_mail_the_row_waits(s: Sender) -> None:
    pid = await make_project(s.rt)
    other = await make_project(s.rt)
    t0 = utcnow()
    mid = await _message(s, pid, "lost@example.com", state="sending", sending_at=t0)
    # Mail sent before it (with feedback), mail sent after it without feedback yet, and another project's
    # feedback: none of it says anything about this row.
    before = await _message(
        s, pid, "before@example.com", state="sent", sending_at=t0 - timedelta(seconds=5),
        sent_at=t0 - timedelta(seconds=5), ses_message_id="0100-before",
    )  # fmt: skip
    await _event(s, pid, before, "0100-before", created_at=t0)
    await _message(
        s, pid, "after@example.com", state="sent", sending_at=t0 + timedelta(seconds=2),
        sent_at=t0 + timedelta(seconds=2), ses_message_id="0100-after",
    )  # fmt: skip
    elsewhere = await _message(
        s, other, "o@example.com", state="sent", sending_at=t0 + timedelta(seconds=2),
        sent_at=t0 + timedelta(seconds=2), ses_message_id="0100-other",
    )  # fmt: skip
    await _event(s, other, elsewhere, "0100-other", created_at=t0 + timedelta(seconds=3))
    for after in (121, 400, 899):
        out = await _reconcile(s, t0 + timedelta(seconds=after))
        assert (out.waiting, out.changed) == (1, 0), after
    assert (await _row(s, mid)).state == "sending"


@pytest.mark.parametrize("policy", ["resend", "fail"])
async def test_after_the_longest_wait_the_policy_decides(sender_factory, policy: str) -> None:  # type: ignore[no-untyped-def]
    async with sender_factory(stale_sending_seconds=100_000, sweep_interval=3600) as s:
        pid = await make_project(s.rt)
        t0 = utcnow()
        mid = await _message(s, pid, "lost@example.com", state="sending", sending_at=t0, campaign_id=7)
        rules = RULES.model_copy(update={"ambiguous_policy": policy})
        assert (await _reconcile(s, t0 + timedelta(seconds=899), rules)).waiting == 1
        out = await _reconcile(s, t0 + timedelta(seconds=901), rules)
        row = await _row(s, mid)
        failed = await _outbox(s, "email.failed")
        if policy == "resend":
            assert (out.resent_unsure, row.state) == (1, "queued")
            assert "possible duplicate" in (row.last_error or "") and not failed
        else:
            assert (out.failed, row.state) == (1, "failed")
            assert "not sent again (ambiguous_policy=fail)" in (row.last_error or "")
            assert [(f["message_id"], f["campaign_id"], f["reason"]) for f in failed] == [
                (mid, 7, row.last_error)
            ]


async def test_a_mail_that_keeps_ending_unknown_stops_at_max_attempts(s: Sender) -> None:
    pid = await make_project(s.rt)
    t0 = utcnow()
    mid = await _message(s, pid, "poison@example.com", state="sending", sending_at=t0)
    async with s.rt.uow() as sess:
        await sess.execute(sa.update(Message).where(Message.id == mid).values(attempts=RULES.max_attempts))
    out = await _reconcile(s, t0 + timedelta(seconds=901))
    row = await _row(s, mid)
    assert (out.failed, out.resent_unsure, row.state) == (1, 0, "failed")
    assert f"{RULES.max_attempts} times" in (row.last_error or "")
    assert [f["message_id"] for f in await _outbox(s, "email.failed")] == [mid]
