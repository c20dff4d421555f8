"""The signup route (a plain Starlette route on the hot path) refuses what the FastAPI routes refuse, the same way."""

from __future__ import annotations

import pytest

from tests.subscriptions.conftest import Svc


async def test_refusals(svc: Svc) -> None:
    _, h = await svc.project()
    lid = await svc.new_list(h)
    url = f"/public/lists/{lid}/subscribe"
    ok = {"email": "ann@example.com"}

    r = await svc.client.post(url, json=ok)
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    r = await svc.client.post(url, json=ok, headers={"x-sesame-internal-token": "wrong"})
    assert r.status_code == 401

    r = await svc.client.post("/public/lists/abc/subscribe", json=ok, headers=svc.headers())
    assert r.status_code == 422
    assert r.json()["error"] == "validation_error" and r.json()["detail"][0]["loc"] == ["path", "list_id"]

    for body, loc in [({}, ["body", "email"]), ({"email": "a" * 400}, ["body", "email"]),
                      ({"email": "a@example.com", "source": "import"}, ["body", "source"]),
                      ({"email": "a@example.com", "attributes": []}, ["body", "attributes"])]:  # fmt: skip
        r = await svc.client.post(url, json=body, headers=svc.headers())
        assert r.status_code == 422, body
        assert r.json()["error"] == "validation_error" and r.json()["detail"][0]["loc"] == loc, r.json()
    r = await svc.client.post(
        url, content=b"{not json", headers={**svc.headers(), "content-type": "application/json"}
    )
    assert r.status_code == 422 and r.json()["error"] == "validation_error"

    r = await svc.client.post("/public/lists/999999/subscribe", json=ok, headers=svc.headers())
    assert r.status_code == 404 and r.json() == {"error": "not_found", "detail": "list not found"}
    r = await svc.client.post(url, json={"email": "not-an-address"}, headers=svc.headers())
    assert r.status_code == 422 and r.json()["error"] == "invalid_email"
    r = await svc.client.post(url, json={**ok, "attributes": {"k": {"nested": 1}}}, headers=svc.headers())
    assert r.status_code == 422

    r = await svc.client.post(url, json={**ok, "unknown": "ignored"}, headers=svc.headers())
    assert (r.status_code, r.json()) == (202, {"status": "check_inbox"})


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_answer_is_the_same_whatever_the_address_state(svc: Svc) -> None:
    _, h = await svc.project()
    lid = await svc.new_list(h)
    assert (
        await svc.client.post("/v1/suppressions", json={"email": "sup@example.com"}, headers=h)
    ).status_code == 201
    answers = set()
    for email in ["new@example.com", "new@example.com", "NEW@example.com", "sup@example.com"]:
        r = await svc.client.post(
            f"/public/lists/{lid}/subscribe", json={"email": email}, headers=svc.headers()
        )
        answers.add((r.status_code, r.text))
    assert answers == {(202, '{"status":"check_inbox"}')}
