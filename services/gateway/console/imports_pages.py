"""Console pages: CSV imports into a list — the list of imports, the upload form, one import's live progress
(polled by console.js from the .json twin) and its per-line error report."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from services.gateway.console import audit
from services.gateway.console.access import Access, ConsoleProblem, project_access, project_post
from services.gateway.console.project_api import ApiResult, ProjectApi
from services.gateway.console.uploads import UploadTooLarge, read_upload
from services.gateway.console.views import done, page
from services.gateway.state import gateway
from shared.digits import ascii_digits

router = APIRouter(include_in_schema=False)

# The gateway holds an upload in memory while it forwards it (the service spools it to disk): bounded here.
UPLOAD_LIMIT = 32 * 1024 * 1024
UPLOAD_TIMEOUT = 120.0
ERRORS_PAGE = 500
FINISHED = ("completed", "failed", "held", "rejected")

CODE_FIELDS = {
    "not_found": "list_id",
    "consent_source_required": "consent_source",
    "empty_body": "file",
    "payload_too_large": "file",
}


def _when(value: str | None) -> str:
    return (value or "")[:16].replace("T", " ")


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def progress(imp: dict[str, Any]) -> dict[str, Any]:
    """What the progress bar shows (the same in the page and in its .json twin): bytes read of the file."""
    total = int(imp.get("total_bytes") or 0)
    finished = imp.get("status") in FINISHED
    processed = (
        total
        if imp.get("status") in ("completed", "held", "rejected")
        else min(int(imp.get("processed_bytes") or 0), total)
    )
    return {
        "status": imp.get("status"),
        "done": finished,
        "processed": processed,
        "total": total,
        "percent": int(processed * 100 / total) if total else (100 if finished else 0),
        "rows": imp.get("rows_processed", 0),
        "imported": imp.get("rows_imported", 0),
        "created": imp.get("contacts_created", 0),
        "subscribed": imp.get("subscriptions_created", 0),
        "duplicates": imp.get("rows_duplicate", 0),
        "failed": imp.get("rows_failed", 0),
        "error": imp.get("error"),
    }


async def _lists(api: ProjectApi) -> list[dict[str, Any]]:
    r = await api.get("/v1/lists", limit=500)
    return list(r.data.get("data", [])) if r.ok and isinstance(r.data, dict) else []


async def _index(request: Request, access: Access, status: int = 200, **extra: Any) -> Response:
    api = ProjectApi(gateway(request), access.pid)
    cursor = (request.query_params.get("cursor") or "")[:200] if request.method == "GET" else ""
    r, lists = await asyncio.gather(
        api.call("GET", "/v1/imports", query={"limit": 500, "cursor": cursor}), _lists(api)
    )
    if r.status == 400:
        imports, nxt = [], None
        extra.setdefault("message", r.message)
    elif not r.ok:
        raise ConsoleProblem(503, "Not available", r.message)
    else:
        imports, nxt = list(reversed(r.data.get("data", []))), r.data.get("next_cursor")
    ctx = {
        "imports": imports,
        "lists": lists,
        "list_names": {lst["id"]: lst["name"] for lst in lists},
        "next_url": f"?{urlencode({'cursor': nxt})}" if nxt else None,
        "limit_text": _mb(UPLOAD_LIMIT),
        "when": _when,
        **extra,
    }
    return page(request, "console/imports.html", access, ctx, section="contacts", status=status)


@router.get("/admin/p/{pid}/imports")
async def imports_index(request: Request, pid: int) -> Response:
    return await _index(request, await project_access(request, pid))


def _refused(r: ApiResult) -> tuple[dict[str, str], str, int]:
    errors = dict(r.errors)
    code = r.data.get("error") if isinstance(r.data, dict) else None
    target = CODE_FIELDS.get(str(code))
    if target and r.message:
        errors.setdefault(target, r.message)
    return errors, r.message or "Check the highlighted fields.", r.status if r.status < 500 else 503


@router.post("/admin/p/{pid}/imports")
async def start_import(request: Request, pid: int) -> Response:
    """Role first (before a byte is read), then the CSRF token (before a byte of the file is kept), then the
    file within its limit, forwarded as the import API's CSV body."""
    access = await project_access(request, pid, "editor")
    try:
        up = await read_upload(request, access.viewer, file_field="file", limit=UPLOAD_LIMIT)
    except UploadTooLarge:
        too_big = f"The file is larger than {_mb(UPLOAD_LIMIT)}. Split it, or send it to the import API."
        return await _index(request, access, 413, errors={"file": too_big}, message="Nothing was imported.")
    list_id, consent = up.get("list_id", 20), up.get("consent_source", 500)
    values = {"list_id": list_id, "consent_source": consent}
    errors: dict[str, str] = {}
    if not ascii_digits(list_id):
        errors["list_id"] = "Choose the list the contacts join."
    if not consent:
        errors["consent_source"] = "Imported contacts become active: say how they consented."
    if not up.filename:
        errors["file"] = "Choose a CSV file."
    elif not up.content:
        errors["file"] = "This file is empty."
    if errors:
        return await _index(
            request, access, 422, errors=errors, values=values, message="Nothing was imported."
        )
    r = await ProjectApi(gateway(request), pid).call(
        "POST",
        f"/v1/lists/{list_id}/imports",
        query={"consent_source": consent, "filename": up.filename},
        body=up.content,
        headers=[("content-type", "text/csv")],
        timeout=UPLOAD_TIMEOUT,
    )
    if not r.ok:
        errors, message, status = _refused(r)
        return await _index(request, access, status, errors=errors, message=message, values=values)
    iid = int(r.data["id"])
    await audit.record(
        request,
        access.viewer,
        "import.started",
        project_id=pid,
        target=f"import:{iid}",
        detail={"list_id": int(list_id), "filename": up.filename, "bytes": len(up.content)},
    )
    return done(request, f"/admin/p/{pid}/imports/{iid}", "Import started.")


