"""Ops dashboard (operators of the console only; login, sessions and CSRF in console/): per-project health figures.

Figures come from the services' routes, called with the internal token and the project's id; a route that is
missing or down renders an "unavailable" panel, never a 500.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from services.gateway.charts import Threshold, bar, line_chart
from services.gateway.console import audit
from services.gateway.console.access import checked_form, require_viewer
from services.gateway.console.sessions import Viewer
from services.gateway.console.views import page
from services.gateway.rendering import error_page
from services.gateway.state import Gateway, gateway
from services.gateway.upstream import UpstreamTimeout, UpstreamUnavailable
from shared.models.core import Project

log = logging.getLogger("sesame.gateway.admin")
router = APIRouter()

# AWS's published SES reputation levels: "under review" and "at risk" (sending may be paused by AWS).
AWS_BOUNCE_REVIEW, AWS_BOUNCE_RISK = 0.05, 0.10
AWS_COMPLAINT_REVIEW, AWS_COMPLAINT_RISK = 0.001, 0.005


async def _operator(request: Request) -> Viewer | None:
    """The logged-in operator; raises LoginRequired without a session, None for a non-operator."""
    viewer = await require_viewer(request)
    return viewer if viewer.is_operator else None


def _not_operator() -> Response:
    return RedirectResponse("/admin/p", status_code=303)


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


def _buckets(rep: Any) -> list[dict[str, Any]]:
    """Hourly buckets (events' `series.buckets`), merged into days when they span more than two days."""
    series = rep.get("series") if isinstance(rep, dict) else None
    raw = _items(series, "buckets") if isinstance(series, dict) else _items(rep, "series", "buckets")
    rows = []
    for b in raw:
        label = str(b.get("hour") or b.get("date") or b.get("day") or "")
        rows.append(
            {
                "label": label,
                "sent": _num(b, "sent", default=0.0) or 0.0,
                "bounces": _num(b, "hard_bounces", "bounces", default=0.0) or 0.0,
                "complaints": _num(b, "complaints", default=0.0) or 0.0,
            }
        )
    if len(rows) > 48:
        days: dict[str, dict[str, Any]] = {}
        for r in rows:
            d = days.setdefault(
                r["label"][:10], {"label": r["label"][:10], "sent": 0.0, "bounces": 0.0, "complaints": 0.0}
            )
            for k in ("sent", "bounces", "complaints"):
                d[k] += r[k]
        rows = list(days.values())
    else:
        for r in rows:
            r["label"] = r["label"][5:16].replace("T", " ")  # MM-DD HH:MM
    return rows


def _thresholds(rep: Any, guard: Any) -> dict[str, float | None]:
    src: dict[str, Any] = {}
    for d in (rep.get("guard") if isinstance(rep, dict) else None, guard):
        if isinstance(d, dict) and isinstance(d.get("thresholds"), dict):
            src.update(d["thresholds"])
    return {
        k: _num(src, k)
        for k in ("warn_bounce_rate", "pause_bounce_rate", "warn_complaint_rate", "pause_complaint_rate")
    }


def _lines(th: dict[str, float | None], metric: str, review: float, risk: float) -> list[Threshold]:
    out = []
    if th.get(f"warn_{metric}_rate") is not None:
        out.append(Threshold("warn", th[f"warn_{metric}_rate"] or 0.0, "#b54708"))
    if th.get(f"pause_{metric}_rate") is not None:
        out.append(Threshold("pause", th[f"pause_{metric}_rate"] or 0.0, "#b42318"))
    out += [Threshold("AWS review", review, "#6941c6", "2 3"), Threshold("AWS risk", risk, "#000000", "2 3")]
    return out


async def project_panels(gw: Gateway, project: dict[str, Any]) -> dict[str, Any]:
    pid = project["id"]
    rep = await _fetch(gw, "events", "/v1/reputation", pid, series="7d")
    guard = await _fetch(gw, "events", "/v1/guard", pid)
    bounces = await _fetch(gw, "events", "/v1/events", pid, type="bounce", limit=10)
    complaints = await _fetch(gw, "events", "/v1/events", pid, type="complaint", limit=10)
    sending = await _fetch(gw, "sender", "/v1/sending", pid)
    campaigns = await _fetch(gw, "sender", "/v1/campaigns", pid, limit=5)

    panels: dict[str, Any] = {"project": project}
    if rep is None:
        panels["reputation"] = None
    else:
        rows = _buckets(rep)
        th = _thresholds(rep, guard)
        volume = [(r["label"], r["sent"]) for r in rows]
        bounce = [(r["label"], r["bounces"] / r["sent"] if r["sent"] else 0.0) for r in rows]
        complaint = [(r["label"], r["complaints"] / r["sent"] if r["sent"] else 0.0) for r in rows]
        windows = rep.get("windows") if isinstance(rep, dict) else None
        w24 = windows.get("24h") if isinstance(windows, dict) else None
        w7 = windows.get("7d") if isinstance(windows, dict) else None
        panels["reputation"] = {
            "volume_chart": line_chart("Emails sent per period", volume, percent=False, color="#1f7a3a"),
            "bounce_chart": line_chart(
                "Bounce rate", bounce, _lines(th, "bounce", AWS_BOUNCE_REVIEW, AWS_BOUNCE_RISK)
            ),
            "complaint_chart": line_chart(
                "Complaint rate", complaint, _lines(th, "complaint", AWS_COMPLAINT_REVIEW, AWS_COMPLAINT_RISK)
            ),
            "windows": [
                {
                    "name": name,
                    "sent": _num(w, "sent"),
                    "bounce_rate": _num(w, "bounce_rate"),
                    "complaint_rate": _num(w, "complaint_rate"),
                }
                for name, w in (("24 h", w24), ("7 days", w7))
                if isinstance(w, dict)
            ],
            "min_volume": _num(rep, "min_volume"),
        }
    if guard is None:
        panels["guard"] = None
    else:
        g = guard if isinstance(guard, dict) else {}
        current = g.get("current") if isinstance(g.get("current"), dict) else {}
        panels["guard"] = {
            "state": str(g.get("state") or "unknown"),
            "reason": g.get("reason"),
            "since": g.get("state_changed_at"),
            "level": current.get("level"),
            "detail": current.get("detail"),
        }
    if bounces is None and complaints is None:
        panels["feedback"] = None
    else:
        evs = _items(bounces, "data") + _items(complaints, "data")
        evs.sort(key=lambda e: str(e.get("occurred_at") or ""), reverse=True)
        panels["feedback"] = [
            {
                "when": str(e.get("occurred_at") or "")[:19].replace("T", " "),
                "type": e.get("type"),
                "email": e.get("email") or "(erased)",
                "detail": " ".join(
                    str(x)
                    for x in (
                        e.get("bounce_type"),
                        e.get("bounce_subtype"),
                        e.get("feedback_type"),
                        e.get("diagnostic"),
                    )
                    if x
                )[:200],
            }
            for e in evs[:15]
        ]
    if sending is None:
        panels["quota"] = None
    else:
        q = (
            sending.get("quota")
            if isinstance(sending, dict) and isinstance(sending.get("quota"), dict)
            else {}
        )
        waiting = sending.get("waiting") if isinstance(sending, dict) else None
        max24 = _num(q, "max_24h_send")
        sent24 = _num(q, "sent_last_24h", default=0.0) or 0.0
        panels["quota"] = {
            "mode": sending.get("mode") if isinstance(sending, dict) else None,
            "max24": max24,
            "sent24": sent24,
            "rate": _num(q, "max_send_rate"),
            "queue": sum(v for v in waiting.values() if isinstance(v, int))
            if isinstance(waiting, dict)
            else None,
            "waiting": waiting if isinstance(waiting, dict) else {},
            "marketing_paused": bool(sending.get("marketing_paused")) if isinstance(sending, dict) else False,
            "pause_reason": sending.get("pause_reason") if isinstance(sending, dict) else None,
            "bar": bar(sent24, max24, "24-hour quota used") if max24 else None,
        }
    if campaigns is None:
        panels["campaigns"] = None
    else:
        rows_out = []
        for c in _items(campaigns, "data")[:5]:
            detail = await _fetch(gw, "sender", f"/v1/campaigns/{c.get('id')}", pid) if c.get("id") else None
            prog = detail.get("progress") if isinstance(detail, dict) else None
            counts = prog.get("counts") if isinstance(prog, dict) else {}
            total = _num(prog, "total") or _num(c, "recipients", default=0.0) or 0.0
            done = _num(counts, "sent", default=0.0) or 0.0
            rows_out.append(
                {
                    "id": c.get("id"),
                    "name": c.get("name") or c.get("subject") or f"#{c.get('id')}",
                    "status": c.get("status"),
                    "total": int(total),
                    "sent": int(done),
                    "failed": int(_num(counts, "failed", default=0.0) or 0),
                    "bar": bar(done, total, "campaign progress", progress=True) if total else None,
                }
            )
        panels["campaigns"] = rows_out
    return panels


@router.get("/admin", include_in_schema=False)
async def dashboard(request: Request) -> Response:
    gw = gateway(request)
    viewer = await _operator(request)
    if viewer is None:
        return _not_operator()
    projects = await _projects(request)
    if not projects:  # a fresh installation: the first step is a project, made in the console
        return _not_operator()
    panels = [await project_panels(gw, p) for p in projects[:20]]
    return page(request, "admin.html", viewer, {"panels": panels})


@router.get("/admin/projects/{project_id}", include_in_schema=False)
async def project_page(request: Request, project_id: int) -> Response:
    gw = gateway(request)
    viewer = await _operator(request)
    if viewer is None:
        return _not_operator()
    project = next((p for p in await _projects(request) if p["id"] == project_id), None)
    if project is None:
        return error_page(request, 404, "No such project", "This project does not exist.")
    panels = await project_panels(gw, project)
    return page(request, "admin.html", viewer, {"panels": [panels], "single": True})


@router.post("/admin/projects/{project_id}/resume", include_in_schema=False)
async def resume(request: Request, project_id: int) -> Response:
    gw = gateway(request)
    viewer = await _operator(request)
    if viewer is None:
        return error_page(request, 403, "Not allowed", "Only an operator resumes a paused project here.")
    await checked_form(request, viewer, 4096)
    try:
        resp = await gw.upstreams.request("events", "POST", f"/admin/projects/{project_id}/guard/resume")
    except (UpstreamUnavailable, UpstreamTimeout):
        return error_page(
            request, 503, "Events service unavailable", "The project was not resumed. Try again."
        )
    if not resp.ok:
        log.warning("resume of project %s: events answered %s", project_id, resp.status)
        return error_page(request, 502, "Resume failed", f"The events service answered {resp.status}.")
    await audit.record(request, viewer, "project.resumed", project_id=project_id, target=f"project:{project_id}")
    return RedirectResponse(f"/admin/projects/{project_id}", status_code=303)
