"""A campaign's results as its page shows them, from GET /v1/campaigns/{id}/report: the outcomes (delivered,
bounced hard/soft, complained, rejected, opened and clicked unique/total, unsubscribed and paused via its links),
the rates beside the guard's thresholds, the links by clicks, and the time series as an inline SVG chart (the
first hour per minute, then per hour: missing steps are filled with zeros so the steps stay equal)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from markupsafe import Markup

from services.gateway.charts import Series, TimePoint, series_chart

SERIES = [
    Series("delivered", "Delivered", "#1f7a3a"),
    Series("opened", "Opened", "#1f5fbf", "6 3"),
    Series("clicked", "Clicked", "#7a3ab8", "2 2"),
    Series("bounced", "Bounced", "#b54708", "8 3 2 3"),
    Series("complained", "Complained", "#b42318", "1 3"),
    Series("unsubscribed", "Unsubscribed", "#4b5563", "10 4"),
]
MAX_STEPS = {
    "minute": 60,
    "hour": 24 * 31,
}  # a month of hours at most is filled; the API's points beyond stay


def _n(v: Any) -> int:
    return int(v) if isinstance(v, int | float) and not isinstance(v, bool) else 0


def _f(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _at(iso: Any) -> datetime | None:
    if not isinstance(iso, str):
        return None
    try:
        at = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def guard_rate(value: float | None, warn: float | None, pause: float | None) -> dict[str, Any]:
    """A rate with its thresholds and its level: ok, warn (at or over warn), bad (at or over pause)."""
    level = "ok"
    if value is not None and pause is not None and value >= pause:
        level = "bad"
    elif value is not None and warn is not None and value >= warn:
        level = "warn"
    return {"rate": value, "warn": warn, "pause": pause, "level": level}


def _filled(raw: list[dict[str, Any]]) -> list[tuple[datetime, str, dict[str, int]]]:
    """The API's points in time order, with the steps it left out (no events) as zeros, per resolution."""
    by_res: dict[str, dict[datetime, dict[str, int]]] = {"minute": {}, "hour": {}}
    for p in raw:
        at, res = _at(p.get("at")), p.get("resolution")
        if at is None or res not in by_res:
            continue
        values = by_res[res].setdefault(at, {s.key: 0 for s in SERIES})
        for s in SERIES:
            values[s.key] += _n(p.get(s.key))
    out: list[tuple[datetime, str, dict[str, int]]] = []
    for res, step in (("minute", timedelta(minutes=1)), ("hour", timedelta(hours=1))):
        got = by_res[res]
        if not got:
            continue
        at, last = min(got), max(got)
        filled = 0
        while at <= last and filled < MAX_STEPS[res]:
            out.append((at, res, got.get(at) or {s.key: 0 for s in SERIES}))
            at, filled = at + step, filled + 1
        out += [(t, res, v) for t, v in sorted(got.items()) if t >= at]
    return out


def timeline(raw: Any) -> dict[str, Any]:
    """The chart and the rows of its figures table (steps with something in them)."""
    points = _filled([p for p in raw if isinstance(p, dict)] if isinstance(raw, list) else [])
    days = {at.date() for at, _, _ in points}
    chart_points = []
    rows = []
    seen_hour = False
    for at, res, values in points:
        label = at.strftime("%m-%d %H:%M" if len(days) > 1 else "%H:%M")
        first_hour = res == "hour" and not seen_hour
        seen_hour = seen_hour or res == "hour"
        chart_points.append(TimePoint(label, {k: float(v) for k, v in values.items()}, first_hour))
        if any(values.values()):
            end = at + (timedelta(minutes=1) if res == "minute" else timedelta(hours=1))
            rows.append({"at": at.isoformat(), "until": end.strftime("%H:%M"), "res": res, **values})
    chart: Markup | None = None
    if points:
        chart = series_chart(
            "Events over time, per minute in the first hour then per hour", chart_points, SERIES
        )
    return {"chart": chart, "rows": rows, "series": SERIES}


def _of(n: int, base: int) -> float | None:
    return n / base if base else None


def outcomes(report: dict[str, Any]) -> dict[str, Any]:
    """The report's figures, safe to show whatever the API left out."""
    bounced, rates, tracking = (
        _dict(report.get("bounced")),
        _dict(report.get("rates")),
        _dict(report.get("tracking")),
    )
    opened, clicked = _dict(report.get("opened")), _dict(report.get("clicked"))
    delivered = _n(report.get("delivered"))
    figures = {k: _n(report.get(k)) for k in ("recipients", "sent", "failed", "skipped", "delivered")}
    figures.update({k: _n(report.get(k)) for k in ("complained", "rejected", "unsubscribed", "paused")})
    figures.update(
        hard=_n(bounced.get("hard")),
        soft=_n(bounced.get("soft")),
        opened_unique=_n(opened.get("unique")),
        opened_total=_n(opened.get("total")),
        clicked_unique=_n(clicked.get("unique")),
        clicked_total=_n(clicked.get("total")),
    )
    figures["bounced"] = figures["hard"] + figures["soft"]
    guard = {}
    for key in ("bounce", "complaint"):
        r = _dict(rates.get(key))
        guard[key] = guard_rate(_f(r.get("value")), _f(r.get("warn")), _f(r.get("pause")))
    raw_links = report.get("links")
    links: list[dict[str, Any]] = []
    for x in raw_links if isinstance(raw_links, list) else []:
        if isinstance(x, dict):
            unique = _n(x.get("unique"))
            links.append({"url": str(x.get("url") or ""), "unique": unique, "total": _n(x.get("total"))})
            links[-1]["share"] = _of(unique, delivered)
    return {
        "f": figures,
        "guard_rates": guard,
        "open_rate": _f(rates.get("open")),
        "click_rate": _f(rates.get("click")),
        "unsubscribe_rate": _of(figures["unsubscribed"], delivered),
        "tracking": {"opens": tracking.get("opens") is True, "clicks": tracking.get("clicks") is True},
        "links": links,
        "started_at": report.get("started_at"),
        "finished_at": report.get("finished_at"),
        "timeline": timeline(_dict(report.get("timeseries")).get("points")),
    }
