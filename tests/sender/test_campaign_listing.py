"""Listing campaigns with their progress (one grouped count for the page), paging, and a campaign's messages
filtered by the feedback SES reported (the report's bounces and complaints)."""

from __future__ import annotations

import sqlalchemy as sa

from shared.models.sender import Message
from tests.sender.conftest import Sender, add_contact, make_list, make_project, wait_for


async def test_list_with_progress_pages_and_feedback_filter(sender: Sender) -> None:
    s = sender
    pid = await make_project(s.rt)
    lst = await make_list(s.rt, pid)
    for i in range(3):
        await add_contact(s.rt, pid, f"reader{i}@example.com", {lst: "active"})
    body = {"list_ids": [lst], "subject": "s", "text": "t"}
    draft = (await s.client.post("/v1/campaigns", json={**body, "name": "draft"}, headers=s.h(pid))).json()
    r = await s.client.post(
        "/v1/campaigns", json={**body, "name": "sent", "send_now": True}, headers=s.h(pid)
    )
    assert r.status_code == 201, r.text
    sent = r.json()

    async def all_sent() -> bool:
        return await s.states(campaign_id=sent["id"]) == {"sent": 3}

    await wait_for(all_sent)

    r = await s.client.get("/v1/campaigns", params={"progress": "true"}, headers=s.h(pid))
    assert r.status_code == 200
    by_id = {c["id"]: c for c in r.json()["campaigns"]}
    assert by_id[sent["id"]]["progress"]["counts"]["sent"] == 3
    assert by_id[sent["id"]]["progress"]["total"] == 3
    assert by_id[draft["id"]]["progress"] == {
        "counts": dict.fromkeys(
            ("queued", "sending", "sent", "failed", "suppressed", "delayed", "cancelled", "held"), 0
        ),
        "feedback": {},
        "total": 0,
    }
    assert r.json()["next_before_id"] is None
    # without progress=true the answer is as before: no counts
    assert "progress" not in (await s.client.get("/v1/campaigns", headers=s.h(pid))).json()["campaigns"][0]

    # pages, newest first
    first = (await s.client.get("/v1/campaigns", params={"limit": 1}, headers=s.h(pid))).json()
    assert [c["id"] for c in first["campaigns"]] == [sent["id"]] and first["next_before_id"] == sent["id"]
    rest = (
        await s.client.get(
            "/v1/campaigns", params={"limit": 1, "before_id": first["next_before_id"]}, headers=s.h(pid)
        )
    ).json()
    assert [c["id"] for c in rest["campaigns"]] == [draft["id"]]

    # feedback, as the consumer records it
    async with s.rt.uow() as db:
        ids = (
            await db.scalars(
                sa.select(Message.id).where(Message.campaign_id == sent["id"]).order_by(Message.id)
            )
        ).all()
        await db.execute(sa.update(Message).where(Message.id == ids[0]).values(feedback="bounced"))
        await db.execute(sa.update(Message).where(Message.id == ids[1]).values(feedback="complained"))
    r = await s.client.get(
        "/v1/messages", params={"campaign_id": sent["id"], "feedback": "bounced"}, headers=s.h(pid)
    )
    assert [m["id"] for m in r.json()["messages"]] == [ids[0]]
    r = await s.client.get("/v1/campaigns", params={"progress": "true"}, headers=s.h(pid))
    assert r.json()["campaigns"][0]["progress"]["feedback"] == {"bounced": 1, "complained": 1}
    r = await s.client.get("/v1/messages", params={"feedback": "opened"}, headers=s.h(pid))
    assert r.status_code == 422
