"""Outbound webhooks end to end in the embedded system, on SQLite and Postgres: an aiohttp receiver gets every
event type from the real flows (and from the bus for the producers not on main), verifies each signature with
the Standard Webhooks reference library, sees retries after a 500 and after a timeout with the same webhook-id;
filters, the delivery log, replay and secret rotation with its overlap."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.events.webhooks.catalog import EVENT_TYPES
from services.events.webhooks.signing import new_secret
from shared.contracts.email import EmailClicked, EmailFailed, EmailOpened
from shared.contracts.project import ProjectPaused, ProjectResumed
from shared.contracts.subscription import SubscriptionChanged
from shared.db.types import utcnow
from tests.gateway.embedded import CONFIRM_RE, bootstrap_project, captured_mail, embedded_app
from tests.support.webhook_receiver import Receiver

PUBLIC = "http://testserver"
ANN = "success+ann@simulator.amazonses.com"
BOB = "success+bob@simulator.amazonses.com"


async def until(check: Any, within: float = 30.0) -> Any:  # noqa: ASYNC109
    deadline = time.monotonic() + within
    while True:
        got = await check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {got!r}")
        await asyncio.sleep(0.1)


@pytest.fixture
def fast_webhooks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_RETRY_SCHEDULE_SECONDS", "[0.2, 0.2, 0.2]")
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_TIMEOUT_SECONDS", "1")
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_POLL_SECONDS", "0.1")


async def test_every_event_type_signed_retried_replayed_rotated(
    db_url: str, settings_for: Any, fast_webhooks: None
) -> None:
    receiver = await Receiver(fail_first={"subscription.created": 1}, stall_first={"email.sent": 1}).start()
    settings = settings_for(db_url, public_url=PUBLIC)
    try:
        async with embedded_app(settings) as app:
            rt = app.state.embedded_apps["events"].state.runtime
            pid, key = await bootstrap_project(app)
            auth = {"Authorization": f"Bearer {key}"}
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
                r = await c.post("/v1/webhooks", json={"url": receiver.url, "description": "all"}, headers=auth)
                assert r.status_code == 201, r.text
                ep = r.json()
                secret = ep["secret"]
                assert secret.startswith("whsec_") and ep["event_types"] == []
                r = await c.post(
                    "/v1/webhooks",
                    json={"url": receiver.url + "/bounces", "event_types": ["email.bounced"]},
                    headers=auth,
                )
                assert r.status_code == 201, r.text
                bounces_only = r.json()
                r = await c.post("/v1/webhooks", json={"url": receiver.url, "event_types": ["nope"]}, headers=auth)
                assert r.status_code == 422, r.text
                listed = (await c.get("/v1/webhooks", headers=auth)).json()
                assert [e["id"] for e in listed["data"]] == [ep["id"], bounces_only["id"]]
                assert "secret" not in listed["data"][0] and listed["next_cursor"] is None
                # the one paging contract: opaque cursors; anything else (a raw id, a non-ASCII digit) is a 400
                page = (await c.get("/v1/webhooks", params={"limit": 1}, headers=auth)).json()
                assert [e["id"] for e in page["data"]] == [ep["id"]] and page["next_cursor"]
                page = (await c.get("/v1/webhooks", params={"cursor": page["next_cursor"]}, headers=auth)).json()
                assert [e["id"] for e in page["data"]] == [bounces_only["id"]] and page["next_cursor"] is None
                for path in ("/v1/webhooks", f"/v1/webhooks/{ep['id']}/deliveries"):
                    for bad in ("\u00b2", "12", "bm90LW91cnM"):
                        r = await c.get(path, params={"cursor": bad}, headers=auth)
                        assert r.status_code == 400 and r.json()["error"] == "invalid_cursor", (path, bad, r.text)

                # Subscriptions: created (active, and pending), confirmed, paused, unsubscribed.
                lid = (await c.post("/v1/lists", json={"name": "News"}, headers=auth)).json()["id"]
                r = await c.post(
                    "/v1/subscriptions",
                    json={"list_id": lid, "email": ANN, "status": "active", "consent_source": "test"},
                    headers=auth,
                )
                assert r.status_code == 201, r.text
                cid = r.json()["contact_id"]
                r = await c.post("/v1/subscriptions", json={"list_id": lid, "email": BOB}, headers=auth)
                assert r.status_code == 201, r.text
                bob_sub = r.json()["id"]
                mail = await captured_mail(c, key, BOB)
                link = CONFIRM_RE.search(mail.get_body(("plain",)).get_content()).group(0)  # type: ignore[union-attr]
                r = await c.post(link.replace("http://testserver", ""))
                assert r.status_code in (200, 303), r.text
                until_ = (utcnow() + timedelta(days=30)).isoformat()
                r = await c.patch(
                    f"/v1/subscriptions/{bob_sub}", json={"status": "paused", "paused_until": until_}, headers=auth
                )
                assert r.status_code == 200, r.text
                r = await c.patch(f"/v1/subscriptions/{bob_sub}", json={"status": "unsubscribed"}, headers=auth)
                assert r.status_code == 200, r.text

                # Mail: sent + delivered, bounced (+ suppressed), complained; a campaign starts and finishes.
                for to in (ANN, "bounce@simulator.amazonses.com", "complaint@simulator.amazonses.com"):
                    r = await c.post("/v1/messages", json={"to": to, "subject": "Hi", "text": "t"}, headers=auth)
                    assert r.status_code == 202, r.text
                r = await c.post(
                    "/v1/campaigns",
                    json={"name": "June", "list_ids": [lid], "subject": "News", "html": "<p>Hi</p>", "send_now": True},
                    headers=auth,
                )
                assert r.status_code == 201, r.text

                # The campaign finishes before the guard is paused below (a pause would hold its mail).
                async def finished() -> bool:
                    return bool(receiver.of_type("campaign.finished"))

                await until(finished, within=60)
                # Open/click tracking (the sandbox SES reports none), a send failure and the guard: from the bus.
                now = utcnow()
                for contract in (
                    EmailOpened(project_id=pid, email=ANN, occurred_at=now),
                    EmailClicked(project_id=pid, email=ANN, occurred_at=now, link="https://acme.example/x"),
                    EmailFailed(project_id=pid, message_id=1, to=ANN, reason="test"),
                    ProjectPaused(project_id=pid, reason="operator", detail="test", at=now),
                    ProjectResumed(project_id=pid, by="operator", at=now),
                ):
                    await rt.bus.publish(contract.message())
                # A subscription change of another project reaches nobody here.
                other = SubscriptionChanged(project_id=pid + 999, list_id=1, contact_id=1, status="paused",
                                            event="paused", source="api", at=now)  # fmt: skip
                await rt.bus.publish(other.message(routing_key="subscription.paused"))

                async def seen_all_but_erased() -> set[str]:
                    missing = set(EVENT_TYPES) - {"contact.erased"} - {r.doc["type"] for r in receiver.received}
                    return set() if missing else {"ok"}

                try:
                    await until(seen_all_but_erased, within=60)
                except AssertionError:
                    got = {r.doc["type"] for r in receiver.received}
                    camps = (await c.get("/v1/campaigns", headers=auth)).json()
                    raise AssertionError(f"missing: {set(EVENT_TYPES) - got} {camps}") from None
                assert (await c.delete(f"/v1/contacts/{cid}", headers=auth)).status_code == 204
                await until(lambda: asyncio.sleep(0, receiver.of_type("contact.erased")))

                # Every request verifies with the reference algorithm; the filtered endpoint got only bounces.
                for got in receiver.received:
                    key_ = bounces_only["secret"] if got.path.endswith("/bounces") else secret
                    assert Webhook(key_).verify(got.body, got.headers)["type"] == got.doc["type"]
                    assert got.doc["data"].get("project_id") == pid
                    with pytest.raises(WebhookVerificationError):
                        Webhook(new_secret()).verify(got.body, got.headers)
                assert {r.doc["type"] for r in receiver.received if r.path.endswith("/bounces")} == {"email.bounced"}
                assert set(EVENT_TYPES) <= {r.doc["type"] for r in receiver.received if r.path == "/hooks"}

                # Retries: after a 500 and after a timeout, the same webhook-id again.
                for kind, why in (("subscription.created", "HTTP 500"), ("email.sent", "timed out")):
                    reqs = receiver.of_type(kind)
                    first_id = reqs[0].headers["webhook-id"]
                    assert sum(1 for r in reqs if r.headers["webhook-id"] == first_id) >= 2, kind
                    page = (await c.get(f"/v1/webhooks/{ep['id']}/deliveries", headers=auth)).json()["data"]
                    d = next(d for d in page if d["event_id"] == first_id)
                    detail = (await c.get(f"/v1/webhooks/{ep['id']}/deliveries/{d['id']}", headers=auth)).json()
                    log = detail["attempt_log"]
                    assert log[0]["ok"] is False and why in log[0]["error"], log
                    assert log[-1]["ok"] is True and log[-1]["status_code"] == 200 and detail["status"] == "succeeded"
                    assert all(a["latency_ms"] >= 0 for a in log)

                # The bounces-only endpoint: exactly the bounce.
                page = (await c.get(f"/v1/webhooks/{bounces_only['id']}/deliveries", headers=auth)).json()["data"]
                assert [d["event_type"] for d in page] == ["email.bounced"]

                # Replay: the same delivery once more, same id and body.
                d = page[0]
                before = len(receiver.received)
                r = await c.post(f"/v1/webhooks/{bounces_only['id']}/deliveries/{d['id']}/replay", headers=auth)
                assert r.status_code == 202, r.text
                await until(lambda: asyncio.sleep(0, len(receiver.received) > before))
                again = receiver.received[-1]
                assert again.headers["webhook-id"] == d["event_id"] and again.doc["type"] == "email.bounced"

                # Rotation: both secrets verify during the overlap; the new one alone afterwards would too.
                r = await c.post(f"/v1/webhooks/{ep['id']}/rotate-secret", headers=auth)
                assert r.status_code == 200, r.text
                rotated = r.json()["secret"]
                assert rotated != secret and r.json()["previous_secret_expires_at"]
                before = len(receiver.received)
                r = await c.post(f"/v1/webhooks/{ep['id']}/test", headers=auth)
                assert r.status_code == 202, r.text
                await until(lambda: asyncio.sleep(0, receiver.of_type("webhook.test")))
                test = receiver.of_type("webhook.test")[-1]
                assert len(test.headers["webhook-signature"].split(" ")) == 2
                Webhook(secret).verify(test.body, test.headers)
                Webhook(rotated).verify(test.body, test.headers)
                assert Webhook(rotated).verify(test.body, {**test.headers, "webhook-signature": test.headers["webhook-signature"].split(" ")[0]})  # noqa: E501

                # Unknown ids: 404 with the error shape; bad cursor: 400.
                r = await c.get("/v1/webhooks/999999", headers=auth)
                assert r.status_code == 404 and r.json()["error"] == "not_found"
                r = await c.get(f"/v1/webhooks/{ep['id']}/deliveries", params={"cursor": "x"}, headers=auth)
                assert r.status_code == 400, r.text
    finally:
        await receiver.stop()
