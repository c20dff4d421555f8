"""Content-negotiation headers (Accept, Accept-Language): their values with their q weights, in header order."""

from __future__ import annotations


def weighted_values(header: str, limit: int | None = None) -> list[tuple[str, float]]:
    """(value, q) for each comma-separated entry (q defaults to 1, an unreadable q counts as 0)."""
    out: list[tuple[str, float]] = []
    for part in header.split(",")[:limit]:
        value, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if value:
            out.append((value, q))
    return out
