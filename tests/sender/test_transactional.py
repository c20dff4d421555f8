"""Transactional mail: API with Idempotency-Key, mail.requested consumer, sandbox SES captures and simulator feedback."""

from __future__ import annotations

import email
import email.policy

import sqlalchemy as sa

from shared.contracts.mail import MailRequested
from shared.models.sender import Message, SandboxMessage
from tests.sender.conftest import Sender, make_project, suppress, wait_for


async def _state(s: Sender, pid: int, mid: int) -> dict:
    r = await s.client.get(f"/v1/messages/{mid}", headers=s.h(pid))
    assert r.status_code == 200
    return r.json()


async def test_send_raw_content_idempotent_and_captured(sender: Sender) -> None:
    pid = await make_project(sender.rt)
    body = {"to": "Alice@Example.COM", "subject": "Your code", "html": "<p>Code: <b>1234</b></p>"}
    r1 = await sender.client.post(
        "/v1/messages", json=body, headers=sender.h(pid, **{"Idempotency-Key": "k-1"})
    )
    assert r1.status_code == 202, r1.text
    r2 = await sender.client.post(
        "/v1/messages", json=body, headers=sender.h(pid, **{"Idempotency-Key": "k-1"})
    )
    assert r2.status_code == 200 and r2.json()["id"] == r1.json()["id"]
    mid = r1.json()["id"]
    assert r1.json()["to"] == "Alice@example.com"

    msg = await wait_for(lambda: _sent(sender, pid, mid))
    assert msg["ses_message_id"]
    caps = (await sender.client.get("/v1/sandbox/messages", headers=sender.h(pid))).json()["messages"]
    assert len(caps) == 1 and caps[0]["message_id"] == mid and caps[0]["subject"] == "Your code"
    raw = (await sender.client.get(f"/v1/sandbox/messages/{caps[0]['id']}", headers=sender.h(pid))).json()[
        "raw"
    ]
    parsed = email.message_from_string(raw, policy=email.policy.default)
    assert parsed["X-Sesame-Message-Id"] == str(mid)
    assert parsed["List-Unsubscribe"] is None  # transactional mail carries no list headers
    text = parsed.get_body(("plain",)).get_content()
    assert "Code: 1234" in text  # derived from the HTML
    # another project cannot see it
    other = await make_project(sender.rt)
    assert (await sender.client.get(f"/v1/messages/{mid}", headers=sender.h(other))).status_code == 404
    # the same key never sends twice
    assert (await sender.states(project_id=pid)) == {"sent": 1}


async def _sent(s: Sender, pid: int, mid: int) -> dict | None:
    m = await _state(s, pid, mid)
    return m if m["state"] == "sent" else None


async def test_bad_input_is_a_clear_4xx(sender: Sender) -> None:
    pid = await make_project(sender.rt)
    h = sender.h(pid)
    assert (
        await sender.client.post("/v1/messages", json={"to": "nope", "subject": "s", "text": "t"}, headers=h)
    ).status_code == 422
    assert (
        await sender.client.post("/v1/messages", json={"to": "a@example.com", "text": "t"}, headers=h)
    ).status_code == 422
    r = await sender.client.post(
        "/v1/messages",
        json={"to": "a@example.com", "subject": "s", "text": "t", "headers": {"Bcc\r\nX": "y"}},
        headers=h,
    )
    assert r.status_code == 422
    r = await sender.client.post("/v1/messages", json={"to": "a@example.com", "template_id": 999}, headers=h)
    assert r.status_code == 404
    assert (
        await sender.client.post("/v1/messages", json={}, headers={"x-sesame-project-id": str(pid)})
    ).status_code == 401
    async with sender.rt.uow() as s:
        assert (await s.execute(sa.select(sa.func.count()).select_from(Message))).scalar() == 0


async def test_suppressed_address_is_not_sent(sender: Sender) -> None:
    pid = await make_project(sender.rt)
    await suppress(sender.rt, pid, "gone@example.com")
    r = await sender.client.post(
        "/v1/messages", json={"to": "gone@example.com", "subject": "s", "text": "t"}, headers=sender.h(pid)
    )
    mid = r.json()["id"]
    m = await wait_for(lambda: _final(sender, pid, mid))
    assert m["state"] == "suppressed"
    assert (await sender.client.get("/v1/sandbox/messages", headers=sender.h(pid))).json()["messages"] == []


async def _final(s: Sender, pid: int, mid: int) -> dict | None:
    m = await _state(s, pid, mid)
    return m if m["state"] not in ("queued", "sending", "delayed") else None


async def test_mail_requested_is_consumed_once(sender: Sender) -> None:
    pid = await make_project(sender.rt)
    req = MailRequested(
        project_id=pid, to="bob@example.com", subject="Confirm", text="Click", idempotency_key="conf-1"
    )
    for _ in range(3):
        await sender.rt.bus.publish(req.message())
    await wait_for(lambda: _count_sent(sender, pid, 1))
    assert await sender.states(project_id=pid) == {"sent": 1}


async def _count_sent(s: Sender, pid: int, n: int) -> bool:
    return (await s.states(project_id=pid)).get("sent", 0) == n


