"""`contact.erased` in the sender (services/sender/erasure.py), on SQLite and Postgres with the in-process bus:
unsent mail cancelled and never sent, the address gone from every sender table, suppression kept, a call in
flight recorded before the erasure, redelivery a no-op."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from services.sender.erasure import CANCELLED, CANCELLED_UNKNOWN, CONSUMER, ERASED_ADDRESS, ERASURE_QUEUE
from shared.bus.protocol import OutgoingMessage
from shared.contracts.subscription import ContactErased
from shared.db.types import utcnow
from shared.email_address import email_hash
from shared.models.sender import Campaign, Message, SandboxMessage
from shared.models.ses_setup import SesSuppressionSync
from shared.models.subscriptions import Contact, Suppression
from tests.sender.conftest import Sender, add_contact, future, make_project, past, suppress, wait_for
from tests.support.erasure import consumed, rows_holding

ANN = "Ann.Lee@example.com"
SENDER_TABLES = (Message, SandboxMessage, SesSuppressionSync)


@pytest.fixture
async def s(sender_factory) -> AsyncIterator[Sender]:  # type: ignore[no-untyped-def]
    # No recovery sweep: the rows a test leaves in `sending` stay as the test put them.
    async with sender_factory(sweep_interval=3600) as s:
        yield s


async def _row(s: Sender, pid: int, to: str, **values: Any) -> int:
    now = utcnow()
    base: dict[str, Any] = {
        "project_id": pid, "kind": "transactional", "state": "sent", "to_address": to, "email_hash": email_hash(to),
        "subject": "s", "text": "t", "attempts": 1, "send_after": now, "created_at": now, "updated_at": now,
    }  # fmt: skip
    async with s.rt.uow() as sess:
        m = Message(**{**base, **values})
        sess.add(m)
        await sess.flush()
        return m.id


async def _send(s: Sender, pid: int, to: str, **body: Any) -> int:
    key = body.pop("key", None)
    headers = s.h(pid, **({"Idempotency-Key": key} if key else {}))
    r = await s.client.post(
        "/v1/messages", json={"to": to, "subject": "Hello", "text": "t", **body}, headers=headers
    )
    assert r.status_code == 202, r.text
    return int(r.json()["id"])


async def _final(s: Sender, pid: int, mid: int) -> dict[str, Any] | None:
    m = (await s.client.get(f"/v1/messages/{mid}", headers=s.h(pid))).json()
    return m if m["state"] not in ("queued", "sending", "delayed") else None


async def _messages(s: Sender, *ids: int) -> dict[int, Any]:
    async with s.rt.uow() as sess:
        rows = (await sess.execute(sa.select(Message).where(Message.id.in_(ids)))).scalars()
        return {m.id: m for m in rows}


async def _captures(s: Sender, pid: int) -> list[Any]:
    async with s.rt.uow() as sess:
        return list(
            (await sess.scalars(sa.select(SandboxMessage).where(SandboxMessage.project_id == pid))).all()
        )


async def _erase_contact(s: Sender, pid: int, cid: int) -> None:
    """What the subscriptions service does before it publishes `contact.erased`."""
    async with s.rt.uow() as sess:
        await sess.execute(
            sa.update(Contact)
            .where(Contact.id == cid)
            .values(email=None, email_hash=None, erased_at=utcnow())
        )
        await sess.execute(sa.update(Suppression).where(Suppression.project_id == pid).values(email=None))


async def _publish(s: Sender, mid: str, pid: int, cid: int, *, email_hash_: str | None) -> None:
    ev = ContactErased(project_id=pid, contact_id=cid, email_hash=email_hash_, at=utcnow())
    await s.rt.bus.publish(OutgoingMessage(ev.ROUTING_KEY, ev.payload(), mid))


async def _snapshot(s: Sender, pid: int) -> list[tuple[Any, ...]]:
    async with s.rt.uow() as sess:
        rows = await sess.execute(
            sa.select(Message.id, Message.state, Message.to_address, Message.text, Message.updated_at)
            .where(Message.project_id == pid)
            .order_by(Message.id)
        )
        return [tuple(r) for r in rows]


async def test_erasure_cancels_unsent_mail_and_removes_the_address(s: Sender) -> None:
    pid = await make_project(s.rt)
    cid = await add_contact(s.rt, pid, ANN, {})
    # Sent before the erasure, captured by the sandbox: linked to the contact, and by the address only.
    linked = await _send(s, pid, "Ann.Lee@Example.COM", contact_id=cid, subject=f"Receipt for {ANN}",
                         html="<p>Hi Ann</p>", key=f"receipt-{ANN.lower()}", variables={"name": "Ann"})  # fmt: skip
    by_address = await _send(s, pid, " ann.lee@EXAMPLE.com ")
    bob = await _send(s, pid, "bob@example.com", contact_id=cid + 1000)
    for mid in (linked, by_address, bob):
        assert (await wait_for(lambda mid=mid: _final(s, pid, mid)))["state"] == "sent"
    assert len(await _captures(s, pid)) == 3
    campaign = await _row(s, pid, ANN, kind="marketing", campaign_id=9, list_id=3, contact_id=cid, subject=None,
                          text=None, ses_message_id="ses-c", sent_at=past(), feedback="complained")  # fmt: skip
    rejected = await _row(s, pid, ANN, state="failed", last_error=f"MessageRejected: not verified: {ANN}")
    # Not sent yet: due later, claimed with its work message on the bus, waiting for quota, stuck mid-call.
    later = await _row(s, pid, ANN, state="queued", send_after=future())
    claimed = await _row(
        s, pid, ANN, state="queued", contact_id=cid, send_after=past(), claimed_until=future(600)
    )
    waiting = await _row(s, pid, ANN.lower(), state="delayed", kind="marketing", campaign_id=9, contact_id=cid,
                         send_after=future())  # fmt: skip
    stuck = await _row(s, pid, ANN, state="sending", sending_at=past(300), attempts=1)
    # The owner's bounce digest quotes the address; its capture too.
    digest = await _row(s, pid, "owner@example.com", kind="notification", subject="Sesame: new bounces",
                        text=f"1 complaint(s).\nSuppressed: {ANN}")  # fmt: skip
    other_note = await _row(
        s, pid, "owner@example.com", kind="notification", text="Suppressed: bob@example.com"
    )
    async with s.rt.uow() as sess:
        sess.add(SandboxMessage(project_id=pid, ses_message_id="ses-digest", message_id=digest, to_address="owner@example.com",
                                subject="Sesame: new bounces", raw=f"To: owner@example.com\r\n\r\nSuppressed: {ANN}\r\n"))  # fmt: skip
        sess.add(
            SesSuppressionSync(
                project_id=pid, email_hash=email_hash(ANN), email=ANN, in_ses=True, in_sesame=True
            )
        )
    await suppress(s.rt, pid, ANN, reason="complaint")
    await _erase_contact(s, pid, cid)
    assert set(await rows_holding(s.rt, SENDER_TABLES, ANN)) == {
        "messages",
        "sandbox_messages",
        "ses_suppression_sync",
    }

    await _publish(s, "erase-1", pid, cid, email_hash_=email_hash(ANN))
    await wait_for(lambda: consumed(s.rt, CONSUMER, "erase-1"))

    assert await rows_holding(s.rt, SENDER_TABLES, ANN) == {}
    rows = await _messages(s, linked, by_address, campaign, rejected, later, claimed, waiting, stuck, digest)
    assert {m.id: m.state for m in rows.values()} == {
        linked: "sent", by_address: "sent", campaign: "sent", rejected: "failed", digest: "sent",
        later: "cancelled", claimed: "cancelled", waiting: "cancelled", stuck: "cancelled",
    }  # fmt: skip
    for mid in (later, claimed, waiting):
        assert rows[mid].last_error == CANCELLED and rows[mid].claimed_until is None
    assert rows[stuck].last_error == CANCELLED_UNKNOWN
    for mid in (linked, by_address, campaign, rejected, later, claimed, waiting, stuck):
        m = rows[mid]
        assert m.to_address == ERASED_ADDRESS and m.email_hash != email_hash(ANN)
        assert m.html is None and m.text is None and m.data is None
    r = rows[linked]
    assert (r.contact_id, r.subject, r.idempotency_key) == (cid, f"Receipt for {ERASED_ADDRESS}", None)
    assert r.ses_message_id and r.sent_at  # the record stays, without the person
    c = rows[campaign]
    assert (c.campaign_id, c.list_id, c.feedback, c.ses_message_id) == (9, 3, "complained", "ses-c")
    assert rows[rejected].last_error == f"MessageRejected: not verified: {ERASED_ADDRESS}"
    assert rows[digest].text == f"1 complaint(s).\nSuppressed: {ERASED_ADDRESS}"
    assert rows[digest].to_address == "owner@example.com"
    # Other recipients and notifications that do not quote the address are untouched.
    untouched = await _messages(s, bob, other_note)
    assert untouched[bob].to_address == "bob@example.com" and untouched[bob].contact_id == cid + 1000
    assert untouched[other_note].text == "Suppressed: bob@example.com"
    assert [c.message_id for c in await _captures(s, pid)] == [bob]
    async with s.rt.uow() as sess:
        sync = (await sess.execute(sa.select(SesSuppressionSync))).scalar_one()
    assert (sync.email_hash, sync.email, sync.in_ses, sync.in_sesame) == (email_hash(ANN), "", True, True)

    # The claimed row's work message arrives after the erasure: the worker's guarded claim finds nothing to send.
    assert await s.core.worker.process([claimed]) == 0
    # The contact's page still lists its messages, without the address.
    listed = (await s.client.get("/v1/messages", params={"contact_id": cid}, headers=s.h(pid))).json()[
        "messages"
    ]
    assert {m["id"] for m in listed} == {linked, campaign, claimed, waiting}
    assert {m["to"] for m in listed} == {ERASED_ADDRESS}
    assert (await s.client.get("/v1/messages", params={"to": ANN}, headers=s.h(pid))).json()["messages"] == []

    # Redelivered (same message id) and published again (a new id): nothing changes.
    before = await _snapshot(s, pid)
    await _publish(s, "erase-1", pid, cid, email_hash_=email_hash(ANN))
    await _publish(s, "erase-2", pid, cid, email_hash_=email_hash(ANN))
    await wait_for(lambda: consumed(s.rt, CONSUMER, "erase-2"))
    await wait_for(lambda: _queue_empty(s))
    assert await _snapshot(s, pid) == before

    # The suppression kept by hash still refuses the address, in any spelling.
    again = await _send(s, pid, "ANN.LEE@example.com")
    assert (await wait_for(lambda: _final(s, pid, again)))["state"] == "suppressed"
    assert [c.message_id for c in await _captures(s, pid)] == [bob]
    assert {m.state for m in (await _messages(s, later, claimed, waiting)).values()} == {"cancelled"}


async def _queue_empty(s: Sender) -> bool:
    await asyncio.sleep(0.05)
    return await s.rt.bus.queue_depth(ERASURE_QUEUE.name) == 0


async def test_a_call_in_flight_is_recorded_before_the_erasure(s: Sender) -> None:
    """A row in a live SES call (`sending`, younger than stale_sending_seconds) is neither cancelled nor scrubbed
    under the worker: the queued rows are cancelled at once, the erasure waits for the call to be recorded."""
    pid = await make_project(s.rt)
    cid = await add_contact(s.rt, pid, ANN, {})
    flying = await _row(s, pid, ANN, state="sending", contact_id=cid, sending_at=utcnow())
    claimed = await _row(s, pid, ANN, state="queued", send_after=past(), claimed_until=future(600))
    await _erase_contact(s, pid, cid)
    await _publish(s, "erase-live", pid, cid, email_hash_=email_hash(ANN))

    async def held() -> bool:
        return (await _messages(s, claimed))[claimed].state == "cancelled"

    await wait_for(held)
    assert await s.core.worker.process([claimed]) == 0  # nothing new enters a call meanwhile
    await asyncio.sleep(0.5)
    assert not await consumed(s.rt, CONSUMER, "erase-live")
    m = (await _messages(s, flying))[flying]
    assert (m.state, m.to_address) == ("sending", ANN)  # the worker still records its call on this row

    # The worker's flush records the call (and the sandbox capture) in one transaction, as `_record` does.
    async with s.rt.uow() as sess:
        await sess.execute(
            sa.update(Message).where(Message.id == flying, Message.state == "sending")
            .values(state="sent", ses_message_id="ses-live", sent_at=utcnow())
        )  # fmt: skip
        sess.add(SandboxMessage(project_id=pid, ses_message_id="ses-live", message_id=flying, to_address=ANN,
                                raw=f"To: {ANN}\r\n\r\nhi\r\n"))  # fmt: skip
    await wait_for(lambda: consumed(s.rt, CONSUMER, "erase-live"))
    rows = await _messages(s, flying, claimed)
    assert (rows[flying].state, rows[flying].to_address, rows[flying].ses_message_id) == (
        "sent",
        ERASED_ADDRESS,
        "ses-live",
    )
    assert rows[claimed].state == "cancelled"
    assert await rows_holding(s.rt, SENDER_TABLES, ANN) == {}


async def test_v1_message_without_the_hash_matches_by_contact(s: Sender) -> None:
    """A `contact.erased` published before v2 carries no address hash: the contact's own messages are erased;
    mail to the address without the contact id cannot be found (the v2 publisher always sends the hash)."""
    pid = await make_project(s.rt)
    cid = await add_contact(s.rt, pid, ANN, {})
    mine = await _row(s, pid, ANN, contact_id=cid)
    queued = await _row(s, pid, ANN, state="queued", contact_id=cid, send_after=future())
    unlinked = await _row(s, pid, ANN)
    other_project = await _row(s, await make_project(s.rt), ANN, contact_id=cid)
    payload = {"v": 1, "project_id": pid, "contact_id": cid, "at": utcnow().isoformat()}
    await s.rt.bus.publish(OutgoingMessage(ContactErased.ROUTING_KEY, payload, "erase-v1"))
    await wait_for(lambda: consumed(s.rt, CONSUMER, "erase-v1"))
    rows = await _messages(s, mine, queued, unlinked, other_project)
    assert [rows[m].to_address for m in (mine, queued)] == [ERASED_ADDRESS] * 2
    assert rows[queued].state == "cancelled"
    assert rows[unlinked].to_address == ANN and rows[other_project].to_address == ANN


async def test_a_malformed_erasure_is_dead_lettered(s: Sender) -> None:
    pid = await make_project(s.rt)
    bad = {"project_id": pid, "contact_id": 1, "email_hash": ANN, "at": utcnow().isoformat()}
    await s.rt.bus.publish(OutgoingMessage(ContactErased.ROUTING_KEY, bad, "erase-bad"))

    async def dead() -> bool:
        return bool(await s.rt.bus.dead_letters(ERASURE_QUEUE.name))

    await wait_for(dead)
    assert not await consumed(s.rt, CONSUMER, "erase-bad")


async def test_campaign_mail_fanned_out_across_an_erasure_loses_the_address_at_send_time(s: Sender) -> None:
    """A fan-out that read the contact before the erasure committed writes its row after the sender erased:
    the worker's re-check refuses it (contact erased) and removes the address then."""
    pid = await make_project(s.rt)
    cid = await add_contact(s.rt, pid, ANN, {})
    await _erase_contact(s, pid, cid)
    now = utcnow()
    async with s.rt.uow() as sess:  # one transaction: the sweep never sees the campaign without its row
        campaign = Campaign(project_id=pid, name="news", subject="News", html="<p>hi</p>", list_ids=[1],
                            status="sending", fanout_at=now)  # fmt: skip
        sess.add(campaign)
        await sess.flush()
        row = Message(project_id=pid, kind="marketing", state="queued", campaign_id=campaign.id, list_id=1,
                      contact_id=cid, to_address=ANN, email_hash=email_hash(ANN), attempts=0, send_after=past(),
                      claimed_until=future(600), created_at=now, updated_at=now)  # fmt: skip
        sess.add(row)
        await sess.flush()
        late = row.id
    assert await s.core.worker.process([late]) == 0
    m = (await _messages(s, late))[late]
    assert (m.state, m.last_error, m.to_address) == ("suppressed", "contact erased", ERASED_ADDRESS)
    assert await rows_holding(s.rt, SENDER_TABLES, ANN) == {}


