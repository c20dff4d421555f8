"""Console pages: contacts — search, add, one contact (subscriptions, change log, suppression, messages), status
changes, suppression removal, GDPR erasure, CSV export. Imports are in imports_pages (included below).

Personal data stays out of the audit log: entries name the contact by id only (erasure cannot reach the log).
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.bodies import field
from services.gateway.console import audit, imports_pages
from services.gateway.console.access import Access, ConsoleProblem, project_access, project_post
from services.gateway.console.project_api import ApiResult, ProjectApi
from services.gateway.console.views import done, page
from services.gateway.state import gateway
from shared.digits import ascii_digits
from shared.suppression import address_hash

router = APIRouter(include_in_schema=False)
router.include_router(imports_pages.router)

PAGE_SIZE = 50
EXPORT_CAP = 64 * 1024 * 1024  # the upstream client buffers whole answers: larger exports go through the API
EXPORT_TIMEOUT = 300.0
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")

# The services' error codes → the form field they are about.
CODE_FIELDS = {
    "invalid_email": "email",
    "contact_exists": "email",
    "not_found": "list_id",
    "consent_source_required": "consent_source",
    "paused_until_required": "paused_until",
    "paused_until_out_of_range": "paused_until",
    "invalid_transition": "action",
    "contact_erased": "action",
}


def when(value: str | None) -> str:
    """An ISO timestamp as `YYYY-MM-DD HH:MM` (UTC), for tables."""
    return (value or "")[:16].replace("T", " ")


def refused(r: ApiResult, rename: dict[str, str] | None = None) -> tuple[dict[str, str], str, int]:
    """(errors by input name, message, status) for a refused API call."""
    rename = rename or {}
    errors = {rename.get(k, k): v for k, v in r.errors.items()}
    code = r.data.get("error") if isinstance(r.data, dict) else None
    target = CODE_FIELDS.get(str(code))
    if target and r.message:
        errors.setdefault(rename.get(target, target), r.message)
    return errors, r.message or "Check the highlighted fields.", r.status if r.status < 500 else 503


async def project_lists(api: ProjectApi) -> list[dict[str, Any]]:
    r = await api.get("/v1/lists", limit=500)
    return list(r.data.get("data", [])) if r.ok and isinstance(r.data, dict) else []


# --- the index: search, add ------------------------------------------------------------------------------------
async def _index(request: Request, access: Access, status: int = 200, **extra: Any) -> Response:
    api = ProjectApi(gateway(request), access.pid)
    params = request.query_params if request.method == "GET" else {}
    q = (params.get("q") or "").strip()[:320]
    cursor = (params.get("cursor") or "")[:200]
    erased = params.get("erased") == "on"
    query = {"q": q, "cursor": cursor, "limit": PAGE_SIZE, "include_erased": "true" if erased else None}
    r, lists = await asyncio.gather(api.call("GET", "/v1/contacts", query=query), project_lists(api))
    if r.status == 400:  # a cursor we did not issue
        contacts, next_url = [], None
        extra.setdefault("message", r.message)
    elif not r.ok:
        raise ConsoleProblem(503, "Not available", r.message)
    else:
        contacts = r.data.get("data", [])
        nxt = r.data.get("next_cursor")
        keep = {k: v for k, v in (("q", q), ("erased", "on" if erased else "")) if v}
        next_url = f"?{urlencode({**keep, 'cursor': nxt})}" if nxt else None
    ctx = {
        "contacts": contacts,
        "lists": lists,
        "q": q,
        "erased": erased,
        "paged": bool(cursor),
        "next_url": next_url,
        "first_url": "?" + urlencode({k: v for k, v in (("q", q), ("erased", "on" if erased else "")) if v}),
        "when": when,
        **extra,
    }
    return page(request, "console/contacts.html", access, ctx, section="contacts", status=status)


@router.get("/admin/p/{pid}/contacts")
async def contacts_index(request: Request, pid: int) -> Response:
    return await _index(request, await project_access(request, pid))


@router.post("/admin/p/{pid}/contacts")
async def add_contact(request: Request, pid: int) -> Response:
    """One API call either way (never half-written): a bare contact, or a subscription that creates it."""
    access, form = await project_post(request, pid)
    email, list_id = field(form, "email", 400), field(form, "list_id", 20)
    consent = field(form, "consent_source", 500)
    values = {"email": email, "list_id": list_id, "consent_source": consent}
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = "Enter an email address."
    if list_id and not ascii_digits(list_id):
        errors["list_id"] = "Choose one of the lists."
    if consent and not list_id:
        errors["consent_source"] = "Consent applies to a list: choose one, or leave this empty."
    if errors:
        return await _index(request, access, 422, errors=errors, values=values, adding=True)
    api = ProjectApi(gateway(request), pid)
    if list_id:
        body: dict[str, Any] = {"list_id": int(list_id), "email": email}
        if consent:
            body.update(status="active", consent_source=consent)
        r = await api.call("POST", "/v1/subscriptions", json=body)
    else:
        r = await api.call("POST", "/v1/contacts", json={"email": email})
    if not r.ok:
        errors, message, status = refused(r)
        detail = r.data.get("detail") if isinstance(r.data, dict) else None
        existing = detail.get("id") if isinstance(detail, dict) and r.status == 409 else None
        return await _index(
            request,
            access,
            status,
            errors=errors,
            message=message,
            values=values,
            existing_id=existing if isinstance(existing, int) else None,
            adding=True,
        )
    cid = int(r.data["contact_id"] if list_id else r.data["id"])
    if list_id:
        await audit.record(
            request,
            access.viewer,
            "subscription.created",
            project_id=pid,
            target=f"contact:{cid}",
            detail={
                "list_id": int(list_id),
                "status": r.data.get("status"),
                "consent_source": consent or None,
            },
        )
        said = {
            "active": "Subscribed (active).",
            "pending": "Subscribed: waiting for the confirmation"
            + (" (mail sent)." if r.data.get("confirmation_sent") else "."),
        }.get(str(r.data.get("status")), f"Subscription is {r.data.get('status')}.")
        if r.status == 200:
            said = f"This address was already on the list ({r.data.get('status')}); nothing changed."
    else:
        await audit.record(request, access.viewer, "contact.created", project_id=pid, target=f"contact:{cid}")
        said = "Contact added."
    return done(request, f"/admin/p/{pid}/contacts/{cid}", said)


# --- export (personal data: editors) -----------------------------------------------------------------------------
@router.get("/admin/p/{pid}/contacts/export.csv")
async def export_contacts(request: Request, pid: int) -> Response:
    access = await project_access(request, pid, "editor")
    list_id = request.query_params.get("list_id", "")
    if list_id and not ascii_digits(list_id):
        raise ConsoleProblem(400, "No such list", "Choose one of the lists.")
    r = await ProjectApi(gateway(request), pid).call(
        "GET", "/v1/contacts/export", query={"list_id": list_id}, timeout=EXPORT_TIMEOUT
    )
    if r.status == 404:
        raise ConsoleProblem(404, "No such list", r.message or "This list does not exist.")
    if not r.ok or r.raw is None:
        raise ConsoleProblem(503 if r.status >= 500 else r.status, "Not available", r.message)
    if len(r.raw.body) > EXPORT_CAP:
        raise ConsoleProblem(
            413,
            "Export too large for the console",
            "This export is larger than the console hands out. Export one list at a time, or call "
            "GET /v1/contacts/export with an API key.",
        )
    await audit.record(
        request,
        access.viewer,
        "contacts.exported",
        project_id=pid,
        target=f"list:{list_id}" if list_id else "contacts",
        detail={"bytes": len(r.raw.body)},
    )
    name = f"contacts-{pid}" + (f"-list-{list_id}" if list_id else "") + ".csv"
    return Response(
        r.raw.body,
        200,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"},
    )


# --- one contact -------------------------------------------------------------------------------------------------
async def _messages(api: ProjectApi, contact: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """Messages to this contact: linked to it, or sent to its address in any spelling. Rows are matched here as
    well, so an API that ignored a filter could only show fewer messages, never someone else's."""
    cid, email = contact["id"], contact.get("email")
    calls = [api.get("/v1/messages", contact_id=cid, limit=50)]
    if email:
        calls.append(api.get("/v1/messages", to=email, limit=50))
    mine = address_hash(email) if email else None
    found: dict[int, dict[str, Any]] = {}
    results = await asyncio.gather(*calls)
    for r in results:
        if r.ok and isinstance(r.data, dict):
            for m in r.data.get("data", []):
                if m.get("contact_id") == cid or (mine and address_hash(str(m.get("to") or "")) == mine):
                    found[int(m["id"])] = m
    return sorted(found.values(), key=lambda m: -int(m["id"]))[:50], any(r.ok for r in results)


