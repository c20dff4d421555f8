"""The inbox never loses a message: failures are kept with their error and retried; sandbox feedback and
email.sent arrive over the bus; owner digests."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from services.events import inbox as inbox_mod
from services.events.digest import send_due_digests
from shared.contracts.email import EmailSent, SandboxFeedback
from shared.models.events import EmailEvent, ProjectGuard, ReputationBucket
from tests.events.conftest import Harness, sample
from tests.events.test_policy import HARD, SOFT, bounce


async def _wait(pred, within: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while not await pred():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.05)


async def test_failing_row_is_kept_with_its_error_and_retried(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    real = inbox_mod.apply_batch
    broken = True

    async def flaky(*args, **kwargs):  # type: ignore[no-untyped-def]
        if broken:
            raise RuntimeError("database hiccup")
        return await real(*args, **kwargs)

    monkeypatch.setattr(inbox_mod, "apply_batch", flaky)
    r = await h.post(h.sns.notification(bounce(HARD, "kept@example.com")))
    assert r.status_code == 200

    async def failed_enough() -> bool:
        rows = await h.inbox()
        # the bus retried it with backoff until its delivery limit (5 in the test settings), then gave up
        return len(rows) == 1 and rows[0].status == "failed" and rows[0].attempts >= 5

    await _wait(failed_enough)
    await asyncio.sleep(0.5)
    row = (await h.inbox())[0]
    assert "database hiccup" in (row.last_error or "") and row.body  # kept, with its error
    r = await h.client.get(f"/admin/projects/{h.project_id}/inbox?status=failed", headers=h.headers)
    assert [i["id"] for i in r.json()["items"]] == [row.id]

    broken = False
    r = await h.client.post(f"/admin/inbox/{row.id}/retry", headers=h.headers)
    assert r.status_code == 200
    rows = await h.settle()
    assert rows[0].status == "processed" and rows[0].last_error is None
    assert len(await h.outbox("email.bounced")) == 1
    r = await h.client.post(f"/admin/inbox/{row.id}/retry", headers=h.headers)
    assert r.status_code == 400


async def test_sandbox_feedback_is_processed_like_a_verified_notification(harness: Harness) -> None:
    h = harness
    doc = sample("notification-complaint-abuse.json")
    msg = SandboxFeedback(project_id=h.project_id, notification=doc)
    await h.runtime.bus.publish(msg.message(message_id="sandbox-1"))
    await h.runtime.bus.publish(msg.message(message_id="sandbox-1"))  # redelivery: once

    async def complained() -> bool:
        return len(await h.outbox("email.complained")) >= 1

    await _wait(complained)
    await asyncio.sleep(0.2)
    rows = await h.inbox()
    assert [(r.source, r.status) for r in rows] == [("sandbox", "processed")]
    [(_, payload)] = await h.outbox("email.complained")
    assert payload["email"] == "richard@example.com" and payload["unsubscribe_all"] is True


async def test_email_sent_over_the_bus_counts_volume(harness: Harness) -> None:
    h = harness
    for i in range(3):
        sent = EmailSent(project_id=h.project_id, message_id=i, ses_message_id=f"s{i}", to="x@example.com",
                         kind="marketing", sent_at=datetime.now(UTC))  # fmt: skip
        await h.runtime.bus.publish(sent.message(message_id=f"sent-{i}"))

    async def counted() -> bool:
        async with h.runtime.sessionmaker() as s:
            return (await s.scalar(sa.select(sa.func.sum(ReputationBucket.sent)))) == 3

    await _wait(counted)
    await h.runtime.bus.publish(sent.message(message_id="sent-2"))  # a redelivery counts nothing
    await asyncio.sleep(0.3)
    async with h.runtime.sessionmaker() as s:
        assert await s.scalar(sa.select(sa.func.sum(ReputationBucket.sent))) == 3


async def test_digests(harness: Harness) -> None:
    h, pid = harness, harness.project_id
    r = await h.client.patch("/v1/guard", json={"digest": "immediate"}, headers=h.api_headers())
    assert r.status_code == 200
    await h.post(h.sns.notification(bounce(HARD, "d1@example.com")))
    await h.settle()
    mails = [p for _, p in await h.outbox("mail.requested")]
    assert len(mails) == 1 and "d1@example.com" in mails[0]["text"]

    await h.client.patch("/v1/guard", json={"digest": "hourly"}, headers=h.api_headers())
    for addr in ("d2@example.com", "d3@example.com"):
        await h.post(h.sns.notification(bounce(SOFT, addr)))
    await h.settle()
    async with h.runtime.uow() as s:
        assert await send_due_digests(s) == 1
    async with h.runtime.uow() as s:
        assert await send_due_digests(s) == 0  # nothing new, and the hour has not passed
    mails = [p for _, p in await h.outbox("mail.requested")]
    assert len(mails) == 2 and "bounce/Transient: 2" in mails[1]["text"]
    async with h.runtime.sessionmaker() as s:
        left = await s.scalar(sa.select(sa.func.count()).where(EmailEvent.project_id == pid,
                                                                EmailEvent.digested_at.is_(None)))  # fmt: skip
    assert left == 0
    # an hour later with new feedback: the next digest
    await h.post(h.sns.notification(bounce(HARD, "d4@example.com")))
    await h.settle()
    async with h.runtime.uow() as s:
        g = await s.get(ProjectGuard, pid)
        g.digest_sent_at = datetime.now(UTC) - timedelta(hours=2)
    async with h.runtime.uow() as s:
        assert await send_due_digests(s) == 1
