"""Amazon SNS message verification, pure and synchronous: envelope parsing, string to sign, RSA check, URL rules.

Follows ../shared/reference/sns-signature-spec.md. Nothing here does I/O: the certificate is fetched elsewhere
(`certs.py`) and only after `validate_signing_cert_url` accepted its URL.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

MESSAGE_TYPES = ("Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation")
NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}

# A region label: us-east-1, eu-central-1, us-gov-west-1, cn-north-1, ap-southeast-4 … (never s3-us-west-2).
REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
DEFAULT_SUFFIXES = ("amazonaws.com", "amazonaws.com.cn")
_TOPIC_ARN_RE = re.compile(r"^arn:aws(-cn|-us-gov)?:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,256})$")
_LAMBDA_NAMES = {
    "SigningCertUrl": "SigningCertURL",
    "UnsubscribeUrl": "UnsubscribeURL",
    "SubscribeUrl": "SubscribeURL",
}


class SnsVerificationError(ValueError):
    """The message is not an authentic, acceptable SNS message. `code` is a short machine-readable reason."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class SnsEnvelope:
    """The fields of an SNS HTTP(S) message this service uses (values exactly as received)."""

    type: str
    message_id: str
    topic_arn: str
    message: str
    timestamp: str
    signature_version: str
    signature: bytes
    signing_cert_url: str
    subject: str | None = None
    subscribe_url: str | None = None
    token: str | None = None
    unsubscribe_url: str | None = None

    @property
    def region(self) -> str:
        return topic_region(self.topic_arn)

    def fields(self) -> dict[str, str | None]:
        return {
            "Message": self.message,
            "MessageId": self.message_id,
            "Subject": self.subject,
            "SubscribeURL": self.subscribe_url,
            "Timestamp": self.timestamp,
            "Token": self.token,
            "TopicArn": self.topic_arn,
            "Type": self.type,
        }


def _str_field(
    doc: dict[str, Any], name: str, *, required: bool = True, max_len: int = 300_000
) -> str | None:
    value = doc.get(name)
    if value is None:
        if required:
            raise SnsVerificationError("missing_field", f"{name} is missing")
        return None
    if not isinstance(value, str):
        raise SnsVerificationError("bad_field", f"{name} must be a string")
    if required and value == "":
        raise SnsVerificationError("missing_field", f"{name} is empty")
    if len(value) > max_len:
        raise SnsVerificationError("bad_field", f"{name} is too long")
    return value


def parse_envelope(body: bytes | str | dict[str, Any]) -> SnsEnvelope:
    """Decode an SNS POST body (JSON whatever the Content-Type); Lambda-style key casing is normalised."""
    if isinstance(body, dict):
        doc = body
    else:
        try:
            doc = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SnsVerificationError("not_json", f"body is not JSON: {exc.__class__.__name__}") from None
    if not isinstance(doc, dict):
        raise SnsVerificationError("not_json", "body is not a JSON object")
    doc = {_LAMBDA_NAMES.get(k, k): v for k, v in doc.items()}
    mtype = _str_field(doc, "Type")
    if mtype not in MESSAGE_TYPES:
        raise SnsVerificationError("unknown_type", f"Type {mtype!r} is not an SNS message type")
    version = doc.get("SignatureVersion")
    if not isinstance(version, str) or version not in _HASHES:
        raise SnsVerificationError(
            "unknown_signature_version", f"SignatureVersion {version!r} is not supported"
        )
    raw_sig = _str_field(doc, "Signature", max_len=2048)
    try:
        signature = base64.b64decode(raw_sig or "", validate=True)
    except (binascii.Error, ValueError):
        raise SnsVerificationError("bad_signature", "Signature is not base64") from None
    confirmation = mtype != "Notification"
    return SnsEnvelope(
        type=mtype,
        message_id=_str_field(doc, "MessageId", max_len=100) or "",
        topic_arn=_str_field(doc, "TopicArn", max_len=300) or "",
        message=_str_field(doc, "Message") or "",
        timestamp=_str_field(doc, "Timestamp", max_len=40) or "",
        signature_version=version,
        signature=signature,
        signing_cert_url=_str_field(doc, "SigningCertURL", max_len=1024) or "",
        subject=_str_field(doc, "Subject", required=False, max_len=1024) if not confirmation else None,
        subscribe_url=_str_field(doc, "SubscribeURL", max_len=4096) if confirmation else None,
        token=_str_field(doc, "Token", max_len=4096) if confirmation else None,
        unsubscribe_url=_str_field(doc, "UnsubscribeURL", required=False, max_len=4096),
    )


def string_to_sign(env: SnsEnvelope) -> bytes:
    """The exact bytes SNS signed: `Name\\nvalue\\n` per signed field in byte order, absent/null fields skipped."""
    names = NOTIFICATION_FIELDS if env.type == "Notification" else CONFIRMATION_FIELDS
    values = env.fields()
    parts: list[str] = []
    for name in names:
        value = values[name]
        if value is None:
            continue
        parts.append(f"{name}\n{value}\n")
    return "".join(parts).encode("utf-8")