async def _suppression(api: ProjectApi, email: str | None) -> tuple[dict[str, Any] | None, bool]:
    if not email:
        return None, True
    r = await api.get("/v1/suppressions", email=email)
    if not r.ok or not isinstance(r.data, dict):
        return None, False
    rows = r.data.get("data", [])
    return (rows[0] if rows else None), True


async def _view(request: Request, access: Access, cid: int, status: int = 200, **extra: Any) -> Response:
    api = ProjectApi(gateway(request), access.pid)
    contact = await api.need(f"/v1/contacts/{cid}")
    lists, changes, (suppression, sup_ok), (messages, msg_ok), engagement = await asyncio.gather(
        project_lists(api),
        api.get(f"/v1/contacts/{cid}/changes", limit=500),
        _suppression(api, contact.get("email")),
        _messages(api, contact),
        api.get(f"/v1/contacts/{cid}/engagement"),
    )
    names = {lst["id"]: lst["name"] for lst in lists}
    subscribed = {s["list_id"] for s in contact.get("subscriptions", [])}
    attributes = [
        (k, v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
        for k, v in sorted((contact.get("attributes") or {}).items())
    ]
    ctx = {
        "contact": contact,
        "attributes": attributes,
        "list_names": names,
        "free_lists": [lst for lst in lists if lst["id"] not in subscribed],
        "changes": list(reversed(changes.data.get("data", []))) if changes.ok else None,
        "changes_more": bool(changes.ok and changes.data.get("next_cursor")),
        "suppression": suppression,
        "suppression_known": sup_ok,
        "messages": messages,
        "messages_known": msg_ok,
        "engagement": engagement.data if engagement.ok and isinstance(engagement.data, dict) else None,
        "when": when,
        **extra,
    }
    return page(request, "console/contacts_view.html", access, ctx, section="contacts", status=status)


@router.get("/admin/p/{pid}/contacts/{cid}")
async def contact_page(request: Request, pid: int, cid: int) -> Response:
    return await _view(request, await project_access(request, pid), cid)


@router.post("/admin/p/{pid}/contacts/{cid}/subscribe")
async def subscribe_contact(request: Request, pid: int, cid: int) -> Response:
    access, form = await project_post(request, pid)
    list_id, consent = field(form, "list_id", 20), field(form, "consent_source", 500)
    values = {"list_id": list_id, "consent_source": consent}
    if not ascii_digits(list_id):
        return await _view(request, access, cid, 422, errors={"list_id": "Choose a list."}, values=values)
    body: dict[str, Any] = {"list_id": int(list_id), "contact_id": cid}
    if consent:
        body.update(status="active", consent_source=consent)
    r = await ProjectApi(gateway(request), pid).call("POST", "/v1/subscriptions", json=body)
    if not r.ok:
        errors, message, status = refused(r, {"contact_id": "list_id", "action": "list_id"})
        return await _view(request, access, cid, status, errors=errors, message=message, values=values)
    await audit.record(
        request,
        access.viewer,
        "subscription.created",
        project_id=pid,
        target=f"contact:{cid}",
        detail={"list_id": int(list_id), "status": r.data.get("status"), "consent_source": consent or None},
    )
    return done(request, f"/admin/p/{pid}/contacts/{cid}", f"Subscription is {r.data.get('status')}.")


ACTIONS = ("unsubscribe", "pause", "resume", "reactivate")


@router.post("/admin/p/{pid}/contacts/{cid}/subscriptions/{sid}")
async def change_subscription(request: Request, pid: int, cid: int, sid: int) -> Response:
    access, form = await project_post(request, pid)
    action = field(form, "action", 20)
    until, consent = field(form, f"paused_until-{sid}", 20), field(form, f"consent_source-{sid}", 500)
    values = {f"paused_until-{sid}": until, f"consent_source-{sid}": consent}
    api = ProjectApi(gateway(request), pid)
    contact = await api.need(f"/v1/contacts/{cid}")
    if sid not in {s["id"] for s in contact.get("subscriptions", [])}:
        raise ConsoleProblem(404, "Not found", "This contact has no such subscription.")
    rename = {
        "paused_until": f"paused_until-{sid}",
        "consent_source": f"consent_source-{sid}",
        "action": f"action-{sid}",
        "status": f"action-{sid}",
    }
    body: dict[str, Any]
    if action == "pause":
        if not DATE_RE.match(until):
            errors = {f"paused_until-{sid}": "Choose the date the pause ends."}
            return await _view(request, access, cid, 422, errors=errors, values=values, open_sub=sid)
        body = {"status": "paused", "paused_until": f"{until}T00:00:00+00:00"}
    elif action == "unsubscribe":
        body = {"status": "unsubscribed"}
    elif action == "resume":
        body = {"status": "active"}
    elif action == "reactivate":
        body = {"status": "active", "consent_source": consent or None}
    else:
        raise ConsoleProblem(400, "Unknown action", "Choose one of the buttons.")
    r = await api.call("PATCH", f"/v1/subscriptions/{sid}", json=body)
    if not r.ok:
        errors, message, status = refused(r, rename)
        return await _view(
            request, access, cid, status, errors=errors, message=message, values=values, open_sub=sid
        )
    await audit.record(
        request,
        access.viewer,
        "subscription.changed",
        project_id=pid,
        target=f"subscription:{sid}",
        detail={
            "contact_id": cid,
            "status": r.data.get("status"),
            "paused_until": r.data.get("paused_until"),
        },
    )
    return done(request, f"/admin/p/{pid}/contacts/{cid}", f"Subscription is now {r.data.get('status')}.")


@router.post("/admin/p/{pid}/contacts/{cid}/suppression/{sup_id}/remove")
async def remove_suppression(request: Request, pid: int, cid: int, sup_id: int) -> Response:
    access, form = await project_post(request, pid)
    why = field(form, "why", 1000)
    api = ProjectApi(gateway(request), pid)
    contact = await api.need(f"/v1/contacts/{cid}")
    current, _ = await _suppression(api, contact.get("email"))
    if current is None or current.get("id") != sup_id:
        raise ConsoleProblem(404, "Not found", "This contact's address is not suppressed by that entry.")
    r = await api.call(
        "POST", f"/v1/suppressions/{sup_id}/remove", json={"why": why, "removed_by": access.viewer.login}
    )
    if not r.ok:
        errors, message, status = refused(r)
        return await _view(request, access, cid, status, errors=errors, message=message, values={"why": why})
    await audit.record(
        request,
        access.viewer,
        "suppression.removed",
        project_id=pid,
        target=f"suppression:{sup_id}",
        detail={"contact_id": cid, "reason": current.get("reason"), "why": why},
    )
    return done(
        request, f"/admin/p/{pid}/contacts/{cid}", "Suppression removed: this address can be mailed again."
    )


@router.post("/admin/p/{pid}/contacts/{cid}/erase")
async def erase_contact(request: Request, pid: int, cid: int) -> Response:
    access, form = await project_post(request, pid)
    if field(form, "confirm", 10) != "on":
        errors = {"confirm": "Tick the box to confirm: erasure cannot be undone."}
        return await _view(request, access, cid, 422, errors=errors)
    r = await ProjectApi(gateway(request), pid).call("DELETE", f"/v1/contacts/{cid}")
    if r.status == 404:
        raise ConsoleProblem(404, "Not found", "This contact does not exist.")
    if not r.ok:
        errors, message, status = refused(r)
        return await _view(request, access, cid, status, errors=errors, message=message)
    await audit.record(request, access.viewer, "contact.erased", project_id=pid, target=f"contact:{cid}")
    return done(request, f"/admin/p/{pid}/contacts/{cid}", "Contact erased.")
