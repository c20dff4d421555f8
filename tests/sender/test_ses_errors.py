"""SES error handling against the strict stand-in: throttling, 5xx, timeouts, daily quota, paused account."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from services.sender.accounts import pause_project, resume_project
from services.sender.ses import classify
from shared.db.types import utcnow
from shared.models.sender import Message, SesAccount
from tests.sender.conftest import Sender, make_project, wait_for
from tests.sender.test_campaign import connect
from tests.support.ses_standin import SesStandin


@pytest.fixture
async def standin() -> AsyncIterator[SesStandin]:
    s = SesStandin(max_rate=1000, max_24h=100000, timeout_seconds=3)
    await s.start()
    yield s
    await s.stop()


async def _send(s: Sender, pid: int, n: int, prefix: str = "u") -> list[int]:
    ids = []
    for i in range(n):
        r = await s.client.post(
            "/v1/messages",
            json={"to": f"{prefix}{i}@example.com", "subject": "s", "text": "t"},
            headers=s.h(pid),
        )
        assert r.status_code == 202
        ids.append(r.json()["id"])
    return ids


async def _all_final(s: Sender, pid: int) -> dict | None:
    st = await s.states(project_id=pid)
    return st if not set(st) & {"queued", "sending", "delayed"} else None


def test_error_classification_follows_the_spec() -> None:
    assert classify(400, "Throttling", "Maximum sending rate exceeded.") == "throttled"
    assert classify(400, "Throttling", "Daily message quota exceeded.") == "daily_quota"
    assert classify(429, "TooManyRequestsException", "Maximum sending rate exceeded.") == "throttled"
    assert classify(429, "TooManyRequestsException", "Daily message quota exceeded") == "daily_quota"
    assert classify(400, "LimitExceededException", "Daily message quota exceeded.") == "daily_quota"
    assert classify(400, "LimitExceededException", "Too many configuration sets") == "config"
    assert classify(400, "MessageRejected", "Email address is not verified.") == "rejected"
    assert classify(400, "MailFromDomainNotVerifiedException", "") == "rejected"
    assert classify(400, "SendingPausedException", "") == "paused"
    assert classify(400, "AccountSendingPausedException", "") == "paused"
    assert classify(400, "AccountSuspendedException", "") == "suspended"
    assert classify(500, "InternalFailure", "") == "transient"
    assert classify(503, "ServiceUnavailable", "") == "transient"
    assert classify(404, "NotFoundException", "config set") == "config"


async def test_throttling_and_5xx_retry_until_sent(sender_factory, standin: SesStandin) -> None:  # type: ignore[no-untyped-def]
    async with sender_factory(ses_endpoint_url=standin.url, max_attempts=5) as s:
        pid = await make_project(s.rt)
        await connect(s, pid)
        standin.inject("throttle", count=12)
        standin.inject("server_error", count=3)
        await _send(s, pid, 8)
        st = await wait_for(lambda: _all_final(s, pid))
        assert st == {"sent": 8}
        assert standin.state.throttled >= 12
        assert all(n == 1 for n in standin.state.accepted.values()) and len(standin.state.accepted) == 8


async def test_persistent_5xx_fails_after_bounded_attempts(sender_factory, standin: SesStandin) -> None:  # type: ignore[no-untyped-def]
    async with sender_factory(ses_endpoint_url=standin.url, max_attempts=3) as s:
        pid = await make_project(s.rt)
        await connect(s, pid)
        standin.inject("server_error", seconds=60)
        (mid,) = await _send(s, pid, 1)
        await wait_for(lambda: _all_final(s, pid))
        r = (await s.client.get(f"/v1/messages/{mid}", headers=s.h(pid))).json()
        assert r["state"] == "failed" and r["attempts"] == 3 and "InternalFailure" in r["last_error"]


async def test_unanswered_call_waits_for_evidence(sender_factory, standin: SesStandin) -> None:  # type: ignore[no-untyped-def]
    """SES may have accepted a call it never answered: the row stays `sending` for the reconcile rules (no
    immediate resend); with no feedback at all here, the longest wait ends and `ambiguous_policy` resends."""
    async with sender_factory(ses_endpoint_url=standin.url, ses_timeout=0.5) as s:
        pid = await make_project(s.rt)
        await connect(s, pid)
        standin.inject("timeout", count=1)
        (mid,) = await _send(s, pid, 1)

        async def waiting() -> bool:
            row = (await s.client.get(f"/v1/messages/{mid}", headers=s.h(pid))).json()
            return row["state"] == "sending" and "no answer from SES" in (row["last_error"] or "")

        await wait_for(waiting)
    async with sender_factory(
        ses_endpoint_url=standin.url, ses_timeout=0.5, stale_sending_seconds=1, ambiguous_max_wait_seconds=1
    ) as s:
        assert await wait_for(lambda: _all_final(s, pid)) == {"sent": 1}
        assert sum(standin.state.accepted.values()) == 1


async def test_daily_quota_delays_never_drops(sender_factory, standin: SesStandin) -> None:  # type: ignore[no-untyped-def]
    standin.state.max_24h = 5
    async with sender_factory(
        ses_endpoint_url=standin.url, quota_delay_seconds=1.0, quota_refresh_seconds=0.5
    ) as s:
        pid = await make_project(s.rt)
        await connect(s, pid)
        await _send(s, pid, 8)
        await wait_for(lambda: _count(s, pid, "sent", 5))
        await wait_for(lambda: _count(s, pid, "delayed", 3))
        async with s.rt.uow() as sess:
            rows = (await sess.execute(sa.select(Message).where(Message.state == "delayed"))).scalars().all()
            assert all(r.send_after > r.updated_at for r in rows)
        assert sum(standin.state.accepted.values()) == 5 and standin.state.quota_refused == 0
        standin.state.max_24h = 100  # the quota was raised (or the window rolled): the rest goes out
        assert await wait_for(lambda: _all_final(s, pid)) == {"sent": 8}


async def test_quota_error_from_ses_delays(sender_factory, standin: SesStandin) -> None:  # type: ignore[no-untyped-def]
    async with sender_factory(ses_endpoint_url=standin.url, quota_delay_seconds=60) as s:
        pid = await make_project(s.rt)
        await connect(s, pid)
        standin.state.max_24h = (
            0  # SES refuses with "Daily message quota exceeded." though our snapshot said fine
        )
        await _send(s, pid, 2)
        await wait_for(lambda: _count(s, pid, "delayed", 2))
        assert standin.state.quota_refused >= 1
        async with s.rt.uow() as sess:
            acc = (await sess.execute(sa.select(SesAccount).where(SesAccount.project_id == pid))).scalar_one()
            assert acc.sent_last_24h == acc.max_24h_send  # every replica now waits for a fresh quota read


async def _count(s: Sender, pid: int, state: str, n: int) -> bool:
    return (await s.states(project_id=pid)).get(state, 0) == n


async def test_sending_paused_pauses_project_and_tells_owner(sender_factory, standin: SesStandin) -> None:  # type: ignore[no-untyped-def]
    async with sender_factory(ses_endpoint_url=standin.url) as s:
        pid = await make_project(s.rt, owner="boss@example.com")
        await connect(s, pid)
        standin.state.sending_enabled = False
        await _send(s, pid, 2)
        st = await wait_for(lambda: _paused(s, pid))
        assert st["transactional_paused"] and st["pause_reason"] == "ses_account"
        paused = await s.outbox("project.paused")
        assert len(paused) == 1 and paused[0]["reason"] == "ses_account"
        mails = await s.outbox("mail.requested")
        assert any(m["to"] == "boss@example.com" and m["kind"] == "notification" for m in mails)
        # nothing failed, nothing was dropped: resuming sends the mail
        standin.state.sending_enabled = True
        r = await s.client.post("/v1/sending/resume", headers=s.h(pid))
        assert r.status_code == 200 and not r.json()["marketing_paused"]
        await wait_for(lambda: _count(s, pid, "sent", 3))  # the two mails and the owner's notification
        assert {"u0@example.com", "u1@example.com", "boss@example.com"} == set(standin.state.accepted)


async def _paused(s: Sender, pid: int) -> dict | None:
    st = (await s.client.get("/v1/sending", headers=s.h(pid))).json()
    return st if st["marketing_paused"] else None


async def test_put_account_refuses_bad_credentials_and_pauses_disabled_accounts(
    sender_factory, standin: SesStandin
) -> None:  # type: ignore[no-untyped-def]
    async with sender_factory(ses_endpoint_url=standin.url) as s:
        pid = await make_project(s.rt)
        r = await s.client.put(
            "/v1/ses-account", json={"region": "nowhere", "credentials": {"mode": "keys"}}, headers=s.h(pid)
        )
        assert r.status_code == 422
        assert (await s.client.get("/v1/ses-account", headers=s.h(pid))).status_code == 404
        standin.state.sending_enabled = False
        await connect(s, pid)
        assert (await _paused(s, pid)) is not None


async def test_paused_answer_older_than_a_resume_does_not_pause_again(
    sender_factory, standin: SesStandin
) -> None:  # type: ignore[no-untyped-def]
    """An SES answer gathered before the operator resumed (a batch still in flight, a quota read) must not
    undo the resume; a fresh answer pauses as usual. A project paused for the first time is paused whatever
    the evidence's age."""
    async with sender_factory(ses_endpoint_url=standin.url) as s:
        pid = await make_project(s.rt, owner="boss@example.com")
        await connect(s, pid)
        old = utcnow() - timedelta(seconds=5)

        async def pause(at: datetime) -> bool:
            async with s.rt.uow() as sess:
                return await pause_project(
                    sess,
                    pid,
                    reason="ses_account",
                    detail="d",
                    transactional=True,
                    announce=False,
                    observed_at=at,
                )

        assert await pause(old)  # first pause: no resume to respect
        assert (await s.client.post("/v1/sending/resume", headers=s.h(pid))).status_code == 200
        assert not await pause(old)  # evidence from before the resume
        assert (await _paused(s, pid)) is None
        assert await pause(utcnow())  # fresh evidence
        assert (await _paused(s, pid)) is not None
        # a resume decided elsewhere before that pause, delivered late, leaves it paused; a later one resumes
        async with s.rt.uow() as sess:
            assert not await resume_project(sess, pid, decided_at=old)
        assert (await _paused(s, pid)) is not None
        async with s.rt.uow() as sess:
            assert await resume_project(sess, pid, decided_at=utcnow())
        assert (await _paused(s, pid)) is None
