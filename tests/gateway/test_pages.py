"""Subscriber pages over HTTP: RFC 8058 one-click exactly as mail providers send it, confirm, preferences."""

from __future__ import annotations

import json
from typing import Any


def posts(h, path: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [json.loads(c["body"]) for c in h.subs.calls if c["method"] == "POST" and c["path"] == path]


async def test_one_click_urlencoded_exactly_as_gmail_sends_it(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        # RFC 8058 §8.1 / Gmail: no cookie, no auth, Content-Length 26
        r = await h.client.post(
            "/u/good",
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "26"},
        )
        assert r.status_code == 200
        assert "location" not in r.headers and "set-cookie" not in r.headers
        assert posts(h, "/public/unsubscribe/good") == [{"source": "one_click"}]
        # idempotent: the provider may retry
        r2 = await h.client.post(
            "/u/good",
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert r2.status_code == 200
        assert len(posts(h, "/public/unsubscribe/good")) == 2


async def test_one_click_multipart_as_in_rfc_8058_section_8_3(make_gateway) -> None:  # type: ignore[no-untyped-def]
    body = (
        b"-----FormBoundaryjWmhtjORrn\r\n"
        b'Content-Disposition: form-data; name="List-Unsubscribe"\r\n'
        b"\r\n"
        b"One-Click\r\n"
        b"-----FormBoundaryjWmhtjORrn--\r\n"
    )
    async with make_gateway() as h:
        r = await h.client.post(
            "/u/good",
            content=body,
            headers={"Content-Type": "multipart/form-data; boundary=---FormBoundaryjWmhtjORrn"},
        )
        assert r.status_code == 200 and "location" not in r.headers
        assert posts(h, "/public/unsubscribe/good") == [{"source": "one_click"}]


async def test_one_click_tolerates_an_empty_body_and_refuses_bad_tokens(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.post("/u/good")
        assert r.status_code == 200
        r = await h.client.post(
            "/u/tampered",
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert r.status_code == 400
        r = await h.client.post(
            "/u/<script>",
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert r.status_code in (400, 404)


async def test_unsubscribe_landing_get_never_changes_state(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.get("/u/good")
        assert r.status_code == 200
        assert "Unsubscribe" in r.text and 'name="confirm" value="yes"' in r.text
        assert "ann@example.com" in r.text and "Weekly news" in r.text
        assert [c["method"] for c in h.subs.calls] == ["GET"]
        # link scanners also send HEAD: answered, nothing changes
        assert (await h.client.head("/u/good")).status_code == 200
        assert (await h.client.head("/confirm/good")).status_code == 200
        assert [c["method"] for c in h.subs.calls] == ["GET", "GET"]
        # the button: result page, not a redirect
        r = await h.client.post("/u/good", data={"confirm": "yes"})
        assert r.status_code == 200 and "You are unsubscribed" in r.text
        assert posts(h, "/public/unsubscribe/good") == [{"source": "link"}]


async def test_confirm_get_shows_a_button_and_post_confirms(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.get("/confirm/good")
        assert r.status_code == 200 and 'action="/confirm/good"' in r.text and "<button" in r.text
        assert h.subs.calls == []  # link scanners fetching the URL change nothing
        r = await h.client.post("/confirm/good")
        assert r.status_code == 200 and "Subscription confirmed" in r.text and "Weekly news" in r.text
        assert posts(h, "/public/confirm") == [{"token": "good"}]


async def test_expired_confirm_offers_resend(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.post("/confirm/expired")
        assert r.status_code == 410 and 'action="/confirm/expired/resend"' in r.text
        r = await h.client.post("/confirm/expired/resend")
        assert r.status_code == 200 and "Check your inbox" in r.text
        assert posts(h, "/public/confirm/resend") == [{"token": "expired"}]
        r = await h.client.post("/confirm/tampered")
        assert r.status_code == 400 and "not valid" in r.text


async def test_preferences_show_lists_and_apply_actions(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.get("/p/good")
        assert r.status_code == 200 and "Weekly news" in r.text and 'name="until"' in r.text
        assert "Leave all lists" in r.text
        r = await h.client.post("/p/good", data={"action": "pause", "list_id": "7", "until": "2001-01-01"})
        assert r.status_code == 422 and "future" in r.text
        r = await h.client.post("/p/good", data={"action": "pause", "list_id": "7", "until": "2099-01-01"})
        assert r.status_code == 422  # more than a year ahead
        r = await h.client.post("/p/good", data={"action": "explode", "list_id": "7"})
        assert r.status_code == 422
        assert posts(h, "/public/preferences/good") == []
        from datetime import date, timedelta

        day = (date.today() + timedelta(days=30)).isoformat()
        r = await h.client.post("/p/good", data={"action": "pause", "list_id": "7", "until": day})
        assert r.status_code == 200 and "Paused" in r.text
        r = await h.client.post("/p/good", data={"action": "unsubscribe", "list_id": "7"})
        assert "You left the list" in r.text and "Join Weekly news" in r.text
        r = await h.client.post("/p/good", data={"action": "resubscribe", "list_id": "7"})
        assert "confirm" in r.text
        r = await h.client.post("/p/good", data={"action": "unsubscribe_all"})
        assert r.status_code == 200
        assert posts(h, "/public/preferences/good") == [
            {"action": "pause", "list_id": 7, "until": f"{day}T00:00:00+00:00"},
            {"action": "unsubscribe", "list_id": 7},
            {"action": "resubscribe", "list_id": 7},
            {"action": "unsubscribe_all"},
        ]


async def test_bad_preference_token_is_a_clear_400_page(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.get("/p/nope")
        assert r.status_code == 400 and "not valid" in r.text


async def test_pages_when_subscriptions_is_down(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway(drop=("subscriptions",)) as h:
        r = await h.client.get("/p/good")
        assert r.status_code == 503
        r = await h.client.post(
            "/u/good",
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert r.status_code == 503
        r = await h.client.get("/f/7")
        assert r.status_code == 503
