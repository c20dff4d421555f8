"""The embedded sandbox SES reports a captured mail to a plain address delivered (services/sender/sandbox.py): a
campaign to 3 plain addresses and bounce@simulator reports 3 delivered and 1 bounced — in the campaign report, the
contacts' engagement, the messages' feedback and the `email.delivered` webhooks — on SQLite and Postgres; a
redelivered (or re-published) sandbox feedback message counts once."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from services.events.consumers import SANDBOX_QUEUE, sandbox_handler
from shared.bus.protocol import Envelope, OutgoingMessage
from shared.contracts.email import SandboxFeedback
from shared.models.core import OutboxMessage
from shared.models.engagement import ContactEngagement
from shared.models.events import EmailEvent, SnsInbox
from shared.models.sender import Message
from tests.gateway.embedded import bootstrap_project, embedded_app
from tests.support.webhook_receiver import Receiver

PUBLIC = "http://testserver"
PLAIN = ["ann@example.com", "bob@example.org", "cy@example.net"]
BOUNCE = "bounce@simulator.amazonses.com"


async def until(check: Any, within: float = 40.0) -> Any:  # noqa: ASYNC109
    deadline = time.monotonic() + within
    while True:
        got = await check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {got!r}")
        await asyncio.sleep(0.1)


async def settle(get: Callable[[], Awaitable[Any]], want: Any, within: float = 40.0) -> None:  # noqa: ASYNC109
    """Wait until `get()` answers `want`; then it must (the assertion shows the last answer)."""
    deadline = time.monotonic() + within
    while True:
        got = await get()
        if got == want or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert got == want


async def test_plain_recipients_delivered_simulator_bounce_bounced(
    db_url: str, settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESAME_EVENTS_ENGAGEMENT_INTERVAL_SECONDS", "0.2")
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_POLL_SECONDS", "0.1")
    receiver = await Receiver().start()
    try:
        async with embedded_app(settings_for(db_url, public_url=PUBLIC)) as app:
            events_app = app.state.embedded_apps["events"]
            rt = events_app.state.runtime
            pid, key = await bootstrap_project(app)
            auth = {"Authorization": f"Bearer {key}"}
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
                r = await c.post("/v1/webhooks", headers=auth, json={
                    "url": receiver.url, "event_types": ["email.delivered", "email.bounced"]})  # fmt: skip
                assert r.status_code == 201, r.text
                r = await c.post("/v1/lists", json={"name": "News", "double_optin": False}, headers=auth)
                assert r.status_code == 201, r.text
                lid = r.json()["id"]
                for addr in [*PLAIN, BOUNCE]:
                    r = await c.post("/v1/subscriptions", headers=auth, json={
                        "list_id": lid, "email": addr, "status": "active", "consent_source": "test"})  # fmt: skip
                    assert r.status_code == 201, r.text
                r = await c.post("/v1/campaigns", headers=auth, json={
                    "name": "June", "list_ids": [lid], "subject": "June", "html": "<p>Hi</p>", "send_now": True})  # fmt: skip
                assert r.status_code == 201, r.text
                cid = r.json()["id"]

                async def report() -> dict[str, Any]:
                    r = await c.get(f"/v1/campaigns/{cid}/report", headers=auth)
                    assert r.status_code == 200, r.text
                    got = r.json()
                    return {k: got[k] for k in ("status", "recipients", "sent", "failed", "delivered",
                                                "bounced", "complained", "rejected")}  # fmt: skip

                expected = {"status": "sent", "recipients": 4, "sent": 4, "failed": 0, "delivered": 3,
                            "bounced": {"hard": 1, "soft": 0}, "complained": 0, "rejected": 0}  # fmt: skip

                await settle(report, expected)

                # each plain address: its own Delivery from the sandbox; the bounce: the simulator's Bounce
                async with rt.sessionmaker() as s:
                    msgs = {to: (mid, ses) for mid, to, ses in (await s.execute(
                        sa.select(Message.id, Message.to_address, Message.ses_message_id)
                        .where(Message.campaign_id == cid))).all()}  # fmt: skip
                    events = (await s.execute(sa.select(EmailEvent.message_id, EmailEvent.event_type)
                                              .where(EmailEvent.project_id == pid,
                                                     EmailEvent.message_id.in_([m for m, _ in msgs.values()])))).all()  # fmt: skip
                    notes = [json.loads(b) for b in (await s.scalars(sa.select(SnsInbox.body).where(
                        SnsInbox.project_id == pid, SnsInbox.source == "sandbox"))).all()]  # fmt: skip
                assert set(msgs) == {*PLAIN, BOUNCE}
                by_mid = {mid: to for to, (mid, _) in msgs.items()}
                assert sorted((by_mid[m], t) for m, t in events) == sorted(
                    [(to, "delivery") for to in PLAIN] + [(BOUNCE, "bounce")]
                )
                campaign_notes = {
                    n["mail"]["messageId"]: n for n in notes if n["mail"]["destination"][0] in msgs
                }
                assert len(campaign_notes) == 4
                for to in PLAIN:
                    n = campaign_notes[msgs[to][1]]
                    assert n["notificationType"] == "Delivery" and n["delivery"]["recipients"] == [to]
                    assert n["delivery"]["smtpResponse"] == "250 2.0.0 captured by the Sesame sandbox"
                assert campaign_notes[msgs[BOUNCE][1]]["notificationType"] == "Bounce"

                # the sender's view of each message and the contacts' engagement
                async def feedback() -> dict[str, str | None]:
                    r = await c.get("/v1/messages", params={"campaign_id": cid, "limit": 10}, headers=auth)
                    assert r.status_code == 200, r.text
                    return {m["to"]: m["feedback"] for m in r.json()["data"]}

                await settle(feedback, {**dict.fromkeys(PLAIN, "delivered"), BOUNCE: "bounced"})

                # email.delivered webhooks: one event per plain address, none for the bounce (which is email.bounced)
                async def hooks() -> dict[str, set[str]] | None:
                    got: dict[str, set[str]] = {}
                    for h in receiver.received:
                        got.setdefault(h.doc["type"], set()).add(h.headers["webhook-id"])
                    return (
                        got if len(got.get("email.delivered", ())) >= 3 and got.get("email.bounced") else None
                    )

                await until(hooks)
                delivered_to = sorted(h.doc["data"]["email"] for h in receiver.of_type("email.delivered"))
                assert sorted(set(delivered_to)) == sorted(PLAIN)

                # Redelivery: each feedback message again with its bus message id (as after a lost ack), and one
                # re-published under a new id (its stored copy is processed, the SES event already counted).
                async with rt.sessionmaker() as s:
                    outbox = (await s.scalars(sa.select(OutboxMessage).where(
                        OutboxMessage.routing_key == SandboxFeedback.ROUTING_KEY))).all()  # fmt: skip
                sent_out = [
                    o for o in outbox if o.payload["notification"]["mail"]["messageId"] in campaign_notes
                ]
                assert len(sent_out) == 4
                for o in sent_out:
                    await rt.bus.publish(OutgoingMessage(o.routing_key, o.payload, message_id=o.message_id))
                copy_id = uuid.uuid4().hex
                plain_out = next(
                    o for o in sent_out if o.payload["notification"]["notificationType"] == "Delivery"
                )
                await rt.bus.publish(
                    OutgoingMessage(plain_out.routing_key, plain_out.payload, message_id=copy_id)
                )
                # and once more straight into the consumer, awaited: it has surely run before the counts below
                handle = sandbox_handler(events_app.state.events)(rt)
                await handle(Envelope(plain_out.message_id, plain_out.routing_key, plain_out.payload, {}, 2))

                async def copy_processed() -> bool:
                    async with rt.sessionmaker() as s:
                        status = await s.scalar(sa.select(SnsInbox.status).where(
                            SnsInbox.source == "sandbox", SnsInbox.message_id == copy_id))  # fmt: skip
                    return status == "processed" and await rt.bus.queue_depth(SANDBOX_QUEUE.name) == 0

                await until(copy_processed)

                async def rolled_up() -> bool:
                    async with rt.sessionmaker() as s:
                        return not await s.scalar(sa.select(sa.func.count()).select_from(EmailEvent)
                                                  .where(EmailEvent.rollup_at.is_(None)))  # fmt: skip

                await until(rolled_up)
                assert await report() == expected
                async with rt.sessionmaker() as s:
                    again = (await s.execute(sa.select(EmailEvent.message_id, EmailEvent.event_type)
                                             .where(EmailEvent.project_id == pid,
                                                    EmailEvent.message_id.in_([m for m, _ in msgs.values()])))).all()  # fmt: skip
                    delivered = dict((await s.execute(
                        sa.select(Message.to_address, ContactEngagement.delivered)
                        .join(ContactEngagement, ContactEngagement.contact_id == Message.contact_id)
                        .where(Message.campaign_id == cid))).all())  # fmt: skip
                assert sorted(again) == sorted(events)
                assert delivered == dict.fromkeys(PLAIN, 1)  # the bounced contact: no engagement row
                await asyncio.sleep(
                    0.5
                )  # webhook deliveries are polled every 0.1 s: a duplicate would be out
                assert (
                    sorted(h.doc["data"]["email"] for h in receiver.of_type("email.delivered"))
                    == delivered_to
                )
    finally:
        await receiver.stop()
