"""The SNS webhook on both dialects: accepted messages, confirmations, and the hostile catalogue (each refused
with a 4xx, nothing fetched from an untrusted host, the inbox never losing a stored message)."""

from __future__ import annotations

import asyncio
import base64
import copy
import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from shared.models.events import SnsSubscription
from tests.events.conftest import Harness, sample
from tests.support.sns import TOPIC, TestSns, sns_timestamp

BOUNCE = sample("notification-bounce-permanent-general.json")


async def test_notification_is_stored_once_and_processed(harness: Harness) -> None:
    env = harness.sns.notification(BOUNCE, version="1")
    r = await harness.post(env)
    assert r.status_code == 200 and r.json() == {"status": "accepted"}
    r2 = await harness.post(env)  # SNS retry: same MessageId
    assert r2.status_code == 200 and r2.json() == {"status": "duplicate"}
    rows = await harness.settle()
    assert [(r.message_id, r.status) for r in rows] == [(env["MessageId"], "processed")]
    assert harness.sns.fetched == [harness.sns.cert_url]  # fetched once, then cached


async def test_internal_token_required(harness: Harness) -> None:
    env = harness.sns.notification(BOUNCE)
    r = await harness.client.post(f"/webhooks/sns/{harness.token}", content=json.dumps(env))
    assert r.status_code == 401
    assert await harness.inbox() == []


async def test_unknown_endpoint_token(harness: Harness) -> None:
    r = await harness.post(harness.sns.notification(BOUNCE), token="nope")
    assert r.status_code == 404
    r = await harness.post(harness.sns.notification(BOUNCE), token="x" * 200)
    assert r.status_code == 404


async def test_subscription_confirmation_fetches_only_the_validated_url(harness: Harness) -> None:
    env = harness.sns.confirmation(version="2")
    r = await harness.post(env)
    assert r.status_code == 200 and r.json() == {"status": "confirmed"}
    assert harness.confirmed == [env["SubscribeURL"]]
    async with harness.runtime.sessionmaker() as s:
        sub = (await s.scalars(sa.select(SnsSubscription))).one()
    assert (sub.topic_arn, sub.status) == (TOPIC, "confirmed")
    r = await harness.client.get("/v1/feedback/endpoint", headers=harness.api_headers())
    assert r.json()["subscriptions"][0]["status"] == "confirmed"
    assert r.json()["url"].endswith(f"/webhooks/sns/{harness.token}")


async def test_unsubscribe_confirmation_is_recorded_and_alerts_owner(harness: Harness) -> None:
    env = harness.sns.confirmation(kind="UnsubscribeConfirmation", version="1")
    r = await harness.post(env)
    assert r.status_code == 200 and r.json() == {"status": "recorded"}
    assert (await harness.post(env)).status_code == 200  # an SNS retry: still one alert
    assert harness.confirmed == []  # never visited automatically
    mails = await harness.outbox("mail.requested")
    assert len(mails) == 1
    assert mails[0][1]["to"] == "owner@example.com" and mails[0][1]["kind"] == "notification"
    assert TOPIC in mails[0][1]["text"]


async def test_confirm_failure_is_recorded(sns: TestSns, db_url: str, settings_for) -> None:  # type: ignore[no-untyped-def]
    from tests.events.conftest import events_harness

    async with events_harness(sns, settings_for(db_url), confirm_fails=True) as h:
        r = await h.post(h.sns.confirmation())
        assert r.status_code == 502
        async with h.runtime.sessionmaker() as s:
            sub = (await s.scalars(sa.select(SnsSubscription))).one()
        assert sub.status == "confirm_failed" and "403" in (sub.detail or "")


# ------------------------------------------------------------------------------------------ hostile catalogue


def _resign_with_url(sns: TestSns, env: dict, field: str, value: str) -> dict:
    env = copy.deepcopy(env)
    env[field] = value
    env.pop("Signature")
    return sns.sign(env, env["SignatureVersion"])


