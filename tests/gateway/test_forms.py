"""Signup forms over HTTP: rendering, honeypot, rate limits, captcha (ALTCHA, Turnstile stand-in), XSS, redirects."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator
from typing import Any

import altcha
import pytest
from aiohttp import web

LIST = {"id": 7, "name": "Weekly news", "description": "Once a week", "double_optin": True}


def lists_with(**form_settings: Any) -> dict[int, dict[str, Any]]:
    return {7: {**LIST, "form_settings": form_settings}}


def subscribe_calls(h) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [json.loads(c["body"]) for c in h.subs.calls if c["path"] == "/public/lists/7/subscribe"]


async def solved_altcha(client) -> str:  # type: ignore[no-untyped-def]
    r = await client.get("/altcha/challenge")
    assert r.status_code == 200
    challenge = altcha.Challenge.from_dict(r.json())
    solution = altcha.solve_challenge(challenge)
    assert solution is not None
    payload = {"challenge": r.json(), "solution": solution.to_dict()}
    return base64.b64encode(json.dumps(payload).encode()).decode()


async def test_form_page_renders_accessible_form_with_headers(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.get("/f/7")
        assert r.status_code == 200
        html = r.text
        assert '<label for="email-7">Email address</label>' in html
        assert 'name="hp_comment"' in html and 'tabindex="-1"' in html
        assert 'action="/f/7"' in html and 'method="post"' in html
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors *" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "x-frame-options" not in r.headers  # the hosted form may be framed
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        nonce = re.search(r"<style nonce=\"([^\"]+)\"", html).group(1)  # type: ignore[union-attr]
        assert f"'nonce-{nonce}'" in csp
        assert "<script>" not in html  # no inline script at all
        embed = await h.client.get("/f/7/embed")
        assert embed.status_code == 200 and 'action="http://127.0.0.1:8025/f/7"' in embed.text
        assert "frame-ancestors *" in embed.headers["content-security-policy"]
        # every other page refuses framing
        other = await h.client.get("/confirm/abc")
        assert other.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in other.headers["content-security-policy"]


async def test_unknown_list_is_404(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        assert (await h.client.get("/f/999")).status_code == 404
        assert (await h.client.get("/f/abc")).status_code == 404
        r = await h.client.post("/api/forms/999/subscribe", json={"email": "a@example.com"})
        assert r.status_code == 404


async def test_plain_form_post_without_captcha_forwards_and_shows_check_inbox(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway(lists=lists_with(fields=["first_name"])) as h:
        r = await h.client.post(
            "/f/7", data={"email": " Ann@Example.COM ", "first_name": "Ann", "hp_comment": ""}
        )
        assert r.status_code == 303 and r.headers["location"] == "/f/7/thanks"
        assert subscribe_calls(h) == [
            {"email": "Ann@example.com", "attributes": {"first_name": "Ann"}, "source": "form"}
        ]
        page = await h.client.get(r.headers["location"])
        assert "Check your inbox" in page.text


async def test_honeypot_is_answered_like_success_but_never_forwarded(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.post("/f/7", data={"email": "bot@example.com", "hp_comment": "http://spam"})
        assert r.status_code == 303
        r = await h.client.post(
            "/api/forms/7/subscribe", json={"email": "bot@example.com", "hp_comment": "x"}
        )
        assert r.status_code == 202
        assert subscribe_calls(h) == []


async def test_rate_limit_per_ip(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway(signup_per_ip_per_minute=3, signup_per_email_per_hour=100) as h:
        codes = [
            (await h.client.post("/f/7", data={"email": f"u{i}@example.com"})).status_code for i in range(5)
        ]
        assert codes == [303, 303, 303, 429, 429]
        r = await h.client.post("/api/forms/7/subscribe", json={"email": "z@example.com"})
        assert (
            r.status_code == 429 and r.json()["error"] == "too_many_requests" and "retry-after" in r.headers
        )
        assert len(subscribe_calls(h)) == 3


async def test_rate_limit_per_email(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway(signup_per_ip_per_minute=100, signup_per_email_per_hour=2) as h:
        codes = [
            (await h.client.post("/f/7", data={"email": "Same@example.com"})).status_code for _ in range(3)
        ]
        assert codes == [303, 303, 429]
        # the address is normalised before counting: another spelling of the domain counts too
        r = await h.client.post("/api/forms/7/subscribe", json={"email": "Same@EXAMPLE.com"})
        assert r.status_code == 429
        assert (await h.client.post("/f/7", data={"email": "other@example.com"})).status_code == 303


async def test_invalid_email_rerenders_form_with_error(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.post("/f/7", data={"email": "not-an-address"})
        assert r.status_code == 422 and 'role="alert"' in r.text and 'value="not-an-address"' in r.text
        r = await h.client.post("/api/forms/7/subscribe", json={"email": "nope"})
        assert r.status_code == 422 and r.json()["error"] == "invalid_email"
        assert subscribe_calls(h) == []


async def test_altcha_required_bad_and_replayed_solutions_refused(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway(lists=lists_with(captcha={"provider": "altcha"})) as h:
        page = await h.client.get("/f/7")
        assert "<altcha-widget" in page.text and "/static/altcha/altcha.min.js" in page.text
        # missing
        r = await h.client.post("/f/7", data={"email": "a@example.com"})
        assert r.status_code == 400 and "captcha" in r.text.lower()
        # a wrong solution: valid signed challenge, derived key tampered with
        good = await solved_altcha(h.client)
        data = json.loads(base64.b64decode(good))
        data["solution"]["derivedKey"] = "00" * 32
        bad = base64.b64encode(json.dumps(data).encode()).decode()
        r = await h.client.post("/f/7", data={"email": "a@example.com", "altcha": bad})
        assert r.status_code == 400
        # a forged challenge (not signed by us)
        forged = altcha.create_challenge(
            "PBKDF2/SHA-256", 10, counter=3, hmac_secret="attacker", hmac_key_secret="x"
        )
        sol = altcha.solve_challenge(forged)
        fake = base64.b64encode(
            json.dumps({"challenge": forged.to_dict(), "solution": sol.to_dict()}).encode()
        ).decode()
        r = await h.client.post("/api/forms/7/subscribe", json={"email": "a@example.com", "captcha": fake})
        assert r.status_code == 400 and r.json()["error"] == "captcha_failed"
        assert subscribe_calls(h) == []
        # the right one works once
        r = await h.client.post("/f/7", data={"email": "a@example.com", "altcha": good})
        assert r.status_code == 303
        r = await h.client.post("/f/7", data={"email": "b@example.com", "altcha": good})
        assert r.status_code == 400 and "already used" in r.text
        assert [c["email"] for c in subscribe_calls(h)] == ["a@example.com"]


async def test_json_endpoint_enforces_altcha_like_the_form(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway(lists=lists_with(captcha={"provider": "altcha"})) as h:
        r = await h.client.post("/api/forms/7/subscribe", json={"email": "a@example.com"})
        assert r.status_code == 400 and r.json()["error"] == "captcha_failed"
        payload = await solved_altcha(h.client)
        r = await h.client.post("/api/forms/7/subscribe", json={"email": "a@example.com", "altcha": payload})
        assert r.status_code == 202 and r.json() == {"status": "check_inbox"}
        assert len(subscribe_calls(h)) == 1


@pytest.fixture
async def turnstile_standin() -> AsyncIterator[dict[str, Any]]:
    """A local siteverify: success only for the response token "pass"."""
    seen: dict[str, Any] = {"calls": []}

    async def verify(request: web.Request) -> web.Response:
        form = await request.post()
        seen["calls"].append(dict(form))
        ok = form.get("response") == "pass" and form.get("secret") == "ts-secret"
        body = {"success": ok} if ok else {"success": False, "error-codes": ["invalid-input-response"]}
        return web.json_response(body)

    app = web.Application()
    app.router.add_post("/siteverify", verify)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    seen["url"] = f"http://127.0.0.1:{port}/siteverify"
    yield seen
    await runner.cleanup()


async def test_turnstile_standin_saying_no_refuses_signup(make_gateway, turnstile_standin) -> None:  # type: ignore[no-untyped-def]
    lists = lists_with(captcha={"provider": "turnstile", "site_key": "0x4AAA"})
    async with make_gateway(lists=lists, turnstile_verify_url=turnstile_standin["url"]) as h:
        page = await h.client.get("/f/7")
        assert 'data-sitekey="0x4AAA"' in page.text
        assert "https://challenges.cloudflare.com" in page.headers["content-security-policy"]
        r = await h.client.post("/f/7", data={"email": "a@example.com", "cf-turnstile-response": "fail"})
        assert r.status_code == 400
        r = await h.client.post("/api/forms/7/subscribe", json={"email": "a@example.com", "captcha": "fail"})
        assert r.status_code == 400
        assert subscribe_calls(h) == []
        r = await h.client.post("/f/7", data={"email": "a@example.com", "cf-turnstile-response": "pass"})
        assert r.status_code == 303
        assert len(subscribe_calls(h)) == 1
        last = turnstile_standin["calls"][-1]
        assert last == {"secret": "ts-secret", "response": "pass", "remoteip": "203.0.113.5"}


async def test_captcha_provider_down_refuses_rather_than_skips(make_gateway) -> None:  # type: ignore[no-untyped-def]
    lists = lists_with(captcha={"provider": "hcaptcha", "site_key": "k"})
    async with make_gateway(
        lists=lists, hcaptcha_secret="s", hcaptcha_verify_url="http://127.0.0.1:1/verify"
    ) as h:
        r = await h.client.post("/f/7", data={"email": "a@example.com", "h-captcha-response": "x"})
        assert r.status_code == 400
        assert subscribe_calls(h) == []


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


async def test_xss_in_list_names_and_branding_is_escaped(make_gateway) -> None:  # type: ignore[no-untyped-def]
    project = {
        "id": 1,
        "name": XSS,
        "branding": {
            "name": XSS,
            "primary_color": "red;}</style><script>alert(1)</script>",
            "background_color": "#fff",
            "logo_url": 'javascript:alert(1)"',
        },
        "allowed_redirect_hosts": [],
    }
    lists = {
        7: {
            **LIST,
            "name": XSS,
            "description": XSS,
            "form_settings": {
                "title": XSS,
                "fields": [{"name": "first_name", "label": XSS}, {"name": 'bad"name', "label": "x"}],
            },
        }
    }
    async with make_gateway(lists=lists, project=project) as h:
        for url in ("/f/7", "/f/7/embed"):
            html = (await h.client.get(url)).text
            assert "<script>alert" not in html and "<img src=x" not in html
            assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
            assert "javascript:" not in html
            assert "--brand:#1f5fbf" in html  # invalid colour replaced by the default
            assert 'name="bad' not in html
        assert "--bg:#fff" in (await h.client.get("/f/7")).text
        r = await h.client.post("/f/7", data={"email": '"><script>alert(1)</script>@x'})
        assert "<script>alert(1)" not in r.text
        thanks = (await h.client.get("/f/7/thanks")).text
        assert "<script>alert" not in thanks


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/x",
        "https://acme.example.evil.example/",
        "https://evil.example\\@acme.example/",
        "https://user@acme.example/",
        "javascript:alert(1)//acme.example",
        "/\\evil.example",
        "https://acme.example\r\nSet-Cookie: x=1",
    ],
)
async def test_open_redirect_attempts_are_ignored(make_gateway, target: str) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway(lists=lists_with(redirect_url=target)) as h:
        r = await h.client.post("/f/7", data={"email": "a@example.com", "redirect_to": target})
        assert r.status_code == 303 and r.headers["location"] == "/f/7/thanks"


async def test_redirect_to_an_allowed_host(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway(lists=lists_with(redirect_url="https://acme.example/thanks?x=1")) as h:
        page = await h.client.get("/f/7")
        assert "form-action 'self' https://acme.example" in page.headers["content-security-policy"]
        r = await h.client.post("/f/7", data={"email": "a@example.com"})
        assert r.status_code == 303 and r.headers["location"] == "https://acme.example/thanks?x=1"
        r = await h.client.post(
            "/f/7", data={"email": "b@example.com", "redirect_to": "https://ACME.example/welcome"}
        )
        assert r.headers["location"] == "https://ACME.example/welcome"


async def test_cors_only_for_allowed_origins(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.options("/api/forms/7/subscribe", headers={"Origin": "https://acme.example"})
        assert r.headers["access-control-allow-origin"] == "https://acme.example"
        r = await h.client.options("/api/forms/7/subscribe", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers


async def test_oversized_form_post_is_413(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway(form_max_body_bytes=1000) as h:
        r = await h.client.post("/f/7", data={"email": "a@example.com", "first_name": "x" * 5000})
        assert r.status_code == 413
        assert subscribe_calls(h) == []


async def test_static_assets_and_challenge_can_be_used_by_the_embedded_snippet(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.get("/static/altcha/altcha.min.js")
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
        assert r.headers["x-content-type-options"] == "nosniff" and "javascript" in r.headers["content-type"]
        r = await h.client.get("/static/altcha/LICENSE.txt")
        assert "MIT" in r.text
        r = await h.client.get("/altcha/challenge")
        assert r.headers["access-control-allow-origin"] == "*" and r.headers["cache-control"] == "no-store"
        assert r.json()["parameters"]["algorithm"] == "PBKDF2/SHA-256" and r.json()["signature"]
        assert (await h.client.get("/static/../app.py")).status_code == 404


async def test_signup_api_attributes_are_strings_of_the_lists_fields_only(make_gateway) -> None:  # type: ignore[no-untyped-def]
    """JSON and form-encoded alike: only the list's fields, only strings, capped, without what no column can hold
    (NUL, a lone surrogate); whatever else is sent is ignored — never a 500, never a wrong reason."""
    async with make_gateway(lists=lists_with(fields=["first_name", "city"])) as h:
        url = "/api/forms/7/subscribe"
        hostile = {
            "first_name": {"nested": "x"},
            "city": [1, 2],
            "role": "owner",
            "email": "evil@example.com",
        }
        r = await h.client.post(url, json={"email": "a@example.com", "attributes": hostile})
        assert r.status_code == 202, r.text
        r = await h.client.post(url, json={"email": "b@example.com", "attributes": ["first_name", "x"]})
        assert r.status_code == 202, r.text
        r = await h.client.post(
            url, json={"email": "c@example.com", "attributes": {"first_name": 7, "city": None}}
        )
        assert r.status_code == 202, r.text
        raw = (
            b'{"email":"d@example.com","attributes":{"first_name":"A\\u0000da\\ud800","city":"'
            + b"x" * 500
            + b'"}}'
        )
        r = await h.client.post(url, content=raw, headers={"content-type": "application/json"})
        assert r.status_code == 202, r.text
        # form-encoded: the fields by name, as the hosted form posts them
        r = await h.client.post(url, data={"email": "e@example.com", "first_name": "Bo", "role": "owner"})
        assert r.status_code == 202, r.text
        huge = {"email": "f@example.com", "attributes": {f"k{i}": "v" for i in range(5000)}}
        r = await h.client.post(url, json=huge)
        assert r.status_code == 413 and r.json()["error"] == "payload_too_large"
        r = await h.client.post(url, json={"email": {"a": 1}, "attributes": {}})
        assert r.status_code == 422 and r.json()["error"] == "invalid_email"
        assert subscribe_calls(h) == [
            {"email": "a@example.com", "attributes": {}, "source": "form"},
            {"email": "b@example.com", "attributes": {}, "source": "form"},
            {"email": "c@example.com", "attributes": {}, "source": "form"},
            {
                "email": "d@example.com",
                "attributes": {"first_name": "Ada", "city": "x" * 200},
                "source": "form",
            },
            {"email": "e@example.com", "attributes": {"first_name": "Bo"}, "source": "form"},
        ]


async def test_signup_api_without_captcha_on_a_captcha_list_is_refused_in_both_encodings(
    make_gateway,
) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway(lists=lists_with(captcha={"provider": "altcha"})) as h:
        url = "/api/forms/7/subscribe"
        for kw in ({"data": {"email": "a@example.com"}}, {"data": {"email": "a@example.com", "altcha": ""}},
                   {"json": {"email": "a@example.com", "captcha": {"solved": True}}},
                   {"json": {"email": "a@example.com", "captcha": "bm90IGEgc29sdXRpb24="}}):  # fmt: skip
            r = await h.client.post(url, **kw)
            assert r.status_code == 400 and r.json()["error"] == "captcha_failed", (kw, r.text)
        assert subscribe_calls(h) == []
