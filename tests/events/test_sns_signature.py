"""SNS verification against the reference vectors: real AWS-signed messages with their certificates (no
freshness or validity enforced for them), synthetic ones with the synthetic cert, the tampered one failing, the
exact strings to sign, and the age rule."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509

from services.events.sns_signature import (
    SnsVerificationError,
    check_age,
    parse_envelope,
    string_to_sign,
    verify_signature,
)
from tests.support.sns import TestSns, reference_string_to_sign, sns_timestamp

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "samples"
REAL = sorted(p.name for p in SAMPLES.glob("sns-real-signed-*.json"))
SYNTHETIC = sorted(p.name for p in SAMPLES.glob("sns-synthetic-signed-*.json"))


def _key_for(env_url: str):  # type: ignore[no-untyped-def]
    name = env_url.rsplit("-", 1)[-1]
    matches = list(SAMPLES.glob(f"sns-real-signing-cert-*-{name}"))
    path = matches[0] if matches else SAMPLES / "sns-synthetic-signing-cert.pem"
    return x509.load_pem_x509_certificate(path.read_bytes()).public_key()


def test_reference_vectors_are_all_present() -> None:
    assert len(REAL) == 9 and len(SYNTHETIC) == 7


@pytest.mark.parametrize("name", REAL + SYNTHETIC)
def test_vector_verifies_with_its_certificate(name: str) -> None:
    env = parse_envelope((SAMPLES / name).read_bytes())
    verify_signature(env, _key_for(env.signing_cert_url))
    assert env.signature_version in ("1", "2")


def test_both_signature_versions_are_covered() -> None:
    versions = {parse_envelope((SAMPLES / n).read_bytes()).signature_version for n in REAL + SYNTHETIC}
    assert versions == {"1", "2"}


def test_tampered_vector_fails() -> None:
    env = parse_envelope((SAMPLES / "sns-synthetic-tampered-notification-ses-bounce-v1.json").read_bytes())
    with pytest.raises(SnsVerificationError) as err:
        verify_signature(env, _key_for(env.signing_cert_url))
    assert err.value.code == "bad_signature"


def test_real_vector_fails_with_another_certificate() -> None:
    env = parse_envelope((SAMPLES / "sns-real-signed-2022-notification-v2.json").read_bytes())
    other = x509.load_pem_x509_certificate(
        (SAMPLES / "sns-synthetic-signing-cert.pem").read_bytes()
    ).public_key()
    with pytest.raises(SnsVerificationError):
        verify_signature(env, other)


@pytest.mark.parametrize(
    ("txt", "vector"),
    [
        ("sns-string-to-sign-real-2022-notification-v1-subject.txt", "sns-real-signed-2022-notification-v1-subject.json"),
        ("sns-string-to-sign-synthetic-subscription-confirmation-v2.txt",
         "sns-synthetic-signed-subscription-confirmation-v2.json"),
        ("sns-string-to-sign-synthetic-notification-subject-unicode-v2.txt",
         "sns-synthetic-signed-notification-subject-unicode-v2.json"),
    ],
)  # fmt: skip
def test_exact_string_to_sign(txt: str, vector: str) -> None:
    env = parse_envelope((SAMPLES / vector).read_bytes())
    assert string_to_sign(env) == (SAMPLES / txt).read_bytes()


def test_lambda_style_keys_and_null_subject() -> None:
    raw = json.loads((SAMPLES / "sns-real-signed-2022-lambda-style-v1.json").read_text())
    assert raw["Subject"] is None and "SigningCertUrl" in raw
    env = parse_envelope(raw)
    assert env.subject is None and env.signing_cert_url.endswith(".pem")
    assert b"Subject" not in string_to_sign(env)


def test_timestamp_is_signed_as_received() -> None:
    env = parse_envelope((SAMPLES / "sns-synthetic-signed-notification-ses-bounce-v1.json").read_bytes())
    assert env.timestamp.endswith(".000Z") and f"Timestamp\n{env.timestamp}\n".encode() in string_to_sign(env)


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize("kind", ["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"])
def test_test_helper_signs_what_the_service_verifies(version: str, kind: str) -> None:
    sns = TestSns()
    raw = sns.notification("hi\n\"there\" ✓ 😀", subject="S", version=version) if kind == "Notification" else \
        sns.confirmation(kind=kind, version=version)  # fmt: skip
    env = parse_envelope(json.dumps(raw))
    assert string_to_sign(env) == reference_string_to_sign(raw)
    verify_signature(env, sns.cert.public_key())
    # the other algorithm with the same bytes fails (a v1 signature presented as v2 and vice versa)
    raw["SignatureVersion"] = "2" if version == "1" else "1"
    with pytest.raises(SnsVerificationError):
        verify_signature(parse_envelope(json.dumps(raw)), sns.cert.public_key())


def test_unknown_signature_versions_refused() -> None:
    raw = json.loads((SAMPLES / "sns-real-signed-2022-notification-v2.json").read_text())
    for bad in ("3", "0", "", 2, None, "SHA256"):
        raw["SignatureVersion"] = bad
        with pytest.raises(SnsVerificationError) as err:
            parse_envelope(raw)
        assert err.value.code == "unknown_signature_version"


def test_message_age() -> None:
    sns = TestSns()
    now = datetime.now(UTC)
    fresh = parse_envelope(sns.notification("x", timestamp=sns_timestamp(now - timedelta(minutes=59))))
    check_age(fresh, now=now, max_age_seconds=3600)
    old = parse_envelope(sns.notification("x", timestamp=sns_timestamp(now - timedelta(hours=2))))
    with pytest.raises(SnsVerificationError) as err:
        check_age(old, now=now, max_age_seconds=3600)
    assert err.value.code == "stale_message"
    check_age(old, now=now, max_age_seconds=0)  # 0 disables (replaying archived messages)
    future = parse_envelope(sns.notification("x", timestamp=sns_timestamp(now + timedelta(minutes=30))))
    with pytest.raises(SnsVerificationError):
        check_age(future, now=now, max_age_seconds=3600)
    bad = parse_envelope(sns.notification("x", timestamp="yesterday"))
    with pytest.raises(SnsVerificationError):
        check_age(bad, now=now, max_age_seconds=0)
