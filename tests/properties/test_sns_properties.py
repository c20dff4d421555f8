"""Properties of the SNS envelope parser, string-to-sign builder and URL rules (services/events/sns_signature.py).

The string to sign is compared with an independent implementation (tests/system/sns_standin.py), signatures are
made with a throw-away key, and hostile input may only ever raise SnsVerificationError.
"""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from services.events.sns_signature import (
    SnsVerificationError,
    parse_envelope,
    string_to_sign,
    validate_signing_cert_url,
    validate_subscribe_url,
    verify_signature,
)
from tests.system.sns_standin import SnsSigner
from tests.system.sns_standin import string_to_sign as reference_string_to_sign

SIGNER = SnsSigner()
PUBLIC_KEY = SIGNER.cert.public_key()
TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"

# Text that SNS messages really carry: newlines, quotes, backslashes, non-BMP characters, JSON in JSON.
sns_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300)
subjects = st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cs",)), max_size=100))
versions = st.sampled_from(["1", "2"])


def _notification(message: str, subject: str | None, version: str) -> dict:
    return SIGNER.notification(message, subject=subject, version=version, topic_arn=TOPIC)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(sns_text, subjects, versions)
def test_string_to_sign_matches_independent_builder_and_signature_verifies(message, subject, version) -> None:
    env = _notification(message, subject, version)
    parsed = parse_envelope(json.dumps(env))
    assert string_to_sign(parsed) == reference_string_to_sign(env)
    verify_signature(parsed, PUBLIC_KEY)
    assert string_to_sign(parsed).endswith(b"\nType\nNotification\n")


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["SubscriptionConfirmation", "UnsubscribeConfirmation"]), versions)
def test_confirmations_sign_subscribe_url_and_token(kind: str, version: str) -> None:
    env = SIGNER.confirmation(kind=kind, topic_arn=TOPIC, version=version)
    parsed = parse_envelope(json.dumps(env))
    raw = string_to_sign(parsed)
    assert raw == reference_string_to_sign(env)
    assert b"\nSubscribeURL\n" in raw and b"\nToken\n" in raw
    verify_signature(parsed, PUBLIC_KEY)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(sns_text, subjects, versions, st.sampled_from(["Message", "MessageId", "Subject", "Timestamp", "TopicArn"]),
       st.data())  # fmt: skip
def test_changing_any_signed_field_breaks_the_signature(message, subject, version, field, data) -> None:
    env = _notification(message, subject, version)
    if field == "Subject" and subject is None:
        env["Subject"] = data.draw(st.text(max_size=20))
    else:
        new = data.draw(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60))
        assume(new != env[field])
        env[field] = new
    try:
        verify_signature(parse_envelope(json.dumps(env)), PUBLIC_KEY)
    except SnsVerificationError:
        return
    raise AssertionError(f"tampered {field} verified")


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(sns_text, versions, st.text(max_size=100))
def test_unsigned_fields_do_not_matter(message: str, version: str, junk: str) -> None:
    env = _notification(message, None, version)
    env["UnsubscribeURL"] = "https://example.invalid/" + junk
    env["MessageAttributes"] = {"a": {"Type": "String", "Value": junk}}
    verify_signature(parse_envelope(json.dumps(env)), PUBLIC_KEY)


def test_version_swap_breaks_the_signature() -> None:
    env = _notification("hello", None, "1")
    env["SignatureVersion"] = "2"
    with pytest.raises(SnsVerificationError):
        verify_signature(parse_envelope(json.dumps(env)), PUBLIC_KEY)


def test_subject_null_is_treated_as_absent() -> None:
    env = _notification("hello", None, "2")
    env["Subject"] = None
    verify_signature(parse_envelope(json.dumps(env)), PUBLIC_KEY)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=15), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300), json_values.map(json.dumps)))
@example(b"")
@example(b"\xff\xfe")
@example(b"[]")
@example(b'{"Type": "Notification"}')
@example(b'{"Type": "Notification", "SignatureVersion": 2}')
def test_parser_refuses_junk_with_its_own_error(body) -> None:
    try:
        parse_envelope(body)
    except SnsVerificationError as exc:
        assert exc.code
        return
    # A junk body that happens to parse must at least have every required field as a string.
    raise AssertionError(f"junk parsed: {body!r}")


REQUIRED = (
    "Type",
    "MessageId",
    "TopicArn",
    "Message",
    "Timestamp",
    "SignatureVersion",
    "Signature",
    "SigningCertURL",
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(REQUIRED), json_values, st.booleans())
def test_missing_or_mistyped_required_field_is_refused(field: str, value, drop: bool) -> None:
    env = copy.deepcopy(_BASE)
    if drop:
        del env[field]
    else:
        assume(not isinstance(value, str))
        env[field] = value
    with pytest.raises(SnsVerificationError):
        parse_envelope(json.dumps(env))


