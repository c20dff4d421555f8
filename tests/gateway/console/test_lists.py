"""Console lists: the table with counts, create / edit / delete through the console with the API checked after,
the captcha secret never shown, bad input refused next to its field with nothing written, names escaped
everywhere, private lists kept off other subscribers' preference pages, viewers refused on every POST."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from shared.models.console import AuditEntry
from tests.gateway.console.in_browser import console_in_browser, drop_refused, log_in, shoot
from tests.gateway.console.support import ConsoleClient, add_member
from tests.gateway.embedded import (
    CONFIRM_RE,
    PREFS_RE,
    bootstrap_project,
    captured_mail,
    mail_text,
    solve_altcha,
)
from tests.gateway.test_browser import UNLABELLED_INPUTS

LOCATION_RE = re.compile(r"^/admin/p/(\d+)/lists/(\d+)\?flash=")

FULL_FORM: dict[str, str] = {
    "name": "Weekly news",
    "description": "One email a week.",
    "double_optin": "on",
    "public": "on",
    "captcha_provider": "altcha",
    "captcha_site_key": "",
    "captcha_secret": "",
    "honeypot": "on",
    "title": "Join the weekly",
    "intro": "Short and useful.",
    "button_label": "Sign me up",
    "redirect_url": "",
    "fields": "first_name:First name\ncompany",
    "brand_name": "Acme Weekly",
    "logo_url": "",
    "primary_color": "#0b6e4f",
    "primary_color_was": "",
    "primary_color_pick": "#0b6e4f",
    "primary_color_pick_was": "#1f5fbf",
    "accent_color": "",
    "accent_color_was": "",
    "accent_color_pick": "#1f5fbf",
    "accent_color_pick_was": "#1f5fbf",
    "background_color": "",
    "background_color_was": "",
    "background_color_pick": "#ffffff",
    "background_color_pick_was": "#ffffff",
    "text_color": "",
    "text_color_was": "",
    "text_color_pick": "#1a1d21",
    "text_color_pick_was": "#1a1d21",
}


def _api(console_system) -> tuple[httpx.AsyncClient, dict[str, str]]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=console_system.app, client=("198.51.100.40", 5000))
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    return client, {"Authorization": f"Bearer {console_system.api_key}"}


async def _get_list(console_system, lid: int) -> httpx.Response:  # type: ignore[no-untyped-def]
    api, auth = _api(console_system)
    async with api:
        return await api.get(f"/v1/lists/{lid}", headers=auth)


async def _all_lists(console_system) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    api, auth = _api(console_system)
    async with api:
        r = await api.get("/v1/lists", headers=auth)
        assert r.status_code == 200, r.text
        return list(r.json()["data"])


async def _stored_form(console_system, lid: int) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Form settings with the captcha secret, as the gateway reads them (internal route)."""
    resp = await console_system.app.state.gateway.upstreams.request(
        "subscriptions", "GET", f"/public/lists/{lid}/form"
    )
    assert resp.status == 200
    return dict(resp.json()["form_settings"])


async def _create(admin: ConsoleClient, pid: int, **data: str) -> int:
    r = await admin.post(f"/admin/p/{pid}/lists", {"double_optin": "on", "public": "on", **data})
    assert r.status_code == 303, r.text[:2000]
    m = LOCATION_RE.match(r.headers["location"])
    assert m, r.headers["location"]
    return int(m.group(2))


async def _audit(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    async with app.state.runtime.sessionmaker() as db:
        rows = (await db.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))).all()
    return [(a.action, a.target) for a in rows]


def _error_of(html: str, name: str) -> str:
    m = re.search(rf'<p class="error" id="e-{name}">([^<]*)</p>', html)
    assert m, f"no error next to {name}"
    return m.group(1)


