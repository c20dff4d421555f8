"""Console pages: outbound webhooks — the project's endpoints with their last delivery, adding one (its signing
secret shown once), each endpoint's page (edit, enable / disable, rotate the secret, send a test event, delete)
with its delivery log, and a delivery with its attempts and a replay button; all through /v1/webhooks.

Configuring an endpoint (where the project's events go, and the secret that signs them) needs the owner, as API
keys do; sending a test event or replaying a delivery needs an editor; a viewer reads everything but secrets."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.console import audit
from services.gateway.console.access import Access, ConsoleProblem, project_access, project_post
from services.gateway.console.paging import api_cursor
from services.gateway.console.project_api import ApiResult, ProjectApi
from services.gateway.console.views import done, page
from services.gateway.console.webhooks_form import (
    STATUSES,
    endpoint_body,
    endpoint_values,
    event_groups,
    filter_summary,
    read_endpoint,
    refusal_errors,
)
from services.gateway.state import gateway

router = APIRouter(include_in_schema=False)
LOG_PAGE = 25


def _api(request: Request, pid: int) -> ProjectApi:
    return ProjectApi(gateway(request), pid)


def _base(pid: int) -> str:
    return f"/admin/p/{pid}/webhooks"


def _future(iso: str | None) -> bool:
    try:
        return iso is not None and datetime.fromisoformat(iso) > datetime.now(UTC)
    except (TypeError, ValueError):
        return False


def _pretty(body: str) -> str:
    try:
        return json.dumps(json.loads(body), indent=2, sort_keys=True, ensure_ascii=False)
    except ValueError:
        return body


async def _catalogue(api: ProjectApi) -> list[str]:
    data = await api.need("/v1/webhooks/event-types")
    return [str(t) for t in data.get("data", [])]


# ---------------------------------------------------------------- the list


@router.get("/admin/p/{pid}/webhooks")
async def webhooks_index(request: Request, pid: int) -> Response:
    access = await project_access(request, pid)
    api = _api(request, pid)
    cursor = api_cursor(request.query_params.get("cursor"))
    data = await api.need("/v1/webhooks", limit=100, cursor=cursor)
    endpoints = data.get("data", [])
    # the last delivery of each (a project has at most a few dozen endpoints); one that fails to load shows "—"
    lasts = await asyncio.gather(*(api.get(f"/v1/webhooks/{e['id']}/deliveries", limit=1) for e in endpoints))
    rows = []
    for e, last in zip(endpoints, lasts, strict=True):
        got = last.data.get("data", []) if last.ok and isinstance(last.data, dict) else []
        rows.append(
            {**e, "summary": filter_summary(e.get("event_types") or []), "last": got[0] if got else None}
        )
    ctx = {"endpoints": rows, "next_cursor": data.get("next_cursor"), "paged": cursor is not None}
    return page(request, "console/webhooks.html", access, {**ctx, "statuses": STATUSES}, section="webhooks")


# ---------------------------------------------------------------- adding one


async def _new_form(request: Request, access: Access, status: int = 200, **extra: Any) -> Response:
    types = await _catalogue(_api(request, access.pid))
    ctx = {"groups": event_groups(types), "values": {"scope": "all", "event_types": []}, **extra}
    return page(request, "console/webhooks_new.html", access, ctx, section="webhooks", status=status)


@router.get("/admin/p/{pid}/webhooks/new")
async def new_endpoint_page(request: Request, pid: int) -> Response:
    return await _new_form(request, await project_access(request, pid, "owner"))


@router.post("/admin/p/{pid}/webhooks")
async def create_endpoint(request: Request, pid: int) -> Response:
    access, form = await project_post(request, pid, "owner")
    values = read_endpoint(form)
    body, errors = endpoint_body(values)
    if errors:
        return await _new_form(
            request, access, 422, errors=errors, values=values, message="Check the highlighted fields."
        )
    r = await _api(request, pid).call("POST", "/v1/webhooks", json=body)
    if not r.ok:
        return await _new_form(
            request, access, r.page_status, errors=refusal_errors(r), values=values, message=r.message
        )
    ep = r.data
    await audit.record(
        request,
        access.viewer,
        "webhook.created",
        project_id=pid,
        target=f"webhook:{ep['id']}",
        detail={"url": ep["url"], "event_types": filter_summary(ep["event_types"])},
    )
    # the secret is in this answer only: the page is rendered here, not redirected to
    return await _endpoint_page(request, access, int(ep["id"]), 201, new_secret=ep["secret"], created=True)


# ---------------------------------------------------------------- one endpoint and its log


async def _endpoint_page(
    request: Request, access: Access, eid: int, status: int = 200, **extra: Any
) -> Response:
    api = _api(request, access.pid)
    q = request.query_params if request.method == "GET" else {}
    wanted = q.get("status") or ""
    log_status = wanted if wanted in STATUSES else None
    cursor = api_cursor(q.get("cursor"))
    endpoint, log = await asyncio.gather(
        api.need(f"/v1/webhooks/{eid}"),
        api.need(f"/v1/webhooks/{eid}/deliveries", limit=LOG_PAGE, status=log_status, cursor=cursor),
    )
    ctx: dict[str, Any] = {
        "endpoint": endpoint,
        "summary": filter_summary(endpoint.get("event_types") or []),
        "deliveries": log.get("data", []),
        "next_cursor": log.get("next_cursor"),
        "paged": cursor is not None,
        "log_status": log_status or "",
        "statuses": STATUSES,
        "values": endpoint_values(endpoint),
        "overlap_active": _future(endpoint.get("previous_secret_expires_at")),
        "groups": [],
    }
    if access.can("owner"):
        ctx["groups"] = event_groups(await _catalogue(api))
    ctx.update(extra)
    return page(request, "console/webhooks_endpoint.html", access, ctx, section="webhooks", status=status)


async def _refused(request: Request, access: Access, eid: int, r: ApiResult, **extra: Any) -> Response:
    if r.status == 404:
        raise ConsoleProblem(404, "Not found", "This webhook endpoint does not exist.")
    message = r.message
    if r.status == 409:
        message = f"Refused: {message}. Nothing was changed."
    return await _endpoint_page(request, access, eid, r.page_status, message=message, **extra)


@router.get("/admin/p/{pid}/webhooks/{eid:int}")
async def endpoint_page(request: Request, pid: int, eid: int) -> Response:
    return await _endpoint_page(request, await project_access(request, pid), eid)


@router.post("/admin/p/{pid}/webhooks/{eid:int}")
async def edit_endpoint(request: Request, pid: int, eid: int) -> Response:
    access, form = await project_post(request, pid, "owner")
    values = read_endpoint(form)
    body, errors = endpoint_body(values)
    if errors:
        return await _endpoint_page(
            request, access, eid, 422, errors=errors, values=values, message="Check the highlighted fields."
        )
    r = await _api(request, pid).call("PATCH", f"/v1/webhooks/{eid}", json=body)
    if not r.ok:
        return await _refused(request, access, eid, r, errors=refusal_errors(r), values=values)
    await audit.record(
        request,
        access.viewer,
        "webhook.updated",
        project_id=pid,
        target=f"webhook:{eid}",
        detail={"url": r.data["url"], "event_types": filter_summary(r.data["event_types"])},
    )
    return done(request, f"{_base(pid)}/{eid}", "Endpoint saved. New events are delivered as it says now.")


async def _switch(request: Request, pid: int, eid: int, enabled: bool) -> Response:
    access, _ = await project_post(request, pid, "owner")
    r = await _api(request, pid).call("PATCH", f"/v1/webhooks/{eid}", json={"enabled": enabled})
    if not r.ok:
        return await _refused(request, access, eid, r)
    action = "webhook.enabled" if enabled else "webhook.disabled"
    await audit.record(
        request, access.viewer, action, project_id=pid, target=f"webhook:{eid}", detail={"url": r.data["url"]}
    )
    note = (
        "Enabled: new events are delivered again."
        if enabled
        else "Disabled: nothing is sent to it. Events of the meantime are not kept for it; deliveries still due fail "
        "(replay them once it is enabled again)."
    )
    return done(request, f"{_base(pid)}/{eid}", note)


@router.post("/admin/p/{pid}/webhooks/{eid:int}/enable")
async def enable_endpoint(request: Request, pid: int, eid: int) -> Response:
    return await _switch(request, pid, eid, True)


@router.post("/admin/p/{pid}/webhooks/{eid:int}/disable")
async def disable_endpoint(request: Request, pid: int, eid: int) -> Response:
    return await _switch(request, pid, eid, False)


@router.post("/admin/p/{pid}/webhooks/{eid:int}/rotate")
async def rotate_secret(request: Request, pid: int, eid: int) -> Response:
    access, _ = await project_post(request, pid, "owner")
    r = await _api(request, pid).call("POST", f"/v1/webhooks/{eid}/rotate-secret", json={})
    if not r.ok:
        return await _refused(request, access, eid, r)
    overlap_until = r.data.get("previous_secret_expires_at")
    await audit.record(
        request,
        access.viewer,
        "webhook.secret_rotated",
        project_id=pid,
        target=f"webhook:{eid}",
        detail={"previous_secret_until": overlap_until},
    )
    return await _endpoint_page(request, access, eid, new_secret=r.data["secret"], rotated=True)


@router.post("/admin/p/{pid}/webhooks/{eid:int}/test")
async def send_test(request: Request, pid: int, eid: int) -> Response:
    access, _ = await project_post(request, pid, "editor")
    r = await _api(request, pid).call("POST", f"/v1/webhooks/{eid}/test", json={})
    if not r.ok:
        return await _refused(request, access, eid, r)
    did = r.data["id"]
    await audit.record(
        request,
        access.viewer,
        "webhook.test_sent",
        project_id=pid,
        target=f"webhook:{eid}",
        detail={"delivery": did},
    )
    return done(
        request,
        f"{_base(pid)}/{eid}",
        f"Test event queued (delivery {did}): it appears below within seconds.",
    )


@router.post("/admin/p/{pid}/webhooks/{eid:int}/delete")
async def delete_endpoint(request: Request, pid: int, eid: int) -> Response:
    access, _ = await project_post(request, pid, "owner")
    r = await _api(request, pid).call("DELETE", f"/v1/webhooks/{eid}")
    if not r.ok:
        return await _refused(request, access, eid, r)
    await audit.record(request, access.viewer, "webhook.deleted", project_id=pid, target=f"webhook:{eid}")
    return done(request, _base(pid), "Endpoint deleted with its delivery log. Nothing more is sent to it.")


# ---------------------------------------------------------------- one delivery


async def _delivery_page(
    request: Request, access: Access, eid: int, did: int, status: int = 200, **extra: Any
) -> Response:
    api = _api(request, access.pid)
    endpoint, delivery = await asyncio.gather(
        api.need(f"/v1/webhooks/{eid}"), api.need(f"/v1/webhooks/{eid}/deliveries/{did}")
    )
    ctx = {
        "endpoint": endpoint,
        "delivery": delivery,
        "body_pretty": _pretty(str(delivery.get("body") or "")),
        "statuses": STATUSES,
        **extra,
    }
    return page(request, "console/webhooks_delivery.html", access, ctx, section="webhooks", status=status)


@router.get("/admin/p/{pid}/webhooks/{eid:int}/deliveries/{did:int}")
async def delivery_page(request: Request, pid: int, eid: int, did: int) -> Response:
    return await _delivery_page(request, await project_access(request, pid), eid, did)


@router.post("/admin/p/{pid}/webhooks/{eid:int}/deliveries/{did:int}/replay")
async def replay_delivery(request: Request, pid: int, eid: int, did: int) -> Response:
    access, _ = await project_post(request, pid, "editor")
    r = await _api(request, pid).call("POST", f"/v1/webhooks/{eid}/deliveries/{did}/replay", json={})
    if not r.ok:
        if r.status == 404:
            raise ConsoleProblem(404, "Not found", "This delivery does not exist.")
        message = f"Refused: {r.message}. Nothing was changed." if r.status == 409 else r.message
        return await _delivery_page(request, access, eid, did, r.page_status, message=message)
    await audit.record(
        request,
        access.viewer,
        "webhook.delivery_replayed",
        project_id=pid,
        target=f"webhook:{eid}",
        detail={"delivery": did, "event_type": r.data.get("event_type")},
    )
    return done(
        request,
        f"{_base(pid)}/{eid}/deliveries/{did}",
        "Replay queued: one more attempt now, with the same webhook-id and body.",
    )
