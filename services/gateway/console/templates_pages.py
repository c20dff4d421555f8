"""Console pages: templates — list, editor with a live preview (desktop and phone widths), test-send.

The preview is the rendered email served as its own document, from its own URL, with a CSP of its own
(`sandbox`, no scripts), shown in an iframe of the editor: the email's HTML never becomes part of a console page.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from services.gateway.bodies import field
from services.gateway.console import audit
from services.gateway.console.access import Access, ConsoleProblem, checked_form, project_access, project_post
from services.gateway.console.mail_preview import preview_note, rendered_mail
from services.gateway.console.project_api import UNAVAILABLE, ApiResult, ProjectApi
from services.gateway.console.views import done, page
from services.gateway.state import gateway

router = APIRouter(include_in_schema=False)

# A template's parts may be 500,000 characters each (the sender's limit); URL-encoded, with room to spare.
SOURCE_LIMIT = 4_000_000
PREVIEW_EMAIL = "preview@example.com"
PARTS = {"subject": "Subject", "html": "HTML", "text": "Text", "render": "Rendering"}


def _url(pid: int, tail: str = "") -> str:
    return f"/admin/p/{pid}/templates{tail}"


def _source(form: FormData, name: str) -> str | None:
    """A template part as typed (not trimmed: whitespace can matter), with the browser's CRLFs undone."""
    value = form.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.replace("\r\n", "\n")


def _json_object(raw: str) -> tuple[dict[str, Any], str]:
    """(the object, "") or ({}, why not) for a JSON-object field that may be left empty."""
    if not raw.strip():
        return {}, ""
    try:
        value = json.loads(raw)
    except ValueError as exc:
        pos = f" (line {exc.lineno}, column {exc.colno})" if hasattr(exc, "lineno") else ""
        return {}, f"This is not valid JSON: {getattr(exc, 'msg', str(exc))}{pos}."
    if not isinstance(value, dict):
        return {}, 'Give a JSON object, like {"first_name": "Ann"}.'
    return value, ""


def _problems(r: ApiResult) -> tuple[dict[str, str], str]:
    """The API's refusal as messages next to the editor's fields: a template error names its part and line."""
    detail = r.data.get("detail") if isinstance(r.data, dict) else None
    if isinstance(detail, dict) and "part" in detail:
        part = str(detail.get("part"))
        line = detail.get("line")
        msg = str(detail.get("message") or "invalid template")
        text = f"Line {line}: {msg}" if isinstance(line, int) else msg
        target = part if part in ("subject", "html", "text") else "html"
        return {target: text}, f"{PARTS.get(part, part)}: {text}"
    return dict(r.errors), r.message


async def _editor_post(request: Request, pid: int) -> tuple[Access, FormData]:
    """project_post with room for a template's size: role first (403 for a viewer), then the CSRF token."""
    access = await project_access(request, pid, "editor")
    return access, await checked_form(request, access.viewer, SOURCE_LIMIT)


def _template_body(form: FormData) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the API's TemplateIn, what the user typed to show again)."""
    body = {
        "name": field(form, "name", 1000),
        "subject": field(form, "subject", 5000),
        "html": _source(form, "html"),
        "text": _source(form, "text"),
    }
    values = {
        **body,
        "marketing": form.get("marketing") == "on",
        "sample": field(form, "sample", 20_000),
    }
    return body, values


def _default_to(access: Access) -> str:
    return access.viewer.login if "@" in access.viewer.login else ""


async def _edit_page(
    request: Request,
    access: Access,
    template: dict[str, Any] | None,
    *,
    status: int = 200,
    values: dict[str, Any] | None = None,
    **extra: Any,
) -> HTMLResponse:
    mode = None
    if template is not None and access.can("editor"):
        r = await ProjectApi(gateway(request), access.pid).get("/v1/sending")
        mode = r.data.get("mode") if r.ok and isinstance(r.data, dict) else None
    shown: dict[str, Any] = {"to": _default_to(access), "sample": "", "marketing": False}
    if template is not None:
        shown.update({k: template.get(k) or "" for k in ("name", "subject", "html", "text")})
    shown.update(values or {})
    ctx = {"template": template, "values": shown, "mode": mode, "preview_email": PREVIEW_EMAIL, **extra}
    return page(
        request,
        "console/templates_edit.html",
        access,
        ctx,
        section="templates",
        status=status,
        frame_self=True,
    )