async def test_create_edit_delete_through_the_console(console_system) -> None:  # type: ignore[no-untyped-def]
    admin, pid = console_system.admin, console_system.project_id
    r = await admin.get(f"/admin/p/{pid}/lists")
    assert r.status_code == 200 and "No lists yet" in r.text and "Create list" in r.text
    # the new-list form starts with double opt-in, public and ALTCHA
    assert re.search(r'id="f-double_optin"[^>]*checked', r.text)
    assert re.search(r'id="f-public"[^>]*checked', r.text)
    assert '<option value="altcha" selected>' in r.text

    lid = await _create(admin, pid, name="Weekly news", description="One a week", captcha_provider="altcha")
    got = (await _get_list(console_system, lid)).json()
    assert (got["name"], got["description"], got["double_optin"], got["public"]) == (
        "Weekly news",
        "One a week",
        True,
        True,
    )
    assert got["form_settings"]["captcha"]["provider"] == "altcha"
    # unticked boxes: single opt-in, private, no captcha
    vip = await _create(admin, pid, name="VIP", captcha_provider="none", double_optin="", public="")
    got = (await _get_list(console_system, vip)).json()
    assert (got["double_optin"], got["public"], got["form_settings"]["captcha"]["provider"]) == (
        False,
        False,
        "none",
    )

    index = await admin.get(f"/admin/p/{pid}/lists")
    assert "Weekly news" in index.text and "VIP" in index.text and "private" in index.text
    assert f'href="http://testserver/f/{lid}"' in index.text

    # the edit page: settings, hosted URL, the frame snippet and the HTML snippet (the same as /f/{id}/embed)
    page = await admin.get(f"/admin/p/{pid}/lists/{lid}")
    assert page.status_code == 200
    assert f'<a href="http://testserver/f/{lid}" id="form-url">' in page.text
    assert f"&lt;iframe src=&#34;http://testserver/f/{lid}&#34;" in page.text
    assert f"action=&#34;http://testserver/f/{lid}&#34;" in page.text  # the form's HTML, shown as text
    assert 'data-copy="snippet-html"' in page.text and 'data-copy="snippet-iframe"' in page.text
    embed = await admin.get(f"/f/{lid}/embed")
    assert "altcha-widget" in embed.text and "altcha-widget" in page.text

    # save everything: keyed captcha with its secret, texts, extra fields, branding (picker moved, no script)
    form = {
        **FULL_FORM,
        "captcha_provider": "turnstile",
        "captcha_site_key": "0x4AAAsite",
        "captcha_secret": "0x4BBBsecret-value",
        "primary_color": "",
        "primary_color_pick": "#0b6e4f",
        "background_color": "#fafafa",
    }
    r = await admin.post(f"/admin/p/{pid}/lists/{lid}", form)
    assert r.status_code == 303, r.text[:3000]
    got = (await _get_list(console_system, lid)).json()
    fs = got["form_settings"]
    assert fs["captcha"] == {"provider": "turnstile", "site_key": "0x4AAAsite", "secret_set": True}
    assert fs["fields"] == [{"name": "first_name", "label": "First name"}, "company"]
    assert (fs["title"], fs["intro"], fs["button_label"]) == (
        "Join the weekly",
        "Short and useful.",
        "Sign me up",
    )
    assert fs["branding"] == {
        "name": "Acme Weekly",
        "primary_color": "#0b6e4f",
        "background_color": "#fafafa",
    }
    assert fs["honeypot"] is True and "redirect_url" not in fs
    assert (await _stored_form(console_system, lid))["captcha"]["secret"] == "0x4BBBsecret-value"
    page = await admin.get(f"/admin/p/{pid}/lists/{lid}")
    assert "0x4BBBsecret-value" not in page.text and "A secret is stored" in page.text
    assert 'value="0x4AAAsite"' in page.text and "first_name:First name\ncompany" in page.text
    hosted = await admin.get(f"/f/{lid}")
    assert "Join the weekly" in hosted.text and "Sign me up" in hosted.text and "0x4AAAsite" in hosted.text

    # an empty secret input keeps the stored secret; the box removes it
    form.update(captcha_secret="", title="Join us", primary_color="#0b6e4f", primary_color_was="#0b6e4f")
    assert (await admin.post(f"/admin/p/{pid}/lists/{lid}", form)).status_code == 303
    assert (await _stored_form(console_system, lid))["captcha"]["secret"] == "0x4BBBsecret-value"
    assert (await _get_list(console_system, lid)).json()["form_settings"]["title"] == "Join us"
    form.update(captcha_secret_remove="on")
    assert (await admin.post(f"/admin/p/{pid}/lists/{lid}", form)).status_code == 303
    assert "secret" not in (await _stored_form(console_system, lid))["captcha"]
    assert "A secret is stored" not in (await admin.get(f"/admin/p/{pid}/lists/{lid}")).text

    # the hex text wins over the picker when both moved; clearing the text removes the override
    form.update(captcha_secret_remove="", primary_color="#abc", primary_color_pick="#123456")
    assert (await admin.post(f"/admin/p/{pid}/lists/{lid}", form)).status_code == 303
    assert (await _get_list(console_system, lid)).json()["form_settings"]["branding"][
        "primary_color"
    ] == "#abc"
    form.update(
        primary_color="",
        primary_color_was="#abc",
        primary_color_pick="#aabbcc",
        primary_color_pick_was="#aabbcc",
    )
    assert (await admin.post(f"/admin/p/{pid}/lists/{lid}", form)).status_code == 303
    assert "primary_color" not in (await _get_list(console_system, lid)).json()["form_settings"]["branding"]

    # delete: gone from the API, the hosted form and the table
    r = await admin.post(f"/admin/p/{pid}/lists/{lid}/delete")
    assert r.status_code == 303 and r.headers["location"].startswith(f"/admin/p/{pid}/lists?flash=")
    assert (await _get_list(console_system, lid)).status_code == 404
    assert (await admin.get(f"/f/{lid}")).status_code == 404
    assert "Weekly news" not in (await admin.get(f"/admin/p/{pid}/lists")).text
    assert (await admin.get(f"/admin/p/{pid}/lists/{lid}")).status_code == 404
    assert (await admin.post(f"/admin/p/{pid}/lists/{lid}/delete")).status_code == 404

    actions = await _audit(console_system.app)
    assert ("list.created", f"list:{lid}") in actions and ("list.created", f"list:{vip}") in actions
    assert actions.count(("list.updated", f"list:{lid}")) == 5 and ("list.deleted", f"list:{lid}") in actions
    async with console_system.app.state.runtime.sessionmaker() as db:
        details = [a.detail for a in (await db.scalars(sa.select(AuditEntry))).all()]
    assert "0x4BBBsecret-value" not in str(details)


