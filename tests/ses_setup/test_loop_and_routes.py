"""The simulator loop through the real pipeline (sender → sandbox SES → events, embedded-style shared runtime),
the feedback-stall guard, and the HTTP routes (connect with the events endpoint allow-list, readiness, sync)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from services.events.app import create_app as create_events_app
from services.sender.app import create_app as create_sender_app
from services.sender.ses_setup.loop_check import check_stall
from services.sender.ses_setup.service import SesSetup
from services.sender.ses_setup.settings import SesSetupSettings
from services.sender.settings import SenderSettings
from shared.db.types import utcnow
from shared.models.core import OutboxMessage
from shared.models.events import EmailEvent, SnsEndpoint
from shared.models.sender import Message, SesAccount
from shared.models.ses_setup import SesSetupState
from shared.runtime import Runtime
from tests.ses_setup.conftest import AwsEnv, make_project, publish_good_domain, wait_for
from tests.ses_setup.test_doctor import add_account, setup_settings

INTERNAL = "test-internal-token-ses-setup"
FAST = {
    "dispatch_interval": 0.05,
    "sweep_interval": 0.2,
    "warmup_enabled": False,
    "sandbox_max_send_rate": 1000,
}


@pytest.fixture
async def system(db_url: str, settings_for: Any) -> AsyncIterator[tuple[Runtime, Any]]:
    """Sender and events apps sharing one Runtime and in-process bus, lifespans running (the embedded mode)."""
    settings = settings_for(db_url, public_url="https://sesame.example.test")
    settings.security.internal_token = INTERNAL
    rt = Runtime(settings)
    sender = create_sender_app(settings=settings, runtime=rt, sender_settings=SenderSettings(**FAST))
    events = create_events_app(settings=settings, runtime=rt)
    async with AsyncExitStack() as stack:
        for app in (sender, events):
            await stack.enter_async_context(app.router.lifespan_context(app))
        yield rt, sender


async def test_simulator_loop_through_the_real_pipeline(system: tuple[Runtime, Any]) -> None:
    rt, _ = system
    pid = await make_project(rt)
    svc = SesSetup(rt, SesSetupSettings())
    result = await svc.prove_loop(pid, wait_seconds=30)
    assert result.ok, result.render()
    by = {i.expect: i for i in result.items}
    assert set(by) == {"delivery", "bounce", "complaint"}
    for item in by.values():
        assert item.seconds is not None and item.seconds >= 0
        assert item.message_id is not None and item.sent_at and item.feedback_at
    assert by["bounce"].address.startswith("bounce+sesame-loop-")
    # Recorded for the dashboard, with "last feedback received".
    async with rt.uow() as s:
        st = await s.get(SesSetupState, pid)
        assert st is not None and st.last_loop["ok"] is True
    async with rt.uow() as s:
        from services.sender.ses_setup.loop_check import feedback_overview

        ov = await feedback_overview(s, pid, 6)
    assert ov["last_feedback_at"] and ov["last_loop"]["ok"] and not ov["stalled"]


async def test_loop_test_route_runs_in_the_background(system: tuple[Runtime, Any]) -> None:
    rt, sender = system
    pid = await make_project(rt)
    h = {"x-sesame-internal-token": INTERNAL, "x-sesame-project-id": str(pid)}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sender), base_url="http://sender") as c:
        r = await c.post("/v1/ses-account/loop-test", json={"wait_seconds": 30}, headers=h)
        assert r.status_code == 202, r.text
        run_id = r.json()["run_id"]
        again = await c.post("/v1/ses-account/loop-test", json={"wait_seconds": 30}, headers=h)
        assert again.status_code == 409

        async def done() -> Any:
            loop = (await c.get("/v1/ses-account/feedback", headers=h)).json()["last_loop"]
            return loop if loop.get("status") == "done" else None

        loop = await wait_for(done, timeout=40)
    assert loop["run_id"] == run_id and loop["ok"] is True


async def test_loop_reports_timeouts_when_nothing_arrives(sqlite_url: str, settings_for: Any) -> None:
    rt = Runtime(settings_for(sqlite_url))  # no sender running: mail is requested, never sent
    try:
        pid = await make_project(rt)
        result = await SesSetup(rt, SesSetupSettings()).prove_loop(pid, wait_seconds=0.3)
        assert not result.ok
        assert {i.state for i in result.items} == {"timeout"}
        assert "never sent" in (result.items[0].detail or "")
    finally:
        await rt.engine.dispose()


async def test_feedback_stall_alerts_once_and_recovers(runtime: Any) -> None:
    rt = runtime
    pid = await make_project(rt, owner="owner@acme.test")
    async with rt.uow() as s:
        s.add(SesSetupState(project_id=pid, mode="configuration_set", topics={}, subscriptions={}, last_report={},
                            last_loop={}, suppression_push=False, suppression_last_result={}, connected_at=utcnow()))  # fmt: skip
        for i in range(3):
            s.add(Message(project_id=pid, kind="marketing", state="sent", to_address=f"x{i}@example.net",
                          email_hash=f"h{i}", sent_at=utcnow() - timedelta(hours=2)))  # fmt: skip
    async with rt.uow() as s:
        assert await check_stall(s, pid, hours=6) == "alerted"
    async with rt.uow() as s:
        assert await check_stall(s, pid, hours=6) == "stalled"  # no second mail for the same stall
    async with rt.uow() as s:
        mails = (
            await s.scalars(
                sa.select(OutboxMessage.payload).where(OutboxMessage.routing_key == "mail.requested")
            )
        ).all()
    assert len(mails) == 1 and mails[0]["to"] == "owner@acme.test" and mails[0]["kind"] == "notification"
    assert "no SES feedback" in mails[0]["subject"]
    async with rt.uow() as s:
        s.add(EmailEvent(project_id=pid, dedupe_key="d1", event_type="delivery", email="x0@example.net",
                         occurred_at=utcnow(), detail={}))  # fmt: skip
    async with rt.uow() as s:
        assert await check_stall(s, pid, hours=6) == "recovered"
    async with rt.uow() as s:
        assert await check_stall(s, pid, hours=6) == "ok"
        assert (await s.get(SesSetupState, pid)).stall_alerted_at is None  # type: ignore[union-attr]


async def test_no_alert_without_recent_mail_or_inside_the_grace_period(sqlite_runtime: Any) -> None:
    pid = await make_project(sqlite_runtime)
    async with sqlite_runtime.uow() as s:
        s.add(SesSetupState(project_id=pid, mode="identity", topics={}, subscriptions={}, last_report={},
                            last_loop={}, suppression_push=False, suppression_last_result={}))  # fmt: skip
        assert await check_stall(s, pid, hours=6) == "ok"
        s.add(Message(project_id=pid, kind="marketing", state="sent", to_address="y@example.net", email_hash="hy",
                      sent_at=utcnow() - timedelta(minutes=2)))  # fmt: skip
    async with sqlite_runtime.uow() as s:
        assert await check_stall(s, pid, hours=6) == "ok"


async def test_routes_connect_readiness_sync(
    sqlite_url: str, settings_for: Any, aws_env: AwsEnv, dns_standin: Any
) -> None:
    settings = settings_for(sqlite_url, public_url="https://sesame.example.test")
    settings.security.internal_token = INTERNAL
    app = create_sender_app(settings=settings, sender_settings=SenderSettings(**FAST))
    async with app.router.lifespan_context(app):
        rt: Runtime = app.state.runtime
        app.state.ses_setup = SesSetup(rt, setup_settings(aws_env, dns_standin), SenderSettings(**FAST))
        pid = await make_project(rt)
        other = await make_project(rt, "Other")
        await add_account(rt, pid, "news@good.test")
        aws_env.verify_domain("good.test")
        aws_env.v2.suppress("gone@example.net", "BOUNCE")
        publish_good_domain(dns_standin, "good.test")
        h = {"x-sesame-internal-token": INTERNAL, "x-sesame-project-id": str(pid)}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sender") as c:
            assert (await c.post("/v1/ses-account/connect", json={})).status_code == 401
            bad = await c.post("/v1/ses-account/connect", json={"identity": "not a domain"}, headers=h)
            assert bad.status_code == 422
            bad = await c.post("/v1/ses-account/connect", json={"surprise": 1}, headers=h)
            assert bad.status_code == 422
            none = await c.post(
                "/v1/ses-account/connect",
                json={},
                headers={**h, "x-sesame-project-id": str(other)},
            )
            assert none.status_code == 422 and none.json()["error"] == "no_ses_account"

            assert (await c.get("/v1/ses-account/connect", headers=h)).json() == {"status": "never_run"}
            r = await c.post("/v1/ses-account/connect", json={"wait": True}, headers=h)
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["ok"] and body["connect"]["mutating_calls"] == 22, body["text"]  # 14 + 2 tracking sets
            assert body["suppression_import"]["imported"] == 1
            assert "* sns:CreateTopic" in body["text"]
            # The events service will accept SNS messages from exactly these topics.
            async with rt.uow() as s:
                allowed = await s.scalar(
                    sa.select(SnsEndpoint.allowed_topic_arns).where(SnsEndpoint.project_id == pid)
                )
                cs, tracked, clicks = (
                    await s.execute(
                        sa.select(
                            SesAccount.configuration_set,
                            SesAccount.tracking_configuration_set,
                            SesAccount.click_configuration_set,
                        ).where(SesAccount.project_id == pid)
                    )
                ).one()
            assert sorted(allowed) == sorted(body["connect"]["topics"].values())
            assert cs == "sesame-" + str(pid)
            # the sender picks these per message (services/sender/tracking.py)
            assert (tracked, clicks) == (f"sesame-{pid}-tracking", f"sesame-{pid}-clicks")

            # The default runs in the background (SNS confirmation outlasts the gateway timeout): 202, then poll.
            started = await c.post("/v1/ses-account/connect", json={}, headers=h)
            assert started.status_code == 202 and started.json()["status"] == "running"

            async def outcome() -> Any:
                got = (await c.get("/v1/ses-account/connect", headers=h)).json()
                return got if got["status"] != "running" else None

            again = await wait_for(outcome, timeout=60)
            assert again["status"] == "done" and again["ok"] and again["connect"]["mutating_calls"] == 0

            rep = await c.get("/v1/ses-account/readiness", headers=h)
            assert rep.status_code == 200
            checks = {x["id"]: x["status"] for x in rep.json()["checks"]}
            assert checks["feedback_wired"] == "pass" and checks["dkim_dns"] == "pass"
            assert (await c.get("/v1/ses-account/readiness?domain=-bad-", headers=h)).status_code == 422
            adm = await c.get(
                f"/admin/projects/{pid}/ses-account/readiness", headers={"x-sesame-internal-token": INTERNAL}
            )
            assert adm.status_code == 200 and adm.json()["domain"] == "good.test"

            assert (
                await c.put("/v1/ses-account/suppressions/settings", json={"push": "yes"}, headers=h)
            ).status_code == 422
            assert (
                await c.put("/v1/ses-account/suppressions/settings", json={"push": True}, headers=h)
            ).json() == {"push": True}
            async with rt.uow() as s:
                from shared.email_address import email_hash
                from shared.models.subscriptions import Suppression

                s.add(Suppression(project_id=pid, email="hard@example.net", email_hash=email_hash("hard@example.net"), reason="hard_bounce"))  # fmt: skip
            sync = await c.post("/v1/ses-account/suppressions/sync", headers=h)
            assert sync.status_code == 200 and sync.json()["pushed"] == 1
            assert "hard@example.net" in aws_env.v2.suppressed

            fb = await c.get("/v1/ses-account/feedback", headers=h)
            assert fb.status_code == 200 and fb.json()["connected_at"]
            draft = await c.get("/v1/ses-account/production-request", headers=h)
            assert (
                draft.status_code == 200
                and "Website URL: https://sesame.example.test" in draft.json()["text"]
            )


async def test_stored_outcomes_read_back_with_their_own_keys(sqlite_url: str, settings_for: Any) -> None:
    """The last connect outcome and loop test are stored JSON: the typed answer gives back exactly what was
    stored, for each status and for a report written before a field existed (no nulls added, nothing lost)."""
    settings = settings_for(sqlite_url)
    settings.security.internal_token = INTERNAL
    app = create_sender_app(settings=settings, sender_settings=SenderSettings(**FAST))
    step = {"item": "SNS topic for bounces", "status": "created", "detail": "created", "fix": None}
    call = {
        "service": "sns",
        "operation": "CreateTopic",
        "params": {"Name": "t"},
        "mutating": True,
        "ok": True,
        "error": None,
        "ms": 3.2,
    }
    connect = {
        "mode": "identity",
        "identity": "good.test",
        "webhook_url": "https://x/webhooks/sns/t",
        "configuration_set": None,
        "topics": {"bounce": "arn:aws:sns:eu-west-1:1:t"},
        "subscriptions": {},
        "steps": [step],
        "calls": [call],
        "dry_run": False,
        "ok": True,
        "mutating_calls": 1,
    }
    # written before tracking sets existed: no `tracking_sets`, no step `tracking`
    done = {
        "status": "done",
        "at": "2026-11-30T10:00:00+00:00",
        "ok": True,
        "connect": connect,
        "suppression_import": None,
        "suppression_error": "AccessDenied",
        "loop": None,
        "followup": None,
        "text": "SES connect",
    }
    reports = [
        {"status": "running", "started_at": "2026-11-30T10:00:00+00:00"},
        {"status": "failed", "at": "2026-11-30T10:01:00+00:00", "error": "boom"},
        done,
    ]
    async with app.router.lifespan_context(app):
        rt: Runtime = app.state.runtime
        pid = await make_project(rt)
        h = {"x-sesame-internal-token": INTERNAL, "x-sesame-project-id": str(pid)}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sender") as c:
            for report in reports:
                async with rt.uow() as s:
                    await s.merge(
                        SesSetupState(
                            project_id=pid,
                            mode="identity",
                            topics={},
                            subscriptions={},
                            last_report=report,
                            last_loop={},
                            suppression_push=False,
                            suppression_last_result={},
                        )
                    )
                r = await c.get("/v1/ses-account/connect", headers=h)
                assert r.status_code == 200 and r.json() == report
            feedback = (await c.get("/v1/ses-account/feedback", headers=h)).json()
            assert feedback["last_loop"] == {} and feedback["last_feedback_at"] is None
            assert feedback["subscriptions"] == [] and feedback["stalled"] is False
