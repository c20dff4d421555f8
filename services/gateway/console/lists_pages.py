"""Console pages: lists — the table with counts per status, create, edit (double opt-in, visibility, the public
form's settings and branding) with the embed snippet, delete. Every change goes through /v1/lists as the project.

The captcha secret is write-only (the API answers `secret_set`): the page never shows it, an empty secret input
keeps the stored one, and a typed one is not echoed back when the form is refused.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.bodies import field
from services.gateway.console import audit
from services.gateway.console.access import Access, ConsoleProblem, project_access, project_post
from services.gateway.console.lists_form import (
    COLORS,
    LOCALES,
    PROVIDERS,
    captcha_of,
    input_errors,
    posted_values,
    request_body,
    stored_values,
)
from services.gateway.console.mail_preview import rendered_mail
from services.gateway.console.project_api import UNAVAILABLE, ProjectApi
from services.gateway.console.views import done, page
from services.gateway.forms import FormConfig, embed_snippet, fetch_form
from services.gateway.security import DEFAULT_BRANDING, Branding, host_allowed
from services.gateway.state import gateway
from shared.errors import NotFound, SesameError

router = APIRouter(include_in_schema=False)


# ---------------------------------------------------------------- the index: table and "New list"


async def _lists(request: Request, pid: int) -> tuple[list[dict[str, Any]], str | None]:
    cursor = request.query_params.get("cursor") or None
    data = await ProjectApi(gateway(request), pid).need("/v1/lists", limit=100, cursor=cursor)
    return list(data.get("data") or []), data.get("next_cursor")


async def _render_index(request: Request, access: Access, *, status: int = 200, **extra: Any) -> Response:
    lists, next_cursor = await _lists(request, access.pid)
    values = extra.pop("values", None) or {"double_optin": True, "public": True, "captcha_provider": "altcha"}
    return page(
        request,
        "console/lists.html",
        access,
        {"lists": lists, "next_cursor": next_cursor, "providers": PROVIDERS, "values": values, **extra},
        section="lists",
        status=status,
    )


@router.get("/admin/p/{pid}/lists")
async def lists_page(request: Request, pid: int) -> Response:
    return await _render_index(request, await project_access(request, pid))


@router.post("/admin/p/{pid}/lists")
async def create_list(request: Request, pid: int) -> Response:
    access, form = await project_post(request, pid)
    values = posted_values(form, full=False)
    body, errors = request_body(values, full=False)
    if errors:
        return await _render_index(
            request, access, status=422, errors=errors, values=values, message="The list was not created."
        )
    r = await ProjectApi(gateway(request), pid).call("POST", "/v1/lists", json=body)
    if not r.ok:
        errors, message = input_errors(r)
        return await _render_index(
            request, access, status=r.page_status, errors=errors, values=values, message=message
        )
    lid = r.data["id"]
    await audit.record(
        request,
        access.viewer,
        "list.created",
        project_id=pid,
        target=f"list:{lid}",
        detail={
            "name": body["name"],
            "double_optin": body["double_optin"],
            "public": body["public"],
            "sunset_days": body.get("sunset_days"),
            "sunset_campaigns": body.get("sunset_campaigns"),
            "captcha": values["captcha_provider"],
        },
    )
    return done(
        request, f"/admin/p/{pid}/lists/{lid}", "List created. Its signup form and snippets are below."
    )


# ---------------------------------------------------------------- one list: edit, embed, delete


async def _form_config(request: Request, lid: int) -> FormConfig | None:
    try:
        return await fetch_form(gateway(request), lid)
    except (NotFound, SesameError):
        return None


def _embed(request: Request, lst: dict[str, Any], cfg: FormConfig | None) -> dict[str, str]:
    gw = gateway(request)
    url = f"{gw.public_url}/f/{lst['id']}"
    title = html.escape(f"Subscribe: {lst.get('name') or ''}", quote=True)
    iframe = f'<iframe src="{url}" title="{title}" width="100%" height="560" loading="lazy" style="border:0"></iframe>'
    return {"url": url, "iframe": iframe, "html": embed_snippet(gw, cfg).strip() if cfg else ""}


def _redirect_warning(values: dict[str, Any], cfg: FormConfig | None) -> str:
    url = values.get("redirect_url") or ""
    if not url or cfg is None:
        return ""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return ""
    if host and not host_allowed(host, port, cfg.allowed_hosts):
        return (
            f"{host} is not among the project's allowed redirect hosts: after signing up, people see the "
            "“check your inbox” page instead. An owner can add it in Settings."
        )
    return ""


def _defaults(cfg: FormConfig | None) -> dict[str, str]:
    """The colours the form uses where the list sets none (the project's branding): the pickers start there."""
    b = Branding.from_project(cfg.project) if cfg else DEFAULT_BRANDING
    return {"primary": b.primary, "accent": b.accent, "background": b.background, "text": b.text}


async def _render_edit(
    request: Request,
    access: Access,
    lid: int,
    *,
    values: dict[str, Any] | None = None,
    status: int = 200,
    **extra: Any,
) -> Response:
    lst = await ProjectApi(gateway(request), access.pid).need(f"/v1/lists/{lid}")
    cfg = await _form_config(request, lid)
    defaults = _defaults(cfg)
    values = values or stored_values(lst, defaults)
    ctx = {
        "lst": lst,
        "values": values,
        "providers": PROVIDERS,
        "locales": LOCALES,
        "colors": COLORS,
        "color_defaults": defaults,
        "secret_set": bool(captcha_of(lst.get("form_settings") or {}).get("secret_set")),
        "embed": _embed(request, lst, cfg),
        "redirect_warning": _redirect_warning(values, cfg),
        **extra,
    }
    return page(
        request, "console/lists_edit.html", access, ctx, section="lists", status=status, frame_self=True
    )


@router.get("/admin/p/{pid}/lists/{lid}")
async def list_page(request: Request, pid: int, lid: int) -> Response:
    return await _render_edit(request, await project_access(request, pid), lid)


@router.post("/admin/p/{pid}/lists/{lid}")
async def save_list(request: Request, pid: int, lid: int) -> Response:
    access, form = await project_post(request, pid)
    values = posted_values(form, full=True)
    body, errors = request_body(values, full=True)
    typed_secret = bool(values["captcha_secret"])
    shown = {**values, "captcha_secret": ""}  # never echoed, even what was just typed
    if errors:
        return await _render_edit(
            request,
            access,
            lid,
            values=shown,
            status=422,
            errors=errors,
            message="Nothing was saved.",
            secret_retype=typed_secret,
        )
    api = ProjectApi(gateway(request), pid)
    r = await api.call("PATCH", f"/v1/lists/{lid}", json=body)
    if r.status == 404:
        raise ConsoleProblem(404, "No such list", "This list does not exist (any more).")
    if not r.ok:
        errors, message = input_errors(r)
        return await _render_edit(
            request,
            access,
            lid,
            values=shown,
            status=r.page_status,
            errors=errors,
            message=f"Nothing was saved. {message}" if r.status < 500 else UNAVAILABLE,
            secret_retype=typed_secret,
        )
    gateway(request).forget(f"form:{lid}")  # this gateway's hosted form shows the change at once
    await audit.record(
        request,
        access.viewer,
        "list.updated",
        project_id=pid,
        target=f"list:{lid}",
        detail={
            "name": body["name"],
            "double_optin": body["double_optin"],
            "public": body["public"],
            "sunset_days": body.get("sunset_days"),
            "sunset_campaigns": body.get("sunset_campaigns"),
            "captcha": values["captcha_provider"],
            "secret": "replaced"
            if typed_secret
            else ("removed" if values["captcha_secret_remove"] else "kept"),
        },
    )
    return done(request, f"/admin/p/{pid}/lists/{lid}", "List saved.")


@router.post("/admin/p/{pid}/lists/{lid}/delete")
async def delete_list(request: Request, pid: int, lid: int) -> Response:
    access, _ = await project_post(request, pid)
    api = ProjectApi(gateway(request), pid)
    before = await api.get(f"/v1/lists/{lid}")
    r = await api.call("DELETE", f"/v1/lists/{lid}")
    if r.status == 404:
        raise ConsoleProblem(404, "No such list", "This list does not exist (any more).")
    if not r.ok:
        return await _render_edit(
            request, access, lid, status=r.page_status, message=r.message or UNAVAILABLE
        )
    gateway(request).forget(f"form:{lid}")
    name = (before.data or {}).get("name", "") if before.ok else ""
    await audit.record(
        request, access.viewer, "list.deleted", project_id=pid, target=f"list:{lid}", detail={"name": name}
    )
    return done(request, f"/admin/p/{pid}/lists", f"List “{name}” deleted; its signup form is gone.")


# --- the list's confirmation mail, previewed (sandboxed documents, console/mail_preview.py) ------------------
@router.get("/admin/p/{pid}/lists/{lid}/confirmation-preview")
async def confirmation_preview_saved(request: Request, pid: int, lid: int) -> Response:
    """The confirmation mail as the list's settings stand (links in it confirm nothing)."""
    await project_access(request, pid)
    view = "text" if request.query_params.get("view") == "text" else "html"
    r = await ProjectApi(gateway(request), pid).call("POST", f"/v1/lists/{lid}/confirmation-preview")
    return rendered_mail(request, view, r)


@router.post("/admin/p/{pid}/lists/{lid}/confirmation-preview")
async def confirmation_preview_typed(request: Request, pid: int, lid: int) -> Response:
    """The confirmation mail with what is typed in the list's form (not saved; refused like a save would be)."""
    _, form = await project_post(request, pid)
    view = "text" if field(form, "view", 10) == "text" else "html"
    subject, body = field(form, "confirmation_subject", 2000), field(form, "confirmation_body", 60_000)
    payload: dict[str, Any] = {}
    if subject or body:
        payload.update(confirmation_subject=subject or None, confirmation_body=body or None)
    if field(form, "locale", 20):
        payload["locale"] = field(form, "locale", 20)
    r = await ProjectApi(gateway(request), pid).call(
        "POST", f"/v1/lists/{lid}/confirmation-preview", json=payload or None
    )
    reasons = list(dict.fromkeys(r.errors.values()))  # the template's own error, not "check the fields"
    return rendered_mail(request, view, r, "; ".join(reasons) if reasons else "")
