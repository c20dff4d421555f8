"""The double opt-in mail and the feedback consumers over the real RabbitMQ, on Postgres."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from shared.bus.protocol import OutgoingMessage
from shared.contracts.email import EmailComplained
from tests.subscriptions.conftest import Svc, confirm_token


async def test_optin_and_complaint_over_rabbitmq(rabbit_svc: Svc) -> None:
    svc = rabbit_svc
    pid, h = await svc.project()
    lid = await svc.new_list(h)
    r = await svc.client.post(
        f"/public/lists/{lid}/subscribe", json={"email": "rab@example.com"}, headers=svc.headers()
    )
    assert r.status_code == 202
    await svc.settle(mails=1, wait=15)
    r = await svc.client.post(
        "/public/confirm", json={"token": confirm_token(svc.mails[0])}, headers=svc.headers()
    )
    assert r.json()["result"] == "confirmed"

    complaint = EmailComplained(
        project_id=pid, email="rab@example.com", occurred_at=datetime.now(UTC), event_id=5
    )
    mid = uuid.uuid4().hex
    for _ in range(2):  # a redelivered complaint is applied once
        await svc.rt.bus.publish(OutgoingMessage(complaint.ROUTING_KEY, complaint.payload(), mid))
    for _ in range(300):
        subs = (await svc.client.get("/v1/subscriptions", headers=h)).json()["data"]
        sup = (await svc.client.get("/v1/suppressions", headers=h)).json()["data"]
        if subs[0]["status"] == "unsubscribed" and sup:
            break
        await asyncio.sleep(0.05)
    assert subs[0]["status"] == "unsubscribed" and [s["reason"] for s in sup] == ["complaint"]
    changes = (await svc.client.get(f"/v1/subscriptions/{subs[0]['id']}/changes", headers=h)).json()["data"]
    assert [(c["status"], c["source"]) for c in changes] == [
        ("pending", "form"),
        ("active", "confirmation"),
        ("unsubscribed", "complaint"),
    ]
    for _ in range(100):
        if "subscription.unsubscribed" in [e.routing_key for e in svc.events]:
            break
        await svc.settle()
    keys = [e.routing_key for e in svc.events]
    assert {
        "subscription.pending",
        "subscription.confirmed",
        "subscription.unsubscribed",
        "suppression.added",
    } <= set(keys)
