"""Prometheus metrics of the events service (exposed on /metrics by the service app).

Feedback counts are added after the unit of work that recorded them committed, so a batch retried row by row is
not counted twice. Bounce and complaint *rates* per project stay in the database (`GET /v1/reputation`, the
dashboard): a gauge per project would grow with the number of projects.
"""

from __future__ import annotations

from prometheus_client import Counter

WEBHOOK = Counter(
    "sesame_events_webhook_messages_total",
    "SNS messages answered by the webhook, by outcome",
    ["outcome"],
)
FEEDBACK = Counter("sesame_events_feedback_total", "SES feedback events recorded, by type", ["type"])
SUPPRESSED = Counter(
    "sesame_events_suppressions_total", "Addresses the feedback policy suppressed, by reason", ["reason"]
)
GUARD = Counter(
    "sesame_events_guard_crossings_total", "Reputation guard threshold crossings, by level", ["level"]
)
INBOX_FAILED = Counter(
    "sesame_events_inbox_failures_total", "Inbox rows whose processing failed (kept with the error, retried)"
)
