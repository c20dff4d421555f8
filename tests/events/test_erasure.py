"""`contact.erased` in the events service (services/events/erasure.py), on SQLite and Postgres with the
in-process bus: the address leaves every stored event and raw notification, the hash (and what the policy counts
by it) stays, other recipients are untouched, redelivery is a no-op."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from services.events.erasure import CONSUMER, ERASED_BODY, IDENTIFYING_DETAIL, KEPT_DETAIL
from services.events.ses_feedback import parse_feedback
from shared.bus.protocol import OutgoingMessage
from shared.contracts.subscription import ContactErased
from shared.db.types import utcnow
from shared.email_address import email_hash
from shared.models.events import (
    EmailEvent,
    FeedbackAddress,
    ProjectGuard,
    ReputationBucket,
    SnsEndpoint,
    SnsInbox,
    SnsSubscription,
)
from tests.events.conftest import Harness, sample
from tests.support.erasure import rows_holding, wait_consumed

ANN, BOB = "Ann.Lee@example.com", "bob@example.com"
EVENTS_TABLES = (
    EmailEvent,
    SnsInbox,
    FeedbackAddress,
    ReputationBucket,
    ProjectGuard,
    SnsEndpoint,
    SnsSubscription,
)


def _for(name: str, **addresses: str) -> dict[str, Any]:
    """A reference sample with its recipients replaced (`jane="…"` replaces jane@example.com everywhere)."""
    text = json.dumps(sample(name))
    for local, address in addresses.items():
        text = text.replace(f"{local}@example.com", address)
    return dict(json.loads(text))


async def _post_all(h: Harness, docs: list[dict[str, Any]]) -> None:
    for doc in docs:
        r = await h.post(h.sns.notification(doc))
        assert r.status_code == 200, r.text
    await h.settle()


async def _erase(h: Harness, mid: str, address_hash: str | None, contact_id: int = 41) -> None:
    ev = ContactErased(project_id=h.project_id, contact_id=contact_id, email_hash=address_hash, at=utcnow())
    await h.runtime.bus.publish(OutgoingMessage(ev.ROUTING_KEY, ev.payload(), mid))
    await wait_consumed(h.runtime, CONSUMER, mid)


async def _events(h: Harness) -> list[EmailEvent]:
    async with h.runtime.sessionmaker() as s:
        return list((await s.scalars(sa.select(EmailEvent).order_by(EmailEvent.id))).all())


async def _snapshot(h: Harness) -> list[tuple[Any, ...]]:
    async with h.runtime.sessionmaker() as s:
        events = (await s.execute(sa.select(EmailEvent.id, EmailEvent.email, EmailEvent.diagnostic,
                                            EmailEvent.detail).order_by(EmailEvent.id))).all()  # fmt: skip
        inbox = (await s.execute(sa.select(SnsInbox.id, SnsInbox.body).order_by(SnsInbox.id))).all()
    return [tuple(r) for r in [*events, *inbox]]


async def test_erasure_removes_the_address_from_events_and_raw_notifications(harness: Harness) -> None:
    h = harness
    await _post_all(
        h,
        [
            _for("notification-bounce-permanent-general.json", jane=ANN),  # diagnostic quotes the address
            _for("notification-bounce-permanent-general-no-dsn.json", jane=ANN, richard=BOB),  # both in one
            _for("event-click.json", recipient=ANN),  # link, user agent, IP address
            _for("event-open.json", recipient=ANN),
            _for("event-delivery.json", recipient=ANN),  # SMTP response, reporting MTA
            _for("notification-delivery.json", jane=BOB),  # someone else's
        ],
    )
    before = await _events(h)
    ann = [e for e in before if e.email_hash == email_hash(ANN)]
    assert len(ann) == 5 and any(ANN.lower() in (e.diagnostic or "").lower() for e in ann)
    assert set(await rows_holding(h.runtime, EVENTS_TABLES, ANN)) == {"email_events", "sns_inbox"}

    await _erase(h, "erase-1", email_hash(ANN))

    assert await rows_holding(h.runtime, EVENTS_TABLES, ANN) == {}
    after = {e.id: e for e in await _events(h)}
    assert sorted(after) == sorted(e.id for e in before)  # no event is lost: the rates and history stay
    for e in ann:
        kept = after[e.id]
        assert (kept.email, kept.diagnostic) == (None, None)
        assert set(kept.detail) <= KEPT_DETAIL and not set(kept.detail) & set(IDENTIFYING_DETAIL)
        assert (kept.event_type, kept.email_hash, kept.bounce_type, kept.bounce_subtype, kept.suppressed,
                kept.counted, kept.ses_message_id, kept.occurred_at) == (
                e.event_type, e.email_hash, e.bounce_type, e.bounce_subtype, e.suppressed, e.counted,
                e.ses_message_id, e.occurred_at)  # fmt: skip
    bounce = next(after[e.id] for e in ann if e.event_type == "bounce" and e.detail.get("status"))
    assert bounce.detail["status"] == "5.1.1" and bounce.detail["action"] == "failed"
    # Bob's events keep his address; his own raw notification keeps its body, the shared one lost it.
    bobs = [e for e in after.values() if e.email_hash == email_hash(BOB)]
    assert len(bobs) == 2 and {e.email for e in bobs} == {BOB}
    async with h.runtime.sessionmaker() as s:
        bodies = dict((await s.execute(sa.select(SnsInbox.id, SnsInbox.body))).all())
        policy = await s.execute(
            sa.select(FeedbackAddress).where(FeedbackAddress.email_hash == email_hash(ANN))
        )
        address = policy.scalar_one()
    assert sum(1 for b in bodies.values() if b == ERASED_BODY) == 5
    only_bob = [i for e in bobs if (i := e.inbox_id) is not None and bodies[i] != ERASED_BODY]
    assert len(only_bob) == 1 and BOB in bodies[only_bob[0]]
    assert (address.bounces, address.suppressed_reason) == (2, "hard_bounce")  # the policy's memory stays

    # Redelivered, and published again under a new id: nothing changes.
    snapshot = await _snapshot(h)
    await _erase(h, "erase-1", email_hash(ANN))
    await _erase(h, "erase-2", email_hash(ANN))
    assert await _snapshot(h) == snapshot


async def test_a_v1_erasure_without_the_hash_changes_nothing(harness: Harness) -> None:
    await _post_all(harness, [_for("event-delivery.json", recipient=ANN)])
    snapshot = await _snapshot(harness)
    await _erase(harness, "erase-v1", None)
    assert await _snapshot(harness) == snapshot


async def test_erasure_stays_in_its_project(harness: Harness) -> None:
    await _post_all(harness, [_for("event-delivery.json", recipient=ANN)])
    ev = ContactErased(
        project_id=harness.project_id + 1, contact_id=1, email_hash=email_hash(ANN), at=utcnow()
    )
    await harness.runtime.bus.publish(OutgoingMessage(ev.ROUTING_KEY, ev.payload(), "erase-other"))
    await wait_consumed(harness.runtime, CONSUMER, "erase-other")
    assert set(await rows_holding(harness.runtime, EVENTS_TABLES, ANN)) == {"email_events", "sns_inbox"}


def test_every_detail_key_is_either_kept_or_removed(reference_dir: Path) -> None:
    """A key parse_feedback starts storing must be classified here (services/events/erasure.py) before it ships."""
    seen: set[str] = set()
    for path in sorted((reference_dir / "samples").glob("*.json")):
        doc = json.loads(path.read_text())
        if isinstance(doc, dict) and ("eventType" in doc or "notificationType" in doc):
            for item in parse_feedback(doc):
                seen |= set(item.detail)
    assert seen and seen <= KEPT_DETAIL | set(IDENTIFYING_DETAIL), (
        seen - KEPT_DETAIL - set(IDENTIFYING_DETAIL)
    )
