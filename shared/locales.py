"""The languages Sesame's subscriber pages and system mails are translated into (gateway/locale/<code>)."""

from __future__ import annotations

SHIPPED_LOCALES: tuple[str, ...] = ("en", "fr", "de", "es", "it", "pt", "nl", "pl")
DEFAULT_LOCALE = "en"


def shipped_locale(value: object) -> str | None:
    """`value` as a shipped locale code (case and region ignored: `fr-CA` → `fr`), else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    code = value.strip().replace("_", "-").split("-")[0].lower()
    return code if code in SHIPPED_LOCALES else None