async def test_bad_input_is_refused_next_to_the_field_with_nothing_written(console_system) -> None:  # type: ignore[no-untyped-def]
    admin, pid = console_system.admin, console_system.project_id
    # create: an empty name, a name too long, a keyed captcha without its keys
    r = await admin.post(
        f"/admin/p/{pid}/lists", {"name": "", "description": "kept", "captcha_provider": "altcha"}
    )
    assert r.status_code == 422 and _error_of(r.text, "name")
    assert ">kept</textarea>" in r.text  # what was typed stays
    r = await admin.post(f"/admin/p/{pid}/lists", {"name": "x" * 250})
    assert r.status_code == 422 and "200" in _error_of(r.text, "name")
    r = await admin.post(f"/admin/p/{pid}/lists", {"name": "Keyed", "captcha_provider": "turnstile"})
    assert r.status_code == 422 and "Turnstile" in _error_of(r.text, "captcha_provider")
    assert await _all_lists(console_system) == []

    lid = await _create(admin, pid, name="Stable", captcha_provider="altcha")
    before = (await _get_list(console_system, lid)).json()
    cases = [
        ({"primary_color": "#12345"}, "primary_color", "hex"),
        ({"text_color": "red"}, "text_color", "hex"),
        ({"redirect_url": "javascript:alert(1)"}, "redirect_url", "http"),
        ({"name": ""}, "name", "at least 1"),
        ({"fields": "first_name\nbad name"}, "fields", "bad name"),
        ({"fields": "first name:First name"}, "fields", "letters"),
        ({"logo_url": "ftp://logo.example/x.png"}, "logo_url", "http"),
        (
            {"captcha_provider": "hcaptcha", "captcha_secret": "typed-secret-123"},
            "captcha_site_key",
            "site key",
        ),
        ({"captcha_provider": "bogus"}, "captcha_provider", ""),
    ]
    for change, name, words in cases:
        form = {**FULL_FORM, "name": "Stable", "title": "typed title", **change}
        r = await admin.post(f"/admin/p/{pid}/lists/{lid}", form)
        assert 400 <= r.status_code < 500, (change, r.status_code)
        assert words.lower() in _error_of(r.text, name).lower(), (change, _error_of(r.text, name))
        assert f'aria-describedby="e-{name}' in r.text or f'aria-describedby="h-{name} e-{name}"' in r.text
        assert 'value="typed title"' in r.text and "Nothing was saved" in r.text
        assert "typed-secret-123" not in r.text  # never echoed, even when just typed
        assert (await _get_list(console_system, lid)).json()["form_settings"] == before["form_settings"]
        assert (await _get_list(console_system, lid)).json()["name"] == "Stable"
    assert [a for a, _ in await _audit(console_system.app) if a == "list.updated"] == []

    # a redirect to a host the project does not allow is saved, with a warning on the page
    form = {**FULL_FORM, "redirect_url": "https://elsewhere.example/thanks"}
    assert (await admin.post(f"/admin/p/{pid}/lists/{lid}", form)).status_code == 303
    page = await admin.get(f"/admin/p/{pid}/lists/{lid}")
    assert "elsewhere.example is not among the project" in page.text