async def _assert_refused(
    h: Harness, payload, status: int | tuple[int, ...], *, fetched: bool = False
) -> None:  # type: ignore[no-untyped-def]
    before = len(h.sns.fetched)
    r = await h.post(payload)
    statuses = status if isinstance(status, tuple) else (status,)
    assert r.status_code in statuses, (r.status_code, r.text)
    assert "error" in r.json()
    if not fetched:
        assert len(h.sns.fetched) == before, "a certificate was fetched for a refused message"
    assert h.confirmed == []


async def test_hostile_catalogue(harness: Harness) -> None:
    h, sns = harness, harness.sns
    good = sns.notification(BOUNCE, version="2")
    # a stored, legitimate message first: nothing below may remove or alter it
    assert (await h.post(good)).status_code == 200
    stored = [(r.message_id, r.body) for r in await h.settle()]

    # forged: signed by another key, same (trusted) cert URL
    forger = TestSns()
    forged = forger.notification(BOUNCE)
    forged["SigningCertURL"] = sns.cert_url
    await _assert_refused(h, forged, 403, fetched=True)
    # tampered after signing (the message body, the subject, the topic timestamp)
    for fld, value in (
        ("Message", json.dumps({**BOUNCE, "notificationType": "Delivery"})),
        ("MessageId", "x-1"),
    ):
        t = copy.deepcopy(good)
        t[fld] = value
        await _assert_refused(h, t, 403, fetched=True)
    t = copy.deepcopy(good)
    t["Subject"] = "added later"
    await _assert_refused(h, t, 403, fetched=True)
    # replayed: older than an hour (SNS gives up retrying after one hour)
    old = sns.notification(BOUNCE, timestamp=sns_timestamp(datetime.now(UTC) - timedelta(hours=2)))
    await _assert_refused(h, old, 400)
    future = sns.notification(BOUNCE, timestamp=sns_timestamp(datetime.now(UTC) + timedelta(hours=1)))
    await _assert_refused(h, future, 400)
    # truncated bodies
    raw = json.dumps(good).encode()
    for cut in (0, 1, len(raw) // 2, len(raw) - 1):
        await _assert_refused(h, raw[:cut], 400)
    # unknown / missing / numeric SignatureVersion, bad base64 signature
    for version in ("3", "0", "", None, 1):
        t = copy.deepcopy(good)
        t["SignatureVersion"] = version
        await _assert_refused(h, t, 400)
    t = copy.deepcopy(good)
    t["Signature"] = "%%%not-base64%%%"
    await _assert_refused(h, t, 400)
    t = copy.deepcopy(good)
    t["Signature"] = base64.b64encode(b"\0" * 256).decode()
    await _assert_refused(h, t, 403, fetched=True)
    # cert URLs on other hosts, http, odd ports, userinfo, non-.pem: refused before any download
    for url in (
        "https://evil.example/SimpleNotificationService-1.pem",
        "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem",
        "https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-1.pem",
        "https://sns.us-east-1.amazonaws.com@evil.example/SimpleNotificationService-1.pem",
        "https://user:pw@sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem",
        "https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-1.pem",
        "https://s3.amazonaws.com/bucket/SimpleNotificationService-1.pem",
        "https://sns.s3-us-west-2.amazonaws.com/SimpleNotificationService-1.pem",
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.txt",
        "https://169.254.169.254/latest/meta-data.pem",
    ):
        await _assert_refused(h, _resign_with_url(sns, good, "SigningCertURL", url), 400)
    # a topic not on the endpoint's allow-list (any AWS customer can get a validly signed message)
    await _assert_refused(
        h, sns.notification(BOUNCE, topic_arn="arn:aws:sns:us-east-1:999999999999:other"), 403
    )
    # bad SubscribeURLs in (validly signed) confirmations: refused, nothing fetched or confirmed
    for url in (
        "http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=" + TOPIC + "&Token=t",
        "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=" + TOPIC + "&Token=t",
        "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:1:o&Token=t",
        "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&TopicArn=" + TOPIC + "&Token=t",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "https://localhost:8443/admin",
        "https://sns.us-east-1.amazonaws.com@10.0.0.1/?Action=ConfirmSubscription&TopicArn="
        + TOPIC
        + "&Token=t",
        "https://sns.us-east-1.amazonaws.com:444/?Action=ConfirmSubscription&TopicArn=" + TOPIC + "&Token=t",
    ):
        await _assert_refused(h, sns.confirmation(subscribe_url=url), 400, fetched=True)
    # non-JSON, JSON but not an object, unknown Type, raw message delivery (no envelope)
    for junk in (b"hello", b"\xff\xfe\x00", b"[1,2]", b"null", json.dumps({"Type": "Nope"}).encode(),
                 json.dumps(BOUNCE).encode()):  # fmt: skip
        await _assert_refused(h, junk, 400)
    # huge body
    await _assert_refused(h, b"{" + b" " * 300_000 + b"}", 413)
    # Message that is not SES JSON (authentic and allow-listed): 422, kept as rejected for the operator
    for msg in ("Hello world", json.dumps({"foo": "bar"}), "[]"):
        await _assert_refused(h, sns.notification(msg), 422)

    rows = await h.inbox()
    assert [(r.message_id, r.body) for r in rows if r.status == "processed"] == stored
    assert sorted(r.status for r in rows) == ["processed"] + ["rejected"] * 3


async def test_reference_tampered_vector_refused_with_synthetic_cert(
    sns: TestSns, db_url: str, settings_for, reference_dir
) -> None:  # type: ignore[no-untyped-def]
    """The synthetic vectors verify through the webhook with the synthetic cert pinned; the tampered one fails."""
    import shutil
    import tempfile

    from services.events.settings import EventsSettings
    from tests.events.conftest import events_harness

    samples = reference_dir / "samples"
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(samples / "sns-synthetic-signing-cert.pem",
                    f"{tmp}/SimpleNotificationService-00000000000000000000000000000000.pem")  # fmt: skip
        es = EventsSettings(pinned_cert_dir=tmp, max_message_age_seconds=0, digest_interval_seconds=3600)
        async with events_harness(sns, settings_for(db_url), events_settings=es,
                                  topics=["arn:aws:sns:us-east-1:123456789012:ses-feedback"]) as h:  # fmt: skip
            ok = json.loads((samples / "sns-synthetic-signed-notification-ses-bounce-v1.json").read_text())
            bad = json.loads((samples / "sns-synthetic-tampered-notification-ses-bounce-v1.json").read_text())
            r = await h.post(bad)
            assert r.status_code == 403 and r.json()["error"] == "bad_signature"
            r = await h.post(ok)
            assert r.status_code == 200
            conf = json.loads(
                (samples / "sns-synthetic-signed-subscription-confirmation-v2.json").read_text()
            )
            assert (await h.post(conf)).status_code == 200
            assert h.confirmed == [conf["SubscribeURL"]]
            assert h.sns.fetched == []  # pinned: nothing downloaded


async def test_concurrent_duplicate_deliveries_store_once(harness: Harness) -> None:
    env = harness.sns.notification(BOUNCE)
    responses = await asyncio.gather(*[harness.post(env) for _ in range(12)])
    assert all(r.status_code == 200 for r in responses)
    assert sorted(r.json()["status"] for r in responses) == ["accepted"] + ["duplicate"] * 11
    rows = await harness.settle()
    assert len(rows) == 1
    bounced = await harness.outbox("email.bounced")
    assert len(bounced) == 1


async def test_certificate_download_failure_asks_sns_to_retry(db_url: str, settings_for) -> None:  # type: ignore[no-untyped-def]
    """A temporarily unreachable certificate host is a 503 (SNS retries), never a 4xx that would drop the message."""
    from services.events.certs import CertificateUnavailable
    from tests.events.conftest import events_harness

    class Down(TestSns):
        async def fetch(self, url: str) -> bytes:
            self.fetched.append(url)
            raise CertificateUnavailable("timeout")

    async with events_harness(Down(), settings_for(db_url)) as h:
        r = await h.post(h.sns.notification(BOUNCE))
        assert r.status_code == 503 and r.json()["error"] == "certificate_unavailable"
        assert await h.inbox() == []
        r = await h.client.get("/v1/reputation?series=1y", headers=h.api_headers())
        assert r.status_code == 400
