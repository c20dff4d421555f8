"""The sandbox capture API: newest first, paged by before_id, filtered by recipient, each capture with the kind
and campaign of the message it records (null once that record is gone), scoped to the project."""

from __future__ import annotations

import sqlalchemy as sa

from shared.models.sender import Message
from tests.sender.conftest import Sender, add_contact, make_list, make_project, wait_for


async def _captures(s: Sender, pid: int, **query: object) -> dict:
    r = await s.client.get("/v1/sandbox/messages", params=query, headers=s.h(pid))
    assert r.status_code == 200, r.text
    return r.json()


async def test_captures_carry_kind_and_campaign(sender: Sender) -> None:
    pid = await make_project(sender.rt)
    lst = await make_list(sender.rt, pid)
    await add_contact(sender.rt, pid, "reader@example.com", {lst: "active"})
    r = await sender.client.post(
        "/v1/messages",
        json={"to": "ann@example.com", "subject": "Code", "text": "1234"},
        headers=sender.h(pid),
    )
    assert r.status_code == 202, r.text
    mid = r.json()["id"]
    r = await sender.client.post(
        "/v1/campaigns",
        json={"name": "n", "list_ids": [lst], "subject": "News", "html": "<p>Hi</p>", "send_now": True},
        headers=sender.h(pid),
    )
    assert r.status_code == 201, r.text
    campaign = r.json()["id"]

    async def both() -> list | None:
        caps = (await _captures(sender, pid))["messages"]
        return caps if len(caps) == 2 else None

    caps = await wait_for(both)
    by_to = {c["to"]: c for c in caps}
    assert by_to["ann@example.com"]["kind"] == "transactional"
    assert by_to["ann@example.com"]["campaign_id"] is None
    assert by_to["reader@example.com"]["kind"] == "marketing"
    assert by_to["reader@example.com"]["campaign_id"] == campaign
    assert [c["id"] for c in caps] == sorted((c["id"] for c in caps), reverse=True)  # newest first

    # filter and paging
    only = (await _captures(sender, pid, to="ann@example.com"))["messages"]
    assert [c["to"] for c in only] == ["ann@example.com"]
    first = await _captures(sender, pid, limit=1)
    assert len(first["messages"]) == 1 and first["next_before_id"] == first["messages"][0]["id"]
    second = await _captures(sender, pid, limit=1, before_id=first["next_before_id"])
    assert second["messages"][0]["id"] < first["messages"][0]["id"]

    one = by_to["ann@example.com"]["id"]
    r = await sender.client.get(f"/v1/sandbox/messages/{one}", headers=sender.h(pid))
    assert r.status_code == 200 and r.json()["kind"] == "transactional" and "raw" in r.json()

    # the message record gone (retention): the capture stays, its kind unknown
    async with sender.rt.uow() as s:
        await s.execute(sa.delete(Message).where(Message.id == mid))
    r = await sender.client.get(f"/v1/sandbox/messages/{one}", headers=sender.h(pid))
    assert r.status_code == 200 and r.json()["kind"] is None

    # another project sees none of it
    other = await make_project(sender.rt)
    assert (await _captures(sender, other))["messages"] == []
    r = await sender.client.get(f"/v1/sandbox/messages/{one}", headers=sender.h(other))
    assert r.status_code == 404
