"""Webhook signing secrets at rest, on SQLite and Postgres: the database never holds a `whsec_` value after create
or rotation, the signatures still verify with the secrets the API showed, `sesame secrets rotate-key`
re-encrypts them, and a key that cannot read them fails the delivery with a clear reason (not the loop)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from standardwebhooks.webhooks import Webhook

from services.events.settings import EventsSettings
from services.events.webhooks.delivery import UNREADABLE_SECRET, Deliverer
from sesame.cli import main
from sesame.commands.secrets import Rotated, rotate_keys
from shared.crypto import EncryptionKeyError, decrypt
from shared.models.core import OutboxMessage
from shared.models.webhooks import WebhookDelivery, WebhookEndpoint
from shared.settings import SecuritySettings
from tests.gateway.embedded import bootstrap_project, embedded_app
from tests.support.webhook_receiver import Receiver

PUBLIC = "http://testserver"
DELIVERY = EventsSettings(webhook_allow_networks=["127.0.0.1/32"])


@pytest.fixture(autouse=True)
def no_background_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test drives its own Deliverer, with the key it chooses."""
    monkeypatch.setenv("SESAME_EVENTS_RUN_WEBHOOK_DELIVERY", "false")
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_ALLOW_NETWORKS", '["127.0.0.1/32"]')


def _settings(settings_for: Any, db_url: str, key: str | None = None) -> Any:
    s = settings_for(db_url, public_url=PUBLIC)
    if key is not None:
        s.security = SecuritySettings(encryption_key=key)
    return s


async def _raw_endpoints(rt: Any) -> list[dict[str, Any]]:
    """Every column of every endpoint row, as the database holds it."""
    async with rt.engine.connect() as conn:
        return [dict(r._mapping) for r in await conn.execute(sa.text("SELECT * FROM webhook_endpoints"))]


def _no_plain_secret(rows: list[dict[str, Any]]) -> None:
    assert rows
    for row in rows:
        assert not any("whsec_" in str(v) for v in row.values()), row
        assert "secret" not in row and "previous_secret" not in row


async def _deliver(rt: Any) -> None:
    d = Deliverer(rt, DELIVERY)
    try:
        while await d.round():
            pass
    finally:
        await d.client.close()


async def _setup_endpoint(
    app: Any, c: httpx.AsyncClient, url: str
) -> tuple[dict[str, str], dict[str, Any], str]:
    """A project with one endpoint whose secret was rotated once: (auth, endpoint, first secret)."""
    _pid, key = await bootstrap_project(app)
    auth = {"Authorization": f"Bearer {key}"}
    r = await c.post("/v1/webhooks", json={"url": url}, headers=auth)
    assert r.status_code == 201, r.text
    ep = r.json()
    r = await c.post(f"/v1/webhooks/{ep['id']}/rotate-secret", headers=auth)
    assert r.status_code == 200, r.text
    return auth, r.json(), ep["secret"]


async def test_secrets_encrypted_at_rest_and_signatures_verify(db_url: str, settings_for: Any) -> None:
    receiver = await Receiver().start()
    try:
        async with embedded_app(_settings(settings_for, db_url)) as app:
            rt = app.state.embedded_apps["events"].state.runtime
            key = rt.settings.security.encryption_key
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
                auth, ep, first = await _setup_endpoint(app, c, receiver.url)
                second = ep["secret"]
                assert first.startswith("whsec_") and second.startswith("whsec_") and first != second
                rows = await _raw_endpoints(rt)
                _no_plain_secret(rows)
                assert decrypt(key, rows[0]["secret_enc"]) == second
                assert decrypt(key, rows[0]["previous_secret_enc"]) == first

                assert (await c.post(f"/v1/webhooks/{ep['id']}/test", headers=auth)).status_code == 202
                await _deliver(rt)
                [got] = receiver.received
                # During the overlap both secrets sign: a receiver holding either one verifies.
                for secret in (second, first):
                    assert Webhook(secret).verify(got.body, got.headers)["type"] == "webhook.test"
                assert len(got.headers["webhook-signature"].split(" ")) == 2
                _no_plain_secret(await _raw_endpoints(rt))
    finally:
        await receiver.stop()


