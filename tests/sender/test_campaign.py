"""Campaigns end to end through the strict SES stand-in: eligibility, dedupe, send-time re-checks, headers,
pause / resume / cancel / retry-failed, and a guard pause that stops marketing but not transactional mail."""

from __future__ import annotations

import email
import email.policy
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from shared.contracts.project import ProjectPaused, ProjectResumed
from shared.links import UNSUBSCRIBE, read_token
from shared.models.subscriptions import Subscription
from shared.tokens import TokenCodec
from tests.sender.conftest import (
    Sender,
    add_contact,
    future,
    make_list,
    make_project,
    past,
    suppress,
    wait_for,
)
from tests.support.ses_standin import SesStandin

KEYS = {
    "mode": "keys",
    "access_key_id": "AKIAIOSFODNN7EXAMPLE",
    "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
}
HTML = "<html><body><h1>Hello {{ first_name|default('friend') }}</h1><p>News &amp; more</p></body></html>"


@pytest.fixture
async def standin() -> AsyncIterator[SesStandin]:
    s = SesStandin(max_rate=200, max_24h=100000, store_raw=True)
    await s.start()
    yield s
    await s.stop()


@pytest.fixture
async def ses_sender(sender_factory, standin: SesStandin) -> AsyncIterator[Sender]:  # type: ignore[no-untyped-def]
    async with sender_factory(ses_endpoint_url=standin.url) as s:
        yield s


