"""SNS signing for tests: a throw-away test CA and signing certificate generated at test time, real-format
envelopes signed with SignatureVersion 1 or 2, and a recording certificate fetcher.

The events service never trusts these unless told to: tests either inject `TestSns.fetch` as the certificate
fetcher (so the download is stubbed and its calls are observable) or pass `write_anchor()` as the explicit test
trust anchor (SESAME_EVENTS_TEST_TRUST_ANCHOR_PEM + SESAME_EVENTS_ALLOW_TEST_TRUST_ANCHOR=true).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"
_NOTIFICATION = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
_CONFIRMATION = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")


def sns_timestamp(when: dt.datetime | None = None) -> str:
    """SNS's Timestamp format: milliseconds and a Z."""
    when = when or dt.datetime.now(dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def reference_string_to_sign(envelope: dict[str, Any]) -> bytes:
    """Independent of the service's builder: `Name\\nvalue\\n` for each signed, present, non-null field."""
    names = _NOTIFICATION if envelope["Type"] == "Notification" else _CONFIRMATION
    return "".join(f"{n}\n{envelope[n]}\n" for n in names if envelope.get(n) is not None).encode()


def _name(org: str, cn: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.ORGANIZATION_NAME, org), x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    )


class TestSns:
    """A test CA, a signing certificate it issued (CN=sns.amazonaws.com) and the URL it claims to live at."""

    __test__ = False  # not a pytest class

    def __init__(self, region: str = "us-east-1") -> None:
        now = dt.datetime.now(dt.UTC)
        self.ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ca_name = _name("SESAME TEST CA - NOT AWS", "Sesame Test Root")
        self.ca_cert = (
            x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
            .public_key(self.ca_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(self.ca_key, hashes.SHA256())
        )  # fmt: skip
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.cert = (
            x509.CertificateBuilder().subject_name(_name("SESAME TEST CERTIFICATE - NOT ISSUED BY AWS", "sns.amazonaws.com"))
            .issuer_name(ca_name).public_key(self.key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=90))
            .sign(self.ca_key, hashes.SHA256())
        )  # fmt: skip
        self.cert_pem = self.cert.public_bytes(serialization.Encoding.PEM)
        self.region = region
        digest = hashlib.md5(self.cert_pem).hexdigest()  # noqa: S324 - a file name, like AWS's
        self.cert_url = f"https://sns.{region}.amazonaws.com/SimpleNotificationService-{digest}.pem"
        self.fetched: list[str] = []

    # ------------------------------------------------------------------ trust
    async def fetch(self, url: str) -> bytes:
        """Stand-in for the certificate download: records the URL, serves the test cert for its own URL only."""
        self.fetched.append(url)
        if url != self.cert_url:
            raise AssertionError(f"the service fetched an unexpected certificate URL: {url}")
        return self.cert_pem

    def write_anchor(self, directory: Path) -> Path:
        path = directory / "sns-test-anchor.pem"
        path.write_bytes(self.cert_pem)
        return path

    # ------------------------------------------------------------------ envelopes
    def sign(self, envelope: dict[str, Any], version: str = "2") -> dict[str, Any]:
        """Set SignatureVersion / SigningCertURL / Signature in place (SHA1withRSA for 1, SHA256withRSA for 2)."""
        algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()  # noqa: S303 - SNS v1 is SHA1
        envelope["SignatureVersion"] = version
        envelope.setdefault("SigningCertURL", self.cert_url)
        signature = self.key.sign(reference_string_to_sign(envelope), padding.PKCS1v15(), algorithm)
        envelope["Signature"] = base64.b64encode(signature).decode()
        return envelope

    def notification(
        self, message: str | dict[str, Any], *, topic_arn: str = TOPIC, subject: str | None = None,
        message_id: str | None = None, timestamp: str | None = None, version: str = "2",
    ) -> dict[str, Any]:  # fmt: skip
        env: dict[str, Any] = {
            "Type": "Notification",
            "MessageId": message_id or str(uuid.uuid4()),
            "TopicArn": topic_arn,
            "Message": message if isinstance(message, str) else json.dumps(message, separators=(",", ":")),
            "Timestamp": timestamp or sns_timestamp(),
        }
        if subject is not None:
            env["Subject"] = subject
        self.sign(env, version)
        env["UnsubscribeURL"] = (
            f"https://sns.{self.region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={topic_arn}:{uuid.uuid4()}"
        )
        return env

    def confirmation(
        self, *, kind: str = "SubscriptionConfirmation", topic_arn: str = TOPIC, subscribe_url: str | None = None,
        token: str | None = None, version: str = "2",
    ) -> dict[str, Any]:  # fmt: skip
        token = token or uuid.uuid4().hex * 2
        env: dict[str, Any] = {
            "Type": kind,
            "MessageId": str(uuid.uuid4()),
            "Token": token,
            "TopicArn": topic_arn,
            "Message": f"You have chosen to subscribe to the topic {topic_arn}.\n"
            "To confirm the subscription, visit the SubscribeURL included in this message.",
            "SubscribeURL": subscribe_url
            or f"https://sns.{self.region}.amazonaws.com/?Action=ConfirmSubscription&TopicArn={topic_arn}&Token={token}",
            "Timestamp": sns_timestamp(),
        }
        return self.sign(env, version)


def body(envelope: dict[str, Any]) -> bytes:
    """The POST body SNS sends (JSON, text/plain)."""
    return json.dumps(envelope).encode()
