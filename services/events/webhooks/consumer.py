"""The bus consumer that turns domain events into webhook deliveries (in one transaction with its dedupe mark)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from services.events.settings import EventsSettings
from services.events.webhooks import catalog
from services.events.webhooks.delivery import Deliverer, enqueue_event
from shared.bus.protocol import Envelope, MalformedMessage
from shared.runtime import Runtime


def webhook_handler(settings: EventsSettings, deliverer_of: Any):  # type: ignore[no-untyped-def]
    """`deliverer_of(rt)` → this process's Deliverer (woken after a commit that made deliveries) or None."""

    def factory(rt: Runtime):  # type: ignore[no-untyped-def]
        async def handle(env: Envelope) -> None:
            payload = env.payload
            if not isinstance(payload, dict) or not isinstance(payload.get("project_id"), int):
                raise MalformedMessage(f"{env.routing_key}: no project_id")
            event_type = catalog.webhook_type(env.routing_key, payload)
            if event_type is None:
                return
            source = (
                env.message_id
                or hashlib.sha256(
                    (env.routing_key + json.dumps(payload, sort_keys=True, default=str)).encode()
                ).hexdigest()
            )
            async with rt.uow() as session:
                n = await enqueue_event(
                    session,
                    settings,
                    payload["project_id"],
                    event_type,
                    f"{env.routing_key}:{source}",
                    payload,
                )
            deliverer: Deliverer | None = deliverer_of(rt)
            if n and deliverer is not None:
                deliverer.wake()

        return handle

    return factory
