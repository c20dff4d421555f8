"""Connect against moto (SES v1 + SNS) and the SESv2 stand-in: create, idempotent rerun, drift repair."""

from __future__ import annotations

import threading
import time

from moto.sns.models import sns_backends

from services.sender.ses_setup.aws import AwsSession
from services.sender.ses_setup.connect import ConnectOptions, connect
from tests.ses_setup.conftest import ACCOUNT, REGION, AwsEnv

WEBHOOK = "https://sesame.example.test/webhooks/sns/tok-abc123"


def _opts(**kw):  # type: ignore[no-untyped-def]
    base = dict(
        project_id=7, identity="good.test", webhook_url=WEBHOOK, confirm_timeout=5, poll_interval=0.05
    )
    base.update(kw)
    return ConnectOptions(**base)


async def _run(env: AwsEnv, **kw):  # type: ignore[no-untyped-def]
    async with AwsSession(env.target) as aws:
        return await connect(aws, _opts(**kw))


async def test_configuration_set_mode_creates_everything_then_changes_nothing(aws_env: AwsEnv) -> None:
    aws_env.verify_domain("good.test")
    allowed: list[list[str]] = []

    async with AwsSession(aws_env.target) as aws:
        first = await connect(aws, _opts(), allow_topics=lambda arns: _record(allowed, arns))
    assert first.ok, first.render()
    ops = sorted(c["operation"] for c in first.calls if c["mutating"])
    assert ops == sorted(
        ["CreateTopic"] * 3
        + ["SetTopicAttributes"] * 3
        + ["Subscribe"] * 3
        + ["CreateConfigurationSet"] * 3  # the project's set and the two tracking sets
        + ["PutEmailIdentityConfigurationSetAttributes"]
        + ["CreateConfigurationSetEventDestination"] * 9
    )
    assert first.configuration_set == "sesame-7"
    # Tracking (on by default): same feedback destinations, the delivery one also publishing OPEN / CLICK.
    assert first.tracking_sets == {"tracking": "sesame-7-tracking", "clicks": "sesame-7-clicks"}
    tracked, clicks = aws_env.v2.config_sets["sesame-7-tracking"], aws_env.v2.config_sets["sesame-7-clicks"]
    assert tracked["sesame-deliveries"]["MatchingEventTypes"] == ["DELIVERY", "OPEN", "CLICK"]
    assert clicks["sesame-deliveries"]["MatchingEventTypes"] == ["DELIVERY", "CLICK"]
    assert tracked["sesame-bounces"]["SnsDestination"]["TopicArn"] == first.topics["bounce"]
    assert "OPEN" not in str(aws_env.v2.config_sets["sesame-7"])  # the default set tracks nothing
    assert aws_env.v2.identities["good.test"]["ConfigurationSetName"] == "sesame-7"
    assert set(first.topics) == {"bounce", "complaint", "delivery"}
    assert allowed == [sorted(first.topics.values())]
    # What AWS now holds.
    sns = aws_env.boto("sns")
    for arn in first.topics.values():
        subs = sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]
        assert [(s["Protocol"], s["Endpoint"]) for s in subs] == [("https", WEBHOOK)]
        attrs = sns.get_subscription_attributes(SubscriptionArn=subs[0]["SubscriptionArn"])["Attributes"]
        assert str(attrs["RawMessageDelivery"]).lower() == "false"
    dests = aws_env.v2.config_sets["sesame-7"]
    assert dests["sesame-bounces"]["MatchingEventTypes"] == ["BOUNCE", "REJECT", "RENDERING_FAILURE"]
    assert dests["sesame-complaints"]["SnsDestination"]["TopicArn"] == first.topics["complaint"]
    assert aws_env.v2.identities["good.test"]["ConfigurationSetName"] == "sesame-7"
    # Every call is listed in the output.
    text = first.render()
    assert "* sns:CreateTopic(Name=sesame-7-bounces)" in text
    assert "sesv2:GetConfigurationSetEventDestinations" in text

    second = await _run(aws_env)
    assert second.ok, second.render()
    assert second.mutating_calls == 0, second.render()
    assert all(s.status in ("ok", "info") for s in second.steps)
    assert second.topics == first.topics


async def _record(into: list[list[str]], arns: list[str]) -> None:
    into.append(arns)


