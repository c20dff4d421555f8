"""Suppression list API, GDPR erasure (hash-only suppression stays), bounce and complaint consumers."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from shared.bus.protocol import OutgoingMessage
from shared.contracts.email import EmailBounced, EmailComplained
from shared.email_address import email_hash
from shared.models.subscriptions import Contact, Suppression
from shared.suppression import is_suppressed, suppressed_clause, suppressed_hashes
from tests.subscriptions.conftest import Svc

SUPPRESSION_KEYS = {"id", "email", "email_hash", "reason", "source_event", "detail", "created_at"}
REMOVAL_KEYS = {"id", "email", "email_hash", "reason", "suppressed_at", "removed_by", "why", "removed_at"}


async def test_suppression_api(svc: Svc) -> None:
    pid, h = await svc.project()
    _, oh = await svc.project("Other")
    r = await svc.client.post(
        "/v1/suppressions", json={"email": "Zed@Example.com", "detail": "asked by phone"}, headers=h
    )
    assert r.status_code == 201 and r.json()["reason"] == "manual" and r.json()["email"] == "Zed@example.com"
    assert set(r.json()) == SUPPRESSION_KEYS | {"created"} and r.json()["created"] is True
    sid = r.json()["id"]
    again = await svc.client.post(
        "/v1/suppressions", json={"email": "zed@example.com", "reason": "complaint"}, headers=h
    )
    assert again.status_code == 200 and again.json()["id"] == sid and again.json()["reason"] == "manual"
    assert again.json()["created"] is False
    assert set((await svc.client.get(f"/v1/suppressions/{sid}", headers=h)).json()) == SUPPRESSION_KEYS
    assert (
        await svc.client.post(
            "/v1/suppressions", json={"email": "x@example.com", "reason": "whim"}, headers=h
        )
    ).status_code == 422
    assert (await svc.client.post("/v1/suppressions", json={"email": "nope"}, headers=h)).status_code == 422
    found = (await svc.client.get("/v1/suppressions", params={"email": "ZED@example.com"}, headers=h)).json()[
        "data"
    ]
    assert [s["id"] for s in found] == [sid]
    assert (await svc.client.get("/v1/suppressions", headers=oh)).json()["data"] == []
    assert (await svc.client.get(f"/v1/suppressions/{sid}", headers=oh)).status_code == 404

    body = "email,reason,detail\nA@example.com,hard_bounce,old ESP\nbad-address,manual,\nb@example.com,,\nc@example.com,bogus,\nzed@example.com,manual,\n"
    r = await svc.client.post(
        "/v1/suppressions/import", content=body.encode(), headers={**h, "content-type": "text/csv"}
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["rows"], out["added"], out["existing"], out["failed"]) == (5, 2, 1, 2)
    assert [e["line"] for e in out["errors"]] == [3, 5]
    assert out["errors"][1] == {"line": 5, "reason": "unknown reason 'bogus'"}
    r = await svc.client.post("/v1/suppressions/import", content=b"address\nx@example.com\n", headers=h)
    assert r.status_code == 400 and r.json()["error"] == "invalid_csv"

    export = await svc.client.get("/v1/suppressions/export", headers=h)
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert sorted(r["email"] for r in rows) == ["A@example.com", "Zed@example.com", "b@example.com"]

    r = await svc.client.post(
        f"/v1/suppressions/{sid}/remove",
        json={"why": "customer re-opted in by phone", "removed_by": "alice"},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["removed_by"] == "alice" and r.json()["reason"] == "manual"
    assert (
        await svc.client.post(f"/v1/suppressions/{sid}/remove", json={"why": "again"}, headers=h)
    ).status_code == 404
    b_id = (await svc.client.get("/v1/suppressions", params={"email": "b@example.com"}, headers=h)).json()[
        "data"
    ][0]["id"]
    assert (
        await svc.client.delete(f"/v1/suppressions/{b_id}", headers=h)
    ).status_code == 422  # why is required
    assert (
        await svc.client.delete(f"/v1/suppressions/{b_id}", params={"why": "typo"}, headers=oh)
    ).status_code == 404
    r = await svc.client.delete(
        f"/v1/suppressions/{b_id}",
        params={"why": "added by mistake"},
        headers={**h, "x-sesame-actor": "key:abc"},
    )
    assert r.status_code == 200 and r.json()["removed_by"] == "key:abc" and set(r.json()) == REMOVAL_KEYS
    removals = (await svc.client.get("/v1/suppressions/removals", headers=h)).json()["data"]
    assert [set(x) for x in removals] == [REMOVAL_KEYS] * 2
    assert [(x["email"], x["why"]) for x in removals] == [
        ("Zed@example.com", "customer re-opted in by phone"),
        ("b@example.com", "added by mistake"),
    ]
    async with svc.rt.uow() as s:
        assert not await is_suppressed(s, pid, "zed@example.com")
        assert await is_suppressed(s, pid, " a@EXAMPLE.com")
    await svc.settle()  # events leave through the outbox relay, after commit
    keys = [e.routing_key for e in svc.events]
    assert keys.count("suppression.added") >= 3 and "suppression.removed" in keys


async def test_erasure_keeps_hash_suppression(svc: Svc) -> None:
    pid, h = await svc.project()
    lid = await svc.new_list(h)
    r = await svc.client.post(
        "/v1/subscriptions",
        json={
            "list_id": lid,
            "email": "gone@example.com",
            "status": "active",
            "consent_source": "crm export",
            "attributes": {"first_name": "Gina"},
        },
        headers=h,
    )
    cid = r.json()["contact_id"]
    await svc.client.post(
        "/v1/suppressions", json={"email": "gone@example.com", "reason": "complaint"}, headers=h
    )
    _, oh = await svc.project("Other")
    assert (await svc.client.delete(f"/v1/contacts/{cid}", headers=oh)).status_code == 404
    assert (await svc.client.delete(f"/v1/contacts/{cid}", headers=h)).status_code == 204
    assert (await svc.client.delete(f"/v1/contacts/{cid}", headers=h)).status_code == 204
    c = (await svc.client.get(f"/v1/contacts/{cid}", headers=h)).json()
    assert c["email"] is None and c["attributes"] == {} and c["erased_at"]
    assert [s["status"] for s in c["subscriptions"]] == ["unsubscribed"]
    sup = (await svc.client.get("/v1/suppressions", headers=h)).json()["data"]
    assert (
        len(sup) == 1 and sup[0]["email"] is None and sup[0]["email_hash"] == email_hash("gone@example.com")
    )
    assert (await svc.client.get("/v1/contacts", params={"q": "gone"}, headers=h)).json()["data"] == []
    async with svc.rt.uow() as s:
        assert await is_suppressed(s, pid, "Gone@Example.com")
        raw = (
            await s.execute(
                sa.text("SELECT email, email_hash, attributes FROM contacts WHERE id = :i"), {"i": cid}
            )
        ).one()
        assert raw[0] is None and raw[1] is None
    # the same person signs up again: a new contact, still excluded by the hash-only suppression
    await svc.client.post(
        f"/public/lists/{lid}/subscribe", json={"email": "gone@example.com"}, headers=svc.headers()
    )
    await svc.settle()
    assert svc.mails == []  # no confirmation mail to a suppressed address
    async with svc.rt.uow() as s:
        live = (
            await s.scalars(sa.select(Contact).where(Contact.project_id == pid, Contact.email.is_not(None)))
        ).all()
        assert len(live) == 1 and live[0].id != cid
        excluded = await s.scalar(
            sa.select(sa.func.count())
            .select_from(Contact)
            .where(
                Contact.project_id == pid,
                Contact.email.is_not(None),
                ~suppressed_clause(Contact.project_id, Contact.email_hash),
            )
        )
        assert excluded == 0
        assert await suppressed_hashes(
            s, pid, [email_hash("gone@example.com"), email_hash("x@example.com")]
        ) == {email_hash("gone@example.com")}
    erased = [e.payload for e in svc.events if e.routing_key == "contact.erased"]
    assert len(erased) == 1  # erasing twice publishes once
    # v2: the other services find the address by its hash (the contact no longer has it)
    assert erased[0]["v"] == 2 and erased[0]["contact_id"] == cid
    assert erased[0]["email_hash"] == email_hash("gone@example.com")


async def _publish(svc: Svc, contract, mid: str) -> None:  # type: ignore[no-untyped-def]
    await svc.rt.bus.publish(OutgoingMessage(contract.ROUTING_KEY, contract.payload(), mid))


async def _wait_for(svc: Svc, check, tries: int = 200) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    for _ in range(tries):
        if await check():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached")


async def test_bounce_and_complaint_consumers(svc: Svc) -> None:
    pid, h = await svc.project()
    l1, l2 = await svc.new_list(h, name="A"), await svc.new_list(h, name="B")
    for lid in (l1, l2):
        await svc.client.post(
            "/v1/subscriptions",
            json={"list_id": lid, "email": "cat@example.com", "status": "active", "consent_source": "crm"},
            headers=h,
        )
    now = datetime.now(UTC)
    soft = EmailBounced(
        project_id=pid,
        email="soft@example.com",
        occurred_at=now,
        bounce_type="Transient",
        bounce_subtype="MailboxFull",
        suppress=False,
    )
    hard = EmailBounced(
        project_id=pid,
        email="Hard@Example.com",
        occurred_at=now,
        bounce_type="Permanent",
        bounce_subtype="General",
        suppress=True,
        suppression_reason="hard_bounce",
        event_id=77,
    )
    complaint = EmailComplained(
        project_id=pid, email="cat@example.com", occurred_at=now, feedback_type="abuse", event_id=78
    )
    hard_id = uuid.uuid4().hex
    await _publish(svc, soft, uuid.uuid4().hex)
    await _publish(svc, hard, hard_id)
    await _publish(svc, hard, hard_id)  # redelivery: applied once
    await _publish(svc, complaint, uuid.uuid4().hex)

    async def done() -> bool:
        async with svc.rt.uow() as s:
            return (
                await s.scalar(
                    sa.select(sa.func.count()).select_from(Suppression).where(Suppression.project_id == pid)
                )
                == 2
            )

    await _wait_for(svc, done)
    sup = {s["email"]: s for s in (await svc.client.get("/v1/suppressions", headers=h)).json()["data"]}
    assert set(sup) == {"Hard@example.com", "cat@example.com"}
    assert (
        sup["Hard@example.com"]["reason"] == "hard_bounce"
        and sup["Hard@example.com"]["source_event"] == "email.bounced:event:77"
    )
    assert sup["cat@example.com"]["reason"] == "complaint"

    async def unsubscribed() -> bool:
        subs = (await svc.client.get("/v1/subscriptions", headers=h)).json()["data"]
        return [s["status"] for s in subs] == ["unsubscribed", "unsubscribed"]

    await _wait_for(svc, unsubscribed)
    cid = (await svc.client.get("/v1/contacts", params={"email": "cat@example.com"}, headers=h)).json()[
        "data"
    ][0]["id"]
    changes = (await svc.client.get(f"/v1/contacts/{cid}/changes", headers=h)).json()["data"]
    assert [c["source"] for c in changes if c["status"] == "unsubscribed"] == ["complaint", "complaint"]
    # a malformed feedback message is dead-lettered, not retried forever
    await svc.rt.bus.publish(OutgoingMessage("email.bounced", {"project_id": "x"}, uuid.uuid4().hex))

    async def dead() -> bool:
        return len(await svc.rt.bus.dead_letters("subscriptions.feedback")) == 1

    await _wait_for(svc, dead)
