"""Projects, API keys and lists through the HTTP API; cross-project isolation; bad input."""

from __future__ import annotations

import sqlalchemy as sa

from shared.api_keys import key_matches
from shared.models.core import ApiKey
from tests.subscriptions.conftest import Svc


async def test_project_and_keys(svc: Svc) -> None:
    r = await svc.client.post(
        "/admin/projects",
        json={"name": "Acme", "owner_email": "Boss@ACME.example.com"},
        headers=svc.headers(),
    )
    assert r.status_code == 201
    body = r.json()
    pid, key = body["project"]["id"], body["api_key"]["key"]
    assert key.startswith("ses_") and body["project"]["owner_email"] == "Boss@acme.example.com"
    async with svc.rt.uow() as s:
        stored = (await s.scalars(sa.select(ApiKey).where(ApiKey.project_id == pid))).one()
    assert key_matches(key, stored.key_hash) and key not in (stored.key_hash, stored.prefix)
    h = svc.headers(pid)

    r = await svc.client.patch(
        "/v1/project",
        json={
            "name": "Acme Inc",
            "settings": {
                "branding": {
                    "name": "ACME",
                    "primary_color": "#112233",
                    "logo_url": "https://acme.example.com/l.png",
                },
                "allowed_redirect_hosts": ["Acme.example.com"],
                "from_email": "news@acme.example.com",
                "guard": {"bounce_pause": 0.05},
            },
        },
        headers=h,
    )
    assert r.status_code == 200, r.text
    st = r.json()["settings"]
    assert st["branding"]["primary_color"] == "#112233" and st["allowed_redirect_hosts"] == [
        "acme.example.com"
    ]
    assert st["guard"] == {"bounce_pause": 0.05}
    r = await svc.client.patch(
        "/v1/project", json={"settings": {"branding": {"accent_color": "#abc"}}}, headers=h
    )
    assert r.json()["settings"]["branding"] == {
        "name": "ACME",
        "primary_color": "#112233",
        "logo_url": "https://acme.example.com/l.png",
        "accent_color": "#abc",
    }
    bad = await svc.client.patch(
        "/v1/project", json={"settings": {"branding": {"primary_color": "red"}}}, headers=h
    )
    assert bad.status_code == 422 and bad.json()["error"] == "validation_error"

    r = await svc.client.post("/v1/api-keys", json={"name": "ci"}, headers=h)
    assert r.status_code == 201 and r.json()["key"].startswith("ses_")
    kid = r.json()["id"]
    listed = (await svc.client.get("/v1/api-keys", headers=h)).json()["data"]
    assert len(listed) == 2 and all("key" not in k for k in listed)
    r = await svc.client.delete(f"/v1/api-keys/{kid}", headers=h)
    assert r.status_code == 200 and r.json()["revoked_at"]

    other, oh = await svc.project("Other")
    assert (await svc.client.delete(f"/v1/api-keys/{kid}", headers=oh)).status_code == 404
    assert (await svc.client.get("/v1/project", headers=oh)).json()["id"] == other


async def test_keys_last_used_reported_by_the_gateway(svc: Svc) -> None:
    """POST /admin/api-keys/last-used: internal token only; last_used_at only moves forward, never past now."""
    from datetime import UTC, datetime, timedelta, timezone

    pid, h = await svc.project()
    first = (await svc.client.get("/v1/api-keys", headers=h)).json()["data"][0]
    assert first["last_used_at"] is None
    second = (await svc.client.post("/v1/api-keys", json={"name": "ci"}, headers=h)).json()
    t1 = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC) - timedelta(days=3650)
    report = {"used": {str(first["id"]): t1.isoformat(), "999999": t1.isoformat()}}
    assert (await svc.client.post("/admin/api-keys/last-used", json=report)).status_code == 401
    r = await svc.client.post("/admin/api-keys/last-used", json=report, headers=svc.headers())
    assert r.status_code == 200 and r.json() == {"accepted": 2}

    def used(keys: list[dict]) -> dict[int, str | None]:  # type: ignore[type-arg]
        return {k["id"]: k["last_used_at"] for k in keys}

    keys = used((await svc.client.get("/v1/api-keys", headers=h)).json()["data"])
    assert datetime.fromisoformat(keys[first["id"]]) == t1 and keys[second["id"]] is None
    # an older report (another replica's, late) changes nothing; a newer one moves it forward
    older = {"used": {str(first["id"]): (t1 - timedelta(hours=1)).isoformat()}}
    await svc.client.post("/admin/api-keys/last-used", json=older, headers=svc.headers())
    keys = used((await svc.client.get("/v1/api-keys", headers=h)).json()["data"])
    assert datetime.fromisoformat(keys[first["id"]]) == t1
    t2 = t1 + timedelta(minutes=5)
    in_cest = t2.astimezone(timezone(timedelta(hours=2))).isoformat()  # any offset
    await svc.client.post(
        "/admin/api-keys/last-used", json={"used": {str(first["id"]): in_cest}}, headers=svc.headers()
    )
    keys = used((await svc.client.get("/v1/api-keys", headers=h)).json()["data"])
    assert keys[first["id"]] == t2.isoformat()
    # a time ahead of the service's clock counts as now
    ahead = {"used": {str(second["id"]): (datetime.now(UTC) + timedelta(days=365)).isoformat()}}
    await svc.client.post("/admin/api-keys/last-used", json=ahead, headers=svc.headers())
    keys = used((await svc.client.get("/v1/api-keys", headers=h)).json()["data"])
    assert datetime.fromisoformat(keys[second["id"]]) <= datetime.now(UTC)
    # the admin read shows it too
    admin = (await svc.client.get(f"/admin/projects/{pid}", headers=svc.headers())).json()
    assert {k["id"]: k["last_used_at"] for k in admin["api_keys"]} == keys
    for bad in (
        {"used": {str(first["id"]): "2024-01-01T00:00:00"}},  # no offset: ambiguous
        {"used": {"abc": t1.isoformat()}},
        {"used": []},
        {"used": {str(i): t1.isoformat() for i in range(10_001)}},
    ):
        r = await svc.client.post("/admin/api-keys/last-used", json=bad, headers=svc.headers())
        assert r.status_code == 422, bad
    r = await svc.client.post("/admin/api-keys/last-used", json={"used": {}}, headers=svc.headers())
    assert r.status_code == 200 and r.json() == {"accepted": 0}


