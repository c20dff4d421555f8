"""Server-rendered pages: one function that renders a template with branding, a CSP nonce and its headers."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from services.gateway.i18n import gettext, request_locale, text_direction
from services.gateway.security import DEFAULT_BRANDING, Branding, build_csp, new_nonce
from services.gateway.state import gateway
from shared.locales import DEFAULT_LOCALE

# The pages a subscriber meets are translated; the console and the ops pages are English.
PUBLIC_TEMPLATES = frozenset(
    {
        "form.html",
        "embed.html",
        "check_inbox.html",
        "confirm.html",
        "confirmed.html",
        "expired.html",
        "preferences.html",
        "unsubscribe.html",
        "unsubscribed.html",
        "message.html",
    }
)


def page_locale(request: Request, template: str) -> str:
    if template not in PUBLIC_TEMPLATES or request.url.path.startswith("/admin"):
        return DEFAULT_LOCALE
    return request_locale(request)


def _t(request: Request, msgid: str) -> str:
    return gettext(request, msgid) if page_locale(request, "message.html") != DEFAULT_LOCALE else msgid


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    branding: Branding | None = None,
    frameable: bool = False,
    extra_script: str = "",
    extra_frame: str = "",
    form_action: str = "",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    gw = gateway(request)
    nonce = new_nonce()
    branding = branding or DEFAULT_BRANDING
    locale = page_locale(request, template)
    ctx = {
        "request": request,
        "locale": locale,
        "text_dir": text_direction(locale),
        "brand": branding,
        "nonce": nonce,
        "public_url": gw.public_url,
        **(context or {}),
    }
    html = gw.templates_for(locale).get_template(template).render(ctx)
    csp = build_csp(
        nonce=nonce,
        frameable=frameable,
        extra_script=extra_script,
        extra_frame=extra_frame,
        form_action=form_action,
        images_https=branding.logo_url is not None,
    )
    hdrs = {"content-security-policy": csp, "cache-control": "no-store"}
    if not frameable:
        hdrs["x-frame-options"] = "DENY"
    hdrs.update(headers or {})
    hdrs["content-language"] = locale
    hdrs["vary"] = "Accept-Language"
    return HTMLResponse(html, status_code=status, headers=hdrs)


def error_page(
    request: Request,
    status: int,
    title: str,
    message: str,
    branding: Branding | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "message.html",
        {"title": _t(request, title), "message": _t(request, message), "alert": status >= 400},
        status=status,
        branding=branding,
        headers=headers,
    )
