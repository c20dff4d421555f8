"""Every SES sample payload, in both formats, signed v1 and v2, through the whole pipeline (webhook → inbox →
dispatcher → bus → processing) to the published contract and the stored state; on both dialects with the
in-process bus, and on Postgres + RabbitMQ."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from shared.contracts.email import (
    EmailBounced,
    EmailClicked,
    EmailComplained,
    EmailDelivered,
    EmailOpened,
    EmailRejected,
)
from shared.email_address import email_hash
from shared.models.events import EmailEvent, FeedbackAddress, ReputationBucket
from tests.events.conftest import Harness, events_harness, make_project, sample
from tests.support.sns import TOPIC, TestSns

B, C, D, R = "email.bounced", "email.complained", "email.delivered", "email.rejected"
OP, K = "email.opened", "email.clicked"
LINK = "http://docs.aws.amazon.com/ses/latest/DeveloperGuide/send-email-smtp.html"
HARD = {"suppress": True, "suppression_reason": "hard_bounce", "bounce_type": "Permanent"}
NOT_SUPPRESSED = {"suppress": False, "suppression_reason": None}

# sample → (published contracts [(routing key, email, expected fields)], stored event types, suppressed addresses)
EXPECT: dict[str, tuple[list[tuple[str, str, dict[str, Any]]], list[str], dict[str, str]]] = {
    "notification-bounce-permanent-general.json": (
        [(B, "jane@example.com", {**HARD, "bounce_subtype": "General", "diagnostic": "smtp; 550 5.1.1 <jane@example.com>... User"})],
        ["bounce"], {"jane@example.com": "hard_bounce"},
    ),
    "notification-bounce-permanent-general-no-dsn.json": (
        [(B, "jane@example.com", HARD), (B, "richard@example.com", HARD)],
        ["bounce", "bounce"], {"jane@example.com": "hard_bounce", "richard@example.com": "hard_bounce"},
    ),
    "notification-bounce-permanent-onaccountsuppressionlist.json": (
        [(B, "jane@example.com", {"suppress": True, "suppression_reason": "ses_suppression",
                                  "bounce_subtype": "OnAccountSuppressionList"})],
        ["bounce"], {"jane@example.com": "ses_suppression"},
    ),
    "notification-bounce-permanent-suppressed.json": (
        [(B, "jane@example.com", {**HARD, "bounce_subtype": "Suppressed"})], ["bounce"],
        {"jane@example.com": "hard_bounce"},
    ),
    "notification-bounce-transient-general.json": (
        [(B, "jane@example.com", {**NOT_SUPPRESSED, "auto_reply": True, "bounce_type": "Transient"})], ["bounce"], {},
    ),
    "notification-bounce-transient-mailboxfull.json": (
        [(B, "jane@example.com", {**NOT_SUPPRESSED, "auto_reply": False, "bounce_subtype": "MailboxFull"})],
        ["bounce"], {},
    ),
    "notification-bounce-undetermined.json": (
        [(B, "jane@example.com", {**NOT_SUPPRESSED, "bounce_type": "Undetermined"})], ["bounce"], {},
    ),
    "notification-complaint-abuse.json": (
        [(C, "richard@example.com", {"feedback_type": "abuse", "suppress": True, "unsubscribe_all": True})],
        ["complaint"], {"richard@example.com": "complaint"},
    ),
    "notification-complaint-no-feedback-type.json": (
        [(C, "richard@example.com", {"feedback_type": None, "unsubscribe_all": True})], ["complaint"],
        {"richard@example.com": "complaint"},
    ),
    "notification-complaint-onaccountsuppressionlist.json": (
        [(C, "richard@example.com", {"unsubscribe_all": False, "suppression_reason": "ses_suppression"})],
        ["complaint"], {"richard@example.com": "ses_suppression"},
    ),
    "notification-delivery.json": ([(D, "jane@example.com", {})], ["delivery"], {}),
    "event-bounce.json": ([(B, "recipient@example.com", HARD)], ["bounce"], {"recipient@example.com": "hard_bounce"}),
    "event-complaint.json": (
        [(C, "recipient@example.com", {"feedback_type": "abuse", "unsubscribe_all": True})], ["complaint"],
        {"recipient@example.com": "complaint"},
    ),
    "event-delivery.json": ([(D, "recipient@example.com", {})], ["delivery"], {}),
    "event-reject.json": ([(R, "sender@example.com", {})], ["reject"], {}),
    "event-rendering-failure.json": ([(R, "recipient@example.com", {})], ["rendering_failure"], {}),
    "event-send.json": ([], ["send"], {}),
    "event-open.json": ([(OP, "recipient@example.com", {"ip_address": "192.0.2.1"})], ["open"], {}),
    "event-click.json": (
        [(K, "recipient@example.com", {"link": LINK, "link_tags": {"samplekey0": ["samplevalue0"],
                                                                   "samplekey1": ["samplevalue1"]}})],
        ["click"], {},
    ),
    "event-delivery-delay.json": ([], ["delivery_delay"], {}),
    "event-subscription.json": ([], ["subscription"], {}),
}  # fmt: skip
CONTRACTS = {
    B: EmailBounced,
    C: EmailComplained,
    D: EmailDelivered,
    R: EmailRejected,
    OP: EmailOpened,
    K: EmailClicked,
}


def test_every_sample_has_an_expectation(reference_dir: Path) -> None:
    names = {p.name for p in (reference_dir / "samples").glob("notification-*.json")}
    names |= {p.name for p in (reference_dir / "samples").glob("event-*.json")}
    assert names == set(EXPECT)


async def _new_endpoint(h: Harness) -> tuple[int, str]:
    pid = await make_project(h.runtime)
    r = await h.client.put(
        "/v1/feedback/endpoint", json={"allowed_topic_arns": [TOPIC]}, headers=h.api_headers(pid)
    )
    return pid, r.json()["token"]


async def _run_all_samples(h: Harness) -> set[tuple[str, str]]:
    """Post every sample in both signature versions and check each one's state; returns what was checked."""
    posted: list[tuple[str, str, int]] = []
    checked: set[tuple[str, str]] = set()
    for name in EXPECT:
        for version in ("1", "2"):
            pid, token = await _new_endpoint(h)
            r = await h.post(h.sns.notification(sample(name), version=version), token=token)
            assert r.status_code == 200, (name, r.text)
            posted.append((name, version, pid))
    await h.settle(30)
    outbox = await h.outbox()
    async with h.runtime.sessionmaker() as s:
        for name, version, pid in posted:
            contracts, event_types, suppressed = EXPECT[name]
            mine = [(rk, p) for rk, p in outbox if p.get("project_id") == pid and rk in CONTRACTS]
            assert len(mine) == len(contracts), (name, version, mine)
            for (rk, payload), (want_rk, email, fields) in zip(sorted(mine, key=lambda x: x[1]["email"]),
                                                               contracts, strict=True):  # fmt: skip
                assert rk == want_rk, (name, rk)
                parsed = CONTRACTS[rk].parse(payload)
                assert parsed.email == email and parsed.ses_message_id
                for k, v in fields.items():
                    assert getattr(parsed, k) == v, (name, version, k, getattr(parsed, k))
                if rk == R:
                    assert "Bad content" in parsed.reason or "Attribute" in parsed.reason
            stored = (
                await s.scalars(sa.select(EmailEvent.event_type).where(EmailEvent.project_id == pid))
            ).all()
            assert sorted(stored) == sorted(event_types), name
            addresses = (await s.execute(
                sa.select(FeedbackAddress.email_hash, FeedbackAddress.suppressed_reason)
                .where(FeedbackAddress.project_id == pid, FeedbackAddress.suppressed_reason.is_not(None))
            )).all()  # fmt: skip
            assert dict(addresses) == {email_hash(e): reason for e, reason in suppressed.items()}, name
            mails = [p for rk, p in outbox if rk == "mail.requested" and p["project_id"] == pid]
            if R in [c[0] for c in contracts]:
                assert len(mails) == 1 and mails[0]["kind"] == "notification", name
            buckets = (
                await s.scalars(sa.select(ReputationBucket).where(ReputationBucket.project_id == pid))
            ).all()
            hard = sum(b.hard_bounces for b in buckets)
            expected_hard = sum(
                1 for c in contracts if c[0] == B and c[2].get("suppression_reason") == "hard_bounce"
            )
            assert hard == expected_hard, name
            checked.add((name, version))
    return checked


