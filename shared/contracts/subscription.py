"""Subscription and contact state changes, published by the subscriptions service."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from shared.contracts import Contract

Source = Literal[
    "api",
    "form",
    "confirmation",
    "preferences",
    "one_click",
    "link",
    "bounce",
    "complaint",
    "import",
    "system",
    "sunset",
]
Status = Literal["pending", "active", "paused", "unsubscribed"]


def change_event(previous: str | None, status: str, source: str) -> str:
    """The routing-key word of a change: pending, confirmed, active, resumed, paused, unsubscribed."""
    if status == "active":
        if source == "confirmation":
            return "confirmed"
        if previous == "paused":
            return "resumed"
    return status


class SubscriptionChanged(Contract):
    """Routing key `subscription.<event>`, event = `change_event(...)`: pending, confirmed, active (API/import
    with stated consent, or a list without double opt-in), resumed, paused, unsubscribed.

    `campaign_id` / `message_id`: the campaign and message (sender's messages.id) whose unsubscribe link,
    one-click header, preference page or complaint caused the change; absent when it came from elsewhere."""

    ROUTING_KEY = "subscription.changed"
    project_id: int
    list_id: int
    contact_id: int
    subscription_id: int | None = None
    status: Status
    previous_status: Status | None = None
    event: str | None = None
    source: Source
    paused_until: datetime | None = None
    campaign_id: int | None = None
    message_id: int | None = None
    at: datetime


class SubscriptionsImported(Contract):
    """Routing key `subscription.imported`: one batch of a bulk import made these contacts `active` on a list.

    Imports publish one message per batch (not one per row) so a 500k-row import stays set-based; each row is
    still in the `subscription_changes` log with source `import`."""

    ROUTING_KEY = "subscription.imported"
    project_id: int
    list_id: int
    import_id: int
    contact_ids: list[int]
    status: Literal["active"] = "active"
    source: Literal["import"] = "import"
    at: datetime


class ContactErased(Contract):
    """Routing key `contact.erased`: a contact's personal data is gone; every service erases what it holds of it.

    v2 adds `email_hash` (shared.email_address.email_hash of the erased address, the hash suppressions keep), so a
    service can find the address in rows that carry no contact id (transactional mail, feedback). A v1 payload
    (no hash) still validates: consumers then match by `contact_id` only."""

    ROUTING_KEY = "contact.erased"
    v: int = 2
    project_id: int
    contact_id: int
    email_hash: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")
    at: datetime


class SuppressionChanged(Contract):
    """Routing key `suppression.added` / `suppression.removed`."""

    ROUTING_KEY = "suppression.added"
    project_id: int
    email_hash: str
    reason: str
    removed: bool = False
    at: datetime