# Declared before the HTML page: "{iid}.json" must not be read as an import id.
@router.get("/admin/p/{pid}/imports/{iid:int}.json")
async def import_progress(request: Request, pid: int, iid: int) -> Response:
    access = await project_access(request, pid)
    imp = await ProjectApi(gateway(request), access.pid).need(f"/v1/imports/{iid}")
    return JSONResponse(progress(imp), headers={"cache-control": "no-store"})


@router.get("/admin/p/{pid}/imports/{iid:int}")
async def import_page(request: Request, pid: int, iid: int) -> Response:
    access = await project_access(request, pid)
    api = ProjectApi(gateway(request), pid)
    imp, lists = await asyncio.gather(api.need(f"/v1/imports/{iid}"), _lists(api))
    p = progress(imp)
    errors_page, next_url = None, None
    if p["done"]:
        cursor = (request.query_params.get("errors_after") or "")[:200]
        r = await api.call("GET", f"/v1/imports/{iid}/errors", query={"limit": ERRORS_PAGE, "cursor": cursor})
        if r.ok:
            errors_page = r.data.get("data", [])
            nxt = r.data.get("next_cursor")
            next_url = f"?{urlencode({'errors_after': nxt})}" if nxt else None
    ctx = {
        "imp": imp,
        "p": p,
        "list_name": next((lst["name"] for lst in lists if lst["id"] == imp.get("list_id")), None),
        "row_errors": errors_page,
        "errors_next": next_url,
        "when": _when,
    }
    return page(request, "console/imports_view.html", access, ctx, section="contacts")


@router.post("/admin/p/{pid}/imports/{iid:int}/accept")
async def accept_import(request: Request, pid: int, iid: int) -> Response:
    """An owner releases a held import: its contacts become sendable."""
    return await _decide(request, pid, iid, "accept")


@router.post("/admin/p/{pid}/imports/{iid:int}/reject")
async def reject_import(request: Request, pid: int, iid: int) -> Response:
    """An owner rejects a held import: the subscriptions and contacts it added are removed."""
    return await _decide(request, pid, iid, "reject")


async def _decide(request: Request, pid: int, iid: int, decision: str) -> Response:
    access, _ = await project_post(request, pid, "owner")
    r = await ProjectApi(gateway(request), pid).call(
        "POST", f"/v1/imports/{iid}/{decision}", json={"by": access.viewer.login}
    )
    if r.status == 404:
        raise ConsoleProblem(404, "Not found", "This import does not exist.")
    if not r.ok:
        raise ConsoleProblem(r.status if r.status < 500 else 503, "Not done", r.message or "Try again.")
    await audit.record(
        request,
        access.viewer,
        f"import.{'accepted' if decision == 'accept' else 'rejected'}",
        project_id=pid,
        target=f"import:{iid}",
        detail={
            "hold_reason": r.data.get("hold_reason"),
            "subscriptions_removed": r.data.get("subscriptions_removed"),
            "contacts_removed": r.data.get("contacts_removed"),
        },
    )
    message = (
        "Import accepted: its contacts can be sent to."
        if decision == "accept"
        else f"Import rejected: {r.data.get('subscriptions_removed', 0)} subscriptions and "
        f"{r.data.get('contacts_removed', 0)} contacts removed."
    )
    return done(request, f"/admin/p/{pid}/imports/{iid}", message)
