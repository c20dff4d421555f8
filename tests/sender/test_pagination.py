"""The one pagination contract on the sender's lists: `{data, next_cursor}` with `cursor` and `limit` (at most
PAGE_LIMIT_MAX), the old `before_id` still accepted with Deprecation / Sunset / Link headers, bad cursors refused."""

from __future__ import annotations

from typing import Any

from shared.pagination import PAGE_LIMIT_MAX
from tests.sender.conftest import Sender, make_list, make_project


async def _all_pages(s: Sender, pid: int, path: str, limit: int) -> list[list[int]]:
    pages: list[list[int]] = []
    params: dict[str, Any] = {"limit": limit}
    while True:
        r = await s.client.get(path, params=params, headers=s.h(pid))
        assert r.status_code == 200, r.text
        assert "deprecation" not in r.headers
        body = r.json()
        pages.append([item["id"] for item in body["data"]])
        if body["next_cursor"] is None:
            return pages
        params = {"limit": limit, "cursor": body["next_cursor"]}


async def test_campaigns_and_templates_page_by_cursor(sender: Sender) -> None:
    s = sender
    pid = await make_project(s.rt)
    lst = await make_list(s.rt, pid)
    campaigns = []
    for i in range(5):
        r = await s.client.post(
            "/v1/campaigns",
            json={"name": f"c{i}", "list_ids": [lst], "subject": "s", "text": "t"},
            headers=s.h(pid),
        )
        campaigns.append(r.json()["id"])
        r = await s.client.post(
            "/v1/templates", json={"name": f"t{i}", "subject": "s", "text": "t"}, headers=s.h(pid)
        )
        assert r.status_code == 201, r.text
    assert await _all_pages(s, pid, "/v1/campaigns", 2) == [campaigns[4:2:-1], campaigns[2:0:-1], campaigns[:1]]
    tpages = await _all_pages(s, pid, "/v1/templates", 2)
    assert [len(p) for p in tpages] == [2, 2, 1] and sum(tpages, []) == sorted(sum(tpages, []))
    # exactly a full last page: no cursor to an empty page
    assert await _all_pages(s, pid, "/v1/campaigns", 5) == [campaigns[::-1]]

    # the old dialect, for one release: before_id + the old keys, marked deprecated
    r = await s.client.get("/v1/campaigns", params={"before_id": campaigns[2], "limit": 1}, headers=s.h(pid))
    assert r.status_code == 200
    assert r.headers["deprecation"] == "true" and "sunset" in r.headers and 'rel="deprecation"' in r.headers["link"]
    body = r.json()
    assert [c["id"] for c in body["campaigns"]] == [campaigns[1]] == [c["id"] for c in body["data"]]
    assert body["next_before_id"] == campaigns[1]

    # refused: a forged cursor, both dialects at once, a limit over the maximum
    r = await s.client.get("/v1/campaigns", params={"cursor": "bm90LW91cnM"}, headers=s.h(pid))
    assert r.status_code == 400 and r.json()["error"] == "invalid_cursor"
    first = (await s.client.get("/v1/campaigns", params={"limit": 1}, headers=s.h(pid))).json()
    r = await s.client.get(
        "/v1/campaigns", params={"cursor": first["next_cursor"], "before_id": 3}, headers=s.h(pid)
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_cursor"
    for path in ("/v1/campaigns", "/v1/templates", "/v1/messages", "/v1/sandbox/messages"):
        r = await s.client.get(path, params={"limit": PAGE_LIMIT_MAX + 1}, headers=s.h(pid))
        assert r.status_code == 422 and r.json()["error"] == "validation_error", path
        r = await s.client.get(path, params={"limit": PAGE_LIMIT_MAX}, headers=s.h(pid))
        assert r.status_code == 200 and set(r.json()) >= {"data", "next_cursor"}, path


async def test_messages_page_by_cursor(sender: Sender) -> None:
    s = sender
    pid = await make_project(s.rt)
    ids = []
    for i in range(3):
        r = await s.client.post(
            "/v1/messages", json={"to": f"m{i}@example.com", "subject": "s", "text": "t"}, headers=s.h(pid)
        )
        assert r.status_code == 202, r.text
        ids.append(r.json()["id"])
    assert await _all_pages(s, pid, "/v1/messages", 2) == [ids[:0:-1], ids[:1]]
    r = await s.client.get("/v1/messages", params={"before_id": ids[2]}, headers=s.h(pid))
    assert r.headers["deprecation"] == "true" and [m["id"] for m in r.json()["messages"]] == ids[1::-1]
