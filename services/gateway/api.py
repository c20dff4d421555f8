"""The API behind one host: /v1/* routed by prefix to a service after API-key auth, one merged OpenAPI document,
and the SNS webhook forwarded unchanged to the events service."""

from __future__ import annotations

import logging
import re

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from services.gateway.bodies import read_body
from services.gateway.openapi_doc import merged_openapi
from services.gateway.rendering import render
from services.gateway.state import gateway
from services.gateway.upstream import (
    forwardable_headers,
    response_headers,
)
from shared.errors import NotFound
from shared.internal_auth import API_KEY_HEADER

log = logging.getLogger("sesame.gateway.api")
router = APIRouter()

ROUTES: dict[str, str] = {
    "/v1/project": "subscriptions",
    "/v1/api-keys": "subscriptions",
    "/v1/lists": "subscriptions",
    "/v1/contacts": "subscriptions",
    "/v1/subscriptions": "subscriptions",
    "/v1/suppressions": "subscriptions",
    "/v1/imports": "subscriptions",
    "/v1/messages": "sender",
    "/v1/campaigns": "sender",
    "/v1/templates": "sender",
    "/v1/ses-account": "sender",
    "/v1/sending": "sender",
    "/v1/sandbox": "sender",  # mail captured by the sandbox SES (not in the contract table; the sender serves it)
    "/v1/events": "events",
    "/v1/reputation": "events",
    "/v1/guard": "events",
    "/v1/feedback": "events",
    "/v1/webhooks": "events",
}


# Sub-resources served by another service than their prefix's: the events service owns engagement figures.
PATH_ROUTES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"/v1/campaigns/[^/]+/report"), "events"),
    (re.compile(r"/v1/contacts/[^/]+/engagement"), "events"),
]


def service_for(path: str) -> str | None:
    for pattern, owner in PATH_ROUTES:
        if pattern.fullmatch(path):
            return owner
    for prefix, service in ROUTES.items():
        if path == prefix or path.startswith(prefix + "/"):
            return service
    return None


def _headers(request: Request) -> list[tuple[str, str]]:
    return forwardable_headers(
        (k.decode("latin-1"), v.decode("latin-1")) for k, v in request.scope["headers"]
    )


@router.api_route(
    "/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
async def api_proxy(request: Request, rest: str) -> Response:
    gw = gateway(request)
    path = request.scope["path"]  # decoded, as the service will route it (request.url.path is re-quoted)
    service = service_for(path)
    assert gw.auth is not None
    # Authenticate before anything else, so an unknown path tells an anonymous caller nothing.
    key = await gw.auth.authenticate_key(request, gw.client_ip(request))
    project_id = key.project_id
    if service is None:
        raise NotFound(f"no API route {path}")
    body = await read_body(request, gw.config.api_max_body_bytes)
    resp = await gw.upstreams.request(
        service,
        request.method,
        path,
        query=request.url.query,
        headers=[*_headers(request), (API_KEY_HEADER, str(key.key_id))],
        body=body,
        project_id=project_id,
    )
    return Response(resp.body, resp.status, headers=dict(response_headers(resp.headers)))


# --- the document and its interactive docs --------------------------------------------------------------------
@router.get("/openapi.json", include_in_schema=False)
async def openapi_json(request: Request) -> JSONResponse:
    gw = gateway(request)
    return JSONResponse(await merged_openapi(gw, request.app.openapi()))


@router.get("/docs", include_in_schema=False)
async def docs(request: Request) -> Response:
    """Swagger UI (vendored in static/swagger-ui, no CDN) over /openapi.json, with Authorize and try-it."""
    return render(request, "swagger.html", {})


@router.get("/docs/reference", include_in_schema=False)
async def docs_reference(request: Request) -> Response:
    """A plain, server-rendered reference of the merged document (works without JavaScript)."""
    gw = gateway(request)
    doc = await merged_openapi(gw, request.app.openapi())
    ops = []
    for path, item in sorted(doc.get("paths", {}).items()):
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            ops.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary") or "",
                    "description": op.get("description") or "",
                    "tag": (op.get("tags") or ["gateway"])[0],
                    "params": [p for p in op.get("parameters", []) if isinstance(p, dict)],
                    "has_body": "requestBody" in op,
                    "responses": sorted((op.get("responses") or {}).keys()),
                }
            )
    return render(request, "docs.html", {"doc": doc, "ops": ops})
