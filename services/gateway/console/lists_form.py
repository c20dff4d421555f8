"""The list edit form ↔ the /v1/lists body: inputs from a stored list, a posted form read back (colour pickers
that work without script), the body sent, and the API's refusals placed next to the inputs they concern."""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import FormData

from services.gateway.bodies import field
from services.gateway.console.project_api import ApiResult
from shared.digits import ascii_digits
from shared.locales import LOCALE_NAMES, SHIPPED_LOCALES

PROVIDERS = [
    ("altcha", "ALTCHA (self-hosted, no keys needed)"),
    ("none", "None"),
    ("turnstile", "Cloudflare Turnstile"),
    ("hcaptcha", "hCaptcha"),
    ("recaptcha", "Google reCAPTCHA"),
]
KEYED = {"turnstile": "Turnstile", "hcaptcha": "hCaptcha", "recaptcha": "reCAPTCHA"}
COLORS = [
    ("primary_color", "Primary colour", "primary"),
    ("accent_color", "Accent colour", "accent"),
    ("background_color", "Background colour", "background"),
    ("text_color", "Text colour", "text"),
]
TEXTS = {
    "name": 300,
    "description": 6000,
    "title": 300,
    "intro": 3000,
    "button_label": 200,
    "confirmation_subject": 400,
    "confirmation_body": 60_000,
}
# The sunset policy's thresholds (whole numbers, as the lists API bounds them; both empty: off, the default).
SUNSET = {"sunset_days": (1, 3650), "sunset_campaigns": (1, 1000)}
# The languages of the list's subscriber pages and confirmation mail (shared/locales.py); "" = the reader's.
LOCALES = [("", "The subscriber's browser language"), *((c, LOCALE_NAMES.get(c, c)) for c in SHIPPED_LOCALES)]
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

# The API's field (loc joined by dots) → the input that shows its error; the longest matching prefix wins.
_INPUT_OF = {
    "name": "name",
    "description": "description",
    "double_optin": "double_optin",
    "public": "public",
    "form_settings.captcha": "captcha_provider",
    "form_settings.captcha.provider": "captcha_provider",
    "form_settings.captcha.site_key": "captcha_site_key",
    "form_settings.captcha.secret": "captcha_secret",
    "form_settings.honeypot": "honeypot",
    "form_settings.redirect_url": "redirect_url",
    "form_settings.fields": "fields",
    "form_settings.title": "title",
    "form_settings.intro": "intro",
    "form_settings.button_label": "button_label",
    "form_settings.locale": "locale",
    "form_settings.confirmation_subject": "confirmation_subject",
    "form_settings.confirmation_body": "confirmation_body",
    "sunset_days": "sunset_days",
    "sunset_campaigns": "sunset_campaigns",
    "form_settings.branding.name": "brand_name",
    "form_settings.branding.logo_url": "logo_url",
    **{f"form_settings.branding.{c}": c for c, _, _ in COLORS},
}
# Pattern errors say the regular expression; say what is wanted instead.
_PATTERN_HELP = {
    **{c: "A colour in hex, like #1f5fbf (or empty for the project's)." for c, _, _ in COLORS},
    "logo_url": "An http(s) URL.",
    "fields": "Field names are letters, digits and _, not starting with a digit (one per line: name or name:label).",
}


def _input_for(api_field: str) -> str | None:
    best = None
    for prefix in _INPUT_OF:
        if (api_field == prefix or api_field.startswith(prefix + ".")) and (
            best is None or len(prefix) > len(best)
        ):
            best = prefix
    return _INPUT_OF[best] if best else None


def input_errors(r: ApiResult) -> tuple[dict[str, str], str]:
    """The API's refusal as (input → message, message for the whole form)."""
    errors: dict[str, str] = {}
    loose: list[str] = []
    for key, msg in r.errors.items():
        name = _input_for(key)
        if name is None:
            if key != "form_settings":  # explain() repeats nested errors at their top-level key
                loose.append(f"{key}: {msg}")
            continue
        if msg.startswith("String should match pattern") and name in _PATTERN_HELP:
            msg = _PATTERN_HELP[name]
        errors.setdefault(name, msg.removeprefix("Value error, "))
    if "form_settings" in r.errors and not errors:
        loose.append(r.errors["form_settings"])
    message = r.message or "The list was not saved."
    if loose:
        message = f"{message} {'; '.join(loose)}"
    return errors, message


def _expand(hex_color: str) -> str:
    """#rgb → #rrggbb, lower case (what <input type=color> takes), else ""."""
    if not _HEX.match(hex_color or ""):
        return ""
    h = hex_color[1:]
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return "#" + h.lower()


def captcha_of(fs: dict[str, Any]) -> dict[str, Any]:
    raw = fs.get("captcha")
    if isinstance(raw, str):  # an old shape the gateway still reads
        raw = {"provider": raw}
    return raw if isinstance(raw, dict) else {}


def _fields_text(raw: Any) -> str:
    lines = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, str):
            lines.append(item)
        elif isinstance(item, dict) and item.get("name"):
            label = item.get("label")
            lines.append(f"{item['name']}:{label}" if label else str(item["name"]))
    return "\n".join(lines)


def _parse_fields(text: str) -> list[Any]:
    out: list[Any] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        name, sep, label = line.partition(":")
        out.append({"name": name.strip(), "label": label.strip()} if sep and label.strip() else name.strip())
    return out


