"""The distributed system against moto's SES server (API fidelity rather than counting): a campaign's raw MIME as
SES received it carries the RFC 8058 headers, and an unverified From is refused by SES and recorded as failed."""

from __future__ import annotations

import asyncio
import email
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.system.conftest import SYSTEM_ENV
from tests.system.flows import Backend, create_project, import_active
from tests.system.harness import DistributedSystem, Infra, MotoSes, eventually

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoSes]:
    m = MotoSes().start()
    yield m
    m.stop()


@pytest.fixture(scope="module")
async def moto_system(moto: MotoSes) -> AsyncIterator[DistributedSystem]:
    infra = await Infra.shared()
    system = DistributedSystem(infra, ses_url=moto.url, sender_replicas=1, env=SYSTEM_ENV)
    try:
        await system.start()
        yield system
    finally:
        await system.stop()
        await infra.close()


async def test_campaign_mime_at_moto_and_unverified_sender_refused(
    moto_system: DistributedSystem, moto: MotoSes
) -> None:
    pid, key = await create_project(moto_system, f"moto-{uuid.uuid4().hex[:6]}", "owner@example.com")
    b = Backend(moto_system, None, key, pid, "owner@example.com")
    domain = f"p{pid}.sesame-system.test"
    await asyncio.to_thread(moto.verify_domain, domain)
    await b.connect_ses()
    list_id = await b.create_list("moto list")
    people = [f"reader{i}@example.net" for i in range(3)]
    await import_active(b, list_id, people)
    c = await b.campaign([list_id], subject="Moto issue", html="<p>Hi {{ contact.email }}</p>")
    done = await b.campaign_done(c["id"], within=90)
    assert done["progress"]["counts"]["sent"] == 3, done

    raws = [m for m in moto.raw_messages() if "Moto issue" in m["raw_data"]]
    assert len(raws) == 3
    for m in raws:
        msg = email.message_from_string(m["raw_data"])
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "<https://" in (msg["List-Unsubscribe"] or "") or "<http://" in (msg["List-Unsubscribe"] or "")
        assert domain in (msg["From"] or "")
        assert msg["To"] and any(p in msg["To"] for p in people)

    # A From on a domain SES never verified: SES (moto) answers MessageRejected → failed with that reason.
    r = await b.call("POST", "/v1/messages", json={"to": "someone@example.net", "subject": "x", "text": "x",
                                                   "from": "Evil <evil@unverified.example>"})  # fmt: skip

    async def failed() -> dict | None:
        m = await b.call("GET", f"/v1/messages/{r['id']}")
        return m if m["state"] == "failed" else None

    m = await eventually(failed, within=60, what="unverified sender refused")
    assert "MessageRejected" in (m["last_error"] or "") or "authority" in (m["last_error"] or "").lower(), m
