"""The sandbox outbox: every mail the project sent while it has no SES account, captured instead of delivered —
listed, and shown as a mail program would (headers, text, the HTML in a sandboxed frame, its links, the .eml)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.gateway.console.access import project_access
from services.gateway.console.captured_mail import frame_document, parse_mail
from services.gateway.console.paging import page_cursor
from services.gateway.console.project_api import ProjectApi
from services.gateway.console.views import page
from services.gateway.state import gateway

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
# The HTML part is the project's content (and its contacts' attributes): shown without scripts, plugins, forms or
# same-origin rights; it may only load https / data images and open links in a new tab.
FRAME_CSP = (
    "default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; "
    "sandbox allow-popups allow-popups-to-escape-sandbox; frame-ancestors 'self'"
)


@router.get("/admin/p/{pid}/outbox")
async def outbox_page(request: Request, pid: int) -> Response:
    access = await project_access(request, pid)
    api = ProjectApi(gateway(request), pid)
    to = (request.query_params.get("to") or "").strip()[:320]
    cursor = page_cursor(request.query_params)
    sending, captures = await asyncio.gather(
        api.need("/v1/sending"),
        api.need("/v1/sandbox/messages", limit=PAGE_SIZE, cursor=cursor, to=to or None),
    )
    ctx = {
        "mode": sending.get("mode", "sandbox"),
        "mails": captures.get("data", []),
        "next_cursor": captures.get("next_cursor"),
        "to": to,
        "paged": cursor is not None,
        "values": {"to": to},
    }
    return page(request, "console/outbox.html", access, ctx, section="outbox")


async def _capture(request: Request, pid: int, cid: int) -> dict:  # type: ignore[type-arg]
    data = await ProjectApi(gateway(request), pid).need(f"/v1/sandbox/messages/{cid}")
    return data if isinstance(data, dict) else {}


@router.get("/admin/p/{pid}/outbox/{cid:int}")
async def outbox_mail(request: Request, pid: int, cid: int) -> Response:
    access = await project_access(request, pid)
    capture = await _capture(request, pid, cid)
    mail = parse_mail(str(capture.get("raw") or ""))
    ctx = {"capture": capture, "mail": mail}
    return page(request, "console/outbox_mail.html", access, ctx, section="outbox", frame_self=True)


@router.get("/admin/p/{pid}/outbox/{cid:int}/html")
async def outbox_mail_html(request: Request, pid: int, cid: int) -> Response:
    await project_access(request, pid)
    mail = parse_mail(str((await _capture(request, pid, cid)).get("raw") or ""))
    body = frame_document(mail.html) if mail.html is not None else "<p>This mail has no HTML part.</p>"
    return HTMLResponse(
        body,
        headers={
            "content-security-policy": FRAME_CSP,
            "x-frame-options": "SAMEORIGIN",
            "x-content-type-options": "nosniff",
            "cache-control": "no-store",
        },
    )


@router.get("/admin/p/{pid}/outbox/{cid:int}.eml")
async def outbox_mail_eml(request: Request, pid: int, cid: int) -> Response:
    await project_access(request, pid)
    raw = str((await _capture(request, pid, cid)).get("raw") or "")
    return Response(
        raw.encode("utf-8", "replace"),
        media_type="message/rfc822",
        headers={
            "content-disposition": f'attachment; filename="sesame-mail-{cid}.eml"',
            "x-content-type-options": "nosniff",
            "cache-control": "no-store",
        },
    )
