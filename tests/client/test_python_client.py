"""The typed Python client (clients/python, generated from the OpenAPI document) against the live embedded server
on a real socket: the README's flow (subscribe, transactional mail) sync and async, cursor paging, a campaign sent
with no body, errors parsed into the one error model, and webhook signatures verified."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest
from sesame_client import AuthenticatedClient, WebhookVerificationError, sign, verify
from sesame_client.api.campaigns import (
    create_campaign,
    get_campaign,
    get_canary_policy,
    list_campaigns,
    send_campaign,
)
from sesame_client.api.lists import create_list
from sesame_client.api.messages import get_message, send_message
from sesame_client.api.sandbox import list_captures
from sesame_client.api.subscriptions import create_subscription
from sesame_client.models import (
    CampaignIn,
    CampaignOut,
    CampaignPage,
    CanaryPolicyOut,
    CapturePage,
    ErrorBody,
    ListCreate,
    ListOut,
    MessageOut,
    SendRequest,
    SubscriptionCreate,
    SubscriptionCreated,
)
from sesame_client.types import UNSET

from tests.gateway.browser import free_port, serve
from tests.gateway.embedded import bootstrap_project, embedded_app


async def test_client_sync_and_async_against_the_live_server(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    async with embedded_app(settings_for(sqlite_url, public_url=public)) as app, serve(app, port):
        _, key = await bootstrap_project(app, "Acme")
        async with AuthenticatedClient(base_url=public, token=key, raise_on_unexpected_status=True) as client:
            # subscribe a contact: a single opt-in list, so active at once
            news = await create_list.asyncio(client=client, body=ListCreate(name="News", double_optin=False))
            assert isinstance(news, ListOut) and news.name == "News" and news.double_optin is False
            sub = await create_subscription.asyncio(
                client=client, body=SubscriptionCreate(list_id=news.id, email="ada@example.com")
            )
            assert isinstance(sub, SubscriptionCreated) and (sub.list_id, sub.status) == (news.id, "active")
            assert sub.email == "ada@example.com" and not sub.confirmation_sent

            # a transactional mail, read back typed
            sent = await send_message.asyncio(
                client=client, body=SendRequest(to="bob@example.com", subject="Receipt", text="Thanks")
            )
            assert (
                isinstance(sent, MessageOut) and sent.to == "bob@example.com" and sent.kind == "transactional"
            )
            again = await get_message.asyncio(sent.id, client=client)
            assert isinstance(again, MessageOut) and again.id == sent.id

            # campaigns: three drafts paged by cursor, one sent with no body
            ids = []
            for i in range(3):
                body = CampaignIn(name=f"c{i}", list_ids=[news.id], subject="Hello", text="Hi {{ email }}")
                made = await create_campaign.asyncio(client=client, body=body)
                assert isinstance(made, CampaignOut) and made.status == "draft"
                ids.append(made.id)
            seen, cursor = [], UNSET
            while True:
                page = await list_campaigns.asyncio(client=client, cursor=cursor, limit=2)
                assert isinstance(page, CampaignPage)
                seen += [c.id for c in page.data]
                if not page.next_cursor:
                    break
                cursor = page.next_cursor
            assert seen == ids[::-1]
            started = await send_campaign.asyncio(ids[0], client=client)
            assert (
                isinstance(started, CampaignOut) and started.status == "sending" and started.recipients == 1
            )
            policy = await get_canary_policy.asyncio(client=client)  # what a form explaining `canary` quotes
            assert isinstance(policy, CanaryPolicyOut) and policy.window_source.value == "default"
            assert (
                policy.sample_min <= policy.sample_max
                and policy.window_seconds == policy.default_window_seconds
            )
            missing = await send_campaign.asyncio_detailed(ids[-1] + 1000, client=client)
            assert missing.status_code == 404
            assert isinstance(missing.parsed, ErrorBody) and missing.parsed.error == "not_found"

        # the synchronous client, in a thread (the server runs on this event loop)
        def sync_part() -> tuple[CapturePage | ErrorBody | None, ErrorBody | None | object, int]:
            with AuthenticatedClient(base_url=public, token=key) as sync_client:
                deadline = time.monotonic() + 20
                while True:
                    captures = list_captures.sync(client=sync_client, to="bob@example.com")
                    if isinstance(captures, CapturePage) and captures.data or time.monotonic() > deadline:
                        break
                    time.sleep(0.2)
                got = get_campaign.sync(ids[0], client=sync_client)
            with AuthenticatedClient(base_url=public, token="ses_nope_nope") as bad:
                denied = get_campaign.sync_detailed(ids[0], client=bad)
            return captures, got, denied.status_code

        import asyncio

        captures, got, denied = await asyncio.to_thread(sync_part)
        assert isinstance(captures, CapturePage) and captures.data[0].subject == "Receipt"
        assert isinstance(got, CampaignOut) and got.progress is not None and got.progress.total == 1
        assert denied == 401


SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


def _reference_signature(secret: str, msg_id: str, ts: int, body: bytes) -> str:
    """The spec's algorithm written out: base64(HMAC-SHA256(base64decode(secret sans prefix), id.ts.body))."""
    key = base64.b64decode(secret.split("_", 1)[1])
    return (
        "v1,"
        + base64.b64encode(hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()).decode()
    )


def test_webhook_verification() -> None:
    body = json.dumps({"type": "email.delivered", "data": {"message_id": 7}}).encode()
    now = int(time.time())
    sig = sign(SECRET, "msg_1", now, body)
    assert sig == _reference_signature(SECRET, "msg_1", now, body)
    headers = {
        "Webhook-Id": "msg_1",
        "Webhook-Timestamp": str(now),
        "Webhook-Signature": f"v1,bm9wZQ== {sig}",
    }
    assert (
        verify(SECRET, headers, body)["type"] == "email.delivered"
    )  # any one of several signatures (rotation)
    bad_cases = [
        (headers, body + b" "),  # altered body
        ({**headers, "Webhook-Id": "msg_2"}, body),  # another id
        ({**headers, "Webhook-Timestamp": str(now - 600)}, body),  # replayed later
        ({k: v for k, v in headers.items() if k != "Webhook-Signature"}, body),
        ({**headers, "Webhook-Signature": sig.replace("v1,", "v2,")}, body),
    ]
    for h, b in bad_cases:
        with pytest.raises(WebhookVerificationError):
            verify(SECRET, h, b)
    other = "whsec_" + base64.b64encode(b"another secret, 32 bytes long!!!").decode()
    with pytest.raises(WebhookVerificationError):
        verify(other, headers, body)
