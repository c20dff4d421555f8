"""Rendered mail shown in the console: its own small documents, each served from its own URL under a CSP of its
own (sandboxed, no scripts, inline styles and https images only), framed only by our own pages."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from services.gateway.console.project_api import UNAVAILABLE, ApiResult
from services.gateway.state import gateway

PREVIEW_CSP = (
    "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; sandbox; frame-ancestors 'self'"
)


def preview_response(html: str, status: int = 200) -> HTMLResponse:
    """A rendered mail (or one of our preview notes) under the preview's CSP."""
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "content-security-policy": PREVIEW_CSP,
            "x-frame-options": "SAMEORIGIN",
            "cache-control": "no-store",
        },
    )


def preview_note(request: Request, view: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    """Our own small preview documents (a subject and text part, a note, an error)."""
    html = gateway(request).templates.get_template("console/templates_preview.html").render(view=view, **ctx)
    return preview_response(html, status)


def rendered_mail(request: Request, view: str, r: ApiResult, message: str = "") -> HTMLResponse:
    """The API's `{subject, html, text}` as the HTML part (view "html") or the subject and text part ("text")."""
    if not r.ok:
        status = r.status if 400 <= r.status < 500 else 503
        return preview_note(
            request, view, status, error=message or r.message or f"The preview failed ({r.status})."
        )
    if not isinstance(r.data, dict):
        return preview_note(request, view, 503, error=UNAVAILABLE)
    if view == "text":
        return preview_note(request, view, subject=r.data.get("subject") or "", text=r.data.get("text") or "")
    if r.data.get("html") is None:
        return preview_note(request, view, note="No HTML part: mail programs show the text part.")
    return preview_response(str(r.data["html"]))
