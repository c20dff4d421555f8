"""In-process token buckets for abuse limits (gateway: per client IP, per email address, failed API logins; events:
webhook test sends per endpoint).

Each replica holds its own buckets, so N replicas allow up to N× the configured rate for a client that
is spread across them by the load balancer. That is acceptable for abuse limits (they stop floods, not count
precisely); a sticky load balancer (by client IP) makes them exact. The subscriptions service's resend cooldown
is in the database and holds across replicas.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class TokenBuckets:
    """`capacity` tokens refilled at `capacity / per_seconds`; at most `max_keys` keys (least recent dropped)."""

    def __init__(self, capacity: int, per_seconds: float, *, max_keys: int = 100_000) -> None:
        self.capacity = max(1, capacity)
        self.rate = self.capacity / per_seconds
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def _bucket(self, key: str, now: float) -> _Bucket:
        b = self._buckets.get(key)
        if b is None:
            b = _Bucket(float(self.capacity), now)
            self._buckets[key] = b
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
            b.tokens = min(self.capacity, b.tokens + (now - b.updated) * self.rate)
            b.updated = now
        return b

    def take(self, key: str, now: float | None = None) -> bool:
        """Take one token; False when the bucket is empty."""
        b = self._bucket(key, time.monotonic() if now is None else now)
        if b.tokens >= 1:
            b.tokens -= 1
            return True
        return False

    def peek(self, key: str, now: float | None = None) -> bool:
        """Whether a token is available, without taking it."""
        b = self._buckets.get(key)
        if b is None:
            return True
        now = time.monotonic() if now is None else now
        return min(self.capacity, b.tokens + (now - b.updated) * self.rate) >= 1

    def retry_after(self, key: str) -> int:
        """Seconds until the next token (for Retry-After)."""
        b = self._buckets.get(key)
        if b is None:
            return 0
        return max(1, math.ceil((1 - b.tokens) / self.rate))
