"""Rendering console pages: the layout's context (who, which project, navigation, CSRF), flash messages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeSerializer

from services.gateway.console.access import ROLE_LABELS, Access
from services.gateway.console.sessions import Viewer
from services.gateway.rendering import render
from services.gateway.state import gateway

# (path under /admin/p/{pid}, label, key) — the project's navigation, in order.
SECTIONS = [
    ("", "Overview", "overview"),
    ("/lists", "Lists", "lists"),
    ("/contacts", "Contacts", "contacts"),
    ("/templates", "Templates", "templates"),
    ("/campaigns", "Campaigns", "campaigns"),
    ("/outbox", "Outbox", "outbox"),
    ("/ses", "SES", "ses"),
    ("/keys", "API keys", "keys"),
    ("/webhooks", "Webhooks", "webhooks"),
    ("/members", "Members", "members"),
    ("/audit", "Audit log", "audit"),
]


def _flasher(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(gateway(request).settings.security.secret_key, salt="sesame.console-flash")


def done(request: Request, url: str, message: str) -> RedirectResponse:
    """303 to `url` with a one-line confirmation shown there (signed, so a link cannot put words in our mouth)."""
    sep = "&" if "?" in url else "?"
    return RedirectResponse(f"{url}{sep}{urlencode({'flash': _flasher(request).dumps(message[:300])})}", 303)


def _flash(request: Request) -> str | None:
    raw = request.query_params.get("flash")
    if not raw or len(raw) > 1000:
        return None
    try:
        value = _flasher(request).loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) else None


def page(
    request: Request,
    template: str,
    who: Access | Viewer,
    context: dict[str, Any] | None = None,
    *,
    section: str = "",
    status: int = 200,
    frame_self: bool = False,
) -> HTMLResponse:
    """A console page inside the layout; `frame_self` lets it show our own preview frames."""
    access = who if isinstance(who, Access) else None
    viewer = who.viewer if isinstance(who, Access) else who
    ctx: dict[str, Any] = {
        "me": viewer,
        "access": access,
        "project": access.project if access else None,
        "pid": access.pid if access else None,
        "projects": access.projects if access else [],
        "can_edit": access.can("editor") if access else False,
        "can_own": access.can("owner") if access else False,
        "csrf": viewer.csrf,
        "sections": SECTIONS,
        "section": section,
        "flash": _flash(request),
        "role_labels": ROLE_LABELS,
        "errors": {},
        "values": {},
        **(context or {}),
    }
    return render(request, template, ctx, status=status, extra_frame="'self'" if frame_self else "")