async def test_configuration_set_mode_repairs_manual_breakage(aws_env: AwsEnv) -> None:
    aws_env.verify_domain("good.test")
    first = await _run(aws_env)
    assert first.ok
    # Break three things by hand, as a user clicking in the console would.
    sns = aws_env.boto("sns")
    sub_arn = first.subscriptions["delivery"]
    sns.set_subscription_attributes(
        SubscriptionArn=sub_arn, AttributeName="RawMessageDelivery", AttributeValue="true"
    )
    v2 = aws_env.boto("sesv2")
    v2.delete_configuration_set_event_destination(
        ConfigurationSetName="sesame-7", EventDestinationName="sesame-complaints"
    )
    v2.update_configuration_set_event_destination(
        ConfigurationSetName="sesame-7",
        EventDestinationName="sesame-bounces",
        EventDestination={
            "Enabled": False,
            "MatchingEventTypes": ["BOUNCE"],
            "SnsDestination": {"TopicArn": first.topics["bounce"]},
        },
    )
    sns.unsubscribe(SubscriptionArn=first.subscriptions["bounce"])
    sns.set_topic_attributes(TopicArn=first.topics["complaint"], AttributeName="Policy", AttributeValue="{}")

    fixed = await _run(aws_env)
    assert fixed.ok, fixed.render()
    ops = sorted(c["operation"] for c in fixed.calls if c["mutating"])
    assert ops == sorted(
        [
            "SetSubscriptionAttributes",
            "CreateConfigurationSetEventDestination",
            "UpdateConfigurationSetEventDestination",
            "Subscribe",
            "SetTopicAttributes",
        ]
    ), fixed.render()
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub_arn)["Attributes"]
    assert str(attrs["RawMessageDelivery"]).lower() == "false"
    dests = aws_env.v2.config_sets["sesame-7"]
    assert dests["sesame-bounces"]["Enabled"] is True
    assert dests["sesame-bounces"]["MatchingEventTypes"] == ["BOUNCE", "REJECT", "RENDERING_FAILURE"]
    assert "sesame-complaints" in dests
    statuses = {s.item: s.status for s in fixed.steps}
    assert statuses["event destination complaint"] == "created"
    assert statuses["event destination bounce"] == "repaired"

    again = await _run(aws_env)
    assert again.mutating_calls == 0, again.render()


async def test_existing_default_configuration_set_is_reused(aws_env: AwsEnv) -> None:
    aws_env.boto("sesv2").create_configuration_set(ConfigurationSetName="users-own")
    aws_env.verify_domain("good.test", configuration_set="users-own")
    result = await _run(aws_env)
    assert result.ok, result.render()
    assert result.configuration_set == "users-own"
    assert set(aws_env.v2.config_sets["users-own"]) == {
        "sesame-bounces",
        "sesame-complaints",
        "sesame-deliveries",
    }
    assert "PutEmailIdentityConfigurationSetAttributes" not in [c["operation"] for c in result.calls]


async def test_identity_mode_links_topics_and_keeps_forwarding_until_feedback_flows(aws_env: AwsEnv) -> None:
    aws_env.verify_domain("good.test")
    first = await _run(aws_env, mode="identity")
    assert first.ok, first.render()
    set_calls = [c for c in first.calls if c["operation"] == "SetIdentityNotificationTopic"]
    assert sorted(c["params"]["NotificationType"] for c in set_calls) == ["Bounce", "Complaint", "Delivery"]
    ses = aws_env.boto("ses")
    attrs = ses.get_identity_notification_attributes(Identities=["good.test"])["NotificationAttributes"][
        "good.test"
    ]
    assert attrs["BounceTopic"] == first.topics["bounce"]
    assert attrs["ForwardingEnabled"] is True  # not proven yet: forwarding stays on

    second = await _run(aws_env, mode="identity")
    assert second.mutating_calls == 0, second.render()

    # Manual break: bounce notifications pointed elsewhere.
    other = aws_env.boto("sns").create_topic(Name="someone-elses")["TopicArn"]
    ses.set_identity_notification_topic(Identity="good.test", NotificationType="Bounce", SnsTopic=other)
    fixed = await _run(aws_env, mode="identity")
    assert [c["operation"] for c in fixed.calls if c["mutating"]] == ["SetIdentityNotificationTopic"]
    attrs = ses.get_identity_notification_attributes(Identities=["good.test"])["NotificationAttributes"][
        "good.test"
    ]
    assert attrs["BounceTopic"] == first.topics["bounce"]

    # Once feedback is proven to flow, forwarding goes off — once.
    flowing = await _run(aws_env, mode="identity", feedback_flowing=True)
    assert [c["operation"] for c in flowing.calls if c["mutating"]] == [
        "SetIdentityFeedbackForwardingEnabled"
    ]
    attrs = ses.get_identity_notification_attributes(Identities=["good.test"])["NotificationAttributes"][
        "good.test"
    ]
    assert attrs["ForwardingEnabled"] is False
    assert (await _run(aws_env, mode="identity", feedback_flowing=True)).mutating_calls == 0


