"""Double opt-in end to end with the confirmation mail captured from the bus; tokens; preferences; unsubscribe."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from unittest import mock

import itsdangerous.timed
import sqlalchemy as sa

from shared.links import CONFIRM, PREFERENCES, UNSUBSCRIBE, LinkTarget, make_token
from shared.models.subscriptions import Contact, Subscription, SubscriptionChange
from tests.subscriptions.conftest import Svc, confirm_token


async def _state(svc: Svc) -> tuple[int, int, list[tuple[str | None, str, str]]]:
    async with svc.rt.uow() as s:
        contacts = await s.scalar(sa.select(sa.func.count()).select_from(Contact))
        subs = await s.scalar(sa.select(sa.func.count()).select_from(Subscription))
        changes = (
            await s.execute(
                sa.select(
                    SubscriptionChange.previous_status, SubscriptionChange.status, SubscriptionChange.source
                ).order_by(SubscriptionChange.id)
            )
        ).all()
    return int(contacts or 0), int(subs or 0), [tuple(c) for c in changes]  # type: ignore[misc]


async def test_double_optin_end_to_end(svc: Svc) -> None:
    pid, h = await svc.project()
    lid = await svc.new_list(h, name="Weekly")
    pub = svc.headers()
    r = await svc.client.post(
        f"/public/lists/{lid}/subscribe",
        json={"email": " Ann@Example.COM ", "attributes": {"name": "Ann"}},
        headers=pub,
    )
    assert r.status_code == 202 and r.json() == {"status": "check_inbox"}
    await svc.settle(mails=1)
    mail = svc.mails[0]
    assert mail["to"] == "Ann@example.com" and mail["kind"] == "transactional" and mail["project_id"] == pid
    assert "https://mail.example.org/confirm/" in mail["text"] and "Weekly" in mail["subject"]
    token = confirm_token(mail)

    # pending: the subscription is not active yet; a second signup inside the cooldown sends nothing new
    subs = (await svc.client.get("/v1/subscriptions", params={"list_id": lid}, headers=h)).json()["data"]
    assert [s["status"] for s in subs] == ["pending"]
    r = await svc.client.post(
        f"/public/lists/{lid}/subscribe", json={"email": "ann@example.com"}, headers=pub
    )
    assert r.status_code == 202 and r.json() == {"status": "check_inbox"}
    await svc.settle()
    assert len(svc.mails) == 1

    r = await svc.client.post("/public/confirm", json={"token": token}, headers=pub)
    assert r.status_code == 200, r.text
    assert r.json()["result"] == "confirmed" and r.json()["list"] == {
        "id": lid,
        "name": "Weekly",
        "locale": None,
    }
    r = await svc.client.post("/public/confirm", json={"token": token}, headers=pub)
    assert r.json()["result"] == "already_confirmed"

    # an active address: same answer, no mail, nothing revealed
    r = await svc.client.post(
        f"/public/lists/{lid}/subscribe", json={"email": "ann@example.com"}, headers=pub
    )
    assert r.status_code == 202 and r.json() == {"status": "check_inbox"}
    await svc.settle()
    assert len(svc.mails) == 1
    contacts, nsubs, changes = await _state(svc)
    assert (contacts, nsubs) == (1, 1)
    assert changes == [(None, "pending", "form"), ("pending", "active", "confirmation")]
    keys = [e.routing_key for e in svc.events]
    assert "subscription.pending" in keys and "subscription.confirmed" in keys


async def test_resend_after_cooldown_and_for_expired_token(svc: Svc, sub_settings) -> None:  # type: ignore[no-untyped-def]
    _, h = await svc.project()
    lid = await svc.new_list(h)
    pub = svc.headers()
    await svc.client.post(f"/public/lists/{lid}/subscribe", json={"email": "bob@example.com"}, headers=pub)
    await svc.settle(mails=1)
    token = confirm_token(svc.mails[0])
    # resend inside the cooldown: 202, no mail
    r = await svc.client.post("/public/confirm/resend", json={"token": token}, headers=pub)
    assert r.status_code == 202
    await svc.settle()
    assert len(svc.mails) == 1
    sub_settings.resend_cooldown_seconds = 0
    r = await svc.client.post(
        f"/public/lists/{lid}/subscribe", json={"email": "bob@example.com"}, headers=pub
    )
    await svc.settle(mails=2)
    assert svc.mails[1]["idempotency_key"] != svc.mails[0]["idempotency_key"]

    # an expired (but authentic) token: 410 expired_token, and it can ask for a fresh mail
    old = time.time() - 8 * 86400
    with mock.patch.object(itsdangerous.timed.time, "time", return_value=old):
        expired = confirm_token(svc.mails[1])
        target = LinkTarget(svc.mails[1]["project_id"], svc.mails[1]["contact_id"], lid)
        expired = make_token(svc.rt.tokens, CONFIRM, target)
    r = await svc.client.post("/public/confirm", json={"token": expired}, headers=pub)
    assert r.status_code == 410 and r.json()["error"] == "expired_token"
    r = await svc.client.post("/public/confirm/resend", json={"token": expired}, headers=pub)
    assert r.status_code == 202
    await svc.settle(mails=3)
    r = await svc.client.post("/public/confirm", json={"token": confirm_token(svc.mails[2])}, headers=pub)
    assert r.json()["result"] == "confirmed"


async def test_bad_tokens_change_nothing(svc: Svc) -> None:
    pid, h = await svc.project()
    lid = await svc.new_list(h)
    pub = svc.headers()
    await svc.client.post(f"/public/lists/{lid}/subscribe", json={"email": "eve@example.com"}, headers=pub)
    await svc.settle(mails=1)
    token = confirm_token(svc.mails[0])
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for bad in (tampered, "", "x" * 5000, "not-a-token"):
        r = await svc.client.post("/public/confirm", json={"token": bad}, headers=pub)
        assert r.status_code in (400, 422), (bad[:20], r.text)
    target = LinkTarget(pid, svc.mails[0]["contact_id"], lid)
    wrong_purpose = make_token(svc.rt.tokens, UNSUBSCRIBE, target)
    r = await svc.client.post("/public/confirm", json={"token": wrong_purpose}, headers=pub)
    assert r.status_code == 400 and r.json()["error"] == "invalid_token"
    r = await svc.client.get(
        f"/public/preferences/{token}", headers=pub
    )  # a confirm token is no preferences token
    assert r.status_code == 400
    r = await svc.client.post(f"/public/unsubscribe/{token}", json={"source": "one_click"}, headers=pub)
    assert r.status_code == 400
    # a token naming another project's list does not confirm anything
    other, oh = await svc.project("Other")
    olid = await svc.new_list(oh)
    forged = make_token(svc.rt.tokens, CONFIRM, LinkTarget(other, svc.mails[0]["contact_id"], olid))
    assert (await svc.client.post("/public/confirm", json={"token": forged}, headers=pub)).status_code == 404
    r = await svc.client.post(f"/public/lists/{lid}/subscribe", json={"email": "not an address"}, headers=pub)
    assert r.status_code == 422 and r.json()["error"] == "invalid_email"
    assert (
        await svc.client.post("/public/lists/999999/subscribe", json={"email": "a@example.com"}, headers=pub)
    ).status_code == 404
    subs = (await svc.client.get("/v1/subscriptions", headers=h)).json()["data"]
    assert [s["status"] for s in subs] == ["pending"]


async def test_preferences_and_unsubscribe(svc: Svc) -> None:
    pid, h = await svc.project()
    a = await svc.new_list(h, name="A")
    b = await svc.new_list(h, name="B")
    c = await svc.new_list(h, name="C", double_optin=False)
    r = await svc.client.post(
        "/v1/subscriptions",
        json={
            "list_id": a,
            "email": "sue@example.com",
            "status": "active",
            "consent_source": "paper form 2024",
        },
        headers=h,
    )
    assert r.status_code == 201 and r.json()["status"] == "active"
    contact_id = r.json()["contact_id"]
    await svc.client.post(
        "/v1/subscriptions",
        json={
            "list_id": b,
            "contact_id": contact_id,
            "status": "active",
            "consent_source": "paper form 2024",
        },
        headers=h,
    )
    pub = svc.headers()
    token = make_token(svc.rt.tokens, PREFERENCES, LinkTarget(pid, contact_id))
    prefs = (await svc.client.get(f"/public/preferences/{token}", headers=pub)).json()
    assert prefs["email"] == "sue@example.com"
    assert [(x["name"], x["status"]) for x in prefs["lists"]] == [
        ("A", "active"),
        ("B", "active"),
        ("C", None),
    ]

    until = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    r = await svc.client.post(
        f"/public/preferences/{token}", json={"action": "pause", "list_id": a, "until": until}, headers=pub
    )
    assert r.status_code == 200
    assert r.json()["lists"][0]["status"] == "paused" and r.json()["lists"][0]["paused_until"]
    bad = await svc.client.post(
        f"/public/preferences/{token}",
        json={"action": "pause", "list_id": a, "until": "2000-01-01T00:00:00Z"},
        headers=pub,
    )
    assert bad.status_code == 422
    r = await svc.client.post(
        f"/public/preferences/{token}", json={"action": "unsubscribe", "list_id": b}, headers=pub
    )
    assert r.json()["lists"][1]["status"] == "unsubscribed"
    # re-joining needs double opt-in again, even on a list without it
    r = await svc.client.post(
        f"/public/preferences/{token}", json={"action": "resubscribe", "list_id": b}, headers=pub
    )
    assert r.json()["lists"][1]["status"] == "pending"
    r = await svc.client.post(
        f"/public/preferences/{token}", json={"action": "resubscribe", "list_id": c}, headers=pub
    )
    assert r.json()["lists"][2]["status"] == "pending"
    await svc.settle(mails=2)

    # unsubscribe link: GET never changes state, POST is idempotent
    utoken = make_token(svc.rt.tokens, UNSUBSCRIBE, LinkTarget(pid, contact_id, a))
    g = await svc.client.get(f"/public/unsubscribe/{utoken}", headers=pub)
    assert g.status_code == 200 and g.json()["status"] == "paused" and g.json()["list"]["id"] == a
    for _ in range(2):
        p = await svc.client.post(f"/public/unsubscribe/{utoken}", json={"source": "one_click"}, headers=pub)
        assert (
            p.status_code == 200
            and p.json()["result"] == "unsubscribed"
            and p.json()["status"] == "unsubscribed"
        )
    all_token = make_token(svc.rt.tokens, UNSUBSCRIBE, LinkTarget(pid, contact_id))
    assert (await svc.client.get(f"/public/unsubscribe/{all_token}", headers=pub)).json()[
        "status"
    ] == "subscribed"
    r = await svc.client.post(f"/public/unsubscribe/{all_token}", headers=pub)
    assert r.json()["status"] == "unsubscribed"
    changes = (await svc.client.get(f"/v1/contacts/{contact_id}/changes", headers=h)).json()["data"]
    sources = [(c["list_id"], c["status"], c["source"]) for c in changes]
    assert (a, "paused", "preferences") in sources and (a, "unsubscribed", "one_click") in sources
    assert (b, "unsubscribed", "link") in sources and (c, "unsubscribed", "link") in sources

    # another project's key never sees this contact
    _, oh = await svc.project("Other")
    assert (await svc.client.get(f"/v1/contacts/{contact_id}", headers=oh)).status_code == 404
    assert (await svc.client.get(f"/v1/contacts/{contact_id}/changes", headers=oh)).status_code == 404


async def test_api_active_needs_consent(svc: Svc) -> None:
    _, h = await svc.project()
    lid = await svc.new_list(h)
    r = await svc.client.post(
        "/v1/subscriptions", json={"list_id": lid, "email": "x@example.com", "status": "active"}, headers=h
    )
    assert r.status_code == 422
    r = await svc.client.post("/v1/subscriptions", json={"list_id": lid, "email": "x@example.com"}, headers=h)
    assert r.status_code == 201 and r.json()["status"] == "pending" and r.json()["confirmation_sent"] is True
    sid = r.json()["id"]
    r = await svc.client.patch(f"/v1/subscriptions/{sid}", json={"status": "active"}, headers=h)
    assert r.status_code == 422 and r.json()["error"] == "consent_source_required"
    r = await svc.client.patch(
        f"/v1/subscriptions/{sid}",
        json={"status": "active", "consent_source": "phone call 2024-05-01"},
        headers=h,
    )
    assert (
        r.status_code == 200
        and r.json()["status"] == "active"
        and r.json()["consent_source"] == "phone call 2024-05-01"
    )
    changes = (await svc.client.get(f"/v1/subscriptions/{sid}/changes", headers=h)).json()["data"]
    assert [(c["status"], c["source"]) for c in changes] == [("pending", "api"), ("active", "api")]
    assert (
        await svc.client.post(
            "/v1/subscriptions", json={"list_id": 424242, "email": "x@example.com"}, headers=h
        )
    ).status_code == 404


async def test_list_without_double_optin(svc: Svc) -> None:
    _, h = await svc.project()
    lid = await svc.new_list(h, double_optin=False)
    r = await svc.client.post(
        f"/public/lists/{lid}/subscribe", json={"email": "quick@example.com"}, headers=svc.headers()
    )
    assert r.status_code == 202 and r.json() == {"status": "check_inbox"}
    await svc.settle()
    assert svc.mails == []
    subs = (
        await svc.client.get("/v1/subscriptions", params={"list_id": lid, "status": "active"}, headers=h)
    ).json()["data"]
    assert [s["email"] for s in subs] == ["quick@example.com"]
    changes = (await svc.client.get(f"/v1/subscriptions/{subs[0]['id']}/changes", headers=h)).json()["data"]
    assert [(c["previous_status"], c["status"], c["source"]) for c in changes] == [(None, "active", "form")]
    # the API can still insist on double opt-in for one subscription
    r = await svc.client.post(
        "/v1/subscriptions",
        json={"list_id": lid, "email": "slow@example.com", "status": "pending"},
        headers=h,
    )
    assert r.json()["status"] == "pending" and r.json()["confirmation_sent"] is True
    await svc.settle(mails=1)
    assert (
        await svc.client.get("/v1/subscriptions", params={"status": "bogus"}, headers=h)
    ).status_code == 422


async def test_private_lists_on_the_preference_page(svc: Svc) -> None:
    """A private list never appears on the preference page, even to its members; they may still leave it there
    (a mail's own form), never pause or join it; unsubscribe_all covers it."""
    pid, h = await svc.project()
    public = await svc.new_list(h, name="Public")
    mine = await svc.new_list(h, name="Private, mine", public=False)
    other = await svc.new_list(h, name="Private, not mine", public=False)
    r = await svc.client.post(
        "/v1/subscriptions",
        json={"list_id": mine, "email": "pat@example.com", "status": "active", "consent_source": "crm"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    contact_id = r.json()["contact_id"]
    pub = svc.headers()
    token = make_token(svc.rt.tokens, PREFERENCES, LinkTarget(pid, contact_id))

    def shown(body: dict) -> list[tuple[str, str | None]]:  # type: ignore[type-arg]
        return [(x["name"], x["status"]) for x in body["lists"]]

    prefs = await svc.client.get(f"/public/preferences/{token}", headers=pub)
    assert shown(prefs.json()) == [("Public", None)]

    # a private list the contact is not on is an unknown list, whatever the action; nothing changes
    for body in (
        {"action": "resubscribe", "list_id": other},
        {"action": "unsubscribe", "list_id": other},
        {"action": "pause", "list_id": other, "until": (datetime.now(UTC) + timedelta(days=3)).isoformat()},
    ):
        r = await svc.client.post(f"/public/preferences/{token}", json=body, headers=pub)
        assert r.status_code == 404 and r.json() == {"error": "not_found", "detail": "list not found"}, (body, r.text)
    subs = (await svc.client.get(f"/v1/subscriptions?contact_id={contact_id}", headers=h)).json()["data"]
    assert [(s["list_id"], s["status"]) for s in subs] == [(mine, "active")]

    # the private list it is on cannot be paused from here, only left
    until = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    r = await svc.client.post(
        f"/public/preferences/{token}", json={"action": "pause", "list_id": mine, "until": until}, headers=pub
    )
    assert r.status_code == 404 and r.json() == {"error": "not_found", "detail": "list not found"}
    r = await svc.client.post(
        f"/public/preferences/{token}", json={"action": "unsubscribe", "list_id": mine}, headers=pub
    )
    assert r.status_code == 200 and shown(r.json()) == [("Public", None)]
    again = await svc.client.post(
        f"/public/preferences/{token}", json={"action": "unsubscribe", "list_id": mine}, headers=pub
    )
    assert again.status_code == 200  # leaving twice (a resent form) is harmless
    r = await svc.client.post(
        f"/public/preferences/{token}", json={"action": "resubscribe", "list_id": mine}, headers=pub
    )
    assert r.status_code == 404 and r.json() == {"error": "not_found", "detail": "list not found"}  # no way back in by oneself

    # unsubscribe_all still ends every subscription, private lists included
    await svc.client.post(
        "/v1/subscriptions",
        json={"list_id": other, "contact_id": contact_id, "status": "active", "consent_source": "crm"},
        headers=h,
    )
    await svc.client.post(
        "/v1/subscriptions",
        json={"list_id": public, "contact_id": contact_id, "status": "active", "consent_source": "crm"},
        headers=h,
    )
    shown_before = shown((await svc.client.get(f"/public/preferences/{token}", headers=pub)).json())
    assert shown_before == [("Public", "active")]  # the private list it is now on stays hidden
    r = await svc.client.post(f"/public/preferences/{token}", json={"action": "unsubscribe_all"}, headers=pub)
    assert r.status_code == 200 and shown(r.json()) == [("Public", "unsubscribed")]
    subs = (await svc.client.get(f"/v1/subscriptions?contact_id={contact_id}", headers=h)).json()["data"]
    assert {s["status"] for s in subs} == {"unsubscribed"} and len(subs) == 3


async def test_confirm_view_reads_a_link_without_changing_it(svc: Svc) -> None:
    pid, h = await svc.project()
    lid = await svc.new_list(h, name="Weekly")
    pub = svc.headers()
    await svc.client.post(f"/public/lists/{lid}/subscribe", json={"email": "vi@example.com"}, headers=pub)
    await svc.settle(mails=1)
    token = confirm_token(svc.mails[0])
    before = await _state(svc)
    r = await svc.client.get(f"/public/confirm/{token}", headers=pub)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["list"] == {"id": lid, "name": "Weekly", "locale": None} and body["status"] == "pending"
    assert body["expired"] is False and body["project"]["id"] == pid
    assert await _state(svc) == before  # a GET changes nothing
    for bad in (token[:-3] + "AAA", "not-a-token"):
        r = await svc.client.get(f"/public/confirm/{bad}", headers=pub)
        assert r.status_code == 400 and r.json()["error"] == "invalid_token"
    old = time.time() - 30 * 86400
    with mock.patch.object(itsdangerous.timed.time, "time", return_value=old):
        expired = make_token(svc.rt.tokens, CONFIRM, LinkTarget(pid, svc.mails[0]["contact_id"], lid))
    r = await svc.client.get(f"/public/confirm/{expired}", headers=pub)
    assert r.status_code == 200 and r.json()["expired"] is True
    # the confirm answer carries the preference-page token of the same contact
    r = await svc.client.post("/public/confirm", json={"token": token}, headers=pub)
    prefs = r.json()["preferences_token"]
    r = await svc.client.get(f"/public/preferences/{prefs}", headers=pub)
    assert r.status_code == 200 and r.json()["email"] == "vi@example.com"
