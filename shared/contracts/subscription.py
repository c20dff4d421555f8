"""Subscription and contact state changes, published by the subscriptions service."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from shared.contracts import Contract

Source = Literal["api", "form", "confirmation", "preferences", "one_click", "bounce", "complaint", "import", "system"]


class SubscriptionChanged(Contract):
    """Routing key `subscription.<status>`: pending, confirmed, unsubscribed, paused, resumed."""

    ROUTING_KEY = "subscription.changed"
    project_id: int
    list_id: int
    contact_id: int
    status: Literal["pending", "active", "paused", "unsubscribed"]
    source: Source
    at: datetime


class ContactErased(Contract):
    ROUTING_KEY = "contact.erased"
    project_id: int
    contact_id: int
    at: datetime


class SuppressionChanged(Contract):
    """Routing key `suppression.added` / `suppression.removed`."""

    ROUTING_KEY = "suppression.added"
    project_id: int
    email_hash: str
    reason: str
    removed: bool = False
    at: datetime
