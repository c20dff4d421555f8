"""Sunset policy per list: off by default, set through the list API, pauses (source `sunset`, reversible) the
subscribers with no open or click in N days / in their last M campaigns, never younger subscribers, idempotent;
on SQLite and Postgres."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa

from services.subscriptions.membership import set_status
from services.subscriptions.sunset import sunset_all
from shared.db.types import utcnow
from shared.models.engagement import ContactEngagement, MessageEngagement
from shared.models.events import EmailEvent
from shared.models.sender import Message
from shared.models.subscriptions import Contact, Subscription, SubscriptionChange
from tests.subscriptions.conftest import Svc

NOW = utcnow()


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


async def _member(svc: Svc, pid: int, list_id: int, name: str, joined_days_ago: float) -> tuple[int, int]:
    async with svc.rt.uow() as s:
        c = Contact(project_id=pid, email=f"{name}@example.net", email_hash=f"{name}-{uuid.uuid4().hex}")
        s.add(c)
        await s.flush()
        sub = Subscription(project_id=pid, list_id=list_id, contact_id=c.id, status="active",
                           created_at=ago(joined_days_ago), updated_at=ago(joined_days_ago))  # fmt: skip
        s.add(sub)
        await s.flush()
        return c.id, sub.id


async def _mailed(
    svc: Svc, pid: int, list_id: int, contact_id: int, days_ago: float, *, opened: bool = False,
    clicked: bool = False, campaign_id: int = 1,
) -> None:  # fmt: skip
    async with svc.rt.uow() as s:
        m = Message(project_id=pid, kind="marketing", state="sent", campaign_id=campaign_id, contact_id=contact_id,
                    list_id=list_id, to_address="x@example.net", email_hash="x", sent_at=ago(days_ago))  # fmt: skip
        s.add(m)
        await s.flush()
        at = ago(days_ago - 0.1)
        if opened or clicked:
            s.add(MessageEngagement(message_id=m.id, project_id=pid, campaign_id=campaign_id, contact_id=contact_id,
                                    opened_at=at if opened else None, clicked_at=at if clicked else None,
                                    opens=int(opened), clicks=int(clicked)))  # fmt: skip
            row = await s.get(ContactEngagement, contact_id)
            if row is None:
                row = ContactEngagement(contact_id=contact_id, project_id=pid, delivered=0, opened=0, clicked=0,
                                        campaigns_received=0)  # fmt: skip
                s.add(row)
            if opened:
                row.last_opened_at = max(filter(None, (row.last_opened_at, at)))
            if clicked:
                row.last_clicked_at = max(filter(None, (row.last_clicked_at, at)))


async def _tracking_seen(svc: Svc, pid: int) -> None:
    async with svc.rt.uow() as s:
        s.add(EmailEvent(project_id=pid, dedupe_key=uuid.uuid4().hex, event_type="open", occurred_at=ago(1),
                         detail={}))  # fmt: skip


async def _statuses(svc: Svc, sub_ids: dict[str, int]) -> dict[str, str]:
    async with svc.rt.sessionmaker() as s:
        rows = dict((await s.execute(sa.select(Subscription.id, Subscription.status)
                                     .where(Subscription.id.in_(list(sub_ids.values()))))).all())  # fmt: skip
    return {name: rows[i] for name, i in sub_ids.items()}


async def test_list_api_takes_the_policy(svc: Svc) -> None:
    _, h = await svc.project()
    r = await svc.client.post("/v1/lists", json={"name": "A"}, headers=h)
    assert (r.json()["sunset_days"], r.json()["sunset_campaigns"]) == (None, None)  # off by default
    lid = r.json()["id"]
    for bad in ({"sunset_days": 0}, {"sunset_campaigns": -1}, {"sunset_days": "soon"}):
        r = await svc.client.patch(f"/v1/lists/{lid}", json=bad, headers=h)
        assert r.status_code == 422, (bad, r.text)
    r = await svc.client.patch(f"/v1/lists/{lid}", json={"sunset_days": 90, "sunset_campaigns": 5}, headers=h)
    assert (r.json()["sunset_days"], r.json()["sunset_campaigns"]) == (90, 5)
    r = await svc.client.patch(f"/v1/lists/{lid}", json={"name": "B"}, headers=h)
    assert (r.json()["sunset_days"], r.json()["sunset_campaigns"]) == (90, 5)  # untouched when not given
    r = await svc.client.patch(f"/v1/lists/{lid}", json={"sunset_days": None}, headers=h)
    assert (r.json()["sunset_days"], r.json()["sunset_campaigns"]) == (None, 5)


async def test_days_policy(svc: Svc) -> None:
    pid, h = await svc.project()
    lid = await svc.new_list(h, sunset_days=30)
    off = await svc.new_list(h)  # no policy: the same idle subscriber stays
    subs: dict[str, int] = {}
    c, subs["idle"] = await _member(svc, pid, lid, "idle", 60)
    await _mailed(svc, pid, lid, c, 10)
    await _mailed(svc, pid, lid, c, 45, opened=True)  # engaged, but before the window
    c, subs["opened"] = await _member(svc, pid, lid, "opened", 60)
    await _mailed(svc, pid, lid, c, 10)
    await _mailed(svc, pid, lid, c, 20, opened=True)
    c, subs["clicked"] = await _member(svc, pid, lid, "clicked", 60)
    await _mailed(svc, pid, lid, c, 3, clicked=True)
    c, subs["young"] = await _member(svc, pid, lid, "young", 10)  # joined inside the window
    await _mailed(svc, pid, lid, c, 5)
    _, subs["unmailed"] = await _member(svc, pid, lid, "unmailed", 60)  # nothing sent in the window
    c, subs["no_policy"] = await _member(svc, pid, off, "nopolicy", 60)
    await _mailed(svc, pid, off, c, 10)

    assert await sunset_all(svc.rt) == 0  # the project's SES never reported an open or click: tracking is off
    await _tracking_seen(svc, pid)
    assert await sunset_all(svc.rt) == 1
    assert await _statuses(svc, subs) == {
        "idle": "paused", "opened": "active", "clicked": "active", "young": "active", "unmailed": "active",
        "no_policy": "active",
    }  # fmt: skip
    async with svc.rt.sessionmaker() as s:
        change = (
            await s.scalars(sa.select(SubscriptionChange).where(SubscriptionChange.source == "sunset"))
        ).one()
        sub = await s.get(Subscription, subs["idle"])
    assert (change.subscription_id, change.previous_status, change.status) == (
        subs["idle"],
        "active",
        "paused",
    )
    assert "30 days" in (change.detail or "")
    assert sub is not None and sub.paused_until is None  # paused until someone resumes it
    await svc.settle()
    assert [e.payload["source"] for e in svc.events if e.routing_key == "subscription.paused"] == ["sunset"]

    assert await sunset_all(svc.rt) == 0  # idempotent
    # The subscriber resumes: the window starts again, the next pass leaves them alone.
    async with svc.rt.uow() as s:
        sub = await s.get(Subscription, subs["idle"])
        assert sub is not None
        await set_status(s, sub, "active", "preferences")
    assert await sunset_all(svc.rt) == 0
    assert (await _statuses(svc, {"idle": subs["idle"]}))["idle"] == "active"


async def test_campaigns_policy(svc: Svc) -> None:
    pid, h = await svc.project()
    lid = await svc.new_list(h, sunset_campaigns=2)
    await _tracking_seen(svc, pid)
    subs: dict[str, int] = {}
    plan: dict[str, list[dict[str, Any]]] = {
        "idle": [{"days_ago": 30, "opened": True}, {"days_ago": 20}, {"days_ago": 10}],  # last two unopened
        "clicked_last": [{"days_ago": 20}, {"days_ago": 10, "clicked": True}],
        "opened_older": [{"days_ago": 20, "opened": True}, {"days_ago": 10}],  # within the last two
        "too_few": [{"days_ago": 10}],
    }
    for name, mails in plan.items():
        c, subs[name] = await _member(svc, pid, lid, name.replace("_", ""), 90)
        for i, m in enumerate(mails):
            await _mailed(svc, pid, lid, c, campaign_id=i + 1, **m)
    assert await sunset_all(svc.rt) == 1
    assert await _statuses(svc, subs) == {
        "idle": "paused", "clicked_last": "active", "opened_older": "active", "too_few": "active",
    }  # fmt: skip
    assert await sunset_all(svc.rt) == 0
    # Resumed: only campaigns sent after the resume count, and none has been yet.
    async with svc.rt.uow() as s:
        sub = await s.get(Subscription, subs["idle"])
        assert sub is not None
        await set_status(s, sub, "active", "api")
    assert await sunset_all(svc.rt) == 0
