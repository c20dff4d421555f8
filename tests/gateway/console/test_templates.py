"""Console templates: list, editor, live preview (a separate document under its own sandboxing CSP), create / save /
delete, test-send into the sandbox — bad input answered next to its field with nothing saved, viewers refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from playwright.async_api import expect

from shared.models.console import AuditEntry
from tests.gateway.console.in_browser import console_in_browser, drop_refused, log_in, screenshot
from tests.gateway.console.support import ConsoleClient, add_member
from tests.gateway.embedded import captured_mail, mail_text

PREVIEW_CSP = (
    "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; sandbox; frame-ancestors 'self'"
)
WELCOME = {
    "name": "Welcome",
    "subject": "Welcome {{ first_name }}",
    "html": "<h1>Hello {{ first_name }}</h1>\n<p>Your code: {{ code }}</p>",
    "text": "",
}


def _api(system: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {system.api_key}"}


async def _templates(system: Any) -> list[dict[str, Any]]:
    r = await system.admin.http.get("/v1/templates", headers=_api(system))
    assert r.status_code == 200, r.text
    return list(r.json()["templates"])


async def _create(system: Any, **body: Any) -> int:
    body = {**WELCOME, "text": None, **body}  # an empty text would be sent as an empty part
    r = await system.admin.http.post("/v1/templates", json=body, headers=_api(system))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def _actions(system: Any) -> list[tuple[str, str]]:
    async with system.app.state.runtime.sessionmaker() as db:
        rows = (await db.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))).all()
    return [(a.action, a.target) for a in rows]


def _flash_follow(r: httpx.Response) -> str:
    assert r.status_code == 303, (r.status_code, r.text[:800])
    return str(r.headers["location"])


async def test_list_create_edit_save_delete(console_system) -> None:  # type: ignore[no-untyped-def]
    s, admin = console_system, console_system.admin
    base = f"/admin/p/{s.project_id}/templates"
    r = await admin.get(base)
    assert r.status_code == 200 and "No templates yet" in r.text and f'href="{base}/new"' in r.text
    r = await admin.get(f"{base}/new")
    assert r.status_code == 200 and 'id="template-form"' in r.text
    assert "frame-src 'self'" in r.headers["content-security-policy"]
    for var in ("{{ email }}", "{{ contact.email }}", "{{ unsubscribe_url }}", "{{ preferences_url }}"):
        assert var in r.text  # the variables reference
    assert "data-live-preview" in r.text and 'name="preview"' in r.text and "data-frame-width" in r.text

    r = await admin.post(base, {**WELCOME, "marketing": "on", "sample": '{"first_name": "x"}'})
    location = _flash_follow(r)
    tid = int(re.search(r"/templates/(\d+)\?flash=", location).group(1))  # type: ignore[union-attr]
    [saved] = await _templates(s)
    assert saved["id"] == tid and saved["subject"] == WELCOME["subject"] and saved["text"] is None
    assert saved["html"] == WELCOME["html"]
    r = await admin.get(location)
    assert "Template “Welcome” created." in r.text and "version 1" in r.text
    assert f'src="{base}/{tid}/preview?view=html"' in r.text and "Send a test" in r.text
    r = await admin.get(base)
    assert f'href="{base}/{tid}"' in r.text and "Welcome {{ first_name }}" in r.text

    # save: the browser's CRLFs come back as LF; a new version
    r = await admin.post(
        f"{base}/{tid}", {"name": "Welcome 2", "subject": "Hi", "html": "<p>a</p>\r\n<p>b</p>", "text": "t"}
    )
    assert "saved (version 2)" in (await admin.get(_flash_follow(r))).text
    [saved] = await _templates(s)
    assert (saved["name"], saved["html"], saved["text"], saved["version"]) == (
        "Welcome 2",
        "<p>a</p>\n<p>b</p>",
        "t",
        2,
    )

    r = await admin.post(f"{base}/{tid}/delete")
    assert "Template deleted." in (await admin.get(_flash_follow(r))).text
    assert await _templates(s) == []
    assert (await admin.get(f"{base}/{tid}")).status_code == 404
    actions = await _actions(s)
    for action in ("template.created", "template.updated", "template.deleted"):
        assert (action, f"template:{tid}") in actions


async def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(console_system) -> None:  # type: ignore[no-untyped-def]
    s, admin = console_system, console_system.admin
    base = f"/admin/p/{s.project_id}/templates"
    cases = [
        ({"html": "<p>{{ ''.__class__.__mro__ }}</p>"}, "html", "__mro__"),
        ({"html": "<ul>\n{% for %}\n</ul>"}, "html", "Line 2"),
        ({"subject": "Hi {{ x + }}"}, "subject", "Line 1"),
        ({"text": "a\n{% if x %}"}, "text", "Line 2"),
        ({"name": ""}, "name", ""),
        ({"html": "", "text": ""}, "html", "html or text is required"),
        ({"html": "x" * 500_001}, "html", "500000"),
    ]
    for change, name, words in cases:
        r = await admin.post(base, {**WELCOME, **change})
        assert r.status_code == 422, (change, r.status_code, r.text[:300])
        assert f'id="e-{name}"' in r.text and f'aria-describedby="e-{name}' in r.text, change
        assert words in r.text, (change, words)
    assert await _templates(s) == []
    # what was typed comes back, escaped
    r = await admin.post(base, {**WELCOME, "name": "<script>alert(1)</script>", "html": "{% for %}"})
    assert (
        r.status_code == 422
        and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
        and "<script>alert" not in r.text
    )

    tid = await _create(s)
    r = await admin.post(f"{base}/{tid}", {**WELCOME, "html": "<p>{{ x|attr('__globals__') }}</p>"})
    assert r.status_code == 422 and 'id="e-html"' in r.text and "__globals__" in r.text
    [saved] = await _templates(s)
    assert saved["version"] == 1 and saved["html"] == WELCOME["html"]
    assert (await admin.post(f"{base}/999999", WELCOME)).status_code == 404
    assert not [a for a in await _actions(s) if a[0].startswith("template.")]


async def test_saved_content_is_escaped_in_the_editor(console_system) -> None:  # type: ignore[no-untyped-def]
    s, admin = console_system, console_system.admin
    tid = await _create(s, name="<b>n</b>", html="</textarea><script>alert(1)</script>")
    r = await admin.get(f"/admin/p/{s.project_id}/templates/{tid}")
    assert r.status_code == 200 and "<script>alert(1)</script>" not in r.text and "<b>n</b>" not in r.text
    assert "&lt;/textarea&gt;&lt;script&gt;" in r.text


async def test_preview_is_its_own_sandboxed_document(console_system) -> None:  # type: ignore[no-untyped-def]
    s, admin = console_system, console_system.admin
    url = f"/admin/p/{s.project_id}/templates/preview"
    form = {**WELCOME, "sample": '{"first_name": "Ann", "code": "<b>42</b>"}'}
    r = await admin.post(url, {**form, "view": "html"})
    assert r.status_code == 200, r.text
    assert (
        r.headers["content-security-policy"] == PREVIEW_CSP and r.headers["x-frame-options"] == "SAMEORIGIN"
    )
    assert "<h1>Hello Ann</h1>" in r.text and "&lt;b&gt;42&lt;/b&gt;" in r.text
    assert "unsubscribe.preview.invalid" not in r.text
    r = await admin.post(url, {**form, "view": "html", "marketing": "on"})
    assert "https://unsubscribe.preview.invalid/u/preview" in r.text  # the campaign footer
    r = await admin.post(url, {**form, "view": "text"})
    assert r.status_code == 200 and r.headers["content-security-policy"] == PREVIEW_CSP
    assert "Subject: Welcome Ann" in r.text and "Hello Ann" in r.text and "<h1>" not in r.text
    assert "<script" not in r.text
    # mistakes read as a message inside the preview, never a 500
    for change, words in [
        ({"html": "<p>{{ order.total }}</p>"}, "order"),
        ({"html": "{% for %}"}, "Line 1"),
        ({"html": "{{ 1/0 }}"}, "division"),
        ({"sample": "{not json"}, "Sample data"),
        ({"sample": "[1]"}, "JSON object"),
    ]:
        r = await admin.post(url, {**form, **change, "view": "html"})
        assert r.status_code == 422, (change, r.status_code)
        assert 'class="error"' in r.text and words in r.text, (change, r.text)
        assert r.headers["content-security-policy"] == PREVIEW_CSP
    r = await admin.post(url, {**form, "html": "", "text": "", "view": "html"})
    assert r.status_code == 200 and "Nothing to preview yet" in r.text
    r = await admin.post(url, {**form, "subject": "", "html": "<p>x</p>"})
    assert r.status_code == 200 and "<p>x</p>" in r.text  # no subject yet: the body still shows
    # a script in the email is served as written, but the document's CSP runs nothing
    r = await admin.post(url, {**form, "html": "<p>hi</p><script>alert(1)</script>"})
    assert (
        "sandbox" in r.headers["content-security-policy"]
        and "script-src" not in r.headers["content-security-policy"]
    )

    # a saved template's preview, by GET (viewers too)
    tid = await _create(s, text="Plain {{ email }}")
    base = f"/admin/p/{s.project_id}/templates/{tid}/preview"
    r = await admin.get(f"{base}?view=html")
    assert (
        r.status_code == 200
        and "<h1>Hello </h1>" in r.text
        and r.headers["content-security-policy"] == PREVIEW_CSP
    )
    r = await admin.get(f"{base}?view=text")
    assert "Plain preview@example.com" in r.text and "Subject: Welcome" in r.text
    r = await admin.get(f"{base}?view=html&marketing=on")
    assert "unsubscribe.preview.invalid" in r.text
    text_only = await _create(s, html=None, text="only text")
    r = await admin.get(f"/admin/p/{s.project_id}/templates/{text_only}/preview")
    assert r.status_code == 200 and "No HTML part" in r.text
    r = await admin.get(f"/admin/p/{s.project_id}/templates/999999/preview")
    assert r.status_code == 404 and r.headers["content-security-policy"] == PREVIEW_CSP


async def test_test_send_goes_to_the_sandbox(console_system) -> None:  # type: ignore[no-untyped-def]
    s, admin = console_system, console_system.admin
    tid = await _create(s)
    url = f"/admin/p/{s.project_id}/templates/{tid}/test-send"
    page = await admin.get(f"/admin/p/{s.project_id}/templates/{tid}")
    assert "captured by the sandbox" in page.text and f'action="{url}"' in page.text
    r = await admin.post(url, {"to": "dev@example.com", "variables": '{"first_name": "Dev", "code": "42"}'})
    r = await admin.get(_flash_follow(r))
    assert "Test sent to dev@example.com (captured by the sandbox: see Outbox)." in r.text
    mail = await captured_mail(admin.http, s.api_key, "dev@example.com", subject_has="Welcome Dev")
    assert "Your code: 42" in mail_text(mail)
    assert ("template.test_sent", f"template:{tid}") in await _actions(s)


async def test_test_send_refusals_next_to_their_field(console_system) -> None:  # type: ignore[no-untyped-def]
    s, admin = console_system, console_system.admin
    tid = await _create(s, html="<p>{{ order.total }}</p>")
    url = f"/admin/p/{s.project_id}/templates/{tid}/test-send"
    for form, name, words in [
        ({"to": "not-an-address", "variables": '{"order": {"total": 1}}'}, "to", "invalid email"),
        ({"to": "", "variables": ""}, "to", "Give the address"),
        ({"to": "dev@example.com", "variables": "{oops"}, "variables", "not valid JSON"),
        ({"to": "dev@example.com", "variables": '"text"'}, "variables", "JSON object"),
        ({"to": "dev@example.com", "variables": ""}, "variables", "does not render"),
    ]:
        r = await admin.post(url, form)
        assert r.status_code == 422, (form, r.status_code, r.text[:300])
        assert f'id="e-{name}"' in r.text and words in r.text, (form, words)
        assert f'value="{form["to"]}"' in r.text  # what was typed stays
    r = await admin.http.get("/v1/messages", headers=_api(s))
    assert r.json()["messages"] == []  # nothing was queued
    assert (
        await admin.post(f"/admin/p/{s.project_id}/templates/999999/test-send", {"to": "a@example.com"})
    ).status_code == 404


async def test_viewer_sees_but_cannot_change_anything(console_system) -> None:  # type: ignore[no-untyped-def]
    s = console_system
    tid = await _create(s)
    await add_member(s.app, s.project_id, "vera@example.com", "viewer password 1", "viewer")
    base = f"/admin/p/{s.project_id}/templates"
    async with ConsoleClient(s.app, ip="198.51.100.31") as viewer:
        await viewer.login("vera@example.com", "viewer password 1")
        r = await viewer.get(base)
        assert r.status_code == 200 and "Welcome" in r.text and f"{base}/new" not in r.text
        assert (await viewer.get(f"{base}/new")).status_code == 403
        r = await viewer.get(f"{base}/{tid}")
        assert r.status_code == 200 and 'id="template-form"' not in r.text and "Send a test" not in r.text
        assert "data-live-preview" not in r.text and "Delete template" not in r.text
        assert "&lt;h1&gt;Hello {{ first_name }}&lt;/h1&gt;" in r.text  # the source, read-only
        assert (await viewer.get(f"{base}/{tid}/preview?view=html")).status_code == 200
        for path, form in [
            (base, WELCOME),
            (f"{base}/preview", WELCOME),
            (f"{base}/{tid}", {**WELCOME, "name": "changed"}),
            (f"{base}/{tid}/delete", {}),
            (f"{base}/{tid}/test-send", {"to": "vera@example.com"}),
        ]:
            r = await viewer.post(path, form)  # with a valid CSRF token: the role is what refuses
            assert r.status_code == 403, (path, r.status_code)
    [saved] = await _templates(s)
    assert saved["name"] == "Welcome" and saved["version"] == 1
    assert (await s.admin.http.get("/v1/messages", headers=_api(s))).json()["messages"] == []


async def test_editor_can_write_and_csrf_is_required(console_system) -> None:  # type: ignore[no-untyped-def]
    s = console_system
    await add_member(s.app, s.project_id, "ed@example.com", "editor password 1", "editor")
    base = f"/admin/p/{s.project_id}/templates"
    async with ConsoleClient(s.app, ip="198.51.100.32") as editor:
        await editor.login("ed@example.com", "editor password 1")
        r = await editor.http.post(base, data=WELCOME)  # no token
        assert r.status_code == 403 and await _templates(s) == []
        r = await editor.post(base, WELCOME)
        tid = int(re.search(r"/templates/(\d+)", _flash_follow(r)).group(1))  # type: ignore[union-attr]
        r = await editor.get(f"{base}/{tid}")
        assert 'value="ed@example.com"' in r.text  # the test goes to the editor's own address by default


# ------------------------------------------------------------------------------------------------ in a browser

UNLABELLED_INPUTS = """() => [...document.querySelectorAll('main input, main select, main textarea')]
  .filter(el => el.type !== 'hidden' && !el.closest('[aria-hidden=true]') && !el.closest('[hidden]'))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map(el => el.name || el.id)"""


async def _settled_screenshot(page: Any, name: str) -> None:
    """A full-page screenshot once both preview frames show the latest submission (each keystroke re-posts both)."""
    await expect(page.frame_locator("#preview-text").locator("pre, .note, .error")).to_be_visible()
    await page.wait_for_timeout(600)  # past the editor's 400 ms debounce: no navigation still on its way
    await screenshot(page, name, tall=True)


@pytest.fixture
def patient_expect() -> Iterator[None]:
    """Playwright's assertions wait up to 15 s (5 s by default): two cores shared with other test runs."""
    expect.set_options(timeout=15_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.mark.slow
async def test_templates_in_a_real_browser(sqlite_url, settings_for, patient_expect) -> None:  # type: ignore[no-untyped-def]
    """Type in the editor and watch the preview follow, phone width, marketing footer, a refused save, save,
    test-send into the sandbox; screenshots of both pages at 1280 and 390 px."""
    async with console_in_browser(sqlite_url, settings_for) as b:
        page, public, pid, key = b.page, b.public, b.pid, b.api_key
        await log_in(page, public)
        await expect(page.get_by_role("button", name="Log out")).to_be_visible()
        await page.goto(f"{public}/admin/p/{pid}/templates")
        await expect(page.get_by_text("No templates yet.")).to_be_visible()
        await page.get_by_role("link", name="New template").click()
        await page.wait_for_url(re.compile(r"/templates/new$"))
        assert await page.evaluate(UNLABELLED_INPUTS) == []

        # the preview follows what is typed
        html_frame = page.frame_locator("#preview-html")
        text_frame = page.frame_locator("#preview-text")
        await expect(html_frame.get_by_text("Nothing to preview yet")).to_be_visible()
        await page.get_by_label("Name").fill("Welcome")
        await page.get_by_label("Subject").fill("Welcome {{ first_name }}")
        await page.get_by_label("HTML body").fill(
            '<div style="font-family:sans-serif;max-width:560px;margin:auto">\n'
            '<h1 style="color:#0b6e4f">Hello {{ first_name }}</h1>\n'
            "<p>Thanks for joining Acme Weekly. Your code is <b>{{ code }}</b>.</p>\n</div>"
        )
        await page.get_by_label("Sample attributes and variables (JSON)").fill(
            '{"first_name": "Ann", "code": "A-17"}'
        )
        await expect(html_frame.locator("h1")).to_have_text("Hello Ann")
        await expect(text_frame.get_by_text("Subject: Welcome Ann")).to_be_visible()
        await expect(text_frame.locator("pre")).to_contain_text("Your code is A-17.")
        await page.get_by_label("Sample attributes and variables (JSON)").fill('{"first_name": "Bob"}')
        await expect(html_frame.locator("h1")).to_have_text("Hello Bob")
        # a mistake shows inside the preview, readable
        await page.get_by_label("Subject").fill("Welcome {{ first_name }")
        await expect(html_frame.get_by_role("alert")).to_contain_text("Subject: Line 1")
        await page.get_by_label("Subject").fill("Welcome {{ first_name }}")
        await expect(html_frame.locator("h1")).to_have_text("Hello Bob")
        # the campaign footer, and the phone width
        await page.get_by_label(re.compile("Preview as marketing mail")).check()
        await expect(html_frame.get_by_role("link", name="Unsubscribe")).to_be_visible()
        await page.get_by_role("button", name="Phone").click()
        await expect(page.locator("#preview-html")).to_have_class(re.compile(r"\bphone\b"))
        box = await page.locator("#preview-html").bounding_box()
        assert box is not None and box["width"] <= 390
        await expect(page.get_by_role("button", name="Phone")).to_have_attribute("aria-pressed", "true")
        await page.get_by_role("button", name="Desktop").click()
        box = await page.locator("#preview-html").bounding_box()
        assert box is not None and box["width"] > 450

        # a refused save keeps the text and says why next to the field; then a good one
        good_html = await page.get_by_label("HTML body").input_value()
        await page.get_by_label("HTML body").fill(good_html + "\n{% for %}")
        await page.get_by_role("button", name="Create template").click()
        await expect(page.locator("#e-html")).to_contain_text("Line 5")
        assert "{% for %}" in await page.get_by_label("HTML body").input_value()
        async with httpx.AsyncClient(base_url=public, timeout=30) as api:
            auth = {"Authorization": f"Bearer {key}"}
            assert (await api.get("/v1/templates", headers=auth)).json()["templates"] == []
            await page.get_by_label("HTML body").fill(good_html)
            await page.get_by_role("button", name="Create template").click()
            await expect(page.get_by_role("status")).to_contain_text("Template “Welcome” created.")
            tid = int(re.search(r"/templates/(\d+)", page.url).group(1))  # type: ignore[union-attr]
            await expect(html_frame.locator("h1")).to_have_text("Hello")  # the live preview, no sample
            await page.get_by_label("Sample attributes and variables (JSON)").fill(
                '{"first_name": "Ann", "code": "A-17"}'
            )
            await expect(html_frame.locator("h1")).to_have_text("Hello Ann")
            await _settled_screenshot(page, "templates-edit-1280")

            # test-send: into the sandbox, seen through the API
            await page.get_by_label("Send to").fill("dev@example.com")
            await page.get_by_label("Variables (JSON, optional)").fill('{"first_name": "Dev", "code": "B-2"}')
            await page.get_by_role("button", name="Send test").click()
            await expect(page.get_by_role("status")).to_contain_text(
                "Test sent to dev@example.com (captured by the sandbox: see Outbox)."
            )
            mail = await captured_mail(api, key, "dev@example.com", subject_has="Welcome Dev")
            assert "Your code is B-2." in mail_text(mail)

        await page.goto(f"{public}/admin/p/{pid}/templates")
        await expect(page.get_by_role("link", name="Welcome")).to_be_visible()
        await screenshot(page, "templates-index-1280")

        # a phone
        await page.set_viewport_size({"width": 390, "height": 844})
        await screenshot(page, "templates-index-390")
        await page.goto(f"{public}/admin/p/{pid}/templates/{tid}")
        await page.get_by_label("Sample attributes and variables (JSON)").fill('{"first_name": "Ann"}')
        await expect(html_frame.locator("h1")).to_have_text("Hello Ann")
        await page.get_by_role("button", name="Phone").click()
        await _settled_screenshot(page, "templates-edit-390")
        scroll = await page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 390, scroll  # nothing wider than the phone
    # Chrome logs every 4xx it loads: the refused save and the preview of a half-written template answer 422 on
    # purpose. Anything else (a CSP refusal, a script error, another status) fails the test.
    drop_refused(b.problems, None)  # the refused save did answer 422
    assert b.problems == [], b.problems
