"""Policy: soft-bounce threshold (auto-replies never count), atomic counting under concurrent deliveries,
volume from email.sent, the guard's single owner mail per crossing and the explicit resume."""

from __future__ import annotations

import asyncio
import copy
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from services.events.consumers import sent_handler
from services.events.policy import apply_feedback
from services.events.ses_feedback import parse_feedback
from services.events.settings import EventsSettings
from shared.bus.protocol import Envelope
from shared.contracts.email import EmailSent
from shared.models.events import EmailEvent
from tests.events.conftest import Harness, events_harness, make_project, sample

SOFT = sample("notification-bounce-transient-mailboxfull.json")
OOTO = sample("notification-bounce-transient-general.json")
UNDETERMINED = sample("notification-bounce-undetermined.json")
HARD = sample("notification-bounce-permanent-general.json")


def bounce(template: dict[str, Any], email: str, when: datetime | None = None) -> dict[str, Any]:
    doc = copy.deepcopy(template)
    rcpt = doc["bounce"]["bouncedRecipients"][0]
    rcpt["emailAddress"] = email
    doc["bounce"]["bouncedRecipients"] = [rcpt]
    doc["bounce"]["feedbackId"] = uuid.uuid4().hex
    doc["bounce"]["timestamp"] = (when or datetime.now(UTC)).isoformat().replace("+00:00", "Z")
    doc["mail"]["messageId"] = uuid.uuid4().hex
    return doc


async def _apply(h: Harness, pid: int, doc: dict[str, Any], es: EventsSettings | None = None):  # type: ignore[no-untyped-def]
    async with h.runtime.uow() as s:
        return await apply_feedback(s, pid, parse_feedback(doc), es or h.app.state.events.settings)


async def _bounced(h: Harness, pid: int) -> list[dict[str, Any]]:
    return [p for rk, p in await h.outbox("email.bounced") if p["project_id"] == pid]


async def test_soft_bounces_suppress_on_the_third_within_the_window(harness: Harness) -> None:
    h, pid = harness, harness.project_id
    addr = "soft@example.com"
    await _apply(
        h, pid, bounce(SOFT, addr, datetime.now(UTC) - timedelta(days=10))
    )  # outside the 7-day window
    await _apply(h, pid, bounce(OOTO, addr))  # auto-reply: never counts
    await _apply(h, pid, bounce(OOTO, addr))
    await _apply(h, pid, bounce(SOFT, addr))
    await _apply(h, pid, bounce(UNDETERMINED, addr))
    decisions = [(p["bounce_subtype"], p["auto_reply"], p["suppress"]) for p in await _bounced(h, pid)]
    assert decisions == [
        ("MailboxFull", False, False),
        ("General", True, False),
        ("General", True, False),
        ("MailboxFull", False, False),
        ("Undetermined", False, False),
    ]
    await _apply(h, pid, bounce(SOFT, addr))  # the third soft bounce within 7 days
    last = (await _bounced(h, pid))[-1]
    assert last["suppress"] is True and last["suppression_reason"] == "soft_bounce"
    # another address is unaffected; the same SES event delivered again is not counted twice
    other = bounce(SOFT, "other@example.com")
    for _ in range(3):
        await _apply(h, pid, other)
    assert [p["suppress"] for p in await _bounced(h, pid) if p["email"] == "other@example.com"] == [False]


async def test_soft_bounce_threshold_is_per_project(harness: Harness) -> None:
    h = harness
    r = await h.client.patch("/v1/guard", json={"soft_bounce_threshold": 1}, headers=h.api_headers())
    assert r.status_code == 200 and r.json()["policy"]["soft_bounce_threshold"] == 1
    await _apply(h, h.project_id, bounce(SOFT, "a@example.com"))
    assert (await _bounced(h, h.project_id))[-1]["suppress"] is True


