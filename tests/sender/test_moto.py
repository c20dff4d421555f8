"""API fidelity against moto's SES server: quota fallback (no SESv2 GetAccount there), an unverified sender is
rejected and the message fails with SES's reason, and the raw MIME SES received carries the list headers."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import urllib.request
import uuid
from collections.abc import Iterator

import boto3
import pytest

from tests.sender.conftest import Sender, add_contact, make_list, make_project, wait_for
from tests.sender.test_campaign import KEYS


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _moto_raw(url: str) -> list[dict]:
    data = json.load(urllib.request.urlopen(url + "/moto-api/data.json"))
    return list(data["ses"]["RawMessage"])


async def _final(s: Sender, pid: int, mid: int) -> dict | None:
    m = (await s.client.get(f"/v1/messages/{mid}", headers=s.h(pid))).json()
    return m if m["state"] in ("sent", "failed") else None


@pytest.mark.parametrize("client", ["aiohttp", "aiobotocore"])
async def test_moto_rejects_unverified_sender_and_keeps_headers(
    sender_factory, moto_url: str, client: str
) -> None:  # type: ignore[no-untyped-def]
    async with sender_factory(ses_endpoint_url=moto_url, ses_client=client) as s:
        pid = await make_project(s.rt)
        tag = uuid.uuid4().hex[:8]
        domain = f"d{tag}.example"
        r = await s.client.put(
            "/v1/ses-account",
            json={
                "region": "us-east-1",
                "credentials": KEYS,
                "from": f"News <news@{domain}>",
                "warmup": False,
            },
            headers=s.h(pid),
        )
        assert r.status_code == 200, r.text
        assert r.json()["quota"]["source"] == "GetSendQuota"  # moto has no SESv2 GetAccount

        r = await s.client.post(
            "/v1/messages", json={"to": "someone@example.org", "subject": "s", "text": "t"}, headers=s.h(pid)
        )
        m = await wait_for(lambda: _final(s, pid, r.json()["id"]))
        assert m["state"] == "failed" and "MessageRejected" in m["last_error"]
        failed = await s.outbox("email.failed")
        assert failed and "MessageRejected" in failed[0]["reason"]

        ses = boto3.client(
            "ses",
            region_name="us-east-1",
            endpoint_url=moto_url,
            aws_access_key_id=KEYS["access_key_id"],
            aws_secret_access_key=KEYS["secret_access_key"],
        )
        ses.verify_domain_identity(Domain=domain)
        lst = await make_list(s.rt, pid)
        to = f"reader-{tag}@example.org"
        await add_contact(s.rt, pid, to, {lst: "active"})
        r = await s.client.post(
            "/v1/campaigns",
            json={
                "name": "n",
                "list_ids": [lst],
                "subject": "Grüße",
                "html": "<p>Hallo</p>",
                "send_now": True,
            },
            headers=s.h(pid),
        )
        assert r.status_code == 201
        cid = r.json()["id"]

        async def done() -> bool:
            return (await s.client.get(f"/v1/campaigns/{cid}", headers=s.h(pid))).json()["status"] == "sent"

        await wait_for(done, timeout=30)
        raws = [x for x in _moto_raw(moto_url) if to in x["destinations"]]
        assert len(raws) == 1
        msg = email.message_from_string(raws[0]["raw_data"], policy=email.policy.default)
        assert msg["List-Unsubscribe"].startswith("<https://mail.example.org/u/")
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert msg["Feedback-ID"] == f"{cid}:{pid}:marketing:sesame"
        assert msg["Subject"] == "Grüße"
        assert raws[0]["source"] == f"news@{domain}"
