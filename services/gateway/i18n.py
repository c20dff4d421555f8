"""Translations of the subscriber pages: gettext catalogues (locale/<lang>/LC_MESSAGES/messages.po) read at
startup — no compile step — and the locale of a request: the list's `form_settings.locale`, else the browser's
Accept-Language, else English.

Python-side strings shown to subscribers are marked with `N_` (extracted by `python -m services.gateway.i18n_extract`) and
translated when the page is rendered (`gettext(request, msgid)`), never by a template's `_()` on a variable:
Jinja's new-style gettext marks its result safe, so only literals may go through it.
"""

from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from fastapi import Request

from services.gateway.accept import weighted_values
from shared.locales import (
    DEFAULT_LOCALE,
    DOMAIN,
    N_,
    SHIPPED_LOCALES,
    po_path,
    shipped_locale,
    translations,
)

__all__ = ["DOMAIN", "N_", "po_path", "translations"]


def text_direction(locale: str) -> str:
    try:
        return "rtl" if Locale.parse(locale).text_direction == "rtl" else "ltr"
    except (UnknownLocaleError, ValueError):
        return "ltr"


def accept_language(header: str) -> list[str]:
    """The language tags of an Accept-Language header, best first (q=0 dropped)."""
    ranked = [(-q, i, tag) for i, (tag, q) in enumerate(weighted_values(header, 30)) if tag != "*" and q > 0]
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(header: str) -> str:
    """The best shipped locale for an Accept-Language header, else English."""
    preferred = [t.replace("_", "-") for t in accept_language(header)]
    found = Locale.negotiate(preferred, list(SHIPPED_LOCALES), sep="-") if preferred else None
    return (shipped_locale(str(found)) if found else None) or DEFAULT_LOCALE


def request_locale(request: Request) -> str:
    """The page's locale: one set for this request (the list's), else the browser's choice."""
    chosen = getattr(request.state, "locale", None)
    if chosen in SHIPPED_LOCALES:
        return str(chosen)
    return negotiate(request.headers.get("accept-language", ""))


def use_locale(request: Request, *candidates: Any) -> None:
    """Fixes this request's locale to the first shipped one among `candidates` (list settings); else it stays
    negotiated from Accept-Language."""
    for c in candidates:
        if (code := shipped_locale(c)) is not None:
            request.state.locale = code
            return


def gettext(request: Request, msgid: str) -> str:
    return translations(request_locale(request)).gettext(msgid)
