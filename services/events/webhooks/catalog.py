"""Which bus messages become which webhook event types, and the payload a receiver gets."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from shared.bus.protocol import QueueSpec
from shared.db.types import utcnow

EVENT_TYPES: tuple[str, ...] = (
    "subscription.created",
    "subscription.confirmed",
    "subscription.unsubscribed",
    "subscription.paused",
    "contact.suppressed",
    "contact.erased",
    "email.sent",
    "email.delivered",
    "email.bounced",
    "email.complained",
    "email.opened",
    "email.clicked",
    "email.failed",
    "campaign.started",
    "campaign.finished",
    "project.paused",
    "project.resumed",
)
TEST_EVENT = "webhook.test"

# Bus routing key → webhook type (subscription changes are mapped by their `event` word below).
_DIRECT = {
    "suppression.added": "contact.suppressed",
    "contact.erased": "contact.erased",
    "email.sent": "email.sent",
    "email.delivered": "email.delivered",
    "email.bounced": "email.bounced",
    "email.complained": "email.complained",
    "email.opened": "email.opened",
    "email.clicked": "email.clicked",
    "email.failed": "email.failed",
    "campaign.started": "campaign.started",
    "campaign.finished": "campaign.finished",
    "project.paused": "project.paused",
    "project.resumed": "project.resumed",
}
_SUBSCRIPTION = {
    "pending": "subscription.created",
    "active": "subscription.created",  # made active directly (API with consent, list without double opt-in)
    "confirmed": "subscription.confirmed",
    "unsubscribed": "subscription.unsubscribed",
    "paused": "subscription.paused",
}
WEBHOOK_QUEUE = QueueSpec("events.webhooks", ["subscription.*", *_DIRECT])
# Internal fields a receiver has no use for.
_DROP = {"v", "suppress", "unsubscribe_all"}


def webhook_type(routing_key: str, payload: dict[str, Any]) -> str | None:
    """The webhook event type of a bus message, None when it is not one receivers get."""
    if routing_key.startswith("subscription."):
        word = routing_key.split(".", 1)[1]
        if word == "changed":  # an unrouted SubscriptionChanged: its `event` says what happened
            word = str(payload.get("event") or payload.get("status") or "")
        return _SUBSCRIPTION.get(word)
    return _DIRECT.get(routing_key)


def event_id(source_id: str) -> str:
    """The webhook-id of one event: stable for a redelivered bus message, so its deliveries are made once."""
    return "msg_" + hashlib.sha256(source_id.encode()).hexdigest()[:32]


def body(event_type: str, data: dict[str, Any], *, at: str | None = None) -> str:
    """The JSON document POSTed (the spec's recommended shape: type, timestamp, data)."""
    clean = {k: v for k, v in data.items() if k not in _DROP}
    doc = {"type": event_type, "timestamp": at or utcnow().isoformat(), "data": clean}
    return json.dumps(doc, separators=(",", ":"), sort_keys=True)


def matches(filters: list[str] | None, event_type: str) -> bool:
    """An endpoint with no filter gets every type; a filter `email.*` gets every `email.` type."""
    if not filters:
        return True
    for f in filters:
        if f == event_type or (f.endswith(".*") and event_type.startswith(f[:-1])):
            return True
    return False


def valid_filter(f: str) -> bool:
    if f in EVENT_TYPES:
        return True
    return f.endswith(".*") and any(t.startswith(f[:-1]) for t in EVENT_TYPES)
