"""End to end over HTTP only, in both modes: the four services as separate processes on Postgres + RabbitMQ,
and `sesame run` on SQLite. Mail is counted where it leaves (the SES stand-in); feedback comes back through
SNS-signed POSTs to the gateway.

Subscribers use mailbox-simulator addresses, so the feedback SNS delivers is the one SES would produce for them.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from tests.system.flows import Backend, Subscriber, bootstrap
from tests.system.harness import SystemBase, eventually
from tests.system.ses_faults import FaultySes

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
SIM = "simulator.amazonses.com"


@pytest.fixture(params=["distributed", "embedded"])
def system(request: pytest.FixtureRequest) -> SystemBase:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


def _addr(kind: str, tag: str) -> str:
    return f"{kind}+{tag}@{SIM}"


async def _subscription_states(b: Backend, list_id: int) -> dict[str, str]:
    out: dict[str, str] = {}
    cursor = None
    while True:
        params: dict[str, Any] = {"list_id": list_id, "limit": 200}
        if cursor:
            params["cursor"] = cursor
        page = await b.call("GET", "/v1/subscriptions", params=params)
        for s in page["data"]:
            out[s["email"]] = s["status"]
        cursor = page.get("next_cursor")
        if not cursor:
            return out


async def _suppressed(b: Backend) -> dict[str, str]:
    page = await b.call("GET", "/v1/suppressions", params={"limit": 200})
    return {s["email"]: s["reason"] for s in page["data"] if s.get("email")}


def _campaign_mails(ses: FaultySes, subject_tag: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for acc in list(ses.accepted):
        if subject_tag in (acc.header("Subject") or ""):
            for a in acc.to:
                counts[a] = counts.get(a, 0) + 1
    return counts


async def test_signup_campaign_feedback_unsubscribe(system: SystemBase, ses: FaultySes) -> None:
    """The whole life of a list: signup + confirm, campaign, bounce and complaint via SNS, one-click
    unsubscribe from the List-Unsubscribe header, and the next campaign skipping all three."""
    tag = uuid.uuid4().hex[:8]
    b = await bootstrap(system, ses)
    list_id = await b.create_list(f"Newsletter {tag}", description="Our news")

    people = {
        "reader1": _addr("success", f"r1{tag}"),
        "reader2": _addr("success", f"r2{tag}"),
        "bouncer": _addr("bounce", tag),
        "complainer": _addr("complaint", tag),
        "leaver": _addr("success", f"lv{tag}"),
    }
    subs = {
        k: Subscriber(system, ses, v, ip=f"198.51.100.{i + 10}") for i, (k, v) in enumerate(people.items())
    }

    # Sign up through the hosted form: pending, one confirmation mail each, nothing else.
    await asyncio.gather(*(s.sign_up(list_id) for s in subs.values()))
    states = await _subscription_states(b, list_id)
    assert set(states) == set(people.values()) and set(states.values()) == {"pending"}, states
    await asyncio.gather(*(s.confirm() for s in subs.values()))
    states = await _subscription_states(b, list_id)
    assert set(states.values()) == {"active"}, states
    for s in subs.values():
        assert len(s.inbox()) == 1, (s.email, [a.header("Subject") for a in s.inbox()])

    # Campaign 1 reaches everyone exactly once, with RFC 8058 headers.
    c1 = await b.campaign([list_id], subject=f"Issue one {tag}")
    done = await b.campaign_done(c1["id"])
    assert done["progress"]["counts"]["sent"] == 5, done
    sent1 = _campaign_mails(ses, f"Issue one {tag}")
    assert sent1 == dict.fromkeys(people.values(), 1), sent1

    def issue(who: str, subject: str) -> Any:
        return next(a for a in subs[who].inbox() if subject in (a.header("Subject") or ""))

    # Feedback through SNS: a bounce, a complaint, deliveries for the others.
    results = await asyncio.gather(
        b.feedback(issue("bouncer", "Issue one")),
        b.feedback(issue("complainer", "Issue one"), fmt="event"),
        b.feedback(issue("reader1", "Issue one")),
        b.feedback(issue("reader2", "Issue one"), fmt="event", version="1"),
    )
    assert all(r.status == 200 for r in results), results

    async def both_suppressed() -> dict[str, str] | None:
        sup = await _suppressed(b)
        return sup if people["bouncer"] in sup and people["complainer"] in sup else None

    sup = await eventually(both_suppressed, within=60, what="bounce and complaint suppressed")
    assert people["reader1"] not in sup and people["reader2"] not in sup

    # A mail provider's one-click POST, taken from the sent mail's header.
    r = await subs["leaver"].one_click_unsubscribe(issue("leaver", "Issue one"))
    assert r.status_code == 200, (r.status_code, r.text[:300])
    assert "location" not in r.headers
    again = await subs["leaver"].one_click_unsubscribe(issue("leaver", "Issue one"))
    assert again.status_code == 200  # idempotent

    async def leaver_out() -> bool:
        st = await _subscription_states(b, list_id)
        return st[people["leaver"]] == "unsubscribed"

    await eventually(leaver_out, within=30, what="one-click unsubscribe applied")

    # Campaign 2 skips the bounced, the complainer and the leaver.
    c2 = await b.campaign([list_id], subject=f"Issue two {tag}")
    done2 = await b.campaign_done(c2["id"])
    sent2 = _campaign_mails(ses, f"Issue two {tag}")
    assert sent2 == {people["reader1"]: 1, people["reader2"]: 1}, (sent2, done2)


async def test_guard_pauses_on_bounce_spike_and_mails_owner_once(system: SystemBase, ses: FaultySes) -> None:
    """Bounces cross the pause threshold: the project is paused, marketing stops, the owner gets one mail."""
    tag = uuid.uuid4().hex[:8]
    b = await bootstrap(system, ses)
    list_id = await b.create_list(f"Big list {tag}")
    good = [_addr("success", f"g{i}{tag}") for i in range(24)]
    bad = [_addr("bounce", f"b{i}{tag}") for i in range(6)]
    for email in good + bad:  # imported with recorded consent: no confirmation mail
        await b.call("POST", "/v1/subscriptions", json={"list_id": list_id, "email": email, "status": "active",
                                                          "consent_source": "system test import"})  # fmt: skip
    c = await b.campaign([list_id], subject=f"Spike {tag}")
    await b.campaign_done(c["id"])
    sent = _campaign_mails(ses, f"Spike {tag}")
    assert len(sent) == 30 and set(sent.values()) == {1}

    mails = {a: ses.to(a)[-1] for a in good + bad}
    # Deliveries first (volume), then the bounces: 6/30 = 20 % ≫ the 4 % pause threshold.
    await asyncio.gather(*(b.feedback(mails[a]) for a in good))
    await asyncio.gather(*(b.feedback(mails[a]) for a in bad))

    async def paused() -> dict[str, Any] | None:
        g = await b.call("GET", "/v1/guard")
        return g if g["state"] == "paused" else None

    guard = await eventually(paused, within=60, what="guard paused")
    assert "bounce" in (guard.get("reason") or "").lower(), guard

    def owner_subjects() -> list[str]:
        return [a.header("Subject") or "" for a in ses.to(b.owner_email)]

    async def pause_mail() -> list[str]:
        return [s for s in owner_subjects() if "paused" in s.lower()]

    await eventually(pause_mail, within=60, what="owner told about the pause")
    # Feedback is processed as it arrives, so the rate may cross "warn" on its way to "pause": one mail per
    # crossing (at most one warning, exactly one pause) — never one per bounce.
    await asyncio.sleep(2)
    before = owner_subjects()
    assert sum("paused" in s.lower() for s in before) == 1, before
    assert sum("warning" in s.lower() for s in before) <= 1, before
    assert len(before) <= 2, before
    # More bounces within the same crossing: no more mail.
    await asyncio.gather(*(b.feedback(mails[a], outcome="bounce") for a in good[:3]))
    await asyncio.sleep(3)
    assert owner_subjects() == before, owner_subjects()

    # Marketing is paused: a new campaign sends nothing while the guard holds.
    c2 = await b.campaign([list_id], subject=f"Held {tag}")
    await asyncio.sleep(4)
    assert _campaign_mails(ses, f"Held {tag}") == {}, "a paused project sent marketing mail"
    progress = (await b.call("GET", f"/v1/campaigns/{c2['id']}"))["progress"]["counts"]
    assert progress["sent"] == 0, progress
