"""Recovery through the running sweep: a row left in `sending` (the sender died mid-call) is reconciled — sent
when evidence says SES accepted it, else, with no feedback at all, resent (at-least-once) or failed (at-most-once)
by policy after the longest wait (the rules themselves: test_reconcile.py); a lost work message is re-claimed; a
redelivered work message never sends twice."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from shared.db.types import utcnow
from shared.models.sender import Message
from tests.sender.conftest import Sender, make_project, wait_for


async def _insert(s: Sender, pid: int, n: int, **values) -> list[int]:  # type: ignore[no-untyped-def]
    now = utcnow()
    ids = []
    async with s.rt.uow() as sess:
        for i in range(n):
            m = Message(
                project_id=pid,
                kind="transactional",
                to_address=f"r{i}@example.com",
                email_hash=f"h{pid}-{i}",
                subject="s",
                text="t",
                attempts=1,
                send_after=now,
                created_at=now,
                updated_at=now,
                **values,
            )
            sess.add(m)
            await sess.flush()
            ids.append(m.id)
    return ids


async def test_stale_sending_is_resent_or_confirmed(sender_factory) -> None:  # type: ignore[no-untyped-def]
    async with sender_factory(stale_sending_seconds=1, ambiguous_max_wait_seconds=1) as s:
        pid = await make_project(s.rt)
        old = utcnow() - timedelta(seconds=30)
        stale = await _insert(s, pid, 2, state="sending", sending_at=old)
        proven = await _insert(s, pid, 1, state="sending", sending_at=old, ses_message_id="0100-proof")
        fresh = await _insert(s, pid, 1, state="sending", sending_at=utcnow() + timedelta(hours=1))

        async def settled() -> bool:
            st = await s.states(project_id=pid)
            return st.get("sent", 0) == 3 and st.get("sending", 0) == 1

        await wait_for(settled)
        async with s.rt.uow() as sess:
            rows = {m.id: m for m in (await sess.execute(sa.select(Message))).scalars()}
        assert rows[proven[0]].ses_message_id == "0100-proof"  # not sent again: evidence said SES had it
        assert all(
            "possible duplicate" in (rows[i].last_error or "") or rows[i].state == "sent" for i in stale
        )
        assert rows[fresh[0]].state == "sending"  # a live sender's call is never touched
        caps = (await s.client.get("/v1/sandbox/messages", headers=s.h(pid))).json()["messages"]
        assert sorted(c["message_id"] for c in caps) == sorted(stale)


async def test_stale_sending_fails_under_at_most_once(sender_factory) -> None:  # type: ignore[no-untyped-def]
    async with sender_factory(
        stale_sending_seconds=1, ambiguous_max_wait_seconds=1, ambiguous_policy="fail"
    ) as s:
        pid = await make_project(s.rt)
        (mid,) = await _insert(s, pid, 1, state="sending", sending_at=utcnow() - timedelta(seconds=30))
        await wait_for(lambda: _state_is(s, mid, "failed"))
        reason = await s.scalar(sa.select(Message.last_error).where(Message.id == mid))
        assert "ambiguous_policy=fail" in reason
        assert [e["message_id"] for e in await s.outbox("email.failed")] == [mid]


async def _state_is(s: Sender, mid: int, state: str) -> bool:
    return await s.scalar(sa.select(Message.state).where(Message.id == mid)) == state


async def test_lost_claim_is_reclaimed_and_redelivery_is_harmless(sender_factory) -> None:  # type: ignore[no-untyped-def]
    async with sender_factory(claim_lease_seconds=0.5) as s:
        pid = await make_project(s.rt)
        # A claim whose work message was lost (e.g. the in-memory bus died with the process).
        (mid,) = await _insert(s, pid, 1, state="queued", claimed_until=utcnow() + timedelta(seconds=0.5))
        await wait_for(lambda: _state_is(s, mid, "sent"))
        # The same work message delivered again after the send: nothing happens.
        assert await s.core.worker.process([mid]) == 0
        caps = (await s.client.get("/v1/sandbox/messages", headers=s.h(pid))).json()["messages"]
        assert len(caps) == 1
