"""Whole numbers that arrive as text (form fields, path parts, query strings, header values).

`str.isdigit()` is true for '²' or '①', which `int()` then refuses (a 500 where a 4xx was meant), and for digits of
other scripts, which `int()` reads: an id or a port is plain ASCII digits or it is not a number at all.
"""

from __future__ import annotations

from typing import TypeGuard


def ascii_digits(raw: str | None, *, max_digits: int = 18) -> TypeGuard[str]:
    """True when `raw` is 1..max_digits ASCII digits (18 keeps the value inside a signed 64-bit column)."""
    return raw is not None and 0 < len(raw) <= max_digits and raw.isascii() and raw.isdigit()


def parse_whole(raw: str | None, *, max_digits: int = 18) -> int | None:
    """The number `raw` spells in ASCII digits, else None."""
    return int(raw) if ascii_digits(raw, max_digits=max_digits) else None
