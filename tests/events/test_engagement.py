"""Engagement figures from SES feedback through the real webhook (signed v1 and v2, both SES formats), with
duplicates and out-of-order events, rolled up exactly once and served as the campaign report and a contact's
engagement; on SQLite and Postgres. A row committed late on Postgres (its id below rows already rolled up) still
counts."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from services.events.engagement import rollup_batch, rollup_pending
from shared.db.engine import create_engine, create_sessionmaker
from shared.db.types import utcnow
from shared.models.core import Project
from shared.models.engagement import ContactEngagement
from shared.models.events import EmailEvent
from shared.models.sender import Campaign, Message
from shared.models.subscriptions import Contact, SubscriptionChange
from tests.events.conftest import Harness, events_harness
from tests.support.ses_events import ses_document
from tests.support.sns import TestSns

LINK_A = "https://acme.example/spring?utm=1"
LINK_B = "https://acme.example/unsubscribe-help"


async def _campaign(h: Harness, states: list[str], start: dt.datetime) -> tuple[int, list[Message]]:
    async with h.runtime.uow() as s:
        c = Campaign(project_id=h.project_id, name="Spring", list_ids=[1], status="sent",
                     recipients=len(states), fanout_at=start, finished_at=start + dt.timedelta(minutes=3))  # fmt: skip
        s.add(c)
        await s.flush()
        msgs = []
        for i, state in enumerate(states):
            contact = Contact(project_id=h.project_id, email=f"r{i}@example.net", email_hash=f"h{c.id}-{i}")
            s.add(contact)
            await s.flush()
            m = Message(project_id=h.project_id, kind="marketing", state=state, campaign_id=c.id,
                        contact_id=contact.id, to_address=contact.email, email_hash=contact.email_hash,
                        ses_message_id=f"0100-{uuid.uuid4()}" if state == "sent" else None,
                        sent_at=start if state == "sent" else None)  # fmt: skip
            s.add(m)
            msgs.append(m)
        await s.flush()
        return c.id, msgs


class Feeder:
    def __init__(self, h: Harness, msgs: list[Message], start: dt.datetime) -> None:
        self.h, self.msgs, self.start, self.n = h, msgs, start, 0

    async def post(
        self, i: int, kind: str, minute: float, *, again: bool = False, **kw: Any
    ) -> dict[str, Any]:
        m = self.msgs[i]
        doc = kw.pop("doc", None) or ses_document(
            kind, ses_message_id=m.ses_message_id or "", to=m.to_address, project_id=self.h.project_id,
            message_id=m.id, at=self.start + dt.timedelta(minutes=minute), **kw,
        )  # fmt: skip
        self.n += 1
        version = "1" if self.n % 2 else "2"
        r = await self.h.post(self.h.sns.notification(doc, version=version))
        assert r.status_code == 200, r.text
        if again:  # the same SES event re-published under a new SNS MessageId
            r = await self.h.post(self.h.sns.notification(doc, version="2" if version == "1" else "1"))
            assert r.status_code == 200, r.text
        return doc


async def test_report_equals_what_was_fed(harness: Harness) -> None:
    h = harness
    start = (utcnow() - dt.timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    cid, msgs = await _campaign(h, ["sent"] * 6 + ["suppressed", "failed"], start)
    f = Feeder(h, msgs, start)
    # First delivery: the later open of m0 arrives (and is rolled up) before the earlier one.
    await f.post(0, "delivery", 1)
    later_open = await f.post(0, "open", 5, again=True)
    await f.post(2, "bounce", 1, notification=True)
    await f.post(3, "bounce", 1, bounce_type="Transient")
    await h.settle()
    await rollup_pending(h.runtime)
    await f.post(0, "open", 3)
    await f.post(0, "open", 5, doc=later_open)  # duplicate arriving after its first copy was rolled up
    await f.post(0, "click", 6, link=LINK_A)
    await f.post(0, "click", 7, link=LINK_A, again=True)
    await f.post(0, "click", 90, link=LINK_B)
    await f.post(1, "click", 11, link=LINK_A)  # the click before its open and delivery
    await f.post(1, "open", 10)
    await f.post(1, "delivery", 2, notification=True)
    await f.post(3, "delivery", 4, again=True)
    await f.post(4, "complaint", 65)
    await f.post(4, "delivery", 2, notification=True)
    await h.settle()
    async with h.runtime.uow() as s:
        for contact_idx, status, minute in ((0, "unsubscribed", 8), (1, "unsubscribed", 12), (1, "unsubscribed", 12),
                                            (3, "paused", 20)):  # fmt: skip
            m = msgs[contact_idx]
            s.add(SubscriptionChange(project_id=h.project_id, subscription_id=1, list_id=1, contact_id=m.contact_id,
                                     previous_status="active", status=status, source="unsubscribe_link",
                                     campaign_id=cid, message_id=m.id,
                                     created_at=start + dt.timedelta(minutes=minute)))  # fmt: skip
    await rollup_pending(h.runtime)
    async with h.runtime.sessionmaker() as s:
        assert await s.scalar(sa.select(sa.func.count()).where(EmailEvent.rollup_at.is_(None))) == 0

    r = await h.client.get(f"/v1/campaigns/{cid}/report", headers=h.api_headers())
    assert r.status_code == 200, r.text
    got = r.json()
    t = lambda minutes: (start + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731

    def point(minutes: int, resolution: str = "minute", **n: int) -> dict[str, Any]:
        keys = ("delivered", "opened", "clicked", "bounced", "complained", "unsubscribed")
        return {"at": t(minutes), "resolution": resolution, **{k: n.get(k, 0) for k in keys}}

    assert got == {
        "campaign_id": cid, "status": "sent", "started_at": t(0), "finished_at": t(3),
        "recipients": 8, "sent": 6, "failed": 1, "skipped": 1, "delivered": 4,
        "bounced": {"hard": 1, "soft": 1}, "complained": 1, "rejected": 0,
        "opened": {"unique": 2, "total": 3}, "clicked": {"unique": 2, "total": 4},
        "links": [{"url": LINK_A, "unique": 2, "total": 3}, {"url": LINK_B, "unique": 1, "total": 1}],
        "unsubscribed": 2, "paused": 1,
        "rates": {"bounce": {"value": round(1 / 6, 6), "warn": 0.02, "pause": 0.04},
                  "complaint": {"value": round(1 / 6, 6), "warn": 0.001, "pause": 0.003},
                  "open": 0.5, "click": 0.5},
        "tracking": {"opens": True, "clicks": True},
        "timeseries": {"points": [
            point(1, delivered=1, bounced=2), point(2, delivered=2), point(3, opened=1), point(4, delivered=1),
            point(6, clicked=1), point(8, unsubscribed=1), point(10, opened=1), point(11, clicked=1),
            point(12, unsubscribed=1), point(60, "hour", complained=1),
        ]},
    }  # fmt: skip

    e0 = await h.client.get(f"/v1/contacts/{msgs[0].contact_id}/engagement", headers=h.api_headers())
    assert e0.status_code == 200, e0.text
    assert e0.json() == {
        "contact_id": msgs[0].contact_id, "last_delivered_at": t(1), "last_opened_at": t(5),
        "last_clicked_at": t(90), "delivered": 1, "opened": 1, "clicked": 1, "campaigns_received": 1,
    }  # fmt: skip
    e2 = (await h.client.get(f"/v1/contacts/{msgs[2].contact_id}/engagement", headers=h.api_headers())).json()
    assert (e2["delivered"], e2["campaigns_received"], e2["last_delivered_at"]) == (0, 0, None)

    # Tracking as the sender decides it: the project's setting (both on unless turned off) …
    async with h.runtime.uow() as s:
        project = await s.get(Project, h.project_id)
        assert project is not None
        project.settings = {"tracking": {"opens": False}}
    r = await h.client.get(f"/v1/campaigns/{cid}/report", headers=h.api_headers())
    assert r.json()["tracking"] == {"opens": False, "clicks": True}

    # Rolling up again changes nothing; unknown ids and other projects' ids are 404.
    assert await rollup_pending(h.runtime) == 0
    again = (await h.client.get(f"/v1/campaigns/{cid}/report", headers=h.api_headers())).json()
    assert again == {**got, "tracking": {"opens": False, "clicks": True}}
    assert (await h.client.get("/v1/campaigns/999999/report", headers=h.api_headers())).status_code == 404
    other = h.project_id + 1000
    r = await h.client.get(f"/v1/campaigns/{cid}/report", headers=h.api_headers(other))
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    assert (await h.client.get(f"/v1/contacts/{msgs[0].contact_id}/engagement",
                               headers=h.api_headers(other))).status_code == 404  # fmt: skip


def _event(project_id: int, m: Message, kind: str, at: dt.datetime) -> dict[str, Any]:
    return {"project_id": project_id, "dedupe_key": uuid.uuid4().hex, "event_type": kind, "email": m.to_address,
            "message_id": m.id, "occurred_at": at, "detail": {}}  # fmt: skip


@pytest.fixture
async def pg_harness(sns: TestSns, pg_url: str, settings_for: Any) -> AsyncIterator[Harness]:
    async with events_harness(sns, settings_for(pg_url)) as h:
        yield h


async def test_a_row_committed_late_still_counts(pg_harness: Harness, pg_url: str, settings_for: Any) -> None:
    """Postgres hands out ids at insert, not at commit: a rollup between two commits must not skip the older id.
    (Postgres only: SQLite has one writer, so its ids commit in order.)"""
    h, db_url = pg_harness, pg_url
    _, msgs = await _campaign(h, ["sent", "sent"], utcnow())
    engine = create_engine(settings_for(db_url).database)
    try:
        make = create_sessionmaker(engine)
        async with make() as slow, make() as quick, make() as rollup:
            t = sa.insert(EmailEvent.__table__)
            early = (
                await slow.execute(
                    t.returning(EmailEvent.id), [_event(h.project_id, msgs[0], "open", utcnow())]
                )
            ).scalar_one()
            late = (
                await quick.execute(
                    t.returning(EmailEvent.id), [_event(h.project_id, msgs[1], "open", utcnow())]
                )
            ).scalar_one()
            assert early < late
            await quick.commit()
            async with rollup.begin():
                await rollup_batch(rollup)  # sees `late`, not the uncommitted `early`
            await slow.commit()
            async with rollup.begin():
                await rollup_batch(rollup)
            rows = (
                await rollup.execute(sa.select(ContactEngagement.contact_id, ContactEngagement.opened))
            ).all()
        assert dict(rows) == {msgs[0].contact_id: 1, msgs[1].contact_id: 1}
    finally:
        await engine.dispose()
