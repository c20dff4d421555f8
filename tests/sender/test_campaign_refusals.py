"""Campaign input the API refuses, each refusal naming its field (a form shows it next to the input), nothing
written."""

from __future__ import annotations

import sqlalchemy as sa

from shared.models.sender import Campaign
from tests.sender.conftest import Sender, make_list, make_project


async def _campaigns(s: Sender, pid: int) -> int:
    return int(await s.scalar(sa.select(sa.func.count()).where(Campaign.project_id == pid)))


async def test_bad_from_and_reply_to_are_refused_naming_the_field(sender: Sender) -> None:
    s = sender
    pid = await make_project(s.rt)
    lst = await make_list(s.rt, pid)
    base = {"name": "x", "list_ids": [lst], "subject": "s", "text": "t"}
    for name in ("from", "reply_to"):
        r = await s.client.post("/v1/campaigns", json={**base, name: "not an address"}, headers=s.h(pid))
        assert r.status_code == 422, r.text
        detail = r.json()["detail"]
        assert [d["loc"] for d in detail] == [["body", name]]
        assert "not an address" in detail[0]["msg"]
    assert await _campaigns(s, pid) == 0
    r = await s.client.post(
        "/v1/campaigns",
        json={**base, "from": "News <news@example.com>", "reply_to": "help@example.com"},
        headers=s.h(pid),
    )
    assert r.status_code == 201, r.text
    assert r.json()["from"] == "News <news@example.com>" and r.json()["reply_to"] == "help@example.com"
    assert await _campaigns(s, pid) == 1