@pytest.mark.postgres
@pytest.mark.rabbitmq
async def test_erasure_over_rabbitmq_waits_for_a_call_in_flight_and_is_applied_once(
    pg_url: str, amqp_url: str, bus_namespace: str, settings_for: Any
) -> None:
    """The same consumer on the real broker: a handler that holds for a call in flight is acked once it is done,
    and a redelivered copy finds its dedupe row."""
    from services.sender.app import create_app
    from services.sender.settings import SenderSettings
    from shared.runtime import Runtime
    from tests.sender.conftest import FAST

    settings = settings_for(pg_url, bus_url=amqp_url)
    rt = Runtime(settings, bus_namespace=bus_namespace)
    app = create_app(
        settings=settings, runtime=rt, sender_settings=SenderSettings(**{**FAST, "sweep_interval": 3600})
    )
    async with app.router.lifespan_context(app):
        s = Sender(app, None, rt)  # type: ignore[arg-type]
        pid = await make_project(rt)
        cid = await add_contact(rt, pid, ANN, {})
        flying = await _row(s, pid, ANN, state="sending", contact_id=cid, sending_at=utcnow())
        queued = await _row(s, pid, ANN, state="queued", contact_id=cid, send_after=future())
        await _publish(s, "erase-rabbit", pid, cid, email_hash_=email_hash(ANN))

        async def held() -> bool:
            return (await _messages(s, queued))[queued].state == "cancelled"

        await wait_for(held, timeout=20)
        assert (await _messages(s, flying))[flying].to_address == ANN
        async with rt.uow() as sess:
            await sess.execute(
                sa.update(Message).where(Message.id == flying).values(state="sent", sent_at=utcnow())
            )
        await wait_for(lambda: consumed(rt, CONSUMER, "erase-rabbit"), timeout=20)
        before = await _snapshot(s, pid)
        assert {r[2] for r in before} == {ERASED_ADDRESS}
        await _publish(s, "erase-rabbit", pid, cid, email_hash_=email_hash(ANN))
        await asyncio.sleep(1.0)
        assert await _snapshot(s, pid) == before
        assert await rt.bus.dead_letters(ERASURE_QUEUE.name) == []
