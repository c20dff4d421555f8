"""Retry delays with jitter, shared by both bus implementations."""

from __future__ import annotations

import random
from collections.abc import Sequence


def retry_delay(delays: Sequence[float], attempt: int) -> float:
    """Seconds to wait before delivery number `attempt + 1` (full jitter within ±20 %)."""
    if not delays:
        return 0.0
    base = delays[min(attempt - 1, len(delays) - 1)]
    return max(0.0, base * random.uniform(0.8, 1.2))