async def test_unknown_identity_fails_with_the_fix(aws_env: AwsEnv) -> None:
    result = await _run(aws_env, identity="nowhere.test", mode="identity")
    assert not result.ok
    step = next(s for s in result.steps if s.item == "identity")
    assert step.status == "failed" and "create-email-identity --email-identity nowhere.test" in (
        step.fix or ""
    )
    result = await _run(aws_env, identity="nowhere.test")
    assert next(s for s in result.steps if s.item == "identity").status == "failed"


async def test_dry_run_reports_drift_without_changing_anything(aws_env: AwsEnv) -> None:
    aws_env.verify_domain("good.test")
    dry = await _run(aws_env, dry_run=True)
    assert dry.mutating_calls == 0
    assert not dry.ok
    assert {s.status for s in dry.steps if s.item.startswith("topic")} == {"drift"}
    assert aws_env.boto("sns").list_topics()["Topics"] == []
    await _run(aws_env)
    dry = await _run(aws_env, dry_run=True)
    assert dry.ok and dry.mutating_calls == 0, dry.render()


def _pending_http_subscriptions() -> None:
    backend = sns_backends[ACCOUNT][REGION]
    for sub in backend.subscriptions.values():
        sub.attributes["PendingConfirmation"] = "true"


async def test_waits_for_the_events_service_to_confirm(aws_env: AwsEnv) -> None:
    """Real SNS leaves http(s) subscriptions pending until the endpoint confirms; moto confirms at once, so
    the test flips them to pending and confirms them from another thread, as the events service would."""
    aws_env.verify_domain("good.test")
    from moto.sns.models import SNSBackend

    original = SNSBackend.subscribe

    def pending_subscribe(self, topic_arn, endpoint, protocol):  # type: ignore[no-untyped-def]
        sub = original(self, topic_arn, endpoint, protocol)
        sub.attributes["PendingConfirmation"] = "true"
        return sub

    SNSBackend.subscribe = pending_subscribe  # type: ignore[method-assign]
    try:

        def confirm_later() -> None:
            backend = sns_backends[ACCOUNT][REGION]
            deadline = time.monotonic() + 10
            while len(backend.subscriptions) < 3 and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.4)
            for sub in sns_backends[ACCOUNT][REGION].subscriptions.values():
                sub.attributes["PendingConfirmation"] = "false"

        t = threading.Thread(target=confirm_later)
        t.start()
        result = await _run(aws_env, confirm_timeout=10)
        t.join()
        assert result.ok, result.render()
        polls = [c for c in result.calls if c["operation"] == "GetSubscriptionAttributes"]
        assert len(polls) > 3  # it really waited

        # Never confirmed: a clear pending step with the fix, after the timeout.
        _pending_http_subscriptions()
        stuck = await _run(aws_env, confirm_timeout=0.3)
        assert not stuck.ok
        pend = [s for s in stuck.steps if s.status == "pending"]
        assert len(pend) == 3 and "reachable from AWS" in (pend[0].fix or "")
    finally:
        SNSBackend.subscribe = original  # type: ignore[method-assign]


