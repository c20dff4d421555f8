"""The whole loop for a connected SES account, SNS path: connect (moto + SESv2 stand-in) registers the topics with
the events service → signed SubscriptionConfirmations are accepted for exactly those topics → the sender sends
the three simulator mails through the SES stand-in → SES-format feedback for each, signed like SNS, is POSTed
to the project's webhook on its topic → the events pipeline stores it → the loop proof sees all three."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from services.events.app import create_app as create_events_app
from services.sender.app import create_app as create_sender_app
from services.sender.ses_setup.loop_check import LOOP
from services.sender.ses_setup.service import SesSetup
from services.sender.settings import SenderSettings
from shared.internal_auth import INTERNAL_TOKEN_HEADER
from shared.models.events import SnsEndpoint
from shared.models.sender import Message
from shared.runtime import Runtime
from tests.ses_setup.conftest import REGION, AwsEnv, make_project, wait_for
from tests.ses_setup.test_doctor import add_account, setup_settings
from tests.support.ses_standin import StandinThread
from tests.support.sns import TestSns, body
from tests.system.sns_standin import SentMail, ses_feedback_for

INTERNAL = "test-internal-token-ses-setup-sns"
FAST = {
    "dispatch_interval": 0.05,
    "sweep_interval": 0.2,
    "warmup_enabled": False,
    "quota_refresh_seconds": 3600,
}


@pytest.fixture
async def connected_system(
    sqlite_url: str, settings_for: Any, aws_env: AwsEnv, dns_standin: Any
) -> AsyncIterator[dict[str, Any]]:
    ses = StandinThread(max_rate=100, max_24h=None)
    ses.start()
    sns = TestSns(region=REGION)
    confirmed: list[str] = []

    async def confirmer(url: str) -> None:
        confirmed.append(url)

    settings = settings_for(sqlite_url, public_url="https://sesame.example.test")
    settings.security.internal_token = INTERNAL
    rt = Runtime(settings)
    sender = create_sender_app(
        settings=settings, runtime=rt, sender_settings=SenderSettings(**FAST, ses_endpoint_url=ses.url)
    )
    events = create_events_app(settings=settings, runtime=rt, cert_fetcher=sns.fetch, confirmer=confirmer)
    try:
        async with AsyncExitStack() as stack:
            for app in (sender, events):
                await stack.enter_async_context(app.router.lifespan_context(app))
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=events), base_url="http://events")
            )
            yield {"rt": rt, "sns": sns, "confirmed": confirmed, "events": client, "ses": ses,
                   "svc": SesSetup(rt, setup_settings(aws_env, dns_standin), SenderSettings(**FAST))}  # fmt: skip
    finally:
        ses.stop()


async def _post(client: httpx.AsyncClient, token: str, envelope: dict[str, Any]) -> httpx.Response:
    return await client.post(
        f"/webhooks/sns/{token}",
        content=body(envelope),
        headers={INTERNAL_TOKEN_HEADER: INTERNAL, "content-type": "text/plain; charset=UTF-8",
                 "x-amz-sns-message-type": envelope["Type"]},
    )  # fmt: skip


async def test_connected_account_loop_through_sns_and_the_events_pipeline(
    connected_system: dict[str, Any], aws_env: AwsEnv
) -> None:
    rt: Runtime = connected_system["rt"]
    sns: TestSns = connected_system["sns"]
    client: httpx.AsyncClient = connected_system["events"]
    svc: SesSetup = connected_system["svc"]
    pid = await make_project(rt)
    await add_account(rt, pid, "news@good.test")
    aws_env.verify_domain("good.test")

    out = await svc.connect(pid, import_suppressions=False)
    assert out.connect.ok, out.render()
    topics = out.connect.topics
    async with rt.uow() as s:
        token = await s.scalar(sa.select(SnsEndpoint.token).where(SnsEndpoint.project_id == pid))

    # SNS confirms each subscription through the webhook: accepted for our topics, refused for others.
    for arn in topics.values():
        r = await _post(client, token, sns.confirmation(topic_arn=arn))
        assert r.status_code == 200 and r.json()["status"] == "confirmed", r.text
    assert len(connected_system["confirmed"]) == 3
    stranger = f"arn:aws:sns:{REGION}:999999999999:not-ours"
    assert (await _post(client, token, sns.confirmation(topic_arn=stranger))).status_code == 403

    # The loop: the sender sends through the SES stand-in; "SNS" delivers SES's feedback for each mail.
    started = await svc.start_loop(pid)
    keys = {f"bus:{i.idempotency_key}": i for i in started.items}

    async def sent() -> Any:
        async with rt.uow() as s:
            rows = (
                await s.execute(
                    sa.select(
                        Message.id, Message.idempotency_key, Message.to_address, Message.ses_message_id
                    ).where(Message.idempotency_key.in_(list(keys)), Message.ses_message_id.is_not(None))
                )
            ).all()
        return rows if len(rows) == 3 else None

    rows = await wait_for(sent, timeout=30)
    topic_for = {"delivery": topics["delivery"], "bounce": topics["bounce"], "complaint": topics["complaint"]}
    for mid, key, to, ses_id in rows:
        item = keys[key]
        assert LOOP[item.expect] == to.split("+", 1)[0]
        mail = SentMail(ses_message_id=ses_id, destination=[to], source="news@good.test",
                        tags={"sesame-project": str(pid), "sesame-message": str(mid)})  # fmt: skip
        doc = ses_feedback_for(mail)
        r = await _post(client, token, sns.notification(doc, topic_arn=topic_for[item.expect]))
        assert r.status_code == 200, r.text

    result = await asyncio.wait_for(svc.finish_loop(started, 30), 40)
    assert result.ok, result.render()
    assert all(i.seconds is not None for i in result.items)
    # With feedback proven, the next connect changes nothing (configuration-set mode keeps forwarding as is).
    again = await svc.connect(pid, import_suppressions=False)
    assert again.connect.mutating_calls == 0, again.render()


async def _pump(
    rt: Runtime, client: httpx.AsyncClient, sns: TestSns, token: str, pid: int, topics: dict[str, str]
) -> None:
    """Plays SES + SNS: every loop mail the sender hands to the SES stand-in gets its feedback delivered."""
    done: set[int] = set()
    while True:
        async with rt.uow() as s:
            rows = (
                await s.execute(
                    sa.select(Message.id, Message.to_address, Message.ses_message_id).where(
                        Message.project_id == pid,
                        Message.idempotency_key.like("bus:ses-loop:%"),
                        Message.ses_message_id.is_not(None),
                    )
                )
            ).all()
        for mid, to, ses_id in rows:
            if mid in done:
                continue
            done.add(mid)
            box = to.split("+", 1)[0]
            kind = next(k for k, v in LOOP.items() if v == box)
            mail = SentMail(ses_message_id=ses_id, destination=[to], source="news@good.test",
                            tags={"sesame-project": str(pid), "sesame-message": str(mid)})  # fmt: skip
            await _post(client, token, sns.notification(ses_feedback_for(mail), topic_arn=topics[kind]))
        await asyncio.sleep(0.1)


async def test_identity_mode_turns_forwarding_off_once_the_loop_is_proven(
    connected_system: dict[str, Any], aws_env: AwsEnv
) -> None:
    rt: Runtime = connected_system["rt"]
    svc: SesSetup = connected_system["svc"]
    svc.setup.loop_timeout = 30
    pid = await make_project(rt)
    await add_account(rt, pid, "news@good.test")
    aws_env.verify_domain("good.test")
    first = await svc.connect(pid, mode="identity", import_suppressions=False)
    assert first.connect.ok
    ses = aws_env.boto("ses")
    attrs = ses.get_identity_notification_attributes(Identities=["good.test"])["NotificationAttributes"][
        "good.test"
    ]
    assert attrs["ForwardingEnabled"] is True  # nothing proven yet
    async with rt.uow() as s:
        token = await s.scalar(sa.select(SnsEndpoint.token).where(SnsEndpoint.project_id == pid))
    pump = asyncio.create_task(
        _pump(rt, connected_system["events"], connected_system["sns"], token, pid, first.connect.topics)
    )
    try:
        out = await svc.connect(pid, mode="identity", import_suppressions=False, prove_loop=True)
    finally:
        pump.cancel()
    assert out.loop is not None and out.loop.ok, out.render()
    assert out.followup is not None
    assert [c["operation"] for c in out.followup.calls if c["mutating"]] == [
        "SetIdentityFeedbackForwardingEnabled"
    ]
    attrs = ses.get_identity_notification_attributes(Identities=["good.test"])["NotificationAttributes"][
        "good.test"
    ]
    assert attrs["ForwardingEnabled"] is False
    assert "feedback forwarding" in out.render().lower() or "email forwarding" in out.render().lower()
