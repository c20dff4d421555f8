"""GDPR erasure across the whole embedded system, on SQLite and Postgres: `DELETE /v1/contacts/{id}` at the
gateway, `contact.erased` through the in-process bus to the sender and the events service; afterwards no table
of the services holds the address (the outbox aside: published rows are purged after an hour), the queued mail is
never sent, the suppression still refuses the address, and a redelivered `contact.erased` changes nothing."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import sqlalchemy as sa

from services.events.erasure import CONSUMER as EVENTS_CONSUMER
from services.sender.erasure import CANCELLED, ERASED_ADDRESS
from services.sender.erasure import CONSUMER as SENDER_CONSUMER
from shared.bus.protocol import OutgoingMessage
from shared.contracts.project import ProjectPaused
from shared.db.types import utcnow
from shared.models.base import Base
from shared.models.core import OutboxMessage
from shared.models.events import EmailEvent, SnsInbox
from shared.models.sender import Message, SandboxMessage
from tests.gateway.embedded import bootstrap_project, embedded_app
from tests.support.erasure import rows_holding, wait_consumed

PUBLIC = "http://testserver"
# The sandbox SES answers mail to success@simulator.amazonses.com (+label) with a real Delivery notification.
ANN = "success+ann@simulator.amazonses.com"


async def _until(check: Any, within: float = 30.0) -> Any:  # noqa: ASYNC109
    deadline = time.monotonic() + within
    while True:
        got = await check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {got!r}")
        await asyncio.sleep(0.1)


async def _snapshot(rt: Any) -> list[tuple[Any, ...]]:
    async with rt.sessionmaker() as s:
        rows: list[tuple[Any, ...]] = []
        for q in (
            sa.select(Message.id, Message.state, Message.to_address, Message.updated_at).order_by(Message.id),
            sa.select(EmailEvent.id, EmailEvent.email, EmailEvent.detail).order_by(EmailEvent.id),
            sa.select(SnsInbox.id, SnsInbox.body).order_by(SnsInbox.id),
            sa.select(SandboxMessage.id).order_by(SandboxMessage.id),
        ):
            rows += [tuple(r) for r in (await s.execute(q)).all()]
        return rows


async def test_erasure_reaches_every_service(db_url: str, settings_for: Any) -> None:
    settings = settings_for(db_url, public_url=PUBLIC)
    async with embedded_app(settings) as app:
        rt = app.state.embedded_apps["sender"].state.runtime
        pid, key = await bootstrap_project(app)
        auth = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:

            async def message(mid: int) -> dict[str, Any]:
                r = await c.get(f"/v1/messages/{mid}", headers=auth)
                assert r.status_code == 200, r.text
                return dict(r.json())

            async def final(mid: int) -> dict[str, Any] | None:
                m = await message(mid)
                return m if m["state"] not in ("queued", "sending", "delayed") else None

            async def send(**body: Any) -> int:
                r = await c.post(
                    "/v1/messages", json={"subject": "Your receipt", "text": "t", **body}, headers=auth
                )
                assert r.status_code == 202, r.text
                return int(r.json()["id"])

            lid = (await c.post("/v1/lists", json={"name": "News"}, headers=auth)).json()["id"]
            r = await c.post(
                "/v1/subscriptions",
                json={"list_id": lid, "email": ANN, "status": "active", "consent_source": "test",
                      "attributes": {"first_name": "Ann"}},
                headers=auth,
            )  # fmt: skip
            assert r.status_code == 201, r.text
            cid = r.json()["contact_id"]

            # Sent: campaign mail and transactional mail (linked to the contact, and by address only).
            r = await c.post(
                "/v1/campaigns",
                json={"name": "June", "list_ids": [lid], "subject": "News for {{ email }}",
                      "html": "<p>Hello {{ first_name }} ({{ email }})</p>", "send_now": True},
                headers=auth,
            )  # fmt: skip
            assert r.status_code == 201, r.text
            receipt = await send(to=ANN, contact_id=cid, html=f"<p>Receipt for {ANN}</p>")
            plain = await send(to=ANN.upper())
            assert (await _until(lambda: final(receipt)))["state"] == "sent"
            assert (await _until(lambda: final(plain)))["state"] == "sent"
            listed = (await c.get("/v1/messages", params={"contact_id": cid}, headers=auth)).json()[
                "messages"
            ]
            campaign_mail = next(m["id"] for m in listed if m["kind"] == "marketing")
            assert (await _until(lambda: final(campaign_mail)))["state"] == "sent"

            # The simulator's Delivery notifications reach the events service: 3 events, 3 raw notifications.
            async def delivered() -> bool:
                r = await c.get("/v1/events", params={"email": ANN}, headers=auth)
                return r.status_code == 200 and len(r.json()["events"]) == 3

            await _until(delivered)

            # Suppressed by the owner; then transactional sending pauses and one more mail waits in the queue.
            r = await c.post("/v1/suppressions", json={"email": ANN, "reason": "complaint"}, headers=auth)
            assert r.status_code in (200, 201), r.text
            paused = ProjectPaused(project_id=pid, reason="operator", detail="test", pause_transactional=True,
                                   at=utcnow())  # fmt: skip
            await rt.bus.publish(paused.message())

            async def is_paused() -> bool:
                r = await c.get("/v1/sending", headers=auth)
                return bool(r.json().get("transactional_paused"))

            await _until(is_paused)
            queued = await send(to=ANN, contact_id=cid)
            await asyncio.sleep(0.5)
            assert (await message(queued))["state"] == "queued"
            before = await rows_holding(rt, Base.metadata.sorted_tables, ANN)
            assert {"messages", "sandbox_messages", "email_events", "sns_inbox", "contacts"} <= set(before)

            # Erase at the gateway; the bus carries it to the sender and the events service.
            assert (await c.delete(f"/v1/contacts/{cid}", headers=auth)).status_code == 204
            async with rt.sessionmaker() as s:
                erased = (
                    await s.execute(
                        sa.select(OutboxMessage).where(OutboxMessage.routing_key == "contact.erased")
                    )
                ).scalar_one()
            await wait_consumed(rt, SENDER_CONSUMER, erased.message_id)
            await wait_consumed(rt, EVENTS_CONSUMER, erased.message_id)

            tables = [t for t in Base.metadata.sorted_tables if t.name != "outbox"]
            assert await rows_holding(rt, tables, ANN) == {}
            assert (await message(queued))["state"] == "cancelled"
            assert {(await message(m))["to"] for m in (receipt, plain, campaign_mail, queued)} == {
                ERASED_ADDRESS
            }
            r = await c.get("/v1/sandbox/messages", headers=auth)
            assert r.json()["messages"] == []
            events = (await c.get("/v1/events", params={"email": ANN}, headers=auth)).json()["events"]
            assert len(events) == 3 and {e["email"] for e in events} == {None}  # kept by hash, no address

            # Sending resumes: the cancelled mail is never sent.
            assert (await c.post("/v1/sending/resume", headers=auth)).status_code == 200
            await asyncio.sleep(1.0)
            m = await message(queued)
            assert (m["state"], m["last_error"], m["sent_at"]) == ("cancelled", CANCELLED, None)
            assert (await c.get("/v1/sandbox/messages", headers=auth)).json()["messages"] == []

            # Redelivered: nothing changes.
            snapshot = await _snapshot(rt)
            await rt.bus.publish(OutgoingMessage(erased.routing_key, erased.payload, erased.message_id))
            await asyncio.sleep(1.0)
            assert await _snapshot(rt) == snapshot

            # The suppression, kept by hash, still refuses the address (any spelling).
            again = await send(to=ANN.replace("success", "SUCCESS"))
            assert (await _until(lambda: final(again)))["state"] == "suppressed"
            assert (await c.get("/v1/sandbox/messages", headers=auth)).json()["messages"] == []