async def test_rotate_key_reencrypts_and_a_wrong_key_fails_the_delivery_clearly(
    db_url: str,
    settings_for: Any,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    receiver = await Receiver().start()
    try:
        async with embedded_app(_settings(settings_for, db_url, old)) as app:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
                auth, ep, first = await _setup_endpoint(app, c, receiver.url)
                second = ep["secret"]

        assert await rotate_keys(db_url, old, new) == Rotated(ses_accounts=0, webhook_endpoints=1)
        # The commands (re-run: values already under the new key pass through); the old `ses` one still works.
        monkeypatch.setenv("SESAME_DATABASE_URL", db_url)
        monkeypatch.setenv("SESAME_ENCRYPTION_KEY", new)
        for argv in (["secrets", "rotate-key", "--old-key", old], ["ses", "rotate-key", "--old-key", old]):
            assert await asyncio.to_thread(main, argv) == 0
            assert capsys.readouterr().out.strip() == (
                "re-encrypted the credentials of 0 SES account(s) and the signing secrets of 1 webhook endpoint(s)"
            )
        monkeypatch.delenv("SESAME_ENCRYPTION_KEY")
        with pytest.raises(EncryptionKeyError):
            await rotate_keys(db_url, old, "not-a-fernet-key")

        # The services still run with the old key: the delivery fails, clearly, and nothing is sent.
        async with embedded_app(_settings(settings_for, db_url, old)) as app:
            rt = app.state.embedded_apps["events"].state.runtime
            rows = await _raw_endpoints(rt)
            _no_plain_secret(rows)
            assert decrypt(new, rows[0]["secret_enc"]) == second
            assert decrypt(new, rows[0]["previous_secret_enc"]) == first
            with pytest.raises(EncryptionKeyError, match="webhook signing secret cannot be decrypted"):
                decrypt(old, rows[0]["secret_enc"], what="a webhook signing secret")
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
                assert (await c.post(f"/v1/webhooks/{ep['id']}/test", headers=auth)).status_code == 202
                with caplog.at_level(logging.ERROR, logger="sesame.events.webhooks"):
                    await _deliver(rt)
                assert receiver.count == 0
                assert any(
                    r.levelno == logging.ERROR and "cannot be decrypted" in r.getMessage()
                    for r in caplog.records
                ), caplog.text
                [d] = (await c.get(f"/v1/webhooks/{ep['id']}/deliveries", headers=auth)).json()["data"]
                assert (d["status"], d["attempts"], d["last_error"]) == ("failed", 1, UNREADABLE_SECRET)
                # Not the receiver's fault: the endpoint stays enabled and the owner gets no mail about it.
                got = (await c.get(f"/v1/webhooks/{ep['id']}", headers=auth)).json()
                assert got["enabled"] and got["disabled_reason"] is None
            async with rt.sessionmaker() as s:
                mail = await s.scalars(
                    sa.select(OutboxMessage).where(OutboxMessage.routing_key == "mail.requested")
                )
                assert not [m for m in mail if "webhook" in m.payload["subject"]]

        # With the new key configured, a replay of the failed delivery goes out, signed with both secrets.
        async with embedded_app(_settings(settings_for, db_url, new)) as app:
            rt = app.state.embedded_apps["events"].state.runtime
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
                r = await c.post(f"/v1/webhooks/{ep['id']}/deliveries/{d['id']}/replay", headers=auth)
                assert r.status_code == 202, r.text
                await _deliver(rt)
            [got_] = receiver.received
            for secret in (second, first):
                Webhook(secret).verify(got_.body, got_.headers)
            async with rt.sessionmaker() as s:
                delivery = await s.get(WebhookDelivery, d["id"])
                assert delivery is not None and delivery.status == "succeeded"
                assert await s.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 1
    finally:
        await receiver.stop()


async def test_an_unusable_key_refuses_to_store_a_secret(db_url: str, settings_for: Any) -> None:
    async with embedded_app(_settings(settings_for, db_url, "not-a-fernet-key")) as app:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
            _pid, key = await bootstrap_project(app)
            r = await c.post(
                "/v1/webhooks",
                json={"url": "http://127.0.0.1:9/x"},
                headers={"Authorization": f"Bearer {key}"},
            )
            assert r.status_code == 503 and r.json()["error"] == "encryption_key_invalid", r.text
            rt = app.state.embedded_apps["events"].state.runtime
            assert await _raw_endpoints(rt) == []
