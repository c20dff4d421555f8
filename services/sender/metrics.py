"""Prometheus metrics of the sender (exposed on /metrics by the service app)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SENT = Counter("sesame_sender_sent_total", "Mail accepted by SES", ["kind"])
FAILED = Counter("sesame_sender_failed_total", "Mail that failed for good", ["kind", "reason"])
DELAYED = Counter("sesame_sender_delayed_total", "Mail postponed (quota, warm-up, retry)", ["why"])
SUPPRESSED = Counter("sesame_sender_suppressed_total", "Mail not sent: suppressed or unsubscribed", ["why"])
THROTTLED = Counter("sesame_sender_throttled_total", "SES throttling answers")
QUEUE_DEPTH = Gauge("sesame_sender_queue_depth", "Work messages waiting on the bus", ["queue"])
DUE = Gauge("sesame_sender_due_messages", "Messages claimed per dispatcher round", ["kind"])
RATE_WAIT = Histogram(
    "sesame_sender_rate_token_wait_seconds",
    "Time a batch waited for send slots from the shared bucket",
    buckets=(0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
SES_LATENCY = Histogram(
    "sesame_sender_ses_call_seconds",
    "SES SendEmail latency",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5),
)
QUOTA_USED = Gauge("sesame_sender_quota_used_ratio", "Share of the 24-hour quota used", ["project"])
RECOVERED = Counter("sesame_sender_recovered_total", "Rows the recovery sweep reconciled", ["what"])
LATE_SLOTS = Counter(
    "sesame_sender_late_slots_total", "Send slots missed by more than the jitter allowance (re-taken)"
)
AMBIGUOUS = Counter(
    "sesame_sender_ambiguous_total",
    "SES calls that got no answer (timeout / dropped): SES may have accepted them",
)
