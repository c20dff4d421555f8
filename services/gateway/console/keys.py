"""A project's API keys: list with last use, create (the secret shown once), revoke."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.bodies import field
from services.gateway.console import audit
from services.gateway.console.access import project_access, project_post
from services.gateway.console.project_api import ProjectApi
from services.gateway.console.views import done, page
from services.gateway.state import gateway

router = APIRouter(include_in_schema=False)


async def _render(request: Request, access, status: int = 200, **extra):  # type: ignore[no-untyped-def]
    data = await ProjectApi(gateway(request), access.pid).need("/v1/api-keys")
    keys = data.get("data", []) if isinstance(data, dict) else []
    return page(request, "console/keys.html", access, {"keys": keys, **extra}, section="keys", status=status)


@router.get("/admin/p/{pid}/keys")
async def keys_page(request: Request, pid: int) -> Response:
    return await _render(request, await project_access(request, pid))


@router.post("/admin/p/{pid}/keys")
async def create_key(request: Request, pid: int) -> Response:
    access, form = await project_post(request, pid, "owner")
    name = field(form, "name", 300) or "default"
    r = await ProjectApi(gateway(request), pid).call("POST", "/v1/api-keys", json={"name": name})
    if not r.ok:
        return await _render(
            request,
            access,
            status=r.status if r.status < 500 else 503,
            errors=r.errors,
            message=r.message,
            values={"name": name},
        )
    await audit.record(
        request,
        access.viewer,
        "api_key.created",
        project_id=pid,
        target=f"api_key:{r.data['id']}",
        detail={"name": name, "prefix": r.data.get("prefix")},
    )
    return await _render(request, access, status=201, new_key=r.data)


@router.post("/admin/p/{pid}/keys/{kid}/revoke")
async def revoke_key(request: Request, pid: int, kid: int) -> Response:
    access, _ = await project_post(request, pid, "owner")
    r = await ProjectApi(gateway(request), pid).call("DELETE", f"/v1/api-keys/{kid}")
    if not r.ok:
        return await _render(request, access, status=r.status if r.status < 500 else 503, message=r.message)
    await audit.record(request, access.viewer, "api_key.revoked", project_id=pid, target=f"api_key:{kid}")
    return done(
        request, f"/admin/p/{pid}/keys", "Key revoked. It stops working within seconds on every gateway."
    )
