"""Inline SVG charts rendered on the server (no script, no CDN): a rate line against threshold lines, and bars."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

W, H = 640, 220
PAD_L, PAD_R, PAD_T, PAD_B = 56, 120, 16, 32


@dataclass(frozen=True)
class Threshold:
    label: str
    value: float
    color: str
    dash: str = "6 4"


def _fmt(v: float, percent: bool) -> str:
    if percent:
        pct = v * 100
        return f"{pct:.2f}%" if pct < 1 else f"{pct:.1f}%"
    return f"{v:,.0f}"


def line_chart(
    title: str,
    points: list[tuple[str, float]],
    thresholds: list[Threshold] = (),  # type: ignore[assignment]
    *,
    percent: bool = True,
    color: str = "#1f5fbf",
) -> Markup:
    """A line of `points` (label, value) with horizontal threshold lines; accessible title and description."""
    tops = [v for _, v in points] + [t.value for t in thresholds]
    ymax = max(tops) * 1.15 if tops and max(tops) > 0 else (0.01 if percent else 1.0)
    pw, ph = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def x(i: int) -> float:
        return PAD_L + (pw * i / max(1, len(points) - 1))

    def y(v: float) -> float:
        return PAD_T + ph - ph * (v / ymax)

    parts = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="t-{id(points)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="t-{id(points)}">{escape(title)}</title>',
        f'<rect x="{PAD_L}" y="{PAD_T}" width="{pw}" height="{ph}" fill="#ffffff" stroke="#c9ced6"/>',
    ]
    for frac in (0, 0.5, 1):
        v = ymax * frac
        parts.append(
            f'<text x="{PAD_L - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11" fill="#444">'
            f"{escape(_fmt(v, percent))}</text>"
        )
    for t in thresholds:
        parts.append(
            f'<line x1="{PAD_L}" x2="{PAD_L + pw}" y1="{y(t.value):.1f}" y2="{y(t.value):.1f}" '
            f'stroke="{escape(t.color)}" stroke-width="1.5" stroke-dasharray="{escape(t.dash)}"/>'
            f'<text x="{PAD_L + pw + 6}" y="{y(t.value) + 4:.1f}" font-size="11" fill="{escape(t.color)}">'
            f"{escape(t.label)} {escape(_fmt(t.value, percent))}</text>"
        )
    if points:
        coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(points))
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{escape(color)}" stroke-width="2.5"/>')
        for i, (label, v) in enumerate(points):
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="{escape(color)}">'
                f"<title>{escape(label)}: {escape(_fmt(v, percent))}</title></circle>"
            )
        step = max(1, len(points) // 6)
        for i in range(0, len(points), step):
            parts.append(
                f'<text x="{x(i):.1f}" y="{H - 10}" text-anchor="middle" font-size="11" fill="#444">'
                f"{escape(points[i][0][-5:])}</text>"
            )
    else:
        parts.append(
            f'<text x="{PAD_L + pw / 2}" y="{PAD_T + ph / 2}" text-anchor="middle" font-size="13" fill="#555">'
            "no data yet</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar(used: float, total: float, label: str, *, progress: bool = False) -> Markup:
    """A horizontal bar: quota use (red when nearly full) or progress (`progress=True`, always neutral)."""
    frac = 0.0 if total <= 0 else min(1.0, used / total)
    if progress:
        color = "#1f5fbf"
    else:
        color = "#b42318" if frac > 0.9 else "#b54708" if frac > 0.7 else "#1f7a3a"
    return Markup(
        f'<svg class="bar" viewBox="0 0 300 18" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg"><rect width="300" height="18" fill="#e6e8ec"/>'
        f'<rect width="{300 * frac:.1f}" height="18" fill="{color}"/></svg>'
    )


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    color: str
    dash: str = ""  # a dash pattern too, so the lines differ without colour


@dataclass(frozen=True)
class TimePoint:
    label: str  # what the axis and the tooltip say ("14:05", "12-07 15:00")
    values: dict[str, float]
    first_of_hours: bool = False  # the first point of the per-hour part (a divider is drawn before it)


def series_chart(title: str, points: list[TimePoint], series: list[Series]) -> Markup:
    """Several count lines over time at equal steps (each point one minute or one hour), a divider where the
    resolution changes, integer y ticks; each point's figures in its tooltip. The legend is the page's (HTML)."""
    top = max((p.values.get(s.key, 0) for p in points for s in series), default=0)
    ymax = max(1.0, top * 1.15)
    pw, ph = W - PAD_L - 16, H - PAD_T - PAD_B
    n = len(points)

    def x(i: int) -> float:
        return PAD_L + (pw * i / max(1, n - 1))

    def y(v: float) -> float:
        return PAD_T + ph - ph * (v / ymax)

    tid = f"ts-{id(points)}"
    parts = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{tid}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{tid}">{escape(title)}</title>',
        f'<rect x="{PAD_L}" y="{PAD_T}" width="{pw}" height="{ph}" fill="#ffffff" stroke="#c9ced6"/>',
    ]
    for v in sorted({0, round(top / 2), round(top)} if top else {0}):
        parts.append(
            f'<text x="{PAD_L - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11" fill="#444">'
            f"{v:,}</text>"
        )
    if not points:
        parts.append(
            f'<text x="{PAD_L + pw / 2}" y="{PAD_T + ph / 2}" text-anchor="middle" font-size="13" fill="#555">'
            "no data yet</text></svg>"
        )
        return Markup("".join(parts))
    for i, p in enumerate(points):
        if p.first_of_hours and i:
            xd = (x(i - 1) + x(i)) / 2
            parts.append(
                f'<line x1="{xd:.1f}" x2="{xd:.1f}" y1="{PAD_T}" y2="{PAD_T + ph}" stroke="#8a929e" '
                f'stroke-dasharray="2 3"/><text x="{xd + 4:.1f}" y="{PAD_T + 12}" font-size="11" '
                f'fill="#444">per hour →</text>'
            )
    for s in series:
        coords = " ".join(f"{x(i):.1f},{y(p.values.get(s.key, 0)):.1f}" for i, p in enumerate(points))
        dash = f' stroke-dasharray="{escape(s.dash)}"' if s.dash else ""
        if n == 1:  # a single point: a dot, as a line needs two
            parts.append(f'<circle cx="{x(0):.1f}" cy="{y(points[0].values.get(s.key, 0)):.1f}" r="3" '
                         f'fill="{escape(s.color)}"/>')  # fmt: skip
        else:
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{escape(s.color)}" stroke-width="2"{dash}/>'
            )
    # one invisible column per point carries the point's figures as its tooltip
    step_w = pw / max(1, n - 1) if n > 1 else pw
    for i, p in enumerate(points):
        figures = ", ".join(f"{s.label.lower()} {int(p.values.get(s.key, 0)):,}" for s in series)
        parts.append(
            f'<rect x="{max(PAD_L, x(i) - step_w / 2):.1f}" y="{PAD_T}" width="{step_w:.1f}" height="{ph}" '
            f'fill="transparent"><title>{escape(p.label)}: {escape(figures)}</title></rect>'
        )
    every = max(1, -(-n // 7))
    for i in range(0, n, every):
        parts.append(
            f'<text x="{x(i):.1f}" y="{H - PAD_B + 16}" text-anchor="middle" font-size="11" fill="#444">'
            f"{escape(points[i].label)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