async def test_list_names_are_escaped_everywhere(console_system) -> None:  # type: ignore[no-untyped-def]
    admin, pid = console_system.admin, console_system.project_id
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    lid = await _create(admin, pid, name=evil, description=evil, captcha_provider="altcha")
    form = {**FULL_FORM, "name": evil, "title": evil, "intro": evil, "brand_name": evil, "button_label": evil}
    assert (await admin.post(f"/admin/p/{pid}/lists/{lid}", form)).status_code == 303
    for path in (f"/admin/p/{pid}/lists", f"/admin/p/{pid}/lists/{lid}", f"/admin/p/{pid}", f"/f/{lid}"):
        r = await admin.get(path)
        assert r.status_code == 200, path
        assert "<script>alert" not in r.text and "<img src=x" not in r.text, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text, path
    # the snippet shown for copying is the escaped HTML, escaped once more to be shown as text
    page = (await admin.get(f"/admin/p/{pid}/lists/{lid}")).text
    assert "&amp;lt;script&amp;gt;alert(1)" in page
    # a refused form keeps the typed name, escaped
    r = await admin.post(f"/admin/p/{pid}/lists/{lid}", {**form, "primary_color": "nope"})
    assert r.status_code == 422 and "<script>alert" not in r.text


async def test_a_private_list_stays_off_other_subscribers_preference_pages(console_system) -> None:  # type: ignore[no-untyped-def]
    admin, pid = console_system.admin, console_system.project_id
    news = await _create(admin, pid, name="Newsletter", captcha_provider="altcha")
    vip = await _create(admin, pid, name="VIP circle", captcha_provider="altcha", public="")
    api, auth = _api(console_system)
    async with api:
        challenge = (await api.get("/altcha/challenge")).json()
        r = await api.post(f"/f/{news}", data={"email": "ann@example.com", "altcha": solve_altcha(challenge)})
        assert r.status_code == 303
        mail = await captured_mail(api, console_system.api_key, "ann@example.com", subject_has="Confirm")
        text = mail_text(mail)
        confirm = CONFIRM_RE.search(text).group(0).removeprefix("http://testserver")  # type: ignore[union-attr]
        prefs = PREFS_RE.search(text).group(0).removeprefix("http://testserver")  # type: ignore[union-attr]
        assert (await api.post(confirm)).status_code == 200
        page = await api.get(prefs)
        assert page.status_code == 200 and "Newsletter" in page.text and "VIP circle" not in page.text
        # made public in the console: now offered there
        form = {**FULL_FORM, "name": "VIP circle", "public": "on"}
        assert (await admin.post(f"/admin/p/{pid}/lists/{vip}", form)).status_code == 303
        assert "VIP circle" in (await api.get(prefs)).text
        form["public"] = ""
        assert (await admin.post(f"/admin/p/{pid}/lists/{vip}", form)).status_code == 303
        assert "VIP circle" not in (await api.get(prefs)).text
        # the table counts the confirmed subscriber
        index = (await admin.get(f"/admin/p/{pid}/lists")).text
        row = index[index.index("Newsletter") :].split("</tr>")[0]
        assert re.findall(r'<td class="num">(\d+)</td>', row) == ["0", "1", "0", "0"]


