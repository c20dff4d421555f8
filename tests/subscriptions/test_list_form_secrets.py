"""A list's captcha secret is write-only: answers say `secret_set`, a PATCH without it keeps the stored one for
the same provider, `""` removes it, another provider drops it; the gateway's internal form read still has it."""

from __future__ import annotations

from tests.subscriptions.conftest import Svc


async def _stored_secret(svc: Svc, lid: int) -> str | None:
    r = await svc.client.get(f"/public/lists/{lid}/form", headers=svc.headers())
    assert r.status_code == 200, r.text
    return r.json()["form_settings"].get("captcha", {}).get("secret")


async def test_captcha_secret_is_write_only_and_kept(svc: Svc) -> None:
    _, h = await svc.project()
    turnstile = {"provider": "turnstile", "site_key": "0x4AAA", "secret": "0x4BBB"}
    r = await svc.client.post(
        "/v1/lists", json={"name": "News", "form_settings": {"captcha": turnstile}}, headers=h
    )
    assert r.status_code == 201, r.text
    lid = r.json()["id"]
    assert r.json()["form_settings"]["captcha"] == {
        "provider": "turnstile",
        "site_key": "0x4AAA",
        "secret_set": True,
    }
    for answer in (
        (await svc.client.get(f"/v1/lists/{lid}", headers=h)).json(),
        (await svc.client.get("/v1/lists", headers=h)).json()["data"][0],
    ):
        assert "0x4BBB" not in str(answer) and answer["form_settings"]["captcha"]["secret_set"] is True
    assert await _stored_secret(svc, lid) == "0x4BBB"

    # an answer sent back as it is (secret_set included, no secret): accepted, the secret kept
    settings = (await svc.client.get(f"/v1/lists/{lid}", headers=h)).json()["form_settings"]
    r = await svc.client.patch(
        f"/v1/lists/{lid}", json={"form_settings": {**settings, "title": "Hi"}}, headers=h
    )
    assert r.status_code == 200, r.text
    assert r.json()["form_settings"]["title"] == "Hi" and await _stored_secret(svc, lid) == "0x4BBB"

    # a new secret replaces it; "" removes it
    new = {"captcha": {"provider": "turnstile", "site_key": "0x4AAA", "secret": "0x4CCC"}}
    assert (
        await svc.client.patch(f"/v1/lists/{lid}", json={"form_settings": new}, headers=h)
    ).status_code == 200
    assert await _stored_secret(svc, lid) == "0x4CCC"
    gone = {"captcha": {"provider": "turnstile", "site_key": "0x4AAA", "secret": ""}}
    r = await svc.client.patch(f"/v1/lists/{lid}", json={"form_settings": gone}, headers=h)
    assert r.json()["form_settings"]["captcha"]["secret_set"] is False
    assert await _stored_secret(svc, lid) is None

    # another provider does not inherit the old provider's secret
    assert (
        await svc.client.patch(f"/v1/lists/{lid}", json={"form_settings": new}, headers=h)
    ).status_code == 200
    other = {"captcha": {"provider": "hcaptcha", "site_key": "10000000-ffff"}}
    r = await svc.client.patch(f"/v1/lists/{lid}", json={"form_settings": other}, headers=h)
    assert r.json()["form_settings"]["captcha"] == {
        "provider": "hcaptcha",
        "site_key": "10000000-ffff",
        "secret_set": False,
    }
    assert await _stored_secret(svc, lid) is None
