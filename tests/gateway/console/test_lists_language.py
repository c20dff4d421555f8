"""The list edit page carries the list's language and its own confirmation mail: saved, kept by a later save,
a refused template shown next to its field with nothing written."""

from __future__ import annotations

from tests.gateway.console.test_lists import FULL_FORM, _create, _error_of, _get_list


async def test_language_and_confirmation_mail_on_the_edit_page(console_system) -> None:  # type: ignore[no-untyped-def]
    admin, pid = console_system.admin, console_system.project_id
    lid = await _create(admin, pid, name="Nouvelles", captcha_provider="altcha")
    page = await admin.get(f"/admin/p/{pid}/lists/{lid}")
    assert (
        'name="locale"' in page.text and "Français" in page.text and 'name="confirmation_body"' in page.text
    )
    body = '<p>Bonjour, <a href="{{ confirm_url }}">confirmer {{ list.name }}</a></p>'
    form = {**FULL_FORM, "name": "Nouvelles", "locale": "fr", "confirmation_subject": "{{ list.name }} ?"}
    r = await admin.post(f"/admin/p/{pid}/lists/{lid}", {**form, "confirmation_body": body})
    assert r.status_code == 303, r.text[:2000]
    fs = (await _get_list(console_system, lid)).json()["form_settings"]
    assert (
        fs["locale"] == "fr"
        and fs["confirmation_body"] == body
        and fs["confirmation_subject"] == "{{ list.name }} ?"
    )
    page = await admin.get(f"/admin/p/{pid}/lists/{lid}")
    assert '<option value="fr" selected>' in page.text

    r = await admin.post(f"/admin/p/{pid}/lists/{lid}", {**form, "confirmation_body": "<p>no link</p>"})
    assert r.status_code == 422 and "confirm_url" in _error_of(r.text, "confirmation_body")
    assert (await _get_list(console_system, lid)).json()["form_settings"]["confirmation_body"] == body

    # emptied: back to the built-in mail, the language kept
    r = await admin.post(
        f"/admin/p/{pid}/lists/{lid}", {**form, "confirmation_subject": "", "confirmation_body": ""}
    )
    assert r.status_code == 303
    fs = (await _get_list(console_system, lid)).json()["form_settings"]
    assert fs["locale"] == "fr" and "confirmation_body" not in fs


async def test_confirmation_mail_previewed_from_what_is_typed(console_system) -> None:  # type: ignore[no-untyped-def]
    admin, pid = console_system.admin, console_system.project_id
    lid = await _create(admin, pid, name="Nouvelles", captcha_provider="altcha")
    base = f"/admin/p/{pid}/lists/{lid}/confirmation-preview"
    page = await admin.get(f"/admin/p/{pid}/lists/{lid}")
    assert f'src="{base}"' in page.text and "frame-src 'self'" in page.headers["content-security-policy"]
    # the saved (built-in) mail, in its own sandboxed document
    r = await admin.get(base)
    assert r.status_code == 200 and "sandbox" in r.headers["content-security-policy"]
    assert "script-src" not in r.headers["content-security-policy"] and "/confirm/" in r.text
    # what is typed, in French, not saved
    body = '<p>Bonjour <a href="{{ confirm_url }}">confirmer {{ list.name }}</a><script>x()</script></p>'
    form = {"confirmation_subject": "Confirmez {{ list.name }}", "confirmation_body": body, "locale": "fr"}
    r = await admin.post(base, {**form, "view": "text"})
    assert r.status_code == 200 and "Subject: Confirmez Nouvelles" in r.text
    r = await admin.post(base, {**form, "view": "html"})
    assert r.status_code == 200 and "confirmer Nouvelles" in r.text
    assert "sandbox" in r.headers["content-security-policy"]  # the typed script never runs
    assert "confirmation_body" not in (await _get_list(console_system, lid)).json()["form_settings"]
    # a refused template: its reason in the preview, never a 500
    r = await admin.post(base, {**form, "confirmation_body": "<p>{{ confirm_url }</p>"})
    assert r.status_code == 422 and 'role="alert"' in r.text
    r = await admin.post(base, {**form, "confirmation_body": "<p>no link</p>"})
    assert r.status_code == 422 and "confirm_url" in r.text