async def test_concurrent_soft_bounces_for_one_address_count_exactly(harness: Harness) -> None:
    """Six distinct soft bounces processed at once: counts 1..6 each seen once, so exactly two are not suppressed."""
    h, pid = harness, harness.project_id
    docs = [bounce(SOFT, "race@example.com") for _ in range(6)]
    await asyncio.gather(*[_apply(h, pid, d) for d in docs])
    flags = sorted(p["suppress"] for p in await _bounced(h, pid))
    assert flags == [False, False, True, True, True, True]
    # and the same bounce delivered concurrently many times is recorded once
    dup = bounce(HARD, "dup@example.com")
    await asyncio.gather(*[_apply(h, pid, dup) for _ in range(8)])
    async with h.runtime.sessionmaker() as s:
        n = await s.scalar(sa.select(sa.func.count()).where(EmailEvent.email == "dup@example.com"))
    assert n == 1
    assert len([p for p in await _bounced(h, pid) if p["email"] == "dup@example.com"]) == 1


async def _send_volume(h: Harness, pid: int, n: int) -> None:
    handle = sent_handler(h.runtime)
    now = datetime.now(UTC)
    for i in range(n):
        msg = EmailSent(project_id=pid, message_id=10_000 + i, ses_message_id=f"ses-{pid}-{i}", to=f"r{i}@example.com",
                        kind="marketing", sent_at=now)  # fmt: skip
        env = Envelope(f"sent-{pid}-{i}", EmailSent.ROUTING_KEY, msg.payload(), {}, 1)
        await handle(env)
        if i == 0:
            await handle(env)  # redelivery: counted once


@pytest.mark.slow
async def test_guard_pauses_once_mails_owner_once_and_resumes(sns, db_url: str, settings_for) -> None:  # type: ignore[no-untyped-def]
    es = EventsSettings(min_volume=50, digest_interval_seconds=3600)
    async with events_harness(sns, settings_for(db_url), events_settings=es) as h:
        pid = h.project_id
        await _send_volume(h, pid, 100)
        rep = (await h.client.get("/v1/reputation?series=24h", headers=h.api_headers())).json()
        assert rep["windows"]["24h"]["sent"] == 100 and rep["windows"]["24h"]["bounce_rate"] == 0
        assert rep["series"]["buckets"][0]["sent"] == 100

        async def hard_bounce(i: int) -> None:
            r = await h.post(h.sns.notification(bounce(HARD, f"gone{i}@example.com")))
            assert r.status_code == 200
            await h.settle()

        await hard_bounce(1)
        assert (await h.client.get("/v1/guard", headers=h.api_headers())).json()["state"] == "ok"
        await hard_bounce(2)  # 2 % → warning (one mail)
        g = (await h.client.get("/v1/guard", headers=h.api_headers())).json()
        assert g["state"] == "warning" and g["crossings"] == 1
        for i in (3, 4):  # 4 % → paused
            await hard_bounce(i)
        for i in (5, 6, 7):  # still above: no new crossing
            await hard_bounce(i)
        g = (await h.client.get("/v1/guard", headers=h.api_headers())).json()
        assert g["state"] == "paused" and g["crossings"] == 2 and "bounce rate" in g["reason"]
        paused = await h.outbox("project.paused")
        assert len(paused) == 1 and paused[0][1]["reason"] == "bounce_rate"
        mails = [p for _, p in await h.outbox("mail.requested")]
        assert [m["idempotency_key"] for m in mails] == [f"guard-warn:{pid}:1", f"guard-pause:{pid}:2"]
        assert all(m["to"] == "owner@example.com" and m["kind"] == "notification" for m in mails)

        r = await h.client.post("/v1/guard/resume", headers=h.api_headers())
        assert r.status_code == 200 and r.json()["state"] == "ok"
        assert len(await h.outbox("project.resumed")) == 1
        r = await h.client.post("/v1/guard/resume", headers=h.api_headers())
        assert r.status_code == 409
        # after the resume the guard judges fresh feedback only: one more bounce does not re-pause
        await hard_bounce(8)
        g = (await h.client.get("/v1/guard", headers=h.api_headers())).json()
        assert g["state"] == "ok"
        assert len(await h.outbox("project.paused")) == 1

        # the admin variants see the same project
        r = await h.client.get(f"/admin/projects/{pid}/guard", headers=h.headers)
        assert r.status_code == 200 and r.json()["crossings"] == 2
        r = await h.client.get(f"/admin/projects/{pid}/events?type=bounce&limit=3", headers=h.headers)
        assert len(r.json()["events"]) == 3 and r.json()["next_before"]