async def _load(request: Request, pid: int, tid: int) -> dict[str, Any]:
    data = await ProjectApi(gateway(request), pid).need(f"/v1/templates/{tid}")
    if not isinstance(data, dict):
        raise ConsoleProblem(503, "Not available", UNAVAILABLE)
    return data


# ------------------------------------------------------------------------------------------------ pages


@router.get("/admin/p/{pid}/templates")
async def templates_index(request: Request, pid: int) -> Response:
    access = await project_access(request, pid)
    data = await ProjectApi(gateway(request), pid).need("/v1/templates", limit=500)
    rows = data.get("data", []) if isinstance(data, dict) else []
    return page(request, "console/templates.html", access, {"templates": rows}, section="templates")


@router.get("/admin/p/{pid}/templates/new")
async def new_template(request: Request, pid: int) -> Response:
    access = await project_access(request, pid, "editor")
    return await _edit_page(request, access, None)


@router.get("/admin/p/{pid}/templates/{tid}")
async def edit_template(request: Request, pid: int, tid: int) -> Response:
    access = await project_access(request, pid)
    return await _edit_page(request, access, await _load(request, pid, tid))


# ------------------------------------------------------------------------------------------------ preview


def _rendered(request: Request, view: str, r: ApiResult) -> HTMLResponse:
    message = "" if r.ok else _problems(r)[1]
    return rendered_mail(request, view, r, message)


def _view(value: Any) -> str:
    return "text" if value == "text" else "html"


@router.post("/admin/p/{pid}/templates/preview")
async def preview_unsaved(request: Request, pid: int) -> Response:
    _, form = await _editor_post(request, pid)
    view = _view(form.get("view"))
    body, values = _template_body(form)
    sample, problem = _json_object(values["sample"])
    if problem:
        return preview_note(request, view, 422, error=f"Sample data: {problem}")
    if body["html"] is None and body["text"] is None:
        return preview_note(request, view, note="Nothing to preview yet: write the HTML or the text.")
    r = await ProjectApi(gateway(request), pid).call(
        "POST",
        "/v1/templates/preview",
        json={
            "subject": body["subject"] or "(no subject yet)",
            "html": body["html"],
            "text": body["text"],
            "marketing": values["marketing"],
            "email": PREVIEW_EMAIL,
            "attributes": sample,
        },
    )
    return _rendered(request, view, r)


@router.get("/admin/p/{pid}/templates/{tid}/preview")
async def preview_saved(request: Request, pid: int, tid: int) -> Response:
    await project_access(request, pid)
    view = _view(request.query_params.get("view"))
    marketing = request.query_params.get("marketing") == "on"
    r = await ProjectApi(gateway(request), pid).call(
        "POST", f"/v1/templates/{tid}/render", json={"email": PREVIEW_EMAIL, "marketing": marketing}
    )
    return _rendered(request, view, r)


# ------------------------------------------------------------------------------------------------ changes


@router.post("/admin/p/{pid}/templates")
async def create_template(request: Request, pid: int) -> Response:
    access, form = await _editor_post(request, pid)
    body, values = _template_body(form)
    r = await ProjectApi(gateway(request), pid).call("POST", "/v1/templates", json=body)
    if not r.ok:
        errors, message = _problems(r)
        return await _edit_page(
            request, access, None, status=r.page_status, errors=errors, message=message, values=values
        )
    tid = r.data["id"]
    await audit.record(
        request,
        access.viewer,
        "template.created",
        project_id=pid,
        target=f"template:{tid}",
        detail={"name": body["name"]},
    )
    return done(request, _url(pid, f"/{tid}"), f"Template “{body['name']}” created.")


