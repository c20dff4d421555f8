"""Catalogues: every shipped locale translates every subscriber-facing string, placeholders and markup intact; the
locale of a page comes from the list, else Accept-Language, else English."""

from __future__ import annotations

import re

import pytest

from services.gateway.i18n import negotiate, text_direction, translations
from services.gateway.i18n_extract import extract, load
from shared.locales import SHIPPED_LOCALES, shipped_locale

_PLACES = re.compile(r"%\(\w+\)s|<[^>]+>")
OTHERS = [loc for loc in SHIPPED_LOCALES if loc != "en"]


@pytest.fixture(scope="module")
def msgids() -> list[str]:
    return [m.id for m in extract() if m.id]


@pytest.mark.parametrize("locale", OTHERS)
def test_every_msgid_is_translated_with_the_same_placeholders(locale: str, msgids: list[str]) -> None:
    cat = load(locale)
    missing = [m for m in msgids if cat.get(m) is None or not cat[m].string]
    assert not missing, f"{locale}: untranslated (run python -m services.gateway.i18n_extract): {missing}"
    fuzzy = [m.id for m in cat if m.id and m.fuzzy]
    assert not fuzzy, f"{locale}: fuzzy entries are not used at runtime: {fuzzy}"
    for m in msgids:
        assert sorted(_PLACES.findall(m)) == sorted(_PLACES.findall(cat[m].string)), (locale, m)
    stale = [m.id for m in cat if m.id and m.id not in set(msgids)]
    assert not stale, f"{locale}: no longer used: {stale}"


@pytest.mark.parametrize("locale", OTHERS)
def test_catalogues_load_at_runtime_without_a_compile_step(locale: str) -> None:
    t = translations(locale)
    assert t.gettext("Confirm your subscription") != "Confirm your subscription"
    assert "%(name)s" in t.gettext("Sent by %(name)s")
    assert translations("en").gettext("Confirm your subscription") == "Confirm your subscription"


def test_negotiation() -> None:
    assert negotiate("") == "en"
    assert negotiate("fr-CA,fr;q=0.9,en;q=0.8") == "fr"
    assert negotiate("ja, de;q=0.5") == "de"
    assert negotiate("en;q=0.2, pl;q=0.9") == "pl"
    assert negotiate("ja, zh") == "en"
    assert negotiate("pt-BR") == "pt"
    assert negotiate("nl;q=0, it") == "it"
    assert negotiate("x" * 5000 + ",;;;q=zz") == "en"
    assert shipped_locale("DE_at") == "de" and shipped_locale("xx") is None and shipped_locale(3) is None
    assert text_direction("fr") == "ltr" and text_direction("ar") == "rtl"


def _french_list() -> dict[int, dict[str, object]]:
    return {
        7: {
            "id": 7,
            "name": "Nouvelles",
            "description": "Chaque semaine",
            "double_optin": True,
            "form_settings": {"locale": "fr"},
        }
    }


async def test_pages_follow_the_lists_locale_whatever_the_browser(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway(lists=_french_list()) as h:
        german = {"accept-language": "de-DE,de;q=0.9"}
        for path in ("/f/7", "/f/7/thanks", "/confirm/good", "/u/good", "/p/good"):
            r = await h.client.get(path, headers=german)
            assert '<html lang="fr" dir="ltr">' in r.text, path
            assert r.headers["content-language"] == "fr"
            assert "Envoyé par Acme" in r.text, path
        r = await h.client.get("/confirm/good")
        assert "Confirmez votre abonnement" in r.text and "Oui, je m’abonne" in r.text
        r = await h.client.post("/u/good", data={"confirm": "yes"})
        assert "Vous êtes désabonné" in r.text
        r = await h.client.post("/p/good", data={"action": "pause", "list_id": "7", "until": "1999-01-01"})
        assert r.status_code == 422 and "Choisissez une date future" in r.text


async def test_without_a_list_locale_the_browser_decides(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.get("/confirm/good", headers={"accept-language": "nl-BE, en;q=0.5"})
        assert '<html lang="nl" dir="ltr">' in r.text and "Bevestig je aanmelding" in r.text
        r = await h.client.get("/confirm/garbage", headers={"accept-language": "es"})
        assert r.status_code == 400 and "Este enlace no es válido" in r.text
        r = await h.client.get("/nowhere", headers={"accept": "text/html", "accept-language": "pl"})
        assert r.status_code == 404 and "Nie znaleziono strony" in r.text
        r = await h.client.get("/confirm/good", headers={"accept-language": "ja"})
        assert '<html lang="en" dir="ltr">' in r.text and "Confirm your subscription" in r.text


async def test_embed_snippet_and_form_errors_in_the_lists_language(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway(lists=_french_list()) as h:
        r = await h.client.get("/f/7/embed")
        assert "Adresse e-mail" in r.text and "S’abonner" in r.text
        r = await h.client.post("/f/7", data={"email": "not-an-address"})
        assert r.status_code == 422 and "Veuillez saisir une adresse e-mail valide." in r.text
        r = await h.client.post("/api/forms/7/subscribe", json={"email": "nope"})
        assert r.json()["error"] == "invalid_email"  # the JSON API keeps its English detail
