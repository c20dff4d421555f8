"""The warm-up steps up only while the project's rolling rates (the guard's figures) stay under its warn
thresholds; a refused step is visible on GET /v1/ses-account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from shared.db.types import utcnow
from shared.models.events import EmailEvent, ProjectGuard
from shared.models.sender import Message, SesAccount
from shared.suppression import address_hash
from tests.sender.conftest import make_project


async def _sent(rt: Any, pid: int, n: int, start: int) -> None:
    at = utcnow() - timedelta(hours=1)
    rows = [
        {"project_id": pid, "kind": "marketing", "state": "sent", "to_address": f"r{i}@example.com",
         "email_hash": address_hash(f"r{i}@example.com"), "attempts": 1, "send_after": at, "sent_at": at,
         "created_at": at, "updated_at": at}
        for i in range(start, start + n)
    ]  # fmt: skip
    async with rt.uow() as s:
        await s.execute(sa.insert(Message.__table__), rows)


async def _bounces(rt: Any, pid: int, n: int) -> None:
    now = utcnow()
    async with rt.uow() as s:
        for i in range(n):
            s.add(EmailEvent(project_id=pid, dedupe_key=f"b{i}", event_type="bounce", counted=True,
                             email=f"r{i}@example.com", occurred_at=now, detail={}))  # fmt: skip


async def _due(rt: Any, pid: int) -> None:
    async with rt.uow() as s:
        await s.execute(
            sa.update(SesAccount)
            .where(SesAccount.project_id == pid)
            .values(warmup_step_at=utcnow() - timedelta(hours=25))
        )


async def test_warmup_steps_only_under_the_warn_thresholds(sender_factory: Any) -> None:
    async with sender_factory(sweep_interval=3600) as s:
        rt = s.rt
        pid = await make_project(rt)
        async with rt.uow() as ses:
            ses.add(SesAccount(project_id=pid, region="us-east-1", credential_mode="chain", warmup_enabled=True,
                               warmup_step=0, sent_since_read=0))  # fmt: skip
        await _due(rt, pid)
        await _sent(rt, pid, 100, 0)
        await _bounces(rt, pid, 3)  # 3 % ≥ the 2 % warn default

        async def account() -> dict[str, Any]:
            r = await s.client.get("/v1/ses-account", headers=s.h(pid))
            assert r.status_code == 200, r.text
            return dict(r.json()["warmup"])

        await s.core.dispatcher.advance_warmup()
        w = await account()
        assert w["step"] == 0 and w["blocked_at"] is not None
        assert "bounce rate 3.00% over the last 24h" in w["blocked_reason"]
        assert "warning threshold 2.00%" in w["blocked_reason"]
        await s.core.dispatcher.advance_warmup()  # still over: still held, same record
        assert (await account())["step"] == 0

        await _sent(rt, pid, 100, 100)  # 3 of 200: 1.5 %, under the warn threshold
        await s.core.dispatcher.advance_warmup()
        w = await account()
        assert w["step"] == 1 and w["blocked_at"] is None and w["blocked_reason"] is None

        # The project's own warn threshold (project_guards) counts, and a guard at `warning` holds the step.
        async with rt.uow() as ses:
            ses.add(ProjectGuard(project_id=pid, state="ok", warn_bounce_rate=0.01, digest="daily", crossings=0,
                                 pause_transactional=False))  # fmt: skip
        await _due(rt, pid)
        await s.core.dispatcher.advance_warmup()
        w = await account()
        assert w["step"] == 1 and "warning threshold 1.00%" in w["blocked_reason"]
        async with rt.uow() as ses:
            await ses.execute(
                sa.update(ProjectGuard)
                .where(ProjectGuard.project_id == pid)
                .values(warn_bounce_rate=None, state="warning")
            )
        await s.core.dispatcher.advance_warmup()
        w = await account()
        assert w["step"] == 1 and w["blocked_reason"] == "the reputation guard is at warning"
        async with rt.uow() as ses:
            await ses.execute(sa.update(ProjectGuard).where(ProjectGuard.project_id == pid).values(state="ok"))
        await s.core.dispatcher.advance_warmup()
        assert (await account())["step"] == 2


async def test_no_mail_in_a_week_holds_the_step(sender_factory: Any) -> None:
    async with sender_factory(sweep_interval=3600) as s:
        pid = await make_project(s.rt)
        async with s.rt.uow() as ses:
            ses.add(SesAccount(project_id=pid, region="us-east-1", credential_mode="chain", warmup_enabled=True,
                               warmup_step=0, sent_since_read=0))  # fmt: skip
        await _due(s.rt, pid)
        await s.core.dispatcher.advance_warmup()
        r = await s.client.get("/v1/ses-account", headers=s.h(pid))
        w = r.json()["warmup"]
        assert w["step"] == 0 and w["blocked_reason"] == "nothing was sent over the last 7d"
