"""The languages of the subscriber pages and system mails, and their gettext catalogues.

The catalogues live in services/gateway/locale/<code>/LC_MESSAGES/messages.po (the gateway renders most of what
they hold; the subscriptions service builds the confirmation mail from the same ones). They are read and compiled
in memory at first use: no build step.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

SHIPPED_LOCALES: tuple[str, ...] = ("en", "fr", "de", "es", "it", "pt", "nl", "pl")
DEFAULT_LOCALE = "en"
# Each language by its own name (what an owner picks from).
LOCALE_NAMES = {
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
    "it": "Italiano",
    "pt": "Português",
    "nl": "Nederlands",
    "pl": "Polski",
}
LOCALE_DIR = Path(__file__).resolve().parents[1] / "services" / "gateway" / "locale"
DOMAIN = "messages"


def shipped_locale(value: object) -> str | None:
    """`value` as a shipped locale code (case and region ignored: `fr-CA` → `fr`), else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if code in SHIPPED_LOCALES else None


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Marks a string for the catalogue; it is translated where it is shown."""
    return msgid


def po_path(locale: str) -> Path:
    """Where a locale's catalogue is."""
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(SHIPPED_LOCALES))
def translations(locale: str) -> NullTranslations:
    """The catalogue of a shipped locale, compiled in memory from its .po (English: the msgids themselves)."""
    path = po_path(locale)
    if locale == DEFAULT_LOCALE or locale not in SHIPPED_LOCALES or not path.exists():
        return NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=locale, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)  # fuzzy entries are left out, as msgfmt does
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)
