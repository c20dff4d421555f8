"""Requests to the sender to send one mail (confirmation mail, owner notifications, digests)."""

from __future__ import annotations

from typing import Any, Literal

from shared.contracts import Contract


class MailRequested(Contract):
    """Any service asks the sender for one transactional mail. Idempotent by `idempotency_key`."""

    ROUTING_KEY = "mail.requested"
    project_id: int
    to: str
    subject: str
    html: str | None = None
    text: str | None = None
    # transactional: confirmation mail; notification: mail to the project's owner (guard, digest, alerts).
    kind: Literal["transactional", "notification"] = "transactional"
    idempotency_key: str
    contact_id: int | None = None
    tags: dict[str, str] = {}
    headers: dict[str, str] = {}
    meta: dict[str, Any] = {}