async def test_guard_thresholds_patch_and_validation(harness: Harness) -> None:
    h = harness
    r = await h.client.patch("/v1/guard", json={"warn_bounce_rate": 0.05}, headers=h.api_headers())
    assert r.status_code == 400 and r.json()["error"] == "invalid_thresholds"
    r = await h.client.patch("/v1/guard", json={"pause_bounce_rate": 0.08, "warn_bounce_rate": 0.05,
                                                "digest": "hourly"}, headers=h.api_headers())  # fmt: skip
    assert r.status_code == 200
    body = r.json()
    assert body["thresholds"]["pause_bounce_rate"] == 0.08 and body["policy"]["digest"] == "hourly"
    r = await h.client.patch("/v1/guard", json={"pause_bounce_rate": 2}, headers=h.api_headers())
    assert r.status_code == 422
    r = await h.client.patch("/v1/guard", json={"nope": 1}, headers=h.api_headers())
    assert r.status_code == 422
    r = await h.client.get("/v1/guard", headers=h.headers)  # no project header
    assert r.status_code == 401


async def test_events_api_filters_and_project_isolation(harness: Harness) -> None:
    h = harness
    other = await make_project(h.runtime)
    await _apply(h, h.project_id, bounce(HARD, "Mixed.Case@Example.COM"))
    await _apply(h, other, bounce(HARD, "someone@example.com"))
    r = await h.client.get("/v1/events?email=Mixed.Case@example.com", headers=h.api_headers())
    events = r.json()["events"]
    assert len(events) == 1 and events[0]["type"] == "bounce" and events[0]["suppressed"] is True
    r = await h.client.get("/v1/events?email=someone@example.com", headers=h.api_headers())
    assert r.json()["events"] == []  # another project's feedback is invisible
    r = await h.client.get("/v1/events?type=nonsense", headers=h.api_headers())
    assert r.status_code == 422

    # the one pagination contract: data + next_cursor; `before` still works for one release, marked deprecated
    await _apply(h, h.project_id, bounce(HARD, "second@example.com"))
    await _apply(h, h.project_id, bounce(HARD, "third@example.com"))
    seen, params = [], {"limit": 2}
    while True:
        r = await h.client.get("/v1/events", params=params, headers=h.api_headers())
        assert r.status_code == 200 and "deprecation" not in r.headers
        seen += [e["id"] for e in r.json()["data"]]
        if not r.json()["next_cursor"]:
            break
        params = {"limit": 2, "cursor": r.json()["next_cursor"]}
    assert len(seen) == 3 and seen == sorted(seen, reverse=True)
    r = await h.client.get("/v1/events", params={"before": seen[0]}, headers=h.api_headers())
    assert r.headers["deprecation"] == "true" and [e["id"] for e in r.json()["events"]] == seen[1:]


async def test_feedback_linked_to_message_when_sent_arrives_later(harness: Harness) -> None:
    h, pid = harness, harness.project_id
    doc = bounce(HARD, "late@example.com")
    await _apply(h, pid, doc)  # feedback before the send is recorded
    msg = EmailSent(project_id=pid, message_id=77, ses_message_id=doc["mail"]["messageId"], to="late@example.com",
                    kind="transactional", sent_at=datetime.now(UTC))  # fmt: skip
    await sent_handler(h.runtime)(Envelope("m-77", EmailSent.ROUTING_KEY, msg.payload(), {}, 1))
    r = await h.client.get("/v1/events?message_id=77", headers=h.api_headers())
    assert [e["email"] for e in r.json()["events"]] == ["late@example.com"]


async def test_tags_link_the_message(harness: Harness) -> None:
    h, pid = harness, harness.project_id
    doc = sample("event-bounce.json")
    doc["mail"]["tags"]["sesame-project"] = [str(pid)]
    doc["mail"]["tags"]["sesame-message"] = ["4242"]
    await _apply(h, pid, doc)
    assert (await _bounced(h, pid))[-1]["message_id"] == 4242
