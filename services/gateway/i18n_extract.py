"""The catalogues' source: every translatable string of the public templates and of the gateway code (`N_`).

`python -m services.gateway.i18n_extract` adds new msgids to each locale's messages.po (empty, to translate) and
drops those no longer used; tests/gateway/test_i18n.py fails while any shipped locale lacks a translation.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from services.gateway.rendering import PUBLIC_TEMPLATES
from shared.locales import DEFAULT_LOCALE, DOMAIN, SHIPPED_LOCALES, po_path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TEMPLATES = HERE / "templates"
# Templates the public pages include or extend, besides those rendered directly.
PARTIALS = ("base.html", "_signup_fields.html", "_captcha_scripts.html")
# Python sources with N_ strings: the gateway's pages, and the confirmation mail (built by subscriptions).
PYTHON = tuple(HERE / n for n in ("pages.py", "forms.py", "app.py", "captcha.py")) + (
    ROOT / "services" / "subscriptions" / "confirmation.py",
)
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}


def extract() -> Catalog:
    """All msgids, with their places (file:line)."""
    cat = Catalog(domain=DOMAIN, project="Sesame", locale=DEFAULT_LOCALE)
    for name in sorted({*PUBLIC_TEMPLATES, *PARTIALS}):
        path = TEMPLATES / name
        for lineno, msg, comments, _ctx in extract_from_file(
            "jinja2.ext:babel_extract", str(path), options=JINJA_OPTIONS
        ):
            cat.add(msg, locations=[(str(path.relative_to(ROOT)), lineno)], auto_comments=comments)
    for path in PYTHON:
        for lineno, msg, comments, _ctx in extract_from_file(
            "python", str(path), keywords={"N_": None}, comment_tags=("TRANSLATORS:",)
        ):
            cat.add(msg, locations=[(str(path.relative_to(ROOT)), lineno)], auto_comments=comments)
    return cat


def load(locale: str) -> Catalog:
    with po_path(locale).open("rb") as f:
        return read_po(f, locale=locale, domain=DOMAIN)


def update() -> None:
    template = extract()
    for locale in SHIPPED_LOCALES:
        if locale == DEFAULT_LOCALE:
            continue
        path = po_path(locale)
        if path.exists():
            cat = load(locale)
            cat.update(template, no_fuzzy_matching=True)
            cat.obsolete.clear()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            cat = Catalog(domain=DOMAIN, project="Sesame", locale=locale)
            cat.update(template, no_fuzzy_matching=True)
        with path.open("wb") as f:
            write_po(f, cat, width=120, sort_output=False, omit_header=False)


if __name__ == "__main__":
    update()
    sys.stdout.write(f"updated {', '.join(SHIPPED_LOCALES[1:])}\n")