class _ScriptedAws:
    """Answers like real SNS where moto differs: a pending http(s) subscription is listed as
    `SubscriptionArn: PendingConfirmation`."""

    def __init__(self) -> None:
        from services.sender.ses_setup.aws import AwsCall, AwsTarget

        self.target = AwsTarget("eu-west-1")
        self.calls: list[AwsCall] = []
        self._call = AwsCall
        self.topics = {
            k: f"arn:aws:sns:eu-west-1:{ACCOUNT}:sesame-7-{k}"
            for k in ("bounces", "complaints", "deliveries")
        }

    async def call(self, service: str, op: str, **params):  # type: ignore[no-untyped-def]
        import json as _json

        from services.sender.ses_setup.aws import MUTATING
        from services.sender.ses_setup.connect import _ses_statement

        self.calls.append(self._call(service, op, params, bool(MUTATING.match(op))))
        if op == "ListTopics":
            return {"Topics": [{"TopicArn": a} for a in self.topics.values()]}
        if op == "GetTopicAttributes":
            return {
                "Attributes": {"Policy": _json.dumps({"Statement": [_ses_statement(params["TopicArn"])]})}
            }
        if op == "ListSubscriptionsByTopic":
            return {
                "Subscriptions": [
                    {"SubscriptionArn": "PendingConfirmation", "Endpoint": WEBHOOK, "Protocol": "https"}
                ]
            }
        if op == "Subscribe":
            return {"SubscriptionArn": params["TopicArn"] + ":sub-1"}
        if op == "GetSubscriptionAttributes":
            return {"Attributes": {"PendingConfirmation": "false", "RawMessageDelivery": "false"}}
        if op == "GetIdentityNotificationAttributes":
            t = self.topics
            return {"NotificationAttributes": {"good.test": {"BounceTopic": t["bounces"], "ComplaintTopic": t["complaints"],
                                                             "DeliveryTopic": t["deliveries"], "ForwardingEnabled": True}}}  # fmt: skip
        raise AssertionError(f"unexpected call {op}")


async def test_a_subscription_left_pending_is_subscribed_again() -> None:
    aws = _ScriptedAws()
    result = await connect(aws, _opts(mode="identity"))  # type: ignore[arg-type]
    assert result.ok, result.render()
    assert [c["operation"] for c in result.calls if c["mutating"]] == ["Subscribe"] * 3
    assert {s.status for s in result.steps if s.item.startswith("subscription")} >= {"repaired", "ok"}
    dry = await connect(_ScriptedAws(), _opts(mode="identity", dry_run=True))  # type: ignore[arg-type]
    assert dry.mutating_calls == 0 and not dry.ok
    assert [s.status for s in dry.steps if s.item.startswith("subscription")] == ["pending"] * 3


async def test_rotated_webhook_url_replaces_the_stale_subscriptions(aws_env: AwsEnv) -> None:
    aws_env.verify_domain("good.test")
    await _run(aws_env)
    rotated = WEBHOOK.rsplit("/", 1)[0] + "/tok-rotated456"
    foreign = "https://other.example/hook"
    sns = aws_env.boto("sns")
    topics = {t["TopicArn"] for t in sns.list_topics()["Topics"]}
    sns.subscribe(TopicArn=sorted(topics)[0], Protocol="https", Endpoint=foreign)
    result = await _run(aws_env, webhook_url=rotated)
    assert result.ok, result.render()
    assert (
        sorted(c["operation"] for c in result.calls if c["mutating"])
        == ["Subscribe"] * 3 + ["Unsubscribe"] * 3
    )
    for arn in topics:
        endpoints = {s["Endpoint"] for s in sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]}
        assert rotated in endpoints and WEBHOOK not in endpoints
    assert foreign in {
        s["Endpoint"] for s in sns.list_subscriptions()["Subscriptions"]
    }  # not ours: untouched


async def test_tracking_off_keeps_no_tracking_sets_and_on_adds_them_later(aws_env: AwsEnv) -> None:
    aws_env.verify_domain("good.test")
    off = await _run(aws_env, tracking=False)
    assert off.ok, off.render()
    assert off.tracking_sets == {}
    assert set(aws_env.v2.config_sets) == {"sesame-7"}
    assert any(s.item == "tracking" and s.status == "info" and "off" in s.detail for s in off.steps)
    # Turned on: a dry run (the readiness report) shows the missing sets as drift, connect makes them.
    dry = await _run(aws_env, dry_run=True)
    assert not dry.ok and any(
        s.item == "tracking configuration set" and s.status == "drift" for s in dry.steps
    )
    on = await _run(aws_env)
    assert on.ok and on.tracking_sets == {"tracking": "sesame-7-tracking", "clicks": "sesame-7-clicks"}
    assert any(s.item == "tracking" and s.status == "ok" for s in on.steps), on.render()
    # Someone drops OPEN from the tracking set in the console: repaired.
    dest = aws_env.v2.config_sets["sesame-7-tracking"]["sesame-deliveries"]
    dest["MatchingEventTypes"] = ["DELIVERY", "CLICK"]
    again = await _run(aws_env)
    assert any(
        s.item == "event destination delivery of sesame-7-tracking" and s.status == "repaired"
        for s in again.steps
    ), again.render()
    assert aws_env.v2.config_sets["sesame-7-tracking"]["sesame-deliveries"]["MatchingEventTypes"] == [
        "DELIVERY",
        "OPEN",
        "CLICK",
    ]
