"""`contact.erased` and the engagement rollup (services/events/erasure.py, engagement.py), on SQLite and Postgres:
the contact's own row and their messages' clicked links go, their messages' rows stop naming them, other contacts
and the campaign's totals stay, and feedback arriving after the erasure is attributed to nobody."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa

from services.events.engagement import rollup_pending
from services.events.erasure import CONSUMER
from shared.bus.protocol import OutgoingMessage
from shared.contracts.subscription import ContactErased
from shared.db.types import utcnow
from shared.email_address import email_hash
from shared.models.engagement import ContactEngagement, MessageEngagement, MessageLink
from shared.models.sender import Message
from shared.models.subscriptions import Contact
from tests.events.conftest import Harness
from tests.events.test_engagement import LINK_A, LINK_B, Feeder, _campaign
from tests.support.erasure import wait_consumed


async def _rows(h: Harness) -> dict[str, Any]:
    async with h.runtime.sessionmaker() as s:
        contacts = {
            r.contact_id: r.opened for r in (await s.execute(sa.select(ContactEngagement.__table__))).all()
        }
        messages = {
            r.message_id: (r.contact_id, r.opened_at, r.clicked_at, r.opens, r.clicks)
            for r in (await s.execute(sa.select(MessageEngagement.__table__))).all()
        }
        links = set((await s.execute(sa.select(MessageLink.message_id, MessageLink.url_hash))).all())
    return {"contacts": contacts, "messages": messages, "links": links}


async def _report(h: Harness, cid: int) -> dict[str, Any]:
    r = await h.client.get(f"/v1/campaigns/{cid}/report", headers=h.api_headers())
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def _erase(h: Harness, mid: str, contact_id: int, address_hash: str | None) -> None:
    """As the subscriptions service does it: the contact is marked erased, then `contact.erased` goes out."""
    async with h.runtime.uow() as s:
        contact = await s.get(Contact, contact_id)
        assert contact is not None
        contact.email, contact.erased_at = None, utcnow()
    ev = ContactErased(project_id=h.project_id, contact_id=contact_id, email_hash=address_hash, at=utcnow())
    await h.runtime.bus.publish(OutgoingMessage(ev.ROUTING_KEY, ev.payload(), mid))
    await wait_consumed(h.runtime, CONSUMER, mid)


async def test_erasure_drops_the_contacts_engagement_and_keeps_the_campaigns(harness: Harness) -> None:
    h = harness
    start = (utcnow() - dt.timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    cid, msgs = await _campaign(h, ["sent", "sent"], start)
    ann, bob = msgs[0], msgs[1]
    async with h.runtime.uow() as s:
        # Ann's transactional mail (no contact on it) and a second campaign mail with no feedback yet
        tx = Message(project_id=h.project_id, kind="transactional", state="sent", to_address=ann.to_address,
                     email_hash="x", ses_message_id=f"0100-{uuid.uuid4()}", sent_at=start)  # fmt: skip
        quiet = Message(project_id=h.project_id, kind="marketing", state="sent", campaign_id=cid,
                        contact_id=ann.contact_id, to_address=ann.to_address, email_hash="x",
                        ses_message_id=f"0100-{uuid.uuid4()}", sent_at=start)  # fmt: skip
        s.add_all([tx, quiet])
    f = Feeder(h, [ann, bob, tx, quiet], start)
    for i in (0, 1):
        await f.post(i, "delivery", 1)
        await f.post(i, "open", 3)
        await f.post(i, "click", 4, link=LINK_A)
    await f.post(2, "click", 5, link=LINK_B)
    await h.settle()
    await rollup_pending(h.runtime)
    before, report = await _rows(h), await _report(h, cid)
    assert set(before["contacts"]) == {ann.contact_id, bob.contact_id}
    assert before["messages"][ann.id][0] == ann.contact_id
    assert {m for m, _ in before["links"]} == {ann.id, bob.id}  # per campaign link: campaign mail only
    assert report["opened"]["unique"] == 2 and report["clicked"]["unique"] == 2

    await _erase(h, "erase-ann", ann.contact_id, email_hash(ann.to_address))

    after = await _rows(h)
    assert set(after["contacts"]) == {bob.contact_id}  # Ann's own row is gone, Bob's stays
    assert {m for m, _ in after["links"]} == {bob.id}  # which links Ann clicked
    # Ann's message no longer names her; its first times stay (the campaign's uniques depend on them)
    assert after["messages"][ann.id] == (None, *before["messages"][ann.id][1:])
    assert after["messages"][bob.id] == before["messages"][bob.id]
    assert await _report(h, cid) == report  # the campaign's totals are anonymous counts: unchanged
    e = await h.client.get(f"/v1/contacts/{ann.contact_id}/engagement", headers=h.api_headers())
    assert e.status_code == 200 and (e.json()["opened"], e.json()["last_opened_at"]) == (0, None)

    # Late feedback of Ann's mail: counted for the campaign (once), attributed to no one
    await f.post(0, "open", 30)
    await f.post(3, "delivery", 31)
    await f.post(3, "open", 32)
    await h.settle()
    await rollup_pending(h.runtime)
    late = await _rows(h)
    assert set(late["contacts"]) == {bob.contact_id}
    assert late["messages"][ann.id][0] is None and late["messages"][ann.id][3] == 2
    assert late["messages"][quiet.id][0] is None  # written after the erasure: never named her
    now = await _report(h, cid)
    assert now["opened"] == {"unique": 3, "total": 4}  # Ann's late open is not a second unique

    # Redelivered: nothing changes
    await _erase(h, "erase-ann", ann.contact_id, email_hash(ann.to_address))
    assert await _rows(h) == late


async def test_a_v1_erasure_still_drops_the_engagement_by_contact(harness: Harness) -> None:
    h = harness
    start = (utcnow() - dt.timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    _, msgs = await _campaign(h, ["sent", "sent"], start)
    f = Feeder(h, msgs, start)
    for i in (0, 1):
        await f.post(i, "click", 2, link=LINK_A)
    await h.settle()
    await rollup_pending(h.runtime)
    await _erase(h, "erase-v1", msgs[0].contact_id, None)
    rows = await _rows(h)
    assert set(rows["contacts"]) == {msgs[1].contact_id}
    assert {m for m, _ in rows["links"]} == {msgs[1].id}
    assert rows["messages"][msgs[0].id][0] is None and rows["messages"][msgs[1].id][0] == msgs[1].contact_id


async def test_erasure_of_engagement_stays_in_its_project(harness: Harness) -> None:
    h = harness
    start = (utcnow() - dt.timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    _, msgs = await _campaign(h, ["sent"], start)
    await Feeder(h, msgs, start).post(0, "open", 2)
    await h.settle()
    await rollup_pending(h.runtime)
    before = await _rows(h)
    ev = ContactErased(
        project_id=h.project_id + 1, contact_id=msgs[0].contact_id, email_hash=None, at=utcnow()
    )
    await h.runtime.bus.publish(OutgoingMessage(ev.ROUTING_KEY, ev.payload(), "erase-elsewhere"))
    await wait_consumed(h.runtime, CONSUMER, "erase-elsewhere")
    assert await _rows(h) == before