def stored_values(lst: dict[str, Any], defaults: dict[str, str]) -> dict[str, Any]:
    """The edit form's inputs as the list is stored (the secret never among them)."""
    fs = lst.get("form_settings") or {}
    captcha = captcha_of(fs)
    branding = fs.get("branding") or {}
    values: dict[str, Any] = {
        "name": lst.get("name") or "",
        "description": lst.get("description") or "",
        "double_optin": bool(lst.get("double_optin")),
        "public": lst.get("public", True) is not False,
        "captcha_provider": captcha.get("provider") or "none",
        "captcha_site_key": captcha.get("site_key") or "",
        "captcha_secret": "",
        "honeypot": fs.get("honeypot", True) is not False,
        "title": fs.get("title") or "",
        "intro": fs.get("intro") or "",
        "button_label": fs.get("button_label") or "",
        "locale": fs.get("locale") or "",
        "confirmation_subject": fs.get("confirmation_subject") or "",
        "confirmation_body": fs.get("confirmation_body") or "",
        "redirect_url": fs.get("redirect_url") or "",
        "fields": _fields_text(fs.get("fields")),
        "brand_name": branding.get("name") or "",
        "logo_url": branding.get("logo_url") or "",
        **{k: str(lst.get(k) or "") for k in SUNSET},
    }
    for c, _, key in COLORS:
        text = str(branding.get(c) or "")
        pick = _expand(text) or _expand(defaults.get(key, "")) or "#000000"
        values.update({c: text, f"{c}_was": text, f"{c}_pick": pick, f"{c}_pick_was": pick})
    return values


def posted_values(form: FormData, *, full: bool) -> dict[str, Any]:
    """What the person sent, as the form's inputs (a colour: the hex text if it was edited, else the picker if
    that was moved — so the page works without script, where the two do not follow each other)."""
    values: dict[str, Any] = {k: field(form, k, n) for k, n in TEXTS.items()}
    values.update(
        {
            "double_optin": field(form, "double_optin", 10) == "on",
            "public": field(form, "public", 10) == "on",
            "captcha_provider": field(form, "captcha_provider", 20) or "none",
            "captcha_site_key": field(form, "captcha_site_key", 600),
            "captcha_secret": field(form, "captcha_secret", 600),
            "captcha_secret_remove": field(form, "captcha_secret_remove", 10) == "on",
            "honeypot": field(form, "honeypot", 10) == "on" if full else True,
            "redirect_url": field(form, "redirect_url", 2100),
            "locale": field(form, "locale", 10),
            "fields": field(form, "fields", 5000),
            "brand_name": field(form, "brand_name", 300),
            "logo_url": field(form, "logo_url", 2100),
            **{k: field(form, k, 12) for k in SUNSET},
        }
    )
    for c, _, _ in COLORS:
        text, was = field(form, c, 50), field(form, f"{c}_was", 50)
        pick, pick_was = field(form, f"{c}_pick", 20), field(form, f"{c}_pick_was", 20)
        if text == was and _expand(pick) and _expand(pick) != _expand(pick_was):
            text = pick
        values.update(
            {c: text, f"{c}_was": was, f"{c}_pick": _expand(text) or pick, f"{c}_pick_was": pick_was}
        )
    return values


def request_body(values: dict[str, Any], *, full: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """The /v1/lists body for these inputs, and the console's own refusals (a keyed captcha without its key)."""
    errors: dict[str, str] = {}
    provider = values["captcha_provider"]
    captcha: dict[str, Any] = {"provider": provider}
    if values["captcha_site_key"]:
        captcha["site_key"] = values["captcha_site_key"]
    if values["captcha_secret"]:
        captcha["secret"] = values["captcha_secret"]
    elif values.get("captcha_secret_remove"):
        captcha["secret"] = ""
    if provider in KEYED and not values["captcha_site_key"]:
        errors["captcha_site_key" if full else "captcha_provider"] = (
            f"{KEYED[provider]} needs the site key from its dashboard."
            if full
            else f"{KEYED[provider]} needs its keys: choose it on the list's page after creating the list."
        )
    fs: dict[str, Any] = {"captcha": captcha, "honeypot": values["honeypot"]}
    if full:
        fs["fields"] = _parse_fields(values["fields"])
        for k in ("title", "intro", "button_label", "redirect_url", "locale"):
            if values[k]:
                fs[k] = values[k]
        for k in ("confirmation_subject", "confirmation_body"):
            if values[k]:
                fs[k] = values[k]
        branding = {"name": values["brand_name"], "logo_url": values["logo_url"]}
        branding.update({c: values[c] for c, _, _ in COLORS})
        branding = {k: v for k, v in branding.items() if v}
        if branding:
            fs["branding"] = branding
    body = {
        "name": values["name"],
        "description": values["description"],
        "double_optin": values["double_optin"],
        "public": values["public"],
        "form_settings": fs,
    }
    if full:
        for key, (low, high) in SUNSET.items():
            raw = values[key].strip()
            if not raw:
                body[key] = None
            elif ascii_digits(raw) and low <= int(raw) <= high:
                body[key] = int(raw)
            else:
                errors[key] = f"A whole number from {low} to {high}, or empty."
    return body, errors