async def connect(s: Sender, pid: int) -> None:
    r = await s.client.put(
        "/v1/ses-account",
        json={"region": "us-east-1", "credentials": KEYS, "from": "News <news@example.com>"},
        headers=s.h(pid),
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["quota"]["source"] == "GetAccount" and body["quota"]["max_send_rate"] > 0
    assert "EXAMPLE" not in str(body["credentials"]) or body["credentials"]["access_key_id"].startswith(
        "AKIA…"
    )


async def progress(s: Sender, pid: int, cid: int) -> dict:
    r = await s.client.get(f"/v1/campaigns/{cid}", headers=s.h(pid))
    assert r.status_code == 200
    return r.json()


async def test_campaign_over_lists_with_suppressed_paused_unsubscribed(
    ses_sender: Sender, standin: SesStandin
) -> None:
    s = ses_sender
    pid = await make_project(s.rt)
    await connect(s, pid)
    a = await make_list(s.rt, pid, "A")
    b = await make_list(s.rt, pid, "B")
    rt = s.rt
    contacts = {
        "a1@example.com": await add_contact(
            rt, pid, "a1@example.com", {a: "active"}, attributes={"first_name": "Ann"}
        ),
        "ab@example.com": await add_contact(rt, pid, "ab@example.com", {a: "active", b: "active"}),
        "supp@example.com": await add_contact(rt, pid, "supp@example.com", {a: "active"}),
        "pausefut@example.com": await add_contact(
            rt, pid, "pausefut@example.com", {a: "paused"}, paused_until=future()
        ),
        "pausepast@example.com": await add_contact(
            rt, pid, "pausepast@example.com", {a: "paused"}, paused_until=past()
        ),
        "unsub@example.com": await add_contact(rt, pid, "unsub@example.com", {a: "unsubscribed"}),
        "pending@example.com": await add_contact(rt, pid, "pending@example.com", {a: "pending"}),
        "erased@example.com": await add_contact(rt, pid, "erased@example.com", {a: "active"}, erased=True),
        "b1@example.com": await add_contact(rt, pid, "b1@example.com", {b: "active"}),
        "late-unsub@example.com": await add_contact(rt, pid, "late-unsub@example.com", {a: "active"}),
        "late-supp@example.com": await add_contact(rt, pid, "late-supp@example.com", {b: "active"}),
    }
    other = await make_project(rt)
    other_list = await make_list(rt, other)
    await add_contact(rt, other, "stranger@example.com", {other_list: "active"})
    await suppress(rt, pid, "supp@example.com")

    # A guard pause holds marketing; the fan-out still materialises the recipients.
    await s.rt.bus.publish(
        ProjectPaused(project_id=pid, reason="complaint_rate", detail="test", at=datetime.now(UTC)).message()
    )
    await wait_for(lambda: _paused(s, pid))
    r = await s.client.post(
        "/v1/campaigns",
        json={
            "name": "Nov",
            "list_ids": [a, b],
            "subject": "Hi {{ first_name|default('there') }}",
            "html": HTML,
            "send_now": True,
        },
        headers=s.h(pid),
    )
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert r.json()["recipients"] == 6  # a1, ab (once), pausepast, b1, late-unsub, late-supp
    # A transactional mail is not held by the marketing pause.
    t = await s.client.post(
        "/v1/messages", json={"to": "tx@example.com", "subject": "s", "text": "t"}, headers=s.h(pid)
    )
    await wait_for(lambda: _accepted(standin, "tx@example.com"))
    assert (await progress(s, pid, cid))["progress"]["counts"]["sent"] == 0
    assert t.status_code == 202

    # Changes after fan-out are honoured at send time.
    async with rt.uow() as sess:
        await sess.execute(
            sa.update(Subscription)
            .where(Subscription.contact_id == contacts["late-unsub@example.com"])
            .values(status="unsubscribed")
        )
    await suppress(rt, pid, "late-supp@example.com", "complaint")
    await s.rt.bus.publish(ProjectResumed(project_id=pid, by="operator", at=datetime.now(UTC)).message())

    done = await wait_for(lambda: _status(s, pid, cid, "sent"))
    counts = done["progress"]["counts"]
    assert counts["sent"] == 4 and counts["suppressed"] == 2 and counts["queued"] == counts["sending"] == 0
    expected = {
        "a1@example.com",
        "ab@example.com",
        "pausepast@example.com",
        "b1@example.com",
        "tx@example.com",
    }
    assert set(standin.state.accepted) == expected
    assert all(n == 1 for n in standin.state.accepted.values())
    assert "stranger@example.com" not in standin.state.accepted

    # Headers and body of the marketing mail.
    codec = TokenCodec(s.rt.settings.security.secret_key)
    for raw in standin.state.raw:
        m = email.message_from_bytes(raw, policy=email.policy.default)
        if m["To"] == "tx@example.com":
            assert m["List-Unsubscribe"] is None
            continue
        assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        url = m["List-Unsubscribe"].strip("<>")
        assert url.startswith("https://mail.example.org/u/")
        target = read_token(codec, UNSUBSCRIBE, url.rsplit("/", 1)[1])
        assert target.project_id == pid and target.contact_id == contacts[str(m["To"])]
        assert target.list_id in (a, b)
        assert m["Feedback-ID"] == f"{cid}:{pid}:marketing:sesame"
        assert m["X-Sesame-Message-Id"].isdigit()
        html = m.get_body(("html",)).get_content()
        assert url in html and "/p/" in html  # visible unsubscribe + preferences links were added
        if m["To"] == "a1@example.com":
            assert m["Subject"] == "Hi Ann" and "Hello Ann" in html
    sent_events = await s.outbox("email.sent")
    assert len(sent_events) == 5


async def _paused(s: Sender, pid: int) -> bool:
    return (await s.client.get("/v1/sending", headers=s.h(pid))).json()["marketing_paused"]


async def _accepted(standin: SesStandin, addr: str) -> bool:
    return standin.state.accepted[addr] == 1


async def _status(s: Sender, pid: int, cid: int, status: str) -> dict | None:
    p = await progress(s, pid, cid)
    return p if p["status"] == status else None


async def test_pause_resume_cancel_and_retry_failed(ses_sender: Sender, standin: SesStandin) -> None:
    s = ses_sender
    pid = await make_project(s.rt)
    await connect(s, pid)
    lst = await make_list(s.rt, pid)
    for i in range(6):
        await add_contact(s.rt, pid, f"u{i}@example.com", {lst: "active"})
    standin.inject("reject", count=2)
    r = await s.client.post(
        "/v1/campaigns",
        json={"name": "c", "list_ids": [lst], "subject": "s", "text": "plain {{ email }}"},
        headers=s.h(pid),
    )
    cid = r.json()["id"]
    assert r.json()["status"] == "draft"
    r = await s.client.post(f"/v1/campaigns/{cid + 1000}/send", headers=s.h(pid))
    assert r.status_code == 404 and r.json()["error"] == "not_found"  # an unknown id: 404, with or without body
    r = await s.client.post(f"/v1/campaigns/{cid}/send", headers=s.h(pid))  # no body: send now
    assert r.status_code == 200 and r.json()["recipients"] == 6, r.text
    done = await wait_for(lambda: _status(s, pid, cid, "sent"))
    assert done["progress"]["counts"]["failed"] == 2 and done["progress"]["counts"]["sent"] == 4
    failed = await s.outbox("email.failed")
    assert len(failed) == 2 and all("MessageRejected" in f["reason"] for f in failed)
    r = await s.client.post(f"/v1/campaigns/{cid}/retry-failed", headers=s.h(pid))
    assert r.json()["requeued"] == 2
    done = await wait_for(lambda: _status(s, pid, cid, "sent"))
    assert done["progress"]["counts"]["sent"] == 6
    assert sum(standin.state.accepted.values()) == 6

    # Pause then cancel a second campaign before it sends anything.
    r = await s.client.post(
        "/v1/campaigns",
        json={
            "name": "later",
            "list_ids": [lst],
            "subject": "s",
            "text": "t",
            "send_at": future(3600).isoformat(),
        },
        headers=s.h(pid),
    )
    cid2 = r.json()["id"]
    assert r.json()["status"] == "scheduled"
    assert (await s.client.post(f"/v1/campaigns/{cid2}/pause", headers=s.h(pid))).json()["status"] == "paused"
    assert (await s.client.post(f"/v1/campaigns/{cid2}/resume", headers=s.h(pid))).json()[
        "status"
    ] == "scheduled"
    r = await s.client.post(f"/v1/campaigns/{cid2}/cancel", headers=s.h(pid))
    assert r.json()["status"] == "cancelled"
    assert (await s.client.post(f"/v1/campaigns/{cid2}/send", json={}, headers=s.h(pid))).status_code == 409
    assert sum(standin.state.accepted.values()) == 6


async def test_campaign_validation(ses_sender: Sender) -> None:
    s = ses_sender
    pid = await make_project(s.rt)
    other = await make_project(s.rt)
    foreign = await make_list(s.rt, other)
    r = await s.client.post(
        "/v1/campaigns",
        json={"name": "x", "list_ids": [foreign], "subject": "s", "text": "t"},
        headers=s.h(pid),
    )
    assert r.status_code == 404
    lst = await make_list(s.rt, pid)
    r = await s.client.post(
        "/v1/campaigns",
        json={"name": "x", "list_ids": [lst], "subject": "s", "html": "<p>{% if x %}</p>"},
        headers=s.h(pid),
    )
    assert r.status_code == 422 and r.json()["detail"]["part"] == "html"
    assert (await s.client.get("/v1/campaigns/999999", headers=s.h(pid))).status_code == 404
