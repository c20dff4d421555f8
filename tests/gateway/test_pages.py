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
        assert [c["method"] for c in h.subs.calls] == ["GET", "GET", "GET"]
        # the button: result page, not a redirect
        r = await h.client.post("/u/good", data={"confirm": "yes"})
        assert r.status_code == 200 and "You are unsubscribed" in r.text
        assert posts(h, "/public/unsubscribe/good") == [{"source": "link"}]


async def test_confirm_get_shows_a_button_and_post_confirms(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.get("/confirm/good")
        assert r.status_code == 200 and 'action="/confirm/good"' in r.text and "<button" in r.text
        assert "Weekly news" in r.text and "Acme" in r.text  # names the list and the sender
        # link scanners fetching the URL change nothing: the page only reads the link's state
        assert [(c["method"], c["path"]) for c in h.subs.calls] == [("GET", "/public/confirm/good")]
        r = await h.client.post("/confirm/good")
        assert r.status_code == 200 and "Subscription confirmed" in r.text and "Weekly news" in r.text
        assert posts(h, "/public/confirm") == [{"token": "good"}]
        assert 'href="/p/good"' in r.text  # the preference page, from the answer's token


async def test_confirm_get_with_a_bad_token_says_so_and_offers_no_button(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        for token in ("garbage", "tampered.sig"):
            r = await h.client.get(f"/confirm/{token}")
            assert r.status_code == 400 and "not valid" in r.text
            assert "<button" not in r.text and "<form" not in r.text
        r = await h.client.get("/confirm/expired")
        assert (
            r.status_code == 410 and 'action="/confirm/expired/resend"' in r.text and "Weekly news" in r.text
        )
        r = await h.client.get("/confirm/done")
        assert r.status_code == 200 and "already subscribed" in r.text and "<button" not in r.text
        r = await h.client.get("/confirm/left")
        assert r.status_code == 409 and "<button" not in r.text
        assert all(c["method"] == "GET" for c in h.subs.calls)


async def test_footer_names_the_sender_once(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.get("/confirm/good")
        assert "Sent by Acme</footer>" in r.text and "with Sesame" not in r.text
        assert '<html lang="en" dir="ltr">' in r.text


async def test_unsubscribe_page_offers_a_pause_and_the_result_a_way_back(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.get("/u/good")
        assert r.text.count('name="action" value="pause"') == 2 and 'action="/p/good"' in r.text
        assert "Pause for 30 days" in r.text and "Pause for 90 days" in r.text
        until = r.text.split('name="until" value="')[1].split('"')[0]
        r = await h.client.post("/p/good", data={"action": "pause", "list_id": "7", "until": until})
        assert r.status_code == 200
        assert posts(h, "/public/preferences/good")[-1]["action"] == "pause"
        r = await h.client.post("/u/good", data={"confirm": "yes"})
        assert 'name="action" value="resubscribe"' in r.text and 'href="/p/good"' in r.text


async def test_thanks_page_links_back_to_the_form(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.get("/f/7/thanks")
        assert r.status_code == 200 and 'href="/f/7"' in r.text


async def test_browsers_get_html_error_pages_and_api_clients_json(make_gateway) -> None:  # type: ignore[no-untyped-def]
    browser = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    async with make_gateway() as h:
        r = await h.client.get("/no/such/page", headers=browser)
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert "Page not found" in r.text and "default-src 'none'" in r.headers["content-security-policy"]
        r = await h.client.get("/no/such/page")
        assert r.status_code == 404 and r.json()["error"] == "not_found"
        r = await h.client.get("/no/such/page", headers={"accept": "application/json"})
        assert r.json()["error"] == "not_found"
        r = await h.client.get("/api/nothing", headers=browser)
        assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")
        r = await h.client.put("/confirm/good", headers=browser)
        assert r.status_code == 405 and r.headers["content-type"].startswith("text/html")


async def test_expired_confirm_offers_resend(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.post("/confirm/expired")
        assert r.status_code == 410 and 'action="/confirm/expired/resend"' in r.text
        assert "Weekly news" in r.text and "Sent by Acme" in r.text  # branded and naming the list, as on GET
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
