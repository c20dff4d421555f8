"""The confirmation mail in the list's language, or the owner's own subject and body (sandboxed Jinja), checked
when saved and previewed through the API."""

from __future__ import annotations

from tests.subscriptions.conftest import Svc, confirm_token


async def _signup(svc: Svc, lid: int, email: str, mails: int) -> dict:  # type: ignore[type-arg]
    r = await svc.client.post(f"/public/lists/{lid}/subscribe", json={"email": email}, headers=svc.headers())
    assert r.status_code == 202
    await svc.settle(mails=mails)
    return svc.mails[mails - 1]


async def test_builtin_mail_in_the_lists_language(svc: Svc) -> None:
    _, h = await svc.project()
    fr = await svc.new_list(h, name="Nouvelles", form_settings={"locale": "fr"})
    de = await svc.new_list(h, name="Neuigkeiten", form_settings={"locale": "de"})
    en = await svc.new_list(h, name="News")
    mail = await _signup(svc, fr, "ann@example.com", 1)
    assert mail["subject"] == "Confirmez votre abonnement à Nouvelles"
    assert "Veuillez confirmer que vous souhaitez recevoir « Nouvelles »" in mail["text"]
    assert "Confirmer mon abonnement" in mail["html"] and 'lang="fr"' in mail["html"]
    assert "Ce lien est valable jusqu’au" in mail["text"] and confirm_token(mail)
    mail = await _signup(svc, de, "bob@example.com", 2)
    assert mail["subject"] == "Bestätigen Sie Ihr Abonnement von Neuigkeiten"
    assert "Ihre Abonnements verwalten" in mail["text"]
    mail = await _signup(svc, en, "cy@example.com", 3)
    assert (
        mail["subject"] == "Confirm your subscription to News" and "Confirm my subscription" in mail["html"]
    )


async def test_owners_template_is_checked_saved_rendered_and_previewed(svc: Svc) -> None:
    _, h = await svc.project()
    body = (
        '<p>Bonjour {{ email }},</p><p>{{ sender }} : <a href="{{ confirm_url }}">oui, {{ list.name }}</a></p>'
        '<p>Valable jusqu\'au {{ valid_until }}. <a href="{{ preferences_url }}">Préférences</a></p>'
    )
    settings = {
        "locale": "fr",
        "confirmation_subject": "{{ list.name }} : confirmez",
        "confirmation_body": body,
    }
    lid = await svc.new_list(h, name="Club", form_settings=settings)
    mail = await _signup(svc, lid, "dee@example.com", 1)
    assert mail["subject"] == "Club : confirmez"
    assert "Bonjour dee@example.com" in mail["html"] and "/confirm/" in mail["html"]
    assert "oui, Club" in mail["text"] and confirm_token(mail)  # the text part is derived from the HTML

    # refused at save time, the field named
    bad = [
        ({"confirmation_subject": "Hi", "confirmation_body": "<p>no link</p>"}, "confirmation_body"),
        (
            {"confirmation_subject": "Hi {{ oops", "confirmation_body": "{{ confirm_url }}"},
            "confirmation_subject",
        ),
        (
            {"confirmation_subject": "Hi", "confirmation_body": "{% for %}{{ confirm_url }}"},
            "confirmation_body",
        ),
        ({"confirmation_body": "{{ confirm_url }}"}, "confirmation_subject"),
        (
            {"confirmation_subject": "x", "confirmation_body": "{{ confirm_url }}{{ ''.__class__.__mro__ }}"},
            "confirmation_body",
        ),
    ]
    for fs, field in bad:
        r = await svc.client.patch(f"/v1/lists/{lid}", json={"form_settings": fs}, headers=h)
        assert r.status_code == 422, (fs, r.text)
        assert r.json()["detail"][0]["loc"] == ["body", "form_settings", field], r.text
        r = await svc.client.post("/v1/lists", json={"name": "n", "form_settings": fs}, headers=h)
        assert r.status_code == 422
    assert (await svc.client.get(f"/v1/lists/{lid}", headers=h)).json()["form_settings"][
        "confirmation_body"
    ] == body

    # preview: the stored template, or one given (not saved), in a chosen language
    r = await svc.client.post(f"/v1/lists/{lid}/confirmation-preview", headers=h)
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["subject"] == "Club : confirmez" and p["custom"] is True and p["locale"] == "fr"
    assert "subscriber@example.com" in p["html"] and "/confirm/preview" in p["html"]
    r = await svc.client.post(
        f"/v1/lists/{lid}/confirmation-preview",
        json={"confirmation_subject": "", "confirmation_body": "", "locale": "it"},
        headers=h,
    )
    assert r.json()["subject"] == "Conferma la tua iscrizione a Club" and r.json()["custom"] is False
    r = await svc.client.post(
        f"/v1/lists/{lid}/confirmation-preview",
        json={"confirmation_subject": "x", "confirmation_body": "y"},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "confirmation_body"
    r = await svc.client.post(f"/v1/lists/{lid}/confirmation-preview", json={"locale": "xx"}, headers=h)
    assert r.status_code == 422
    assert (await svc.client.post("/v1/lists/999999/confirmation-preview", headers=h)).status_code == 404