def verify_signature(env: SnsEnvelope, public_key: rsa.RSAPublicKey) -> None:
    """Check the RSA PKCS#1 v1.5 signature (SHA1 for version 1, SHA256 for version 2); raises if it fails."""
    algorithm = _HASHES.get(env.signature_version)
    if algorithm is None:
        raise SnsVerificationError("unknown_signature_version", f"SignatureVersion {env.signature_version!r}")
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SnsVerificationError("bad_certificate", "signing certificate does not hold an RSA key")
    try:
        public_key.verify(env.signature, string_to_sign(env), padding.PKCS1v15(), algorithm())
    except InvalidSignature:
        raise SnsVerificationError("bad_signature", "signature does not match the message") from None


def _host_ok(host: str, suffixes: tuple[str, ...], regions: frozenset[str] | None) -> str | None:
    """The region of an `sns.<region>.<suffix>` host, or None."""
    for suffix in suffixes:
        tail = "." + suffix
        if host.startswith("sns.") and host.endswith(tail):
            region = host[4 : -len(tail)]
            if REGION_RE.match(region) and (regions is None or region in regions):
                return region
    return None


def _parsed_https_sns(url: str, suffixes: tuple[str, ...], regions: frozenset[str] | None, what: str):  # type: ignore[no-untyped-def]
    if not isinstance(url, str) or len(url) > 4096 or any(c in url for c in "\\\r\n\t "):
        raise SnsVerificationError(f"bad_{what}", f"{what} is not a plain URL")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise SnsVerificationError(f"bad_{what}", f"{what} does not parse") from None
    if parts.scheme != "https":
        raise SnsVerificationError(f"bad_{what}", f"{what} must use https")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise SnsVerificationError(f"bad_{what}", f"{what} must not carry user information")
    if port not in (None, 443):
        raise SnsVerificationError(f"bad_{what}", f"{what} must use the default https port")
    host = (parts.hostname or "").lower()
    region = _host_ok(host, suffixes, regions)
    if region is None:
        raise SnsVerificationError(f"bad_{what}", f"{what} host {host!r} is not an SNS endpoint")
    if parts.fragment:
        raise SnsVerificationError(f"bad_{what}", f"{what} must not have a fragment")
    return parts, region


def validate_signing_cert_url(
    url: str, *, suffixes: tuple[str, ...] = DEFAULT_SUFFIXES, regions: frozenset[str] | None = None
) -> str:
    """Accept only `https://sns.<region>.amazonaws.com(.cn)/….pem`; returns the URL with its host lower-cased."""
    parts, _region = _parsed_https_sns(url, suffixes, regions, "cert_url")
    if not parts.path.endswith(".pem") or parts.query:
        raise SnsVerificationError("bad_cert_url", "SigningCertURL must name a .pem file")
    return f"https://{parts.hostname.lower()}{parts.path}"  # type: ignore[union-attr]


def topic_region(topic_arn: str) -> str:
    m = _TOPIC_ARN_RE.match(topic_arn or "")
    if not m:
        raise SnsVerificationError("bad_topic_arn", "TopicArn is not an SNS topic ARN")
    return m.group(2)


def is_topic_arn(value: str) -> bool:
    return bool(_TOPIC_ARN_RE.match(value or ""))


def validate_subscribe_url(
    url: str,
    topic_arn: str,
    *,
    suffixes: tuple[str, ...] = DEFAULT_SUFFIXES,
    regions: frozenset[str] | None = None,
) -> str:
    """Accept only `https://sns.<TopicArn region>.amazonaws.com/?Action=ConfirmSubscription&TopicArn=<same>&Token=…`."""
    parts, region = _parsed_https_sns(url, suffixes, regions, "subscribe_url")
    if region != topic_region(topic_arn):
        raise SnsVerificationError("bad_subscribe_url", "SubscribeURL region differs from the topic's")
    if parts.path not in ("", "/"):
        raise SnsVerificationError("bad_subscribe_url", "SubscribeURL has an unexpected path")
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=False)
    if query.get("Action") != ["ConfirmSubscription"]:
        raise SnsVerificationError("bad_subscribe_url", "SubscribeURL is not a ConfirmSubscription call")
    if query.get("TopicArn") != [topic_arn]:
        raise SnsVerificationError("bad_subscribe_url", "SubscribeURL names another topic")
    if len(query.get("Token", [])) != 1 or not query["Token"][0]:
        raise SnsVerificationError("bad_subscribe_url", "SubscribeURL has no token")
    return url


def parse_timestamp(value: str) -> datetime:
    """SNS `Timestamp` (ISO-8601, `Z`) as an aware UTC datetime; never used to rebuild the signed string."""
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SnsVerificationError("bad_timestamp", "Timestamp is not ISO-8601") from None
    if ts.tzinfo is None:
        raise SnsVerificationError("bad_timestamp", "Timestamp has no time zone")
    return ts.astimezone(UTC)


def check_age(env: SnsEnvelope, *, now: datetime, max_age_seconds: float, skew_seconds: float = 300) -> None:
    """Refuse messages older than `max_age_seconds` (+ skew) or dated in the future (0 disables the check)."""
    ts = parse_timestamp(env.timestamp)
    if max_age_seconds <= 0:
        return
    if now - ts > timedelta(seconds=max_age_seconds + skew_seconds):
        raise SnsVerificationError("stale_message", f"message is older than {int(max_age_seconds)} s")
    if ts - now > timedelta(seconds=skew_seconds):
        raise SnsVerificationError("future_message", "message is dated in the future")
