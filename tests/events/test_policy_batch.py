"""The set-based policy: a whole batch of inbox rows applied at once has exactly the effects of applying its rows
one by one — each SES event recorded and published once (also when two rows of the batch carry it), soft bounces
counted in order under the address lock, one address's counts summed, opens/clicks/deliveries published."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from services.events.inbox import process_batch, store
from shared.email_address import email_hash
from shared.models.core import OutboxMessage
from shared.models.events import EmailEvent, FeedbackAddress, ReputationBucket, SnsInbox
from tests.events.conftest import Harness, events_harness, sample
from tests.events.test_policy import HARD, SOFT, bounce
from tests.support.sns import TestSns


@pytest.fixture
async def quiet(sns: TestSns, db_url: str, settings_for: Any) -> AsyncIterator[Harness]:
    """The events app without its inbox dispatcher: the test hands the batch to the policy itself."""
    async with events_harness(sns, settings_for(db_url), process_inbox=False) as h:
        yield h


def _engagement(name: str, email: str, link: str | None = None) -> dict[str, Any]:
    doc = copy.deepcopy(sample(name))
    doc["mail"]["messageId"] = uuid.uuid4().hex
    doc["mail"]["destination"] = [email]
    if "delivery" in doc:
        doc["delivery"]["recipients"] = [email]
    if link:
        doc["click"]["link"] = link
    return doc


async def _apply_as_one_batch(h: Harness, docs: list[dict[str, Any]]) -> list[int]:
    ids = []
    async with h.runtime.uow() as s:
        for doc in docs:
            row_id = await store(
                s, project_id=h.project_id, source="sns", message_id=uuid.uuid4().hex, body=json.dumps(doc)
            )
            assert row_id is not None
            ids.append(row_id)
    assert await process_batch(h.runtime, h.app.state.events, ids)
    return ids


async def test_one_batch_has_the_effects_of_its_rows_one_by_one(quiet: Harness) -> None:
    h, pid = quiet, quiet.project_id
    soft = [bounce(SOFT, "soft@example.com") for _ in range(4)]
    hard = bounce(HARD, "both@example.com")
    complaint = copy.deepcopy(sample("notification-complaint-abuse.json"))
    complaint["complaint"]["complainedRecipients"] = [{"emailAddress": "both@example.com"}]
    delivery = _engagement("event-delivery.json", "d@example.com")
    opened = _engagement("event-open.json", "d@example.com")
    clicked = _engagement("event-click.json", "d@example.com", "https://example.com/a")
    docs = [*soft[:2], hard, delivery, opened, clicked, soft[2], complaint, hard, clicked, opened, soft[3]]
    ids = await _apply_as_one_batch(h, docs)  # hard, clicked and opened twice: recorded once each

    async with h.runtime.sessionmaker() as s:
        events = (await s.execute(sa.select(EmailEvent).order_by(EmailEvent.id))).scalars().all()
        outbox = (
            await s.execute(
                sa.select(OutboxMessage.routing_key, OutboxMessage.message_id, OutboxMessage.payload).where(
                    OutboxMessage.routing_key.like("email.%")
                )
            )
        ).all()
        addresses = {
            a.email_hash: a
            for a in (await s.scalars(sa.select(FeedbackAddress))).all()
            if a.project_id == pid
        }
        buckets = (
            await s.scalars(sa.select(ReputationBucket).where(ReputationBucket.project_id == pid))
        ).all()
        statuses = (await s.scalars(sa.select(SnsInbox.status).where(SnsInbox.id.in_(ids)))).all()

    assert sorted(e.event_type for e in events) == sorted(
        ["bounce"] * 5 + ["complaint", "delivery", "open", "click"]
    )
    assert set(statuses) == {"processed"}
    # one contract per recorded event, keyed by it, linking it
    assert sorted(mid for _, mid, _ in outbox) == sorted(f"evt-{pid}-{e.id}" for e in events)
    by_event = {p["event_id"]: (rk, p) for rk, _, p in outbox}
    kinds = sorted(rk for rk, _ in by_event.values())
    assert kinds == sorted(["email.bounced"] * 5 + ["email.complained", "email.delivered", "email.opened",
                            "email.clicked"])  # fmt: skip
    clicks = [p for rk, p in by_event.values() if rk == "email.clicked"]
    assert [c["link"] for c in clicks] == ["https://example.com/a"]
    # soft bounces counted in batch order: the third and fourth reach the threshold of 3
    soft_events = [e for e in events if e.email_hash == email_hash("soft@example.com")]
    assert [by_event[e.id][1]["suppress"] for e in soft_events] == [False, False, True, True]
    assert [e.suppressed for e in soft_events] == [False, False, True, True]
    assert addresses[email_hash("soft@example.com")].bounces == 4
    assert addresses[email_hash("soft@example.com")].suppressed_reason == "soft_bounce"
    both = addresses[email_hash("both@example.com")]
    assert (both.bounces, both.complaints, both.suppressed_reason) == (1, 1, "hard_bounce")
    assert email_hash("d@example.com") not in addresses  # deliveries, opens, clicks take no address lock
    assert sum(b.hard_bounces for b in buckets) == 1 and sum(b.complaints for b in buckets) == 1
    assert sum(b.soft_bounces for b in buckets) == 4 and sum(b.delivered for b in buckets) == 1

    # the same notifications again (SNS retries under new ids) change nothing
    await _apply_as_one_batch(h, docs)
    async with h.runtime.sessionmaker() as s:
        assert await s.scalar(sa.select(sa.func.count()).select_from(EmailEvent)) == len(events)
        again = await s.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.routing_key.like("email.%"))
        )
        bounces = await s.scalar(
            sa.select(FeedbackAddress.bounces).where(
                FeedbackAddress.email_hash == email_hash("soft@example.com")
            )
        )
    assert again == len(outbox) and bounces == 4