async def test_viewers_see_the_pages_but_change_nothing(console_system) -> None:  # type: ignore[no-untyped-def]
    app, admin, pid = console_system.app, console_system.admin, console_system.project_id
    lid = await _create(admin, pid, name="Read only", captcha_provider="altcha")
    before = (await _get_list(console_system, lid)).json()
    await add_member(app, pid, "vera@example.com", "vera's password", "viewer")
    await add_member(app, pid, "ed@example.com", "ed's password!!", "editor")
    async with ConsoleClient(app, ip="198.51.100.41") as viewer:
        await viewer.login("vera@example.com", "vera's password")
        index = await viewer.get(f"/admin/p/{pid}/lists")
        assert index.status_code == 200 and "Read only" in index.text and "Create list" not in index.text
        page = await viewer.get(f"/admin/p/{pid}/lists/{lid}")
        assert page.status_code == 200 and "Save list" not in page.text and "Delete list" not in page.text
        assert '<fieldset class="plain" disabled>' in page.text and "snippet-html" in page.text
        for path, data in (
            (f"/admin/p/{pid}/lists", {"name": "Sneaky", "captcha_provider": "altcha"}),
            (f"/admin/p/{pid}/lists/{lid}", {**FULL_FORM, "name": "Changed"}),
            (f"/admin/p/{pid}/lists/{lid}/delete", {}),
        ):
            r = await viewer.post(path, data)
            assert r.status_code == 403, (path, r.status_code)
            r = await viewer.http.post(path, data=data)  # without the CSRF token: still the role's 403
            assert r.status_code == 403, path
    assert (await _get_list(console_system, lid)).json() == before
    assert [x["name"] for x in await _all_lists(console_system)] == ["Read only"]
    async with ConsoleClient(app, ip="198.51.100.42") as editor:
        await editor.login("ed@example.com", "ed's password!!")
        assert "Create list" in (await editor.get(f"/admin/p/{pid}/lists")).text
        r = await editor.post(f"/admin/p/{pid}/lists/{lid}", {**FULL_FORM, "name": "Edited"})
        assert r.status_code == 303
        r = await editor.http.post(f"/admin/p/{pid}/lists/{lid}", data={**FULL_FORM, "name": "No token"})
        assert r.status_code == 403  # the editor's form without its CSRF token
    assert (await _get_list(console_system, lid)).json()["name"] == "Edited"


async def test_another_projects_list_is_not_found(console_system) -> None:  # type: ignore[no-untyped-def]
    admin, pid = console_system.admin, console_system.project_id
    other_pid, _ = await bootstrap_project(console_system.app, "Other")
    theirs = await _create(admin, other_pid, name="Theirs", captcha_provider="altcha")
    assert (await admin.get(f"/admin/p/{pid}/lists/{theirs}")).status_code == 404
    r = await admin.post(f"/admin/p/{pid}/lists/{theirs}", {**FULL_FORM, "name": "Mine now"})
    assert r.status_code == 404
    assert (await admin.post(f"/admin/p/{pid}/lists/{theirs}/delete")).status_code == 404
    assert (await admin.get(f"/admin/p/{other_pid}/lists/{theirs}")).status_code == 200
    assert "Mine now" not in (await admin.get(f"/admin/p/{other_pid}/lists/{theirs}")).text