async def test_internal_token_required(svc: Svc) -> None:
    pid, h = await svc.project()
    assert (await svc.client.get("/v1/lists", headers={"x-sesame-project-id": str(pid)})).status_code == 401
    wrong = {"x-sesame-internal-token": "nope", "x-sesame-project-id": str(pid)}
    assert (await svc.client.get("/v1/lists", headers=wrong)).status_code == 401
    assert (await svc.client.get("/admin/projects")).status_code == 401
    assert (await svc.client.get("/public/lists/1/form")).status_code == 401
    assert (await svc.client.get("/v1/project", headers=svc.headers(999999))).status_code == 404


async def test_lists_crud_isolation_and_pagination(svc: Svc) -> None:
    pid, h = await svc.project()
    _, oh = await svc.project("Other")
    r = await svc.client.post(
        "/v1/lists",
        json={
            "name": "Weekly",
            "form_settings": {"captcha": {"provider": "altcha"}, "redirect_url": "https://a.example.com/x"},
        },
        headers=h,
    )
    assert r.status_code == 201
    lst = r.json()
    assert lst["double_optin"] is True and lst["form_settings"]["honeypot"] is True
    assert lst["public"] is True
    lid = lst["id"]
    assert (await svc.client.get(f"/v1/lists/{lid}", headers=oh)).status_code == 404
    assert (await svc.client.patch(f"/v1/lists/{lid}", json={"name": "x"}, headers=oh)).status_code == 404
    assert (await svc.client.delete(f"/v1/lists/{lid}", headers=oh)).status_code == 404
    r = await svc.client.patch(
        f"/v1/lists/{lid}", json={"name": "Weekly news", "double_optin": False}, headers=h
    )
    assert r.json()["name"] == "Weekly news" and r.json()["double_optin"] is False
    assert r.json()["public"] is True  # a patch without `public` leaves it
    r = await svc.client.patch(f"/v1/lists/{lid}", json={"public": False}, headers=h)
    assert r.json()["public"] is False
    assert (await svc.client.get(f"/v1/lists/{lid}", headers=h)).json()["public"] is False
    r = await svc.client.patch(f"/v1/lists/{lid}", json={"public": None}, headers=h)
    assert r.json()["public"] is False  # null = leave as it is, like the other fields
    await svc.client.patch(f"/v1/lists/{lid}", json={"public": True}, headers=h)
    private = await svc.client.post("/v1/lists", json={"name": "VIP", "public": False}, headers=h)
    assert private.status_code == 201 and private.json()["public"] is False
    bad = await svc.client.post(
        "/v1/lists", json={"name": "x", "form_settings": {"captcha": {"provider": "magic"}}}, headers=h
    )
    assert bad.status_code == 422
    malformed = await svc.client.post(
        "/v1/lists", content=b"{not json", headers={**h, "content-type": "application/json"}
    )
    assert malformed.status_code == 422
    huge = await svc.client.post(
        "/v1/lists", content=b"x" * 2_000_000, headers={**h, "content-type": "application/json"}
    )
    assert huge.status_code == 413

    for i in range(4):
        await svc.new_list(h, name=f"L{i}")
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await svc.client.get("/v1/lists", params=params, headers=h)).json()
        seen += [x["id"] for x in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 6 == len(set(seen))
    assert (await svc.client.get("/v1/lists", params={"cursor": "garbage!"}, headers=h)).status_code == 400

    form = await svc.client.get(f"/public/lists/{lid}/form", headers=svc.headers())
    assert form.status_code == 200
    f = form.json()
    assert (
        f["list"]["name"] == "Weekly news"
        and f["project"]["id"] == pid
        and f["form_settings"]["captcha"]["provider"] == "altcha"
    )
    assert (await svc.client.delete(f"/v1/lists/{lid}", headers=h)).status_code == 204
    assert (await svc.client.get(f"/v1/lists/{lid}", headers=h)).status_code == 404
    assert (await svc.client.get(f"/public/lists/{lid}/form", headers=svc.headers())).status_code == 404


async def test_list_locale_is_one_of_the_shipped_ones(svc: Svc) -> None:
    _, h = await svc.project()
    r = await svc.client.post(
        "/v1/lists", json={"name": "Nouvelles", "form_settings": {"locale": "fr"}}, headers=h
    )
    assert r.status_code == 201 and r.json()["form_settings"]["locale"] == "fr"
    r = await svc.client.post(
        "/v1/lists", json={"name": "x", "form_settings": {"locale": "klingon"}}, headers=h
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "locale" and "fr" in r.json()["detail"][0]["msg"]
    r = await svc.client.post("/v1/lists", json={"name": "y", "form_settings": {"locale": ""}}, headers=h)
    assert r.status_code == 201 and "locale" not in r.json()["form_settings"]