@router.post("/admin/p/{pid}/templates/{tid}")
async def save_template(request: Request, pid: int, tid: int) -> Response:
    access, form = await _editor_post(request, pid)
    body, values = _template_body(form)
    api = ProjectApi(gateway(request), pid)
    r = await api.call("PUT", f"/v1/templates/{tid}", json=body)
    if r.status == 404:
        raise ConsoleProblem(404, "Not found", "This template does not exist (it may have been deleted).")
    if not r.ok:
        errors, message = _problems(r)
        template = await _load(request, pid, tid)
        return await _edit_page(
            request, access, template, status=r.page_status, errors=errors, message=message, values=values
        )
    await audit.record(
        request,
        access.viewer,
        "template.updated",
        project_id=pid,
        target=f"template:{tid}",
        detail={"name": body["name"], "version": r.data.get("version")},
    )
    return done(
        request, _url(pid, f"/{tid}"), f"Template “{body['name']}” saved (version {r.data['version']})."
    )


@router.post("/admin/p/{pid}/templates/{tid}/delete")
async def delete_template(request: Request, pid: int, tid: int) -> Response:
    access, _ = await project_post(request, pid)
    r = await ProjectApi(gateway(request), pid).call("DELETE", f"/v1/templates/{tid}")
    if r.status == 404:
        raise ConsoleProblem(404, "Not found", "This template does not exist (it may have been deleted).")
    if not r.ok:
        raise ConsoleProblem(r.page_status, "Not deleted", r.message or UNAVAILABLE)
    await audit.record(request, access.viewer, "template.deleted", project_id=pid, target=f"template:{tid}")
    return done(request, _url(pid), "Template deleted.")


@router.post("/admin/p/{pid}/templates/{tid}/test-send")
async def test_send(request: Request, pid: int, tid: int) -> Response:
    access, form = await project_post(request, pid)
    to, raw_vars = field(form, "to", 400), field(form, "variables", 20_000)
    values = {"to": to, "variables": raw_vars}
    variables, problem = _json_object(raw_vars)
    errors = {"variables": problem} if problem else {}
    if not to:
        errors["to"] = "Give the address to send the test to."
    api = ProjectApi(gateway(request), pid)
    if not errors:
        # The send renders in the background: check now that it renders with these variables, so a mistake is
        # shown here instead of as a failed message in the outbox.
        r = await api.call(
            "POST",
            f"/v1/templates/{tid}/render",
            json={"email": to[:320], "variables": variables, "marketing": False},
        )
        if r.status == 404:
            raise ConsoleProblem(404, "Not found", "This template does not exist (it may have been deleted).")
        if not r.ok:
            _, message = _problems(r)
            errors["variables"] = f"The template does not render with these variables: {message}"
    if errors:
        return await _edit_page(
            request, access, await _load(request, pid, tid), status=422, errors=errors, values=values
        )
    r = await api.call("POST", "/v1/messages", json={"to": to, "template_id": tid, "variables": variables})
    if not r.ok:
        errors, message = dict(r.errors), r.message
        if isinstance(r.data, dict) and r.data.get("error") == "invalid_email":
            errors["to"] = message
        return await _edit_page(
            request,
            access,
            await _load(request, pid, tid),
            status=r.page_status,
            errors=errors,
            message=message,
            values=values,
        )
    sending = await api.get("/v1/sending")
    mode = sending.data.get("mode") if sending.ok and isinstance(sending.data, dict) else None
    await audit.record(
        request,
        access.viewer,
        "template.test_sent",
        project_id=pid,
        target=f"template:{tid}",
        detail={"to": to, "message_id": r.data.get("id")},
    )
    where = {"sandbox": "captured by the sandbox: see Outbox", "ses": "through your SES account"}
    return done(request, _url(pid, f"/{tid}"), f"Test sent to {to} ({where.get(mode, 'see Outbox')}).")
