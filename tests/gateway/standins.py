"""Small stand-ins for the services behind the gateway, speaking docs/service-contracts.md (for HTTP tests that
must control what the upstream says: XSS payloads in names, a down service, what was forwarded)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel


@dataclass
class Recorder:
    calls: list[dict[str, Any]] = field(default_factory=list)

    def paths(self) -> list[str]:
        return [c["path"] for c in self.calls]


def subscriptions_standin(
    *,
    lists: dict[int, dict[str, Any]] | None = None,
    project: dict[str, Any] | None = None,
    internal_token: str,
) -> tuple[FastAPI, Recorder]:
    app = FastAPI()
    rec = Recorder()
    project = project or {"id": 1, "name": "Acme", "branding": {}, "allowed_redirect_hosts": ["acme.example"]}
    lists = (
        lists
        if lists is not None
        else {
            7: {
                "id": 7,
                "name": "Weekly news",
                "description": "Once a week",
                "double_optin": True,
                "form_settings": {},
            }
        }
    )
    state: dict[str, Any] = {"subs": {}, "unsubscribed": set()}

    def ref(list_id: int) -> dict[str, Any]:
        lst = lists[list_id]
        return {"id": list_id, "name": lst["name"], "locale": (lst.get("form_settings") or {}).get("locale")}

    @app.middleware("http")
    async def record(request: Request, call_next):  # type: ignore[no-untyped-def]
        body = await request.body()
        rec.calls.append(
            {
                "method": request.method,
                "path": request.url.path,
                "query": request.url.query,
                "headers": dict(request.headers),
                "body": body,
            }
        )
        if request.headers.get("x-sesame-internal-token") != internal_token:
            return JSONResponse({"error": "unauthorized", "detail": "internal token"}, 401)
        return await call_next(request)

    @app.get("/public/lists/{list_id}/form")
    async def form(list_id: int) -> Response:
        lst = lists.get(list_id)
        if lst is None:
            return JSONResponse({"error": "not_found", "detail": "no list"}, 404)
        return JSONResponse(
            {
                "list": {k: lst[k] for k in ("id", "name", "description", "double_optin")},
                "project": project,
                "form_settings": lst.get("form_settings") or {},
            }
        )

    @app.post("/public/lists/{list_id}/subscribe", status_code=202)
    async def subscribe(list_id: int, request: Request) -> Response:
        data = await request.json()
        if "@" not in str(data.get("email")):
            return JSONResponse({"error": "invalid_email", "detail": "bad"}, 422)
        state["subs"][data["email"]] = data
        return JSONResponse({"status": "check_inbox"}, 202)

    @app.post("/public/confirm")
    async def confirm(request: Request) -> Response:
        token = (await request.json()).get("token")
        if token == "expired":
            return JSONResponse({"error": "expired_token", "detail": "expired"}, 410)
        if token != "good":
            return JSONResponse({"error": "invalid_token", "detail": "bad"}, 400)
        return JSONResponse(
            {
                "result": "confirmed",
                "list": ref(7),
                "project": project,
                "preferences_token": "good",
            }
        )

    @app.get("/public/confirm/{token}")
    async def confirm_view(token: str) -> Response:
        if token not in ("good", "expired", "done", "left"):
            return JSONResponse({"error": "invalid_token", "detail": "bad"}, 400)
        status = {"done": "active", "left": "unsubscribed"}.get(token, "pending")
        return JSONResponse(
            {
                "list": ref(7),
                "project": project,
                "status": status,
                "expired": token == "expired",
            }
        )

    @app.post("/public/confirm/resend", status_code=202)
    async def resend() -> Response:
        return JSONResponse({"status": "check_inbox"}, 202)

    def prefs() -> dict[str, Any]:
        return {
            "email": "ann@example.com",
            "project": project,
            "lists": [
                {
                    "id": i,
                    "name": lst["name"],
                    "description": lst["description"],
                    "locale": (lst.get("form_settings") or {}).get("locale"),
                    "status": "unsubscribed" if i in state["unsubscribed"] else "active",
                    "paused_until": None,
                }
                for i, lst in lists.items()
            ],
        }

    @app.get("/public/preferences/{token}")
    async def get_prefs(token: str) -> Response:
        if token != "good":
            return JSONResponse({"error": "invalid_token", "detail": "bad"}, 400)
        return JSONResponse(prefs())

    @app.post("/public/preferences/{token}")
    async def post_prefs(token: str, request: Request) -> Response:
        if token != "good":
            return JSONResponse({"error": "invalid_token", "detail": "bad"}, 400)
        data = await request.json()
        if data.get("action") == "unsubscribe":
            state["unsubscribed"].add(data["list_id"])
        return JSONResponse(prefs())

    @app.get("/public/unsubscribe/{token}")
    async def get_unsub(token: str) -> Response:
        if token != "good":
            return JSONResponse({"error": "invalid_token", "detail": "bad"}, 400)
        return JSONResponse(
            {
                "email": "ann@example.com",
                "project": project,
                "list": ref(7),
                "status": "unsubscribed" if 7 in state["unsubscribed"] else "active",
                "preferences_token": "good",
            }
        )

    @app.post("/public/unsubscribe/{token}")
    async def post_unsub(token: str) -> Response:
        if token != "good":
            return JSONResponse({"error": "invalid_token", "detail": "bad"}, 400)
        state["unsubscribed"].add(7)
        return JSONResponse(
            {
                "result": "unsubscribed",
                "email": "ann@example.com",
                "project": project,
                "list": ref(7),
                "preferences_token": "good",
            }
        )

    class ListOut(BaseModel):
        id: int
        name: str

    @app.get("/v1/lists/{list_id}", response_model=ListOut)
    async def get_list(list_id: int) -> Any:
        return {"id": list_id, "name": "x"}

    @app.api_route(
        "/v1/{rest:path}", methods=["GET", "POST", "PATCH", "DELETE", "PUT"], include_in_schema=False
    )
    async def v1(rest: str, request: Request) -> Response:
        return JSONResponse(
            {
                "service": "subscriptions",
                "path": request.url.path,
                "project": request.headers.get("x-sesame-project-id"),
            }
        )

    app.state.standin = state
    return app, rec


def events_standin(*, internal_token: str) -> tuple[FastAPI, Recorder]:
    app = FastAPI()
    rec = Recorder()

    @app.middleware("http")
    async def record(request: Request, call_next):  # type: ignore[no-untyped-def]
        body = await request.body()
        rec.calls.append(
            {
                "method": request.method,
                "path": request.url.path,
                "query": request.url.query,
                "headers": dict(request.headers),
                "body": body,
            }
        )
        if request.headers.get("x-sesame-internal-token") != internal_token:
            return JSONResponse({"error": "unauthorized", "detail": "internal token"}, 401)
        return await call_next(request)

    @app.post("/webhooks/sns/{endpoint_token}")
    async def sns(endpoint_token: str) -> Response:
        return JSONResponse({"received": endpoint_token})

    @app.get("/v1/reputation")
    async def reputation() -> Response:
        th = {
            "warn_bounce_rate": 0.02,
            "pause_bounce_rate": 0.04,
            "warn_complaint_rate": 0.001,
            "pause_complaint_rate": 0.003,
        }
        return JSONResponse(
            {
                "project_id": 1,
                "min_volume": 100,
                "windows": {
                    "24h": {
                        "window": "24h",
                        "sent": 1200,
                        "hard_bounces": 25,
                        "complaints": 0,
                        "bounce_rate": 0.0208,
                        "complaint_rate": 0.0,
                    },
                    "7d": {
                        "window": "7d",
                        "sent": 50,
                        "hard_bounces": 0,
                        "complaints": 0,
                        "bounce_rate": None,
                        "complaint_rate": None,
                    },
                },
                "guard": {"state": "paused", "thresholds": th},
                "series": {
                    "span": "7d",
                    "buckets": [
                        {
                            "hour": f"2026-11-28T{h:02d}:00:00+00:00",
                            "sent": 100 + h * 10,
                            "delivered": 90,
                            "hard_bounces": h % 4,
                            "soft_bounces": 0,
                            "complaints": h % 2,
                            "rejects": 0,
                        }
                        for h in range(0, 14)
                    ],
                },
            }
        )

    @app.get("/v1/guard")
    async def guard() -> Response:
        return JSONResponse(
            {
                "state": "paused",
                "reason": "bounce rate 4.2% over pause threshold 4%",
                "state_changed_at": "2026-11-28T09:00:00+00:00",
                "thresholds": {
                    "warn_bounce_rate": 0.02,
                    "pause_bounce_rate": 0.04,
                    "warn_complaint_rate": 0.001,
                    "pause_complaint_rate": 0.003,
                },
                "current": {"level": "paused", "detail": "", "windows": {}},
            }
        )

    @app.post("/admin/projects/{project_id}/guard/resume")
    async def resume(project_id: int) -> Response:
        return JSONResponse({"state": "active"})

    @app.get("/v1/events")
    async def events(type: str = "bounce") -> Response:  # noqa: A002
        if type != "bounce":
            return JSONResponse({"data": [], "next_cursor": None})
        return JSONResponse(
            {
                "data": [
                    {
                        "type": "bounce",
                        "email": "<b>x</b>@example.com",
                        "bounce_type": "Permanent",
                        "bounce_subtype": "General",
                        "occurred_at": "2026-11-28T09:00:00+00:00",
                    }
                ],
                "next_cursor": None,
            }
        )

    return app, rec