@pytest.mark.slow
async def test_every_sample_through_the_pipeline(harness: Harness) -> None:
    assert await _run_all_samples(harness) == {(name, v) for name in EXPECT for v in ("1", "2")}


@pytest.mark.slow
@pytest.mark.rabbitmq
async def test_every_sample_through_the_pipeline_on_rabbitmq(
    sns: TestSns,
    pg_url: str,
    amqp_url: str,
    settings_for,
    bus_namespace: str,  # type: ignore[no-untyped-def]
) -> None:
    settings = settings_for(pg_url, amqp_url)
    settings.bus.exchange = bus_namespace
    async with events_harness(sns, settings) as h:
        assert await _run_all_samples(h) == {(name, v) for name in EXPECT for v in ("1", "2")}


async def test_reference_ses_vectors_with_real_aws_signatures(
    sns: TestSns, db_url: str, settings_for, reference_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """The real AWS-signed SES messages (django-ses vectors) verify with the pinned AWS cert and are processed."""
    import json
    import shutil
    import tempfile

    from services.events.settings import EventsSettings

    samples = reference_dir / "samples"
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(samples / "sns-real-signing-cert-2022-7ff5318490ec183fbaddaa2a969abfda.pem",
                    f"{tmp}/SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem")  # fmt: skip
        vectors = [json.loads((samples / n).read_text()) for n in (
            "sns-real-signed-2022-ses-event-complaint-v1-subject.json",
            "sns-real-signed-2022-ses-notification-bounce-v1.json",
        )]  # fmt: skip
        es = EventsSettings(pinned_cert_dir=tmp, max_message_age_seconds=0, digest_interval_seconds=3600)
        async with events_harness(sns, settings_for(db_url), events_settings=es,
                                  topics=[v["TopicArn"] for v in vectors]) as h:  # fmt: skip
            for v in vectors:
                r = await h.post(v)
                assert r.status_code == 200, r.text
            await h.settle()
            kinds = sorted(rk for rk, _ in await h.outbox("email."))
            assert kinds == ["email.bounced", "email.complained"]
            assert h.sns.fetched == []


async def test_metrics_count_webhook_outcomes_feedback_and_suppressions(harness: Harness) -> None:
    """The Prometheus counters move with what was recorded — once, even when SNS delivers twice."""
    from prometheus_client import REGISTRY

    def value(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    before = {
        "accepted": value("sesame_events_webhook_messages_total", outcome="accepted"),
        "duplicate": value("sesame_events_webhook_messages_total", outcome="duplicate"),
        "refused": value("sesame_events_webhook_messages_total", outcome="refused"),
        "bounce": value("sesame_events_feedback_total", type="bounce"),
        "hard": value("sesame_events_suppressions_total", reason="hard_bounce"),
    }
    pid, token = await _new_endpoint(harness)
    envelope = harness.sns.notification(sample("notification-bounce-permanent-general.json"), version="2")
    for _ in range(2):
        assert (await harness.post(envelope, token=token)).status_code == 200
    forged = {**envelope, "Message": envelope["Message"].replace("Permanent", "Transient")}
    assert (await harness.post(forged, token=token)).status_code == 403
    await harness.settle(30)
    assert value("sesame_events_webhook_messages_total", outcome="accepted") == before["accepted"] + 1
    assert value("sesame_events_webhook_messages_total", outcome="duplicate") == before["duplicate"] + 1
    assert value("sesame_events_webhook_messages_total", outcome="refused") == before["refused"] + 1
    assert value("sesame_events_feedback_total", type="bounce") == before["bounce"] + 1
    assert value("sesame_events_suppressions_total", reason="hard_bounce") == before["hard"] + 1
