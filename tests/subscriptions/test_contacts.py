"""Contacts API (create, search, attributes, pagination), pauses that end by themselves, form settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from services.subscriptions.tasks import resume_due
from shared.db.types import utcnow
from shared.models.subscriptions import Subscription, receiving_clause
from tests.subscriptions.conftest import Svc


async def test_contacts_api(svc: Svc) -> None:
    _, h = await svc.project()
    _, oh = await svc.project("Other")
    r = await svc.client.post(
        "/v1/contacts", json={"email": "Kim@Example.com", "attributes": {"plan": "pro", "n": 3}}, headers=h
    )
    assert r.status_code == 201 and r.json()["email"] == "Kim@example.com"
    cid = r.json()["id"]
    dup = await svc.client.post("/v1/contacts", json={"email": "kim@EXAMPLE.com"}, headers=h)
    assert dup.status_code == 409 and dup.json()["error"] == "contact_exists"
    assert (
        await svc.client.post("/v1/contacts", json={"email": "kim@example.com"}, headers=oh)
    ).status_code == 201
    assert (await svc.client.post("/v1/contacts", json={"email": "a@b@c"}, headers=h)).status_code == 422
    assert (
        await svc.client.post(
            "/v1/contacts", json={"email": "x@example.com", "attributes": {"k": "v" * 70_000}}, headers=h
        )
    ).status_code == 422
    r = await svc.client.patch(
        f"/v1/contacts/{cid}", json={"attributes": {"plan": None, "city": "Oslo"}}, headers=h
    )
    assert r.json()["attributes"] == {"n": 3, "city": "Oslo"}
    assert (
        await svc.client.patch(f"/v1/contacts/{cid}", json={"attributes": {}}, headers=oh)
    ).status_code == 404
    for i in range(5):
        await svc.client.post("/v1/contacts", json={"email": f"p{i}_x@example.com"}, headers=h)
    found = (await svc.client.get("/v1/contacts", params={"email": "KIM@example.com"}, headers=h)).json()[
        "data"
    ]
    assert [c["id"] for c in found] == [cid]
    # `_` in a search is a literal underscore, not a wildcard
    like = (await svc.client.get("/v1/contacts", params={"q": "_x@"}, headers=h)).json()["data"]
    assert len(like) == 5
    assert (await svc.client.get("/v1/contacts", params={"q": "m_e"}, headers=h)).json()["data"] == []
    assert len((await svc.client.get("/v1/contacts", params={"q": "m@E"}, headers=h)).json()["data"]) == 1
    ids, cursor = [], None
    while True:
        page = (
            await svc.client.get(
                "/v1/contacts", params={"limit": 4, **({"cursor": cursor} if cursor else {})}, headers=h
            )
        ).json()
        ids += [c["id"] for c in page["data"]]
        if not (cursor := page["next_cursor"]):
            break
    assert len(ids) == 6 == len(set(ids))
    assert (await svc.client.get("/v1/contacts", params={"limit": 0}, headers=h)).status_code == 422


async def test_pause_ends_by_itself(svc: Svc) -> None:
    _, h = await svc.project()
    lid = await svc.new_list(h)
    r = await svc.client.post(
        "/v1/subscriptions",
        json={"list_id": lid, "email": "p@example.com", "status": "active", "consent_source": "crm"},
        headers=h,
    )
    sid = r.json()["id"]
    until = datetime.now(UTC) + timedelta(days=2)
    r = await svc.client.patch(
        f"/v1/subscriptions/{sid}", json={"status": "paused", "paused_until": until.isoformat()}, headers=h
    )
    assert r.status_code == 200 and r.json()["status"] == "paused"
    async with svc.rt.uow() as s:
        assert (
            await s.scalar(
                sa.select(sa.func.count()).where(Subscription.id == sid, receiving_clause(utcnow()))
            )
            == 0
        )
        # time passes: the pause is over — readers see it as receiving before the resume task runs
        await s.execute(
            sa.update(Subscription)
            .where(Subscription.id == sid)
            .values(paused_until=utcnow() - timedelta(minutes=1))
        )
    async with svc.rt.uow() as s:
        assert (
            await s.scalar(
                sa.select(sa.func.count()).where(Subscription.id == sid, receiving_clause(utcnow()))
            )
            == 1
        )
    assert await resume_due(svc.rt) == 1
    assert await resume_due(svc.rt) == 0
    r = (await svc.client.get(f"/v1/subscriptions/{sid}", headers=h)).json()
    assert r["status"] == "active" and r["paused_until"] is None
    changes = (await svc.client.get(f"/v1/subscriptions/{sid}/changes", headers=h)).json()["data"]
    assert [(c["status"], c["source"]) for c in changes][-2:] == [("paused", "api"), ("active", "system")]
    await svc.settle()
    assert "subscription.resumed" in [e.routing_key for e in svc.events]
    bad = await svc.client.patch(
        f"/v1/subscriptions/{sid}",
        json={"status": "paused", "paused_until": "2001-01-01T00:00:00Z"},
        headers=h,
    )
    assert bad.status_code == 422


async def test_form_settings_the_gateway_reads(svc: Svc) -> None:
    _, h = await svc.project()
    form = {
        "captcha": {"provider": "turnstile", "site_key": "0x4AAA", "secret": "0x4BBB"},
        "honeypot": False,
        "fields": ["first_name", {"name": "company", "label": "Company"}],
        "title": "Join us",
        "button_label": "Sign me up",
        "branding": {"primary_color": "#336699", "background_color": "#fff"},
        "redirect_url": "https://shop.example.com/thanks",
    }
    r = await svc.client.post("/v1/lists", json={"name": "Forms", "form_settings": form}, headers=h)
    assert r.status_code == 201, r.text
    got = (await svc.client.get(f"/public/lists/{r.json()['id']}/form", headers=svc.headers())).json()[
        "form_settings"
    ]
    assert (
        got["fields"][1] == {"name": "company", "label": "Company"} and got["captcha"]["secret"] == "0x4BBB"
    )
    bad = await svc.client.post(
        "/v1/lists", json={"name": "F", "form_settings": {"fields": ["bad name"]}}, headers=h
    )
    assert bad.status_code == 422
    bad = await svc.client.post(
        "/v1/lists", json={"name": "F", "form_settings": {"redirect_url": "javascript:alert(1)"}}, headers=h
    )
    assert bad.status_code == 422


async def test_contacts_export(svc: Svc, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """CSV of live contacts with their lists (or one list's members and status), streamed in batches, formula
    cells defused, erased contacts and other projects never in it."""
    import csv
    import io
    import json

    from services.subscriptions import contacts

    monkeypatch.setattr(contacts, "EXPORT_BATCH", 2)  # several batches with a handful of contacts
    _, h = await svc.project()
    _, oh = await svc.project("Other")
    weekly = await svc.new_list(h, name="Weekly news")
    offers = await svc.new_list(h, name="Offers; big: deals", public=False)
    gone = await svc.new_list(h, name="Gone")
    other_list = await svc.new_list(oh, name="Theirs")

    async def contact(email: str, attributes: dict, subs: dict[int, str], headers=h) -> int:  # type: ignore[no-untyped-def,type-arg]
        r = await svc.client.post(
            "/v1/contacts", json={"email": email, "attributes": attributes}, headers=headers
        )
        assert r.status_code == 201, r.text
        cid = int(r.json()["id"])
        for list_id, status in subs.items():
            r = await svc.client.post(
                "/v1/subscriptions",
                json={"list_id": list_id, "contact_id": cid, "status": "active", "consent_source": "crm"},
                headers=headers,
            )
            assert r.status_code == 201, r.text
            if status != "active":
                sid = r.json()["id"]
                assert (
                    await svc.client.patch(
                        f"/v1/subscriptions/{sid}", json={"status": status}, headers=headers
                    )
                ).status_code == 200
        return cid

    await contact(
        "ann@example.com", {"name": "Ann Lee", "plan": "pro"}, {weekly: "active", offers: "unsubscribed"}
    )
    await contact(
        "bob@example.com",
        {"first_name": "Bob", "last_name": '=HYPERLINK("http://evil")', "note": "+1 call me", "n": -3},
        {offers: "active", gone: "active"},
    )
    await contact("carl@example.com", {}, {})
    dave = await contact("dave@example.com", {"name": "Dave"}, {weekly: "active"})
    assert (await svc.client.delete(f"/v1/contacts/{dave}", headers=h)).status_code == 204
    await contact("eve@example.com", {}, {weekly: "active"})
    await contact("zed@example.com", {}, {other_list: "active"}, headers=oh)
    assert (await svc.client.delete(f"/v1/lists/{gone}", headers=h)).status_code == 204

    r = await svc.client.get("/v1/contacts/export", headers=h)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert (
        r.headers["content-disposition"].startswith("attachment;")
        and ".csv" in r.headers["content-disposition"]
    )
    reader = csv.DictReader(io.StringIO(r.text))
    assert reader.fieldnames == ["email", "name", "created_at", "attributes", "lists"]
    rows = {row["email"]: row for row in reader}
    assert list(rows) == ["ann@example.com", "bob@example.com", "carl@example.com", "eve@example.com"]
    assert rows["ann@example.com"]["name"] == "Ann Lee" and rows["ann@example.com"]["created_at"]
    assert json.loads(rows["ann@example.com"]["attributes"]) == {"name": "Ann Lee", "plan": "pro"}
    assert rows["ann@example.com"]["lists"] == "Weekly news:active;Offers\\; big\\: deals:unsubscribed"
    bob = rows["bob@example.com"]
    assert bob["name"] == 'Bob =HYPERLINK("http://evil")'  # not at the start of the cell: harmless
    assert bob["lists"] == "Offers\\; big\\: deals:active"  # the deleted list is left out
    assert json.loads(bob["attributes"])["note"] == "+1 call me"  # a JSON object never starts with = + - @
    assert rows["carl@example.com"]["lists"] == "" and rows["carl@example.com"]["name"] == ""

    # a cell that starts like a formula gets a leading quote
    await svc.client.post(
        "/v1/contacts",
        json={"email": "mal@example.com", "attributes": {"name": "=cmd|' /C calc'!A0"}},
        headers=h,
    )
    await svc.client.post(
        "/v1/contacts", json={"email": "at@example.com", "attributes": {"name": "@SUM(1)"}}, headers=h
    )
    rows = {
        row["email"]: row
        for row in csv.DictReader(io.StringIO((await svc.client.get("/v1/contacts/export", headers=h)).text))
    }
    assert rows["mal@example.com"]["name"] == "'=cmd|' /C calc'!A0"
    assert rows["at@example.com"]["name"] == "'@SUM(1)"

    # one list's members with their status (the erased contact is not one of them any more)
    r = await svc.client.get("/v1/contacts/export", params={"list_id": offers}, headers=h)
    reader = csv.DictReader(io.StringIO(r.text))
    assert reader.fieldnames == ["email", "name", "created_at", "attributes", "status"]
    assert [(x["email"], x["status"]) for x in reader] == [
        ("ann@example.com", "unsubscribed"),
        ("bob@example.com", "active"),
    ]
    r = await svc.client.get("/v1/contacts/export", params={"list_id": weekly}, headers=h)
    assert [x["email"] for x in csv.DictReader(io.StringIO(r.text))] == ["ann@example.com", "eve@example.com"]
    for bad in (other_list, gone, 999_999):
        r = await svc.client.get("/v1/contacts/export", params={"list_id": bad}, headers=h)
        assert r.status_code == 404 and r.json() == {"error": "not_found", "detail": "list not found"}

    other = await svc.client.get("/v1/contacts/export", headers=oh)
    assert [x["email"] for x in csv.DictReader(io.StringIO(other.text))] == ["zed@example.com"]
    empty = await svc.client.get("/v1/contacts/export", headers=(await svc.project("Empty"))[1])
    assert empty.text.strip() == "email,name,created_at,attributes,lists"
    # the id routes next to it still work
    ann = (await svc.client.get("/v1/contacts", params={"email": "ann@example.com"}, headers=h)).json()[
        "data"
    ][0]
    assert (await svc.client.get(f"/v1/contacts/{ann['id']}", headers=h)).json()["email"] == "ann@example.com"


CONTACT_KEYS = {"id", "email", "attributes", "created_at", "updated_at", "erased_at"}
SUBSCRIPTION_KEYS = {"id", "list_id", "status", "paused_until", "consent_source", "created_at", "updated_at"}
CHANGE_KEYS = {
    "id",
    "subscription_id",
    "list_id",
    "contact_id",
    "previous_status",
    "status",
    "source",
    "detail",
}
CHANGE_KEYS |= {"campaign_id", "message_id", "at"}


async def test_contact_answers_keep_every_field(svc: Svc) -> None:
    """The response models filter the answers: each one still carries what the console and the client read."""
    _, h = await svc.project()
    lid = await svc.new_list(h)
    created = await svc.client.post("/v1/contacts", json={"email": "shape@example.com"}, headers=h)
    assert created.status_code == 201 and set(created.json()) == CONTACT_KEYS | {"subscriptions"}
    assert created.json()["subscriptions"] == [] and created.json()["erased_at"] is None
    cid = created.json()["id"]
    r = await svc.client.post(
        "/v1/subscriptions",
        json={
            "list_id": lid,
            "email": "shape@example.com",
            "status": "active",
            "consent_source": "crm export",
        },
        headers=h,
    )
    assert r.status_code in (200, 201), r.text
    one = (await svc.client.get(f"/v1/contacts/{cid}", headers=h)).json()
    assert set(one) == CONTACT_KEYS | {"subscriptions"}
    [sub] = one["subscriptions"]
    assert set(sub) == SUBSCRIPTION_KEYS
    assert (sub["list_id"], sub["status"], sub["consent_source"]) == (lid, "active", "crm export")
    patched = await svc.client.patch(
        f"/v1/contacts/{cid}", json={"attributes": {"k": [1, {"x": None}]}}, headers=h
    )
    assert set(patched.json()) == CONTACT_KEYS and patched.json()["attributes"] == {"k": [1, {"x": None}]}
    listed = (await svc.client.get("/v1/contacts", headers=h)).json()
    assert set(listed) == {"data", "next_cursor"} and [set(c) for c in listed["data"]] == [CONTACT_KEYS]
    changes = (await svc.client.get(f"/v1/contacts/{cid}/changes", headers=h)).json()
    assert changes["next_cursor"] is None and [set(c) for c in changes["data"]] == [CHANGE_KEYS]
    assert (changes["data"][0]["status"], changes["data"][0]["contact_id"]) == ("active", cid)
