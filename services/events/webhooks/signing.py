"""Standard Webhooks signatures (https://www.standardwebhooks.com): the `standardwebhooks` reference library
signs; a rotated endpoint signs with its new and, during the overlap, its old secret."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook


def new_secret() -> str:
    """A fresh `whsec_` secret: 32 random bytes, base64 (the spec's format)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def headers(event_id: str, body: str, secrets_: list[str], *, now: datetime | None = None) -> dict[str, str]:
    """webhook-id, webhook-timestamp and webhook-signature (one `v1,<b64>` per secret, space-separated)."""
    at = (now or datetime.now(UTC)).replace(microsecond=0)
    sigs = [Webhook(s).sign(event_id, at, body) for s in secrets_]
    return {
        "webhook-id": event_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(sigs),
        "content-type": "application/json",
        "user-agent": "Sesame-Webhooks/1",
    }
