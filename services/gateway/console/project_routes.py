"""Projects in the console: the picker, an operator creating one, a project's overview and settings, its audit log."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.gateway.bodies import field
from services.gateway.console import audit
from services.gateway.console.access import (
    ConsoleProblem,
    checked_form,
    project_access,
    project_post,
    projects_of,
    require_viewer,
)
from services.gateway.console.members import create_invitation
from services.gateway.console.paging import page_after
from services.gateway.console.project_api import ProjectApi, explain
from services.gateway.console.views import done, page
from services.gateway.state import gateway
from services.gateway.upstream import UpstreamTimeout, UpstreamUnavailable
from shared.pagination import encode_cursor

router = APIRouter(include_in_schema=False)


@router.get("/admin/p")
async def project_picker(request: Request) -> Response:
    viewer = await require_viewer(request)
    projects = await projects_of(request, viewer)
    if len(projects) == 1 and not viewer.is_operator:
        return RedirectResponse(f"/admin/p/{projects[0]['id']}", 303)
    return page(request, "console/projects.html", viewer, {"all_projects": projects})


@router.post("/admin/p")
async def create_project(request: Request) -> Response:
    viewer = await require_viewer(request)
    if not viewer.is_operator:
        raise ConsoleProblem(403, "Not allowed", "Only an operator creates projects.")
    form = await checked_form(request, viewer)
    name, owner = field(form, "name", 300), field(form, "owner_email", 400)
    values = {"name": name, "owner_email": owner}
    body: dict[str, Any] = {"name": name}
    if owner:
        body["owner_email"] = owner
    try:
        resp = await gateway(request).upstreams.request(
            "subscriptions", "POST", "/admin/projects", json_body=body
        )
    except (UpstreamUnavailable, UpstreamTimeout):
        resp = None
    if resp is None or not resp.ok:
        errors, message = explain(resp.status if resp else 503, resp.json() if resp else None)
        projects = await projects_of(request, viewer)
        return page(
            request,
            "console/projects.html",
            viewer,
            {"all_projects": projects, "errors": errors, "message": message, "values": values},
            status=resp.status if resp is not None and resp.status < 500 else 503,
        )
    data = resp.json()
    pid = int(data["project"]["id"])
    invite_url = None
    if owner:
        invite_url = await create_invitation(
            request, viewer, pid, (data["project"].get("owner_email") or owner).lower(), "owner"
        )
    await audit.record(
        request, viewer, "project.created", project_id=pid, target=f"project:{pid}", detail={"name": name}
    )
    access = await project_access(request, pid)
    return page(
        request,
        "console/project_created.html",
        access,
        {"api_key": data["api_key"], "invite_url": invite_url},
        section="overview",
        status=201,
    )


@router.get("/admin/p/{pid}")
async def overview(request: Request, pid: int) -> Response:
    access = await project_access(request, pid)
    api = ProjectApi(gateway(request), pid)
    lists = await api.get("/v1/lists", limit=100)
    templates = await api.get("/v1/templates")
    campaigns = await api.get("/v1/campaigns", limit=5)
    sending = await api.get("/v1/sending")
    guard = await api.get("/v1/guard")
    sources = await api.get("/v1/reputation/sources")
    ses = await api.get("/v1/ses-account")
    lst = lists.data.get("data", []) if lists.ok and isinstance(lists.data, dict) else []
    tpl = _items(templates.data, "data") if templates.ok else []
    cmp = _items(campaigns.data, "data") if campaigns.ok else []
    steps = [
        ("Create a list", bool(lst), f"/admin/p/{pid}/lists"),
        (
            "Share its signup form",
            any((x.get("counts") or {}).get("active") for x in lst),
            f"/admin/p/{pid}/lists",
        ),
        ("Write a template", bool(tpl), f"/admin/p/{pid}/templates"),
        (
            "Send a campaign",
            any(c.get("status") in ("sending", "sent", "finished") for c in cmp),
            f"/admin/p/{pid}/campaigns",
        ),
        (
            "Connect your SES account",
            ses.ok and bool((ses.data or {}).get("configured", ses.data)),
            f"/admin/p/{pid}/ses",
        ),
    ]
    return page(
        request,
        "console/overview.html",
        access,
        {
            "lists": lst,
            "campaigns": cmp,
            "sending": sending.data if sending.ok else None,
            "guard": guard.data if guard.ok else None,
            "sources": (sources.data or {}).get("sources", []) if sources.ok else [],
            "steps": steps,
        },
        section="overview",
    )


def _items(data: Any, *keys: str) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [x for x in data if isinstance(x, dict)]
    if isinstance(data, dict):
        for k in keys:
            if isinstance(data.get(k), list):
                return [x for x in data[k] if isinstance(x, dict)]
    return []


@router.get("/admin/p/{pid}/settings")
async def settings_page(request: Request, pid: int) -> Response:
    access = await project_access(request, pid)
    data = await ProjectApi(gateway(request), pid).need("/v1/project")
    return page(
        request, "console/settings.html", access, {"data": data, "values": _values(data)}, section="settings"
    )


def _values(data: dict[str, Any]) -> dict[str, str]:
    s = data.get("settings") or {}
    b = s.get("branding") or {}
    return {
        "name": data.get("name") or "",
        "owner_email": data.get("owner_email") or "",
        "brand_name": b.get("name") or "",
        "logo_url": b.get("logo_url") or "",
        "primary_color": b.get("primary_color") or "",
        "accent_color": b.get("accent_color") or "",
        "allowed_redirect_hosts": "\n".join(s.get("allowed_redirect_hosts") or []),
    }


@router.post("/admin/p/{pid}/settings")
async def save_settings(request: Request, pid: int) -> Response:
    access, form = await project_post(request, pid, "owner")
    values = {k: field(form, k, 2000) for k in _values({}).keys()}
    branding = {
        "name": values["brand_name"] or None,
        "logo_url": values["logo_url"] or None,
        "primary_color": values["primary_color"] or None,
        "accent_color": values["accent_color"] or None,
    }
    hosts = [h.strip() for h in values["allowed_redirect_hosts"].splitlines() if h.strip()]
    body = {
        "name": values["name"],
        "owner_email": values["owner_email"] or None,
        "settings": {"branding": branding, "allowed_redirect_hosts": hosts},
    }
    r = await ProjectApi(gateway(request), pid).call("PATCH", "/v1/project", json=body)
    if not r.ok:
        errors = {_SETTINGS_FIELDS.get(k, k): v for k, v in r.errors.items()}
        return page(
            request,
            "console/settings.html",
            access,
            {"data": {}, "values": values, "errors": errors, "message": r.message},
            section="settings",
            status=r.status if r.status < 500 else 503,
        )
    await audit.record(
        request,
        access.viewer,
        "project.settings_changed",
        project_id=pid,
        target=f"project:{pid}",
        detail={"settings": json.dumps(body)[:200]},
    )
    return done(request, f"/admin/p/{pid}/settings", "Settings saved.")


AUDIT_PAGE = 100

_SETTINGS_FIELDS = {
    "settings.branding.name": "brand_name",
    "settings.branding.logo_url": "logo_url",
    "settings.branding.primary_color": "primary_color",
    "settings.branding.accent_color": "accent_color",
    "settings.allowed_redirect_hosts": "allowed_redirect_hosts",
}


@router.get("/admin/p/{pid}/audit")
async def audit_page(request: Request, pid: int) -> Response:
    access = await project_access(request, pid)
    after = page_after(request.query_params)
    rows = await audit.entries(request, project_id=pid, before=after, limit=AUDIT_PAGE + 1)
    nxt = encode_cursor(rows[AUDIT_PAGE - 1]["id"]) if len(rows) > AUDIT_PAGE else None
    ctx = {"rows": rows[:AUDIT_PAGE], "next_cursor": nxt, "paged": after is not None}
    return page(request, "console/audit.html", access, ctx, section="audit")
