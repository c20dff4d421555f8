"""Console pages: campaigns — the list with progress, compose (send now, schedule in a chosen time zone, or keep
as a draft), and each campaign's page: live progress, the report, its recipients, and the actions its state
allows (send, schedule, pause, resume, cancel, retry failed, release what a canary held), all through the sender's /v1/campaigns API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from services.gateway.console import audit
from services.gateway.console.access import (
    Access,
    ConsoleProblem,
    checked_form,
    project_access,
    project_post,
)
from services.gateway.console.campaign_form import (
    CANARY_OPTIONS,
    CANARY_POLICY,
    TRACKING_OPTIONS,
    canary_modes,
    compose_body,
    edit_body,
    edit_values,
    read_compose,
    refusal_fields,
    schedule_time,
    zone_options,
)
from services.gateway.console.campaign_report import progress_json, report_context
from services.gateway.console.paging import page_cursor
from services.gateway.console.project_api import ApiResult, ProjectApi
from services.gateway.console.views import done, page
from services.gateway.state import gateway

router = APIRouter(include_in_schema=False)
# A campaign's HTML and text may each be 500,000 characters; URL-encoded, markup roughly doubles.
COMPOSE_LIMIT = 3_000_000
BADGES = {
    "scheduled": "warn",
    "sending": "ok",
    "paused": "warn",
    "canary_hold": "warn",
    "sent": "ok",
    "cancelled": "bad",
}


def _api(request: Request, pid: int) -> ProjectApi:
    return ProjectApi(gateway(request), pid)


def _base(pid: int) -> str:
    return f"/admin/p/{pid}/campaigns"


@router.get("/admin/p/{pid}/campaigns")
async def campaigns_index(request: Request, pid: int) -> Response:
    access = await project_access(request, pid)
    cursor = page_cursor(request.query_params)
    data = await _api(request, pid).need("/v1/campaigns", limit=50, progress="true", cursor=cursor)
    rows = []
    for c in data.get("data", []):
        p = c.get("progress") or {}
        counts = p.get("counts") or {}
        total = int(p.get("total") or 0)
        waiting = sum(int(counts.get(s, 0)) for s in ("queued", "sending", "delayed", "held"))
        rows.append({**c, "total": total, "sent": int(counts.get("sent", 0)), "processed": total - waiting})
    ctx = {
        "campaigns": rows,
        "next_cursor": data.get("next_cursor"),
        "paged": cursor is not None,
        "badges": BADGES,
    }
    return page(request, "console/campaigns.html", access, ctx, section="campaigns")


# ---------------------------------------------------------------- compose


async def _compose(request: Request, access: Access, status: int = 200, **extra: Any) -> Response:
    api = _api(request, access.pid)
    lists = await api.need("/v1/lists", limit=500)
    templates = await api.need("/v1/templates", limit=500)
    policy = await api.get(CANARY_POLICY)  # without it the modes are explained without figures
    values = extra.pop("values", None) or {"when": "draft", "tz": "UTC", "list_ids": [], "canary": "auto"}
    ctx = {
        "lists": lists.get("data", []),
        "templates": templates.get("data", []),
        "zones": zone_options(),
        "tracking_options": TRACKING_OPTIONS,
        "canary_options": CANARY_OPTIONS,
        "canary_modes": canary_modes(policy.data if policy.ok else None),
        "values": values,
        **extra,
    }
    return page(request, "console/campaigns_new.html", access, ctx, section="campaigns", status=status)


@router.get("/admin/p/{pid}/campaigns/new")
async def compose_page(request: Request, pid: int) -> Response:
    return await _compose(request, await project_access(request, pid, "editor"))


@router.post("/admin/p/{pid}/campaigns")
async def create_campaign(request: Request, pid: int) -> Response:
    # project_post's steps (role first, then the CSRF token) with a form limit that fits an email's HTML
    access = await project_access(request, pid, "editor")
    form = await checked_form(request, access.viewer, COMPOSE_LIMIT)
    values = read_compose(form)
    send_at: datetime | None = None
    errors: dict[str, str] = {}
    if values["when"] == "schedule":
        send_at, errors = schedule_time(values["send_at"], values["tz"])
    elif values["send_at"]:
        # a time typed but "draft" or "now" chosen: say so rather than guess which was meant
        errors = {"send_at": "To send at this time, choose “Schedule” above; or clear the time."}
    body, more = compose_body(values, send_at)
    errors.update(more)
    if errors:
        return await _compose(
            request, access, 422, errors=errors, values=values, message="Check the highlighted fields."
        )
    r = await _api(request, pid).call("POST", "/v1/campaigns", json=body)
    if not r.ok:
        return await _compose(
            request, access, r.page_status, errors=refusal_fields(r), values=values, message=r.message
        )
    c = r.data
    await audit.record(
        request,
        access.viewer,
        "campaign.created",
        project_id=pid,
        target=f"campaign:{c['id']}",
        detail={
            "name": c["name"],
            "status": c["status"],
            "lists": c["list_ids"],
            "send_at": c["send_at"],
            "canary": (c.get("canary") or {}).get("mode"),
        },
    )
    if c["status"] == "sending":
        note = f"Campaign created and sending to {c.get('recipients') or 0} recipients."
    elif c["status"] == "scheduled":
        note = f"Campaign scheduled for {_when(c['send_at'])}."
    else:
        note = "Campaign saved as a draft. Nothing was sent."
    return done(request, f"{_base(pid)}/{c['id']}", note)


def _when(iso: str | None) -> str:
    return (iso or "")[:16].replace("T", " ") + " UTC" if iso else "—"


# ---------------------------------------------------------------- edit (a draft or scheduled campaign)


# What the audit entry of an edit names when it changed (the values themselves stay in the campaign).
AUDITED = (
    "name",
    "list_ids",
    "template_id",
    "subject",
    "html",
    "text",
    "from",
    "reply_to",
    "track_opens",
    "track_clicks",
    "status",
    "send_at",
)


def _not_editable(r: ApiResult) -> bool:
    return r.status == 409 and isinstance(r.data, dict) and r.data.get("error") == "campaign_not_editable"


async def _edit_form(
    request: Request, access: Access, c: dict[str, Any], status: int = 200, **extra: Any
) -> Response:
    extra.setdefault("values", edit_values(c))
    return await _compose(request, access, status, editing=c, **extra)


@router.get("/admin/p/{pid}/campaigns/{cid}/edit")
async def edit_page(request: Request, pid: int, cid: int) -> Response:
    access = await project_access(request, pid, "editor")
    c = await _api(request, pid).need(f"/v1/campaigns/{cid}")
    if c["status"] not in ("draft", "scheduled"):
        return await _view(
            request, access, cid, 409, message=f"This campaign is {c['status']}: it can no longer be changed."
        )
    return await _edit_form(request, access, c)


@router.post("/admin/p/{pid}/campaigns/{cid}/edit")
async def edit_campaign(request: Request, pid: int, cid: int) -> Response:
    """PATCH /v1/campaigns/{cid} with the whole form: what was emptied is cleared, the schedule as chosen."""
    access = await project_access(request, pid, "editor")
    form = await checked_form(request, access.viewer, COMPOSE_LIMIT)
    api = _api(request, pid)
    c = await api.need(f"/v1/campaigns/{cid}")
    values = read_compose(form)
    send_at: datetime | None = None
    errors: dict[str, str] = {}
    if values["when"] == "schedule":
        send_at, errors = schedule_time(values["send_at"], values["tz"])
    elif values["when"] == "now":
        errors = {"when": "Save the changes first; then send it from the campaign's page."}
    elif values["send_at"]:
        errors = {"send_at": "To send at this time, choose “Schedule” above; or clear the time."}
    body, more = edit_body(values, send_at)
    errors.update(more)
    if errors:
        return await _edit_form(
            request, access, c, 422, errors=errors, values=values, message="Check the highlighted fields."
        )
    r = await api.call("PATCH", f"/v1/campaigns/{cid}", json=body)
    if _not_editable(r):
        return await _refused(request, access, cid, r)
    if not r.ok:  # a missing list or template is said next to its input, like the rest
        return await _edit_form(
            request, access, c, r.page_status, errors=refusal_fields(r), values=values, message=r.message
        )
    new = r.data
    changed = [k for k in AUDITED if new.get(k) != c.get(k)]
    if (new.get("canary") or {}).get("mode") != (c.get("canary") or {}).get("mode"):
        changed.append("canary")
    await audit.record(
        request,
        access.viewer,
        "campaign.edited",
        project_id=pid,
        target=f"campaign:{cid}",
        detail={"name": new["name"], "status": new["status"], "changed": ", ".join(changed) or "nothing"},
    )
    if new["status"] == "scheduled":
        note = f"Saved. Scheduled for {_when(new['send_at'])}."
    else:
        note = "Saved as a draft. Nothing was sent."
    return done(request, f"{_base(pid)}/{cid}", note)


# ---------------------------------------------------------------- one campaign


async def _view(request: Request, access: Access, cid: int, status: int = 200, **extra: Any) -> Response:
    ctx = await report_context(_api(request, access.pid), cid, request.query_params)
    ctx.update(badges=BADGES, zones=zone_options(), **extra)
    ctx.setdefault("values", {"tz": "UTC"})
    return page(request, "console/campaigns_view.html", access, ctx, section="campaigns", status=status)


@router.get("/admin/p/{pid}/campaigns/{cid}.json")
async def campaign_progress(request: Request, pid: int, cid: int) -> Response:
    await project_access(request, pid)
    c = await _api(request, pid).need(f"/v1/campaigns/{cid}")
    return JSONResponse(progress_json(c), headers={"cache-control": "no-store"})


@router.get("/admin/p/{pid}/campaigns/{cid}")
async def campaign_page(request: Request, pid: int, cid: int) -> Response:
    return await _view(request, await project_access(request, pid), cid)


@router.post("/admin/p/{pid}/campaigns/{cid}/send")
async def send_campaign(request: Request, pid: int, cid: int) -> Response:
    """Send a draft (or scheduled) campaign now, or (re)schedule it: `when` = now | schedule."""
    access, form = await project_post(request, pid)
    values = read_compose(form)
    body: dict[str, Any] = {}
    if values["when"] == "schedule":
        send_at, errors = schedule_time(values["send_at"], values["tz"])
        if errors:
            return await _view(
                request, access, cid, 422, errors=errors, values=values, message="Check the time to send at."
            )
        assert send_at is not None
        body["send_at"] = send_at.isoformat()
    r = await _api(request, pid).call("POST", f"/v1/campaigns/{cid}/send", json=body)
    if not r.ok:
        return await _refused(request, access, cid, r, values)
    c = r.data
    verb = "scheduled" if c["status"] == "scheduled" else "sent"
    await audit.record(
        request,
        access.viewer,
        f"campaign.{verb}",
        project_id=pid,
        target=f"campaign:{cid}",
        detail={"name": c["name"], "send_at": c["send_at"]},
    )
    if verb == "scheduled":
        return done(request, f"{_base(pid)}/{cid}", f"Scheduled for {_when(c['send_at'])}.")
    total = int((c.get("progress") or {}).get("total") or 0)
    return done(request, f"{_base(pid)}/{cid}", f"Sending to {total} recipients.")


async def _refused(
    request: Request, access: Access, cid: int, r: ApiResult, values: dict[str, Any] | None = None
) -> Response:
    if r.status == 404:
        raise ConsoleProblem(404, "Not found", "This campaign does not exist.")
    message = r.message
    if r.status == 409:
        message = f"Refused: the {message}. Nothing was changed."
    return await _view(
        request, access, cid, r.page_status, message=message, errors=r.errors, values=values or {"tz": "UTC"}
    )


ACTIONS = {
    "pause": ("campaign.paused", "Paused. Nothing more is sent until you resume."),
    "resume": ("campaign.resumed", "Resumed."),
    "cancel": ("campaign.cancelled", "Cancelled. Mail not yet sent will not be sent."),
    "release": ("campaign.released", ""),
    "retry-failed": ("campaign.retried", ""),
}


async def _action(request: Request, pid: int, cid: int, name: str) -> Response:
    access, _ = await project_post(request, pid)
    r = await _api(request, pid).call("POST", f"/v1/campaigns/{cid}/{name}", json={})
    if not r.ok:
        return await _refused(request, access, cid, r)
    action, note = ACTIONS[name]
    detail: dict[str, Any] = {"name": r.data.get("name"), "status": r.data.get("status")}
    if name == "release":
        detail["released"] = n = int(r.data.get("released") or 0)
        note = f"Released: {n} held recipient{'s' if n != 1 else ''} queued."
    if name == "retry-failed":
        detail["requeued"] = n = int(r.data.get("requeued") or 0)
        note = (
            f"{n} failed message{'s' if n != 1 else ''} queued again."
            if n
            else "No failed messages to retry."
        )
    await audit.record(
        request, access.viewer, action, project_id=pid, target=f"campaign:{cid}", detail=detail
    )
    return done(request, f"{_base(pid)}/{cid}", note)


@router.post("/admin/p/{pid}/campaigns/{cid}/pause")
async def pause_campaign(request: Request, pid: int, cid: int) -> Response:
    return await _action(request, pid, cid, "pause")


@router.post("/admin/p/{pid}/campaigns/{cid}/resume")
async def resume_campaign(request: Request, pid: int, cid: int) -> Response:
    return await _action(request, pid, cid, "resume")


@router.post("/admin/p/{pid}/campaigns/{cid}/cancel")
async def cancel_campaign(request: Request, pid: int, cid: int) -> Response:
    return await _action(request, pid, cid, "cancel")


@router.post("/admin/p/{pid}/campaigns/{cid}/release")
async def release_campaign(request: Request, pid: int, cid: int) -> Response:
    """Send the rest of a campaign its canary holds."""
    return await _action(request, pid, cid, "release")


@router.post("/admin/p/{pid}/campaigns/{cid}/retry-failed")
async def retry_failed(request: Request, pid: int, cid: int) -> Response:
    return await _action(request, pid, cid, "retry-failed")
