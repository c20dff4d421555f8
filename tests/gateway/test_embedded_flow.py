"""The gateway in front of the real services (embedded mode): signup with ALTCHA, confirm from the captured mail,
preferences, a real campaign's List-Unsubscribe one-click POST, API auth with real keys — database checked."""

from __future__ import annotations

import re
from datetime import date, timedelta

import httpx

from tests.gateway.embedded import (
    CONFIRM_RE,
    PREFS_RE,
    bootstrap_project,
    captured_mail,
    embedded_app,
    mail_text,
    solve_altcha,
    subscription_rows,
)

PUBLIC = "http://testserver"


async def test_signup_confirm_preferences_one_click_through_the_real_services(
    sqlite_url, settings_for
) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(sqlite_url, public_url=PUBLIC)
    async with embedded_app(settings) as app:
        pid, key = await bootstrap_project(app)
        transport = httpx.ASGITransport(app=app, client=("198.51.100.7", 5000))
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC) as c:
            auth = {"Authorization": f"Bearer {key}"}
            r = await c.patch(
                "/v1/project",
                json={
                    "settings": {
                        "branding": {"name": "Acme <News>", "primary_color": "#aa3300"},
                        "allowed_redirect_hosts": ["acme.example"],
                    }
                },
                headers=auth,
            )
            assert r.status_code == 200, r.text
            r = await c.post(
                "/v1/lists",
                json={"name": "Weekly <b>news</b>", "form_settings": {"captcha": {"provider": "altcha"}}},
                headers=auth,
            )
            assert r.status_code == 201, r.text
            news = r.json()["id"]
            r = await c.post("/v1/lists", json={"name": "Offers"}, headers=auth)
            offers = r.json()["id"]

            page = await c.get(f"/f/{news}")
            assert page.status_code == 200 and "Weekly &lt;b&gt;news&lt;/b&gt;" in page.text
            assert "Acme &lt;News&gt;" in page.text and "--brand:#aa3300" in page.text

            # no captcha → refused, nothing written
            r = await c.post(f"/f/{news}", data={"email": "ann@example.com"})
            assert r.status_code == 400
            assert await subscription_rows(sqlite_url, "ann@example.com") == {}

            challenge = (await c.get("/altcha/challenge")).json()
            r = await c.post(
                f"/f/{news}", data={"email": "ann@example.com", "altcha": solve_altcha(challenge)}
            )
            assert r.status_code == 303
            assert await subscription_rows(sqlite_url, "ann@example.com") == {news: ("pending", None)}

            mail = await captured_mail(c, key, "ann@example.com", subject_has="Confirm")
            text = mail_text(mail)
            confirm = CONFIRM_RE.search(text).group(0)  # type: ignore[union-attr]
            prefs = PREFS_RE.search(text).group(0)  # type: ignore[union-attr]
            confirm_path = confirm.removeprefix(PUBLIC)

            r = await c.get(confirm_path)  # a link scanner: nothing changes
            assert r.status_code == 200
            assert (await subscription_rows(sqlite_url, "ann@example.com"))[news][0] == "pending"
            r = await c.post(confirm_path)
            assert r.status_code == 200 and "Subscription confirmed" in r.text
            assert (await subscription_rows(sqlite_url, "ann@example.com"))[news][0] == "active"
            r = await c.post(confirm_path)
            assert "already subscribed" in r.text

            prefs_path = prefs.removeprefix(PUBLIC)
            r = await c.get(prefs_path)
            assert r.status_code == 200 and "Offers" in r.text and "Weekly &lt;b&gt;news&lt;/b&gt;" in r.text
            until = (date.today() + timedelta(days=20)).isoformat()
            r = await c.post(prefs_path, data={"action": "pause", "list_id": str(news), "until": until})
            assert r.status_code == 200, r.text
            status, paused_until = (await subscription_rows(sqlite_url, "ann@example.com"))[news]
            assert status == "paused" and str(paused_until).startswith(until)
            # pausing a list one is not on: refused with a reason, nothing changes
            r = await c.post(prefs_path, data={"action": "pause", "list_id": str(offers), "until": until})
            assert r.status_code == 409 and 'role="alert"' in r.text
            r = await c.post(prefs_path, data={"action": "resubscribe", "list_id": str(news)})
            assert (await subscription_rows(sqlite_url, "ann@example.com"))[news][0] == "active"

            # a real campaign: its List-Unsubscribe URL, POSTed as a mail provider does
            r = await c.post(
                "/v1/campaigns",
                json={
                    "name": "Nov",
                    "list_ids": [news],
                    "subject": "November news",
                    "html": "<p>Hello</p>",
                    "send_now": True,
                },
                headers=auth,
            )
            assert r.status_code == 201, r.text
            campaign = await captured_mail(c, key, "ann@example.com", subject_has="November")
            assert campaign["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            url = re.search(r"<(https?://[^>]+/u/[^>]+)>", str(campaign["List-Unsubscribe"])).group(1)  # type: ignore[union-attr]
            one_click = url.removeprefix(PUBLIC)
            assert one_click.startswith("/u/")
            r = await c.get(one_click)
            assert r.status_code == 200
            assert (await subscription_rows(sqlite_url, "ann@example.com"))[news][0] == "active"
            for _ in range(2):  # idempotent
                r = await c.post(
                    one_click,
                    content=b"List-Unsubscribe=One-Click",
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                assert r.status_code == 200 and "location" not in r.headers and "set-cookie" not in r.headers
            assert (await subscription_rows(sqlite_url, "ann@example.com"))[news][0] == "unsubscribed"


async def test_api_keys_against_the_real_subscriptions_service(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(sqlite_url, public_url=PUBLIC)
    async with embedded_app(settings, api_key_cache_seconds=0.0) as app:
        pid, key = await bootstrap_project(app)
        _, other_key = await bootstrap_project(app, "Other")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
            auth = {"Authorization": f"Bearer {key}"}
            r = await c.post("/v1/lists", json={"name": "Mine"}, headers=auth)
            assert r.status_code == 201
            lid = r.json()["id"]
            # another project's key sees a 404, never the resource
            r = await c.get(f"/v1/lists/{lid}", headers={"X-Api-Key": other_key})
            assert r.status_code == 404
            r = await c.post("/v1/api-keys", json={"name": "second"}, headers=auth)
            assert r.status_code == 201, r.text
            second, second_id = r.json()["key"], r.json()["id"]
            assert (
                await c.get("/v1/lists", headers={"Authorization": f"Bearer {second}"})
            ).status_code == 200
            r = await c.delete(f"/v1/api-keys/{second_id}", headers=auth)
            assert r.status_code in (200, 204), r.text
            assert (
                await c.get("/v1/lists", headers={"Authorization": f"Bearer {second}"})
            ).status_code == 401
            assert (await c.get("/v1/lists")).status_code == 401
            doc = (await c.get("/openapi.json")).json()
            assert (
                "/v1/lists" in doc["paths"]
                and "/v1/campaigns" in doc["paths"]
                and "/v1/guard" in doc["paths"]
            )
            assert not any(p.startswith(("/public", "/admin")) for p in doc["paths"])


async def test_dashboard_with_the_real_services(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(sqlite_url, public_url=PUBLIC)
    async with embedded_app(settings) as app:
        await bootstrap_project(app, "Acme")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
            r = await c.post("/admin/login", data={"password": settings.security.admin_password})
            assert r.status_code == 303
            html = (await c.get("/admin")).text
            assert "Acme" in html and html.count('<svg class="chart"') == 3
            assert "sandbox" in html  # the sender's mode in the quota panel
            assert "unavailable" not in html


async def test_form_fields_texts_and_branding_set_through_the_api(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(sqlite_url, public_url=PUBLIC)
    async with embedded_app(settings) as app:
        _, key = await bootstrap_project(app)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
            auth = {"Authorization": f"Bearer {key}"}
            r = await c.post(
                "/v1/lists",
                headers=auth,
                json={
                    "name": "Club",
                    "form_settings": {
                        "fields": [{"name": "first_name", "label": "Your first name"}],
                        "title": "Join <the> club",
                        "button_label": "Count me in",
                        "branding": {"primary_color": "#123456", "name": "Club <Brand>"},
                        "redirect_url": "https://club.example/welcome",
                    },
                },
            )
            assert r.status_code == 201, r.text
            lid = r.json()["id"]
            page = await c.get(f"/f/{lid}")
            assert "Your first name" in page.text and "Join &lt;the&gt; club" in page.text
            assert (
                "Count me in" in page.text
                and "--brand:#123456" in page.text
                and "Club &lt;Brand&gt;" in page.text
            )
            # redirect host not in the project's allowed hosts → ignored
            r = await c.post(f"/f/{lid}", data={"email": "bo@example.com", "first_name": "Bo"})
            assert r.status_code == 303 and r.headers["location"] == f"/f/{lid}/thanks"
            r = await c.patch(
                "/v1/project", headers=auth, json={"settings": {"allowed_redirect_hosts": ["club.example"]}}
            )
            assert r.status_code == 200, r.text
            app.state.gateway.forget("form:")
            r = await c.post(f"/f/{lid}", data={"email": "cy@example.com", "first_name": "Cy"})
            assert r.headers["location"] == "https://club.example/welcome"
            r = await c.get("/v1/contacts", headers=auth, params={"email": "bo@example.com"})
            assert r.status_code == 200, r.text
            assert "Bo" in r.text
