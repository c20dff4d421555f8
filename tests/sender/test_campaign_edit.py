"""PATCH /v1/campaigns/{id}: a draft or scheduled campaign changes with the rules of create; once sending began it
is refused (409 campaign_not_editable); another project's campaign is not found. SQLite and Postgres."""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa

from shared.models.sender import Campaign, Message
from tests.sender.conftest import Sender, add_contact, future, make_list, make_project, past, wait_for


async def _draft(s: Sender, pid: int, list_id: int, **extra: Any) -> dict[str, Any]:
    body = {"name": "October", "list_ids": [list_id], "subject": "Hi", "text": "Hello", **extra}
    r = await s.client.post("/v1/campaigns", json=body, headers=s.h(pid))
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def _row(s: Sender, cid: int) -> Campaign:
    async with s.rt.uow() as session:
        return (await session.execute(sa.select(Campaign).where(Campaign.id == cid))).scalar_one()


async def test_a_draft_changes_only_what_is_given(sender: Sender) -> None:
    s = sender
    pid = await make_project(s.rt)
    a, b = await make_list(s.rt, pid, "a"), await make_list(s.rt, pid, "b")
    c = await _draft(s, pid, a, reply_to="help@example.com")
    before = await _row(s, c["id"])
    r = await s.client.patch(
        f"/v1/campaigns/{c['id']}",
        json={
            "name": "November",
            "list_ids": [b, a, b],
            "subject": "Hello {{ first_name }}",
            "from": "News <news@example.com>",
            "track_opens": False,
            "track_clicks": True,
            "canary": "on",
            "canary_window_seconds": 600,
        },
        headers=s.h(pid),
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["name"] == "November" and out["list_ids"] == sorted([a, b])
    assert out["subject"] == "Hello {{ first_name }}" and out["from"] == "News <news@example.com>"
    assert out["reply_to"] == "help@example.com"  # not given: kept
    assert (out["track_opens"], out["track_clicks"]) == (False, True)
    assert out["canary"]["mode"] == "on" and out["canary"]["window_seconds"] == 600
    assert out["status"] == "draft" and out["send_at"] is None
    row = await _row(s, c["id"])
    assert row.text == "Hello" and row.html is None  # content parts not given: kept
    assert (row.track_opens, row.track_clicks, row.canary) == (False, True, "on")
    assert row.updated_at > before.updated_at  # the per-campaign content cache is keyed on it
    got = (await s.client.get(f"/v1/campaigns/{c['id']}", headers=s.h(pid))).json()
    assert {k: got[k] for k in ("name", "list_ids", "subject", "from", "track_opens")} == {
        k: out[k] for k in ("name", "list_ids", "subject", "from", "track_opens")
    }
    # an explicit null clears a nullable field (back to the project's tracking setting, no reply-to)
    r = await s.client.patch(
        f"/v1/campaigns/{c['id']}", json={"track_opens": None, "reply_to": None}, headers=s.h(pid)
    )
    assert r.status_code == 200, r.text
    assert (
        r.json()["track_opens"] is None and r.json()["reply_to"] is None and r.json()["track_clicks"] is True
    )


async def test_schedule_reschedule_and_back_to_draft(sender: Sender) -> None:
    s = sender
    pid = await make_project(s.rt)
    c = await _draft(s, pid, await make_list(s.rt, pid))
    at = future(7200)
    r = await s.client.patch(f"/v1/campaigns/{c['id']}", json={"send_at": at.isoformat()}, headers=s.h(pid))
    assert r.status_code == 200 and r.json()["status"] == "scheduled"
    assert (await _row(s, c["id"])).send_at == at.replace(microsecond=at.microsecond)
    # a scheduled campaign is still editable: tracking off, then unscheduled
    r = await s.client.patch(f"/v1/campaigns/{c['id']}", json={"track_clicks": False}, headers=s.h(pid))
    assert r.status_code == 200 and r.json()["status"] == "scheduled" and r.json()["track_clicks"] is False
    r = await s.client.patch(f"/v1/campaigns/{c['id']}", json={"send_at": None}, headers=s.h(pid))
    assert r.status_code == 200 and r.json()["status"] == "draft" and r.json()["send_at"] is None
    row = await _row(s, c["id"])
    assert row.status == "draft" and row.send_at is None and row.fanout_at is None


async def test_refusals_are_those_of_create_and_change_nothing(sender: Sender) -> None:
    s = sender
    pid = await make_project(s.rt)
    other = await make_project(s.rt, "other@example.com")
    lst = await make_list(s.rt, pid)
    c = await _draft(s, pid, lst)
    url = f"/v1/campaigns/{c['id']}"
    before = await _row(s, c["id"])

    async def refused(body: dict[str, Any], status: int) -> dict[str, Any]:
        r = await s.client.patch(url, json=body, headers=s.h(pid))
        assert r.status_code == status, (body, r.text)
        return r.json()  # type: ignore[no-any-return]

    # field rules (422 naming the field, as create)
    for name, bad in (("from", "not an address"), ("reply_to", "nobody"), ("from", "x\r\nBcc: a@example.com"),
                      ("reply_to", "help@example.com\nBcc: victim@example.com"), ("from", "a@example.com\x00")):  # fmt: skip
        assert [d["loc"] for d in (await refused({name: bad}, 422))["detail"]] == [["body", name]]
    for body, loc in (
        ({"name": ""}, ["body", "name"]),
        ({"name": None}, ["body", "name"]),
        ({"list_ids": []}, ["body", "list_ids"]),
        ({"list_ids": None}, ["body", "list_ids"]),
        ({"canary": "sometimes"}, ["body", "canary"]),
        ({"canary_window_seconds": -1}, ["body", "canary_window_seconds"]),
        ({"send_now": True}, ["body", "send_now"]),  # not an edit: POST /send does that
    ):
        got = await refused(body, 422)
        assert got["error"] == "validation_error" and loc in [d["loc"] for d in got["detail"]], (body, got)
    # lists and templates of the project only; content compiles; a template or own content, not both
    assert "lists not found" in (await refused({"list_ids": [await make_list(s.rt, other)]}, 404))["detail"]
    assert (await refused({"html": "<p>{% if x %}</p>"}, 422))["detail"]["part"] == "html"
    assert (await refused({"subject": None}, 422))["detail"]["part"] == "subject"
    # the sandbox of create holds on edit: Python internals refused at save, in the subject as in the body
    for part, payload in (("subject", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
                          ("html", "{{ cycler.__init__.__globals__.os.popen('id').read() }}"),
                          ("text", "{% set x = namespace() %}{{ x.__init__.__globals__ }}")):  # fmt: skip
        got = await refused({part: payload}, 422)
        assert got["error"] == "template_invalid" and got["detail"]["part"] == part, got
    assert (await refused({"html": "x" * 500_001}, 422))["error"] == "validation_error"
    r = await s.client.post(
        "/v1/templates", json={"name": "t", "subject": "T", "text": "b"}, headers=s.h(pid)
    )
    tid = r.json()["id"]
    assert (await refused({"template_id": tid}, 400))["error"] == "bad_request"
    foreign = await s.client.post(
        "/v1/templates", json={"name": "t", "subject": "T", "text": "b"}, headers=s.h(other)
    )
    body = {"template_id": foreign.json()["id"], "subject": None, "text": None}
    assert (await refused(body, 404))["detail"] == "template not found"
    after = await _row(s, c["id"])
    cols = (
        "name",
        "list_ids",
        "subject",
        "html",
        "text",
        "from_address",
        "reply_to",
        "canary",
        "template_id",
    )
    assert [getattr(after, k) for k in cols] == [getattr(before, k) for k in cols]
    assert after.updated_at == before.updated_at
    # switching to a template: clear the own content in the same call
    r = await s.client.patch(url, json={"template_id": tid, "subject": None, "text": None}, headers=s.h(pid))
    assert r.status_code == 200, r.text
    assert r.json()["template_id"] == tid and r.json()["subject"] is None


async def test_another_projects_campaign_is_not_found(sender: Sender) -> None:
    s = sender
    pid, other = await make_project(s.rt), await make_project(s.rt, "other@example.com")
    c = await _draft(s, pid, await make_list(s.rt, pid))
    r = await s.client.patch(f"/v1/campaigns/{c['id']}", json={"name": "mine now"}, headers=s.h(other))
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = await s.client.patch("/v1/campaigns/999999999", json={"name": "x"}, headers=s.h(pid))
    assert r.status_code == 404
    assert (await _row(s, c["id"])).name == "October"


async def test_not_editable_once_sending_began_and_edits_reach_the_fan_out(sender: Sender) -> None:
    s = sender
    pid = await make_project(s.rt)
    a, b = await make_list(s.rt, pid, "a"), await make_list(s.rt, pid, "b")
    await add_contact(s.rt, pid, "ann@example.com", {a: "active"})
    await add_contact(s.rt, pid, "bob@example.com", {b: "active"})
    await add_contact(s.rt, pid, "cy@example.com", {b: "active"})
    c = await _draft(s, pid, a)
    r = await s.client.patch(f"/v1/campaigns/{c['id']}", json={"list_ids": [b]}, headers=s.h(pid))
    assert r.status_code == 200, r.text
    r = await s.client.post(f"/v1/campaigns/{c['id']}/send", headers=s.h(pid))
    assert r.status_code == 200 and r.json()["status"] == "sending"
    async with s.rt.uow() as session:
        rows = (await session.execute(sa.select(Message.list_id).where(Message.campaign_id == c["id"]))).all()
    assert sorted(x for (x,) in rows) == [b, b]  # the edited lists, not the created ones
    r = await s.client.patch(f"/v1/campaigns/{c['id']}", json={"name": "late"}, headers=s.h(pid))
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "campaign_not_editable" and "draft or scheduled" in r.json()["detail"]
    assert (await _row(s, c["id"])).name == "October"
    # cancelled: not editable either
    d = await _draft(s, pid, a)
    assert (await s.client.post(f"/v1/campaigns/{d['id']}/cancel", headers=s.h(pid))).status_code == 200
    r = await s.client.patch(f"/v1/campaigns/{d['id']}", json={"track_opens": False}, headers=s.h(pid))
    assert r.status_code == 409 and r.json()["error"] == "campaign_not_editable"


async def test_a_scheduled_campaign_the_dispatcher_started_is_not_editable(sender: Sender) -> None:
    s = sender
    pid = await make_project(s.rt)
    c = await _draft(s, pid, await make_list(s.rt, pid))
    r = await s.client.patch(
        f"/v1/campaigns/{c['id']}", json={"send_at": past().isoformat()}, headers=s.h(pid)
    )
    assert r.status_code == 200 and r.json()["status"] == "scheduled"

    async def started() -> bool:
        row = await _row(s, c["id"])
        return row.fanout_at is not None

    await wait_for(started, timeout=20)
    r = await s.client.patch(f"/v1/campaigns/{c['id']}", json={"send_at": None}, headers=s.h(pid))
    assert r.status_code == 409 and r.json()["error"] == "campaign_not_editable"
    assert (await _row(s, c["id"])).status != "draft"


async def test_an_edit_racing_the_send_is_whole_or_refused(sender: Sender) -> None:
    """PATCH and POST /send at once, several times: the send always starts; the edit lands whole before the fan-out
    (200, both parts new) or is refused whole (409, both parts old) — never one part of it, never after."""
    s = sender
    pid = await make_project(s.rt)
    lst = await make_list(s.rt, pid)
    await add_contact(s.rt, pid, "ann@example.com", {lst: "active"})
    for _ in range(6):  # which side wins is the scheduler's (both do, on SQLite and Postgres alike)
        c = await _draft(s, pid, lst)
        url = f"/v1/campaigns/{c['id']}"
        edit, send = await asyncio.gather(
            s.client.patch(url, json={"subject": "New", "text": "New body"}, headers=s.h(pid)),
            s.client.post(f"{url}/send", headers=s.h(pid)),
        )
        assert send.status_code == 200, send.text
        assert edit.status_code in (200, 409), edit.text
        row = await _row(s, c["id"])
        assert row.status != "draft" and row.fanout_at is not None
        want = ("New", "New body") if edit.status_code == 200 else ("Hi", "Hello")
        assert (row.subject, row.text) == want, (edit.status_code, row.subject, row.text)
        if edit.status_code == 200:
            assert row.updated_at <= row.fanout_at  # landed before the fan-out, not after it