async def test_simulator_addresses_produce_real_format_feedback(sender: Sender) -> None:
    """Each simulator address its own outcome; a plain address: delivered (to the sandbox outbox)."""
    pid = await make_project(sender.rt)
    to = [
        f"{local}@simulator.amazonses.com"
        for local in ("success", "bounce", "complaint", "ooto", "suppressionlist+run7")
    ]
    for addr in [*to, "ann@example.com"]:
        r = await sender.client.post(
            "/v1/messages", json={"to": addr, "subject": "sim", "text": "t"}, headers=sender.h(pid)
        )
        assert r.status_code == 202
    await wait_for(lambda: _count_sent(sender, pid, 6))
    notes = {
        p["notification"]["mail"]["destination"][0]: p["notification"]
        for p in await sender.outbox("ses.sandbox_feedback")
    }
    assert len(notes) == 6
    ok = notes["success@simulator.amazonses.com"]
    assert ok["notificationType"] == "Delivery" and ok["delivery"]["recipients"] == [
        "success@simulator.amazonses.com"
    ]
    assert ok["delivery"]["smtpResponse"] == "250 2.6.0 Message received"
    assert ok["delivery"]["reportingMTA"] == "a8-70.smtp-out.amazonses.com"
    plain = notes["ann@example.com"]
    assert plain["notificationType"] == "Delivery" and set(plain) == {"notificationType", "mail", "delivery"}
    d = plain["delivery"]
    assert (
        d["recipients"] == ["ann@example.com"]
        and d["smtpResponse"] == "250 2.0.0 captured by the Sesame sandbox"
    )
    assert d["reportingMTA"] == "sandbox.sesame.invalid" and d["timestamp"] == plain["mail"]["timestamp"]
    async with sender.rt.uow() as s:
        outcome = await s.scalar(sa.select(SandboxMessage.simulator_outcome).where(
            SandboxMessage.project_id == pid, SandboxMessage.to_address == "ann@example.com"))  # fmt: skip
    assert outcome is None  # the outbox shows no simulator badge for it
    b = notes["bounce@simulator.amazonses.com"]
    assert b["notificationType"] == "Bounce" and b["bounce"]["bounceType"] == "Permanent"
    assert b["bounce"]["bouncedRecipients"][0]["diagnosticCode"] == "smtp; 550 5.1.1 user unknown"
    c = notes["complaint@simulator.amazonses.com"]["complaint"]
    assert c["complaintFeedbackType"] == "abuse" and c["userAgent"] == "Amazon SES Mailbox Simulator"
    o = notes["ooto@simulator.amazonses.com"]["bounce"]
    assert (o["bounceType"], o["bounceSubType"]) == ("Transient", "General")
    sp = notes["suppressionlist+run7@simulator.amazonses.com"]["bounce"]
    assert sp["bounceSubType"] == "Suppressed" and sp["reportingMTA"] == "dns; amazonses.com"
    assert sp["bouncedRecipients"][0]["emailAddress"] == "suppressionlist+run7@simulator.amazonses.com"
    # the mail object names our SES message id, so the events service can link it
    async with sender.rt.uow() as s:
        ids = set(
            (await s.execute(sa.select(Message.ses_message_id).where(Message.project_id == pid))).scalars()
        )
    assert {n["mail"]["messageId"] for n in notes.values()} == ids
    # and the feedback reached the bus (events service input)
    await wait_for(lambda: _has_events(sender, "ses.sandbox_feedback", 6))


async def _has_events(s: Sender, rk: str, n: int) -> bool:
    return sum(1 for e in s.events if e.routing_key == rk) >= n


async def test_messages_by_recipient_and_contact(sender: Sender) -> None:
    """GET /v1/messages?to= matches any spelling of the address (by hash); ?contact_id= the linked messages."""
    from shared.suppression import address_hash

    pid = await make_project(sender.rt)
    other = await make_project(sender.rt)
    h = sender.h(pid)
    r = await sender.client.post(
        "/v1/messages", json={"to": "Ann.Lee@Example.COM", "subject": "Receipt", "text": "t"}, headers=h
    )
    assert r.status_code == 202, r.text
    api_id = r.json()["id"]

    async with (
        sender.rt.uow() as s
    ):  # campaign mail as the fan-out writes it (already sent: never dispatched)

        def row(project_id: int, to: str, contact_id: int | None) -> Message:
            return Message(
                project_id=project_id,
                kind="marketing",
                state="sent",
                campaign_id=9,
                contact_id=contact_id,
                to_address=to,
                email_hash=address_hash(to),
                attempts=1,
            )

        rows = [
            row(pid, "Ann.Lee@example.com", 41),
            row(pid, "bob@example.com", 42),
            row(other, "Ann.Lee@example.com", 41),
        ]
        s.add_all(rows)
        await s.flush()
        campaign_id = rows[0].id

    async def ids(**params: object) -> list[int]:
        r = await sender.client.get("/v1/messages", params=params, headers=h)
        assert r.status_code == 200, r.text
        return [m["id"] for m in r.json()["messages"]]

    assert await ids(to="ann.lee@EXAMPLE.com") == [campaign_id, api_id]  # newest first
    assert await ids(to=" ANN.LEE@example.com ") == [campaign_id, api_id]
    assert await ids(contact_id=41) == [campaign_id]  # the API message was sent without a contact
    assert await ids(to="Ann.Lee@example.com", contact_id=41, state="sent") == [campaign_id]
    assert await ids(to="ann.lee@example.com", contact_id=42) == []
    assert await ids(to="nobody@example.com") == [] and await ids(to="not an address") == []
    page = (
        await sender.client.get("/v1/messages", params={"to": "ann.lee@example.com", "limit": 1}, headers=h)
    ).json()
    assert [m["id"] for m in page["messages"]] == [campaign_id] and page["next_before_id"] == campaign_id
    assert await ids(to="ann.lee@example.com", before_id=page["next_before_id"]) == [api_id]
    r = await sender.client.get("/v1/messages", params={"to": "a" * 321}, headers=h)
    assert r.status_code == 422
    r = await sender.client.get("/v1/messages", params={"contact_id": "x"}, headers=h)
    assert r.status_code == 422