_BASE = SIGNER.notification("base", topic_arn=TOPIC)

# ------------------------------------------------------------------------------------------- URL rules

hosts = st.one_of(
    st.sampled_from([
        "sns.us-east-1.amazonaws.com", "sns.eu-west-1.amazonaws.com", "sns.cn-north-1.amazonaws.com.cn",
        "sns.us-east-1.amazonaws.com.evil.com", "evil.com", "s3.amazonaws.com", "sns.amazonaws.com",
        "sns.s3-us-west-2.amazonaws.com", "169.254.169.254", "localhost", "127.0.0.1", "[::1]",
        "sns.us-east-1.amazonaws.com.", "SNS.US-EAST-1.AMAZONAWS.COM", "sns.us-east-1.amazonaws.co",
        "xsns.us-east-1.amazonaws.com", "sns.us-east-1.amazonaws.com:8443", "sns.us-east-1.amazonaws.com:443",
        "user@sns.us-east-1.amazonaws.com", "sns.us-east-1.amazonaws.com@evil.com", "evil.com#@sns.us-east-1.amazonaws.com",
    ]),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789.-:@[]", min_size=1, max_size=40),
)  # fmt: skip
schemes = st.sampled_from(["https", "http", "HTTPS", "ftp", "file", "gopher", ""])
paths = st.sampled_from(
    ["/SimpleNotificationService-abc.pem", "/x.pem", "/x.pem?a=1", "/x.txt", "/../x.pem", "/x.pem#f", ""]
)


def _is_sns_host(host: str) -> bool:
    import re

    return bool(re.fullmatch(r"sns\.[a-z]{2}(-[a-z]+)+-\d{1,2}\.amazonaws\.com(\.cn)?", host))


@settings(max_examples=400)
@given(schemes, hosts, paths)
def test_cert_url_accepted_only_for_https_sns_hosts(scheme: str, host: str, path: str) -> None:
    url = f"{scheme}://{host}{path}" if scheme else f"{host}{path}"
    try:
        out = validate_signing_cert_url(url)
    except SnsVerificationError:
        return
    from urllib.parse import urlsplit

    parts = urlsplit(out)
    assert parts.scheme == "https"
    assert _is_sns_host(parts.hostname or ""), out
    assert parts.port in (None, 443)
    assert parts.path.endswith(".pem") and not parts.query and not parts.username


@settings(max_examples=400)
@given(schemes, hosts, st.sampled_from(["/", "", "/x"]), st.sampled_from(["ConfirmSubscription", "Unsubscribe", "x"]),
       st.sampled_from([TOPIC, "arn:aws:sns:us-east-1:123456789012:other"]), st.sampled_from(["tok", ""]))  # fmt: skip
def test_subscribe_url_accepted_only_for_the_topics_own_sns_endpoint(
    scheme, host, path, action, topic, token
) -> None:
    url = f"{scheme}://{host}{path}?Action={action}&TopicArn={topic}&Token={token}"
    try:
        validate_subscribe_url(url, TOPIC)
    except SnsVerificationError:
        return
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    assert parts.scheme == "https" and (parts.hostname or "") == "sns.us-east-1.amazonaws.com"
    q = parse_qs(parts.query)
    assert q["Action"] == ["ConfirmSubscription"] and q["TopicArn"] == [TOPIC] and q["Token"][0]


def _verdict(case: dict) -> bool:
    expected = case["expected"]
    if expected == "implementation-defined":
        expected = case.get("recommended") or "reject"
    return expected.startswith("accept")


def test_reference_cert_url_cases(reference_dir) -> None:
    """Every SigningCertURL case in the reference file gets the documented (or recommended) verdict."""
    cases = json.loads((reference_dir / "samples" / "sns-cert-url-cases.json").read_text())["cases"]
    wrong = []
    for case in cases:
        try:
            validate_signing_cert_url(case["url"])
            ok = True
        except SnsVerificationError:
            ok = False
        if ok != _verdict(case):
            wrong.append((case["url"], case["expected"], case.get("recommended")))
    assert not wrong, wrong


def test_reference_subscribe_url_cases(reference_dir) -> None:
    """Every SubscribeURL (SSRF) case in the reference file gets its verdict."""
    data = json.loads((reference_dir / "samples" / "sns-subscribe-url-cases.json").read_text())
    topic = data["expected_topic_arn"]
    wrong = []
    for case in data["cases"]:
        try:
            validate_subscribe_url(case["url"], topic)
            ok = True
        except SnsVerificationError:
            ok = False
        if ok != _verdict(case):
            wrong.append((case["url"], case["expected"]))
    assert not wrong, wrong