@pytest.mark.slow
async def test_lists_in_a_real_browser(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    """Create a list, edit its form (a refused value shown next to its field, then fixed), copy the snippet,
    open the hosted form it links to, delete it; screenshots of both pages at 1280 and 390 px."""
    async with console_in_browser(
        sqlite_url,
        settings_for,
        project={"branding": {"primary_color": "#1f5fbf"}},
        clipboard=True,
        accept_dialogs=True,
    ) as b:
        page, public, pid = b.page, b.public, b.pid
        await log_in(page, public)

        # the index: create a list (double opt-in, public and ALTCHA preset)
        await page.goto(f"{public}/admin/p/{pid}/lists")
        assert await page.get_by_label("Double opt-in", exact=False).is_checked()
        assert await page.get_by_label("Public", exact=False).is_checked()
        assert await page.get_by_label("Captcha on the signup form").input_value() == "altcha"
        await page.get_by_label("Name", exact=True).fill("Weekly <news>")
        await page.get_by_label("Description").fill("One email a week.")
        await page.get_by_role("button", name="Create list").click()
        await page.wait_for_selector("text=List created")
        assert await page.get_by_role("heading", level=1).inner_text() == "Weekly <news>"
        lid = int(page.url.split("/lists/")[1].split("?")[0])
        assert await page.evaluate(UNLABELLED_INPUTS) == []

        # edit: the hex text moves its picker; a bad redirect is refused next to its field, nothing saved
        await page.get_by_label("Title").fill("Join the weekly")
        await page.get_by_label("Button label").fill("Sign me up")
        await page.get_by_label("Extra fields, one per line").fill("first_name:First name")
        await page.get_by_label("Primary colour", exact=True).fill("#0b6e4f")
        assert await page.get_by_label("Primary colour: picker").input_value() == "#0b6e4f"
        await page.get_by_label("Redirect after signup (URL)").fill("javascript:alert(1)")
        await page.get_by_role("button", name="Save list").click()
        error = page.locator("#e-redirect_url")
        await error.wait_for()
        assert "http" in await error.inner_text()
        field = page.get_by_label("Redirect after signup (URL)")
        assert await field.get_attribute("aria-invalid") == "true"
        assert await page.get_by_label("Title").input_value() == "Join the weekly"  # kept as typed
        await field.fill("")
        await page.get_by_role("button", name="Save list").click()
        await page.wait_for_selector("text=List saved")
        await shoot(page, "lists-edit")

        # the snippet: copied to the clipboard as shown
        snippet = await page.get_by_label("Or paste the form's HTML").input_value()
        assert f'action="{public}/f/{lid}"' in snippet and "Weekly &lt;news&gt;" in snippet  # HTML, once
        assert "Join the weekly" in snippet and "First name" in snippet
        await page.get_by_role("button", name="Copy HTML snippet").click()
        await page.wait_for_selector("button:has-text('Copied')")
        assert await page.evaluate("navigator.clipboard.readText()") == snippet
        frame = await page.get_by_label("Frame it in your site").input_value()
        assert frame.startswith(f'<iframe src="{public}/f/{lid}"')

        # the table, then the hosted form the edit page links to
        await page.goto(f"{public}/admin/p/{pid}/lists")
        row = page.get_by_role("row", name=re.compile("Weekly <news>"))
        assert "public" in await row.inner_text() and "on" in await row.inner_text()
        await shoot(page, "lists-index")
        await page.get_by_role("link", name="Edit Weekly <news>").click()
        await page.get_by_role("link", name=f"{public}/f/{lid}").click()
        await page.wait_for_url(f"{public}/f/{lid}")
        assert await page.get_by_role("heading", name="Join the weekly").is_visible()
        assert await page.get_by_label("Email address").is_visible()
        assert await page.get_by_role("button", name="Sign me up").is_visible()

        # delete (the confirm dialog accepted): gone from the table and the hosted form
        await page.goto(f"{public}/admin/p/{pid}/lists/{lid}")
        await page.get_by_role("button", name="Delete list").click()
        await page.wait_for_selector("text=deleted")
        assert await page.get_by_text("No lists yet").is_visible()
    # the refused save answered 422 (as it should), which Chromium logs; nothing else may show up
    drop_refused(b.problems, 1)
    assert b.problems == [], b.problems
