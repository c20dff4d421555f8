"""A campaign's report, read from the APIs: counts per state and per feedback (sender), its results (the
campaign report API: outcomes, opens, clicks, links, unsubscribes, time series), the rates beside the project's
guard thresholds (events), the recent bounces and complaints with their SES detail, the recipients."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.datastructures import QueryParams

from services.gateway.console.campaign_form import CANARY_POLICY, canary_modes
from services.gateway.console.campaign_outcomes import guard_rate, outcomes
from services.gateway.console.paging import page_cursor
from services.gateway.console.project_api import ApiResult, ProjectApi

STATES = ("queued", "sending", "sent", "failed", "suppressed", "delayed", "cancelled", "held")
WAITING = ("queued", "sending", "delayed", "held")  # held: behind the campaign's canary
RECENT = 5  # bounces and complaints shown with their SES detail (one events call each)
PAGE = 50


def progress_json(c: dict[str, Any]) -> dict[str, Any]:
    """What the page's live progress shows (console.js data-poll): counts, percent done, and `done` once the
    campaign is no longer sending."""
    p = c.get("progress") or {}
    counts, feedback = p.get("counts") or {}, p.get("feedback") or {}
    total = int(p.get("total") or 0)
    waiting = sum(int(counts.get(s, 0)) for s in WAITING)
    processed = total - waiting
    percent = processed * 100 // total if total else (100 if c["status"] == "sent" else 0)
    return {
        "status": c["status"],
        "total": total,
        "processed": processed,
        "percent": percent,
        "percent_text": f"{percent} %",
        "waiting": waiting,
        **{s: int(counts.get(s, 0)) for s in STATES},
        "delivered": int(feedback.get("delivered", 0)) + int(feedback.get("complained", 0)),
        "bounced": int(feedback.get("bounced", 0)),
        "complained": int(feedback.get("complained", 0)),
        "rejected": int(feedback.get("rejected", 0)),
        "done": c["status"] != "sending",
    }


def _rate(n: int, sent: int, warn: float | None, pause: float | None) -> dict[str, Any]:
    return {**guard_rate(n / sent if sent else None, warn, pause), "count": n}


def _data(r: ApiResult, key: str) -> Any:
    return r.data.get(key) if r.ok and isinstance(r.data, dict) else None


async def _none() -> ApiResult:
    return ApiResult(200, {})


async def _feedback_events(
    api: ProjectApi, messages: list[dict[str, Any]], kind: str
) -> list[dict[str, Any]]:
    """Each message with the SES event that explains its feedback (bounce type and diagnostic, complaint type)."""
    found = await asyncio.gather(
        *(api.get("/v1/events", message_id=m["id"], type=kind, limit=1) for m in messages)
    )
    out = []
    for m, r in zip(messages, found, strict=True):
        ev = (_data(r, "data") or [None])[0] or {}
        if kind == "bounce":
            hard = ev.get("bounce_type") == "Permanent"
            label = "Hard bounce" if hard else ("Soft bounce" if ev else "Bounce")
            detail = " · ".join(x for x in (ev.get("bounce_subtype"), ev.get("diagnostic")) if x)
        else:
            label, detail = "Complaint", ev.get("feedback_type") or ""
        out.append(
            {
                "to": m["to"],
                "kind": label,
                "detail": detail,
                "suppressed": bool(ev.get("suppressed")),
                "at": ev.get("occurred_at") or m.get("sent_at"),
                "hard": kind == "bounce" and ev.get("bounce_type") == "Permanent",
            }
        )
    return out


async def report_context(api: ProjectApi, cid: int, query: QueryParams) -> dict[str, Any]:
    """Everything the campaign's page shows (a 404 / 503 page when the campaign itself cannot be read)."""
    c = await api.need(f"/v1/campaigns/{cid}")
    progress = progress_json(c)
    state = query.get("state", "")
    state = state if state in STATES else ""
    cursor = page_cursor(query)
    fb = (c.get("progress") or {}).get("feedback") or {}
    started = bool(c.get("fanout_at") or (c.get("progress") or {}).get("total"))
    lists_r, guard_r, msgs_r, bounced_r, complained_r, template_r, report_r, policy_r = await asyncio.gather(
        api.get("/v1/lists", limit=500),
        api.get("/v1/guard"),
        api.get("/v1/messages", campaign_id=cid, state=state, cursor=cursor, limit=PAGE),
        api.get("/v1/messages", campaign_id=cid, feedback="bounced", limit=RECENT)
        if fb.get("bounced")
        else _none(),
        api.get("/v1/messages", campaign_id=cid, feedback="complained", limit=RECENT)
        if fb.get("complained")
        else _none(),
        api.get(f"/v1/templates/{c['template_id']}") if c.get("template_id") else _none(),
        api.get(f"/v1/campaigns/{cid}/report") if started else _none(),
        api.get(CANARY_POLICY),
    )
    names = {lst["id"]: lst["name"] for lst in (_data(lists_r, "data") or [])}
    th = _data(guard_r, "thresholds") or {}
    sent = progress["sent"]
    recent = await _feedback_events(api, _data(bounced_r, "data") or [], "bounce")
    recent += await _feedback_events(api, _data(complained_r, "data") or [], "complaint")
    recent.sort(key=lambda e: e["at"] or "", reverse=True)
    report = outcomes(report_r.data) if started and report_r.ok and isinstance(report_r.data, dict) else None
    rates = {
        "bounce": _rate(progress["bounced"], sent, th.get("warn_bounce_rate"), th.get("pause_bounce_rate")),
        "complaint": _rate(
            progress["complained"], sent, th.get("warn_complaint_rate"), th.get("pause_complaint_rate")
        ),
    }
    if report is not None:  # the report's own rates and thresholds: one source for the figures shown
        for key, r in report["guard_rates"].items():
            warn = r["warn"] if r["warn"] is not None else rates[key]["warn"]
            pause = r["pause"] if r["pause"] is not None else rates[key]["pause"]
            rates[key] = {**guard_rate(r["rate"], warn, pause), "count": rates[key]["count"]}
    return {
        "c": c,
        "p": progress,
        "report": report,
        "report_unavailable": started and report is None,
        "lists": [{"id": i, "name": names.get(i)} for i in c.get("list_ids") or []],
        "template": template_r.data if c.get("template_id") and template_r.ok else None,
        "rates": rates,
        "guard": _data(guard_r, "state"),
        "guard_unavailable": not guard_r.ok,
        "min_volume": _data(guard_r, "min_volume"),
        "recent": recent,
        "messages": _data(msgs_r, "data") or [],
        "messages_unavailable": not msgs_r.ok,
        "next_cursor": _data(msgs_r, "next_cursor"),
        "state": state,
        "paged": cursor is not None,
        "states": STATES,
        "canary_modes": canary_modes(
            policy_r.data if policy_r.ok else None, (c.get("canary") or {}).get("window_seconds")
        ),
    }
