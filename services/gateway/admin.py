"""Ops dashboard: admin login (signed session cookie, CSRF token on every POST), per-project health figures.

Figures come from the services' routes, called with the internal token and the project's id; a route that is
missing or down renders an "unavailable" panel, never a 500.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from services.gateway.bodies import field, read_form
from services.gateway.charts import Threshold, bar, line_chart
from services.gateway.rendering import error_page, render
from services.gateway.state import Gateway, gateway
from services.gateway.upstream import UpstreamTimeout, UpstreamUnavailable
from shared.models.core import Project

log = logging.getLogger("sesame.gateway.admin")
router = APIRouter()

COOKIE = "sesame_admin"
# AWS's published SES reputation levels: "under review" and "at risk" (sending may be paused by AWS).
AWS_BOUNCE_REVIEW, AWS_BOUNCE_RISK = 0.05, 0.10
AWS_COMPLAINT_REVIEW, AWS_COMPLAINT_RISK = 0.001, 0.005


def _serializer(gw: Gateway) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(gw.settings.security.secret_key, salt="sesame.admin-session")


def _session(request: Request) -> dict[str, Any] | None:
    gw = gateway(request)
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        data = _serializer(gw).loads(raw, max_age=gw.config.admin_session_hours * 3600)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and data.get("u") == "admin" else None


def _csrf_token(gw: Gateway, session: dict[str, Any]) -> str:
    key = gw.settings.security.secret_key.encode()
    return hmac.new(key, f"csrf:{session.get('sid')}".encode(), hashlib.sha256).hexdigest()


def _csrf_ok(gw: Gateway, session: dict[str, Any], presented: str) -> bool:
    return bool(presented) and hmac.compare_digest(_csrf_token(gw, session), presented)


def _login_redirect() -> Response:
    return RedirectResponse("/admin/login", status_code=303)


@router.get("/admin/login", include_in_schema=False)
async def login_page(request: Request) -> Response:
    return render(request, "admin_login.html", {"error": None})


@router.post("/admin/login", include_in_schema=False)
async def login(request: Request) -> Response:
    gw = gateway(request)
    ip = gw.client_ip(request)
    form = await read_form(request, 4096)
    if not gw.admin_login.peek(ip):
        return render(
            request, "admin_login.html", {"error": "Too many attempts. Wait a few minutes."}, status=429
        )
    password = field(form, "password", 500)
    expected = gw.settings.security.admin_password
    if not hmac.compare_digest(password.encode(), expected.encode()):
        gw.admin_login.take(ip)
        return render(request, "admin_login.html", {"error": "Wrong password."}, status=401)
    token = _serializer(gw).dumps({"u": "admin", "sid": secrets.token_urlsafe(16)})
    resp = RedirectResponse("/admin", status_code=303)
    resp.set_cookie(
        COOKIE,
        token,
        max_age=int(gw.config.admin_session_hours * 3600),
        httponly=True,
        secure=gw.cookie_secure,
        samesite="strict",
        path="/admin",
    )
    return resp


@router.post("/admin/logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    gw = gateway(request)
    session = _session(request)
    form = await read_form(request, 4096)
    if session is None or not _csrf_ok(gw, session, field(form, "csrf", 100)):
        return error_page(request, 403, "Forbidden", "The form expired. Please reload the page.")
    resp = RedirectResponse("/admin/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/admin")
    return resp


async def _projects(request: Request) -> list[dict[str, Any]]:
    runtime = request.app.state.runtime
    async with runtime.sessionmaker() as session:
        rows = (
            await session.execute(
                sa.select(Project.id, Project.name, Project.settings)
                .where(Project.deleted_at.is_(None))
                .order_by(Project.id)
            )
        ).all()
    return [{"id": r[0], "name": r[1], "settings": r[2] or {}} for r in rows]


async def _fetch(gw: Gateway, service: str, path: str, project_id: int | None = None, **query: Any) -> Any:
    """JSON from a service, or None when the route is missing, failing or the service is down."""
    try:
        resp = await gw.upstreams.request(service, "GET", path, query=query, project_id=project_id, timeout=5)
    except (UpstreamUnavailable, UpstreamTimeout):
        return None
    if not resp.ok:
        return None
    return resp.json()


def _num(d: Any, *keys: str, default: float | None = None) -> float | None:
    if not isinstance(d, dict):
        return default
    for k in keys:
        v = d.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
    return default


def _items(d: Any, *keys: str) -> list[dict[str, Any]]:
    if isinstance(d, list):
        return [x for x in d if isinstance(x, dict)]
    if isinstance(d, dict):
        for k in keys:
            if isinstance(d.get(k), list):
                return [x for x in d[k] if isinstance(x, dict)]
    return []


def _series(rep: Any) -> list[dict[str, Any]]:
    return _items(rep, "series", "days", "history", "points", "buckets")


def _label(p: dict[str, Any]) -> str:
    for k in ("date", "day", "t", "time", "bucket", "start", "period_start"):
        if p.get(k) is not None:
            return str(p[k])[:16]
    return ""


def _rate(p: dict[str, Any], rate_keys: tuple[str, ...], count_keys: tuple[str, ...]) -> float:
    r = _num(p, *rate_keys)
    if r is not None:
        return r
    sent = _num(p, "sent", "delivered_or_sent", "volume", default=0.0) or 0.0
    n = _num(p, *count_keys, default=0.0) or 0.0
    return n / sent if sent else 0.0


def _thresholds(rep: Any, guard: Any, kind: str) -> dict[str, float | None]:
    src = {}
    for d in (rep, guard):
        if isinstance(d, dict):
            for k in ("thresholds", "policy", "limits"):
                if isinstance(d.get(k), dict):
                    src.update(d[k])
            src.update({k: v for k, v in d.items() if isinstance(v, (int, float))})
    warn = _num(src, f"{kind}_warn", f"{kind}_warn_rate", f"warn_{kind}_rate", f"{kind}_rate_warn")
    pause = _num(src, f"{kind}_pause", f"{kind}_pause_rate", f"pause_{kind}_rate", f"{kind}_rate_pause")
    return {"warn": warn, "pause": pause}


async def project_panels(gw: Gateway, project: dict[str, Any]) -> dict[str, Any]:
    pid = project["id"]
    rep = await _fetch(gw, "events", "/v1/reputation", pid)
    guard = await _fetch(gw, "events", "/v1/guard", pid)
    feedback = await _fetch(gw, "events", "/v1/events", pid, types="bounce,complaint", limit=20)
    account = await _fetch(gw, "sender", "/v1/ses-account", pid)
    sending = await _fetch(gw, "sender", "/v1/sending", pid)
    campaigns = await _fetch(gw, "sender", "/v1/campaigns", pid, limit=10)

    panels: dict[str, Any] = {"project": project}
    if rep is None:
        panels["reputation"] = None
    else:
        series = _series(rep)
        volume = [(_label(p), _num(p, "sent", "volume", default=0.0) or 0.0) for p in series]
        bounce = [(_label(p), _rate(p, ("bounce_rate",), ("bounces", "bounced"))) for p in series]
        complaint = [(_label(p), _rate(p, ("complaint_rate",), ("complaints", "complained"))) for p in series]
        bt, ct = _thresholds(rep, guard, "bounce"), _thresholds(rep, guard, "complaint")

        def lines(t: dict[str, float | None], review: float, risk: float) -> list[Threshold]:
            out = []
            if t["warn"] is not None:
                out.append(Threshold("warn", t["warn"], "#b54708"))
            if t["pause"] is not None:
                out.append(Threshold("pause", t["pause"], "#b42318"))
            out += [
                Threshold("AWS review", review, "#6941c6", "2 3"),
                Threshold("AWS risk", risk, "#000000", "2 3"),
            ]
            return out

        current = rep if isinstance(rep, dict) else {}
        panels["reputation"] = {
            "volume_chart": line_chart("Emails sent per period", volume, percent=False, color="#1f7a3a"),
            "bounce_chart": line_chart("Bounce rate", bounce, lines(bt, AWS_BOUNCE_REVIEW, AWS_BOUNCE_RISK)),
            "complaint_chart": line_chart(
                "Complaint rate", complaint, lines(ct, AWS_COMPLAINT_REVIEW, AWS_COMPLAINT_RISK)
            ),
            "bounce_rate": _num(current, "bounce_rate", "current_bounce_rate"),
            "complaint_rate": _num(current, "complaint_rate", "current_complaint_rate"),
            "sent": _num(current, "sent", "volume", "window_sent"),
        }
    if guard is None:
        panels["guard"] = None
    else:
        g = guard if isinstance(guard, dict) else {}
        state = str(g.get("state") or g.get("status") or ("paused" if g.get("paused") else "active"))
        panels["guard"] = {
            "state": state,
            "reason": g.get("reason") or g.get("paused_reason"),
            "since": g.get("paused_at") or g.get("since"),
        }
    panels["feedback"] = None if feedback is None else _items(feedback, "items", "events", "data")[:20]
    if account is None and sending is None:
        panels["quota"] = None
    else:
        src: dict[str, Any] = {}
        for d in (account, sending):
            if isinstance(d, dict):
                src.update(d)
                for k in ("quota", "send_quota", "account"):
                    if isinstance(d.get(k), dict):
                        src.update(d[k])
        max24 = _num(src, "max_24_hour_send", "max_24h", "Max24HourSend", "daily_quota")
        sent24 = _num(src, "sent_last_24_hours", "sent_24h", "SentLast24Hours", default=0.0) or 0.0
        panels["quota"] = {
            "max24": max24,
            "sent24": sent24,
            "rate": _num(src, "max_send_rate", "MaxSendRate", "rate"),
            "queue": _num(src, "queue_depth", "queued", "queue", "pending"),
            "bar": bar(sent24, max24 or 0.0, "24-hour quota used") if max24 else None,
            "sandbox": src.get("sandbox") if isinstance(src.get("sandbox"), bool) else None,
        }
    if campaigns is None:
        panels["campaigns"] = None
    else:
        rows = []
        for c in _items(campaigns, "items", "campaigns", "data")[:10]:
            total = _num(c, "total", "recipients", "total_messages", default=0.0) or 0.0
            done = _num(c, "sent", "sent_count", default=0.0) or 0.0
            rows.append(
                {
                    "id": c.get("id"),
                    "name": c.get("name") or c.get("subject") or f"#{c.get('id')}",
                    "status": c.get("status") or c.get("state"),
                    "total": int(total),
                    "sent": int(done),
                    "failed": int(_num(c, "failed", "failed_count", default=0.0) or 0),
                    "bar": bar(done, total, "campaign progress") if total else None,
                }
            )
        panels["campaigns"] = rows
    return panels


@router.get("/admin", include_in_schema=False)
async def dashboard(request: Request) -> Response:
    gw = gateway(request)
    session = _session(request)
    if session is None:
        return _login_redirect()
    projects = await _projects(request)
    panels = [await project_panels(gw, p) for p in projects[:20]]
    return render(request, "admin.html", {"panels": panels, "csrf": _csrf_token(gw, session)})


@router.get("/admin/projects/{project_id}", include_in_schema=False)
async def project_page(request: Request, project_id: int) -> Response:
    gw = gateway(request)
    session = _session(request)
    if session is None:
        return _login_redirect()
    project = next((p for p in await _projects(request) if p["id"] == project_id), None)
    if project is None:
        return error_page(request, 404, "No such project", "This project does not exist.")
    panels = await project_panels(gw, project)
    return render(
        request, "admin.html", {"panels": [panels], "csrf": _csrf_token(gw, session), "single": True}
    )


@router.post("/admin/projects/{project_id}/resume", include_in_schema=False)
async def resume(request: Request, project_id: int) -> Response:
    gw = gateway(request)
    session = _session(request)
    if session is None:
        return _login_redirect()
    form = await read_form(request, 4096)
    if not _csrf_ok(gw, session, field(form, "csrf", 100)):
        return error_page(
            request, 403, "Forbidden", "The form expired. Please reload the page and try again."
        )
    try:
        resp = await gw.upstreams.request(
            "events", "POST", "/v1/guard/resume", project_id=project_id, json_body={"by": "admin"}
        )
    except (UpstreamUnavailable, UpstreamTimeout):
        return error_page(
            request, 503, "Events service unavailable", "The project was not resumed. Try again."
        )
    if not resp.ok:
        log.warning("resume of project %s: events answered %s", project_id, resp.status)
        return error_page(request, 502, "Resume failed", f"The events service answered {resp.status}.")
    return RedirectResponse(f"/admin/projects/{project_id}", status_code=303)
