"""An SNS stand-in: real-format HTTP(S) envelopes signed with a test certificate, POSTed like SNS does.

- `SnsSigner` holds a throw-away RSA key and a self-signed certificate (CN=sns.amazonaws.com, organisation
  "SESAME TEST CERTIFICATE") published under a real-looking `SigningCertURL`. The events service trusts it only
  through its explicit test-trust-anchor setting (the harness passes the PEM file).
- `ses_feedback_for(mail)` derives the SES feedback a real mailbox-simulator recipient would cause
  (`bounce…@` → Permanent/General bounce, `complaint…@` → abuse complaint, `suppressionlist…@` →
  Permanent/Suppressed, `ooto…@` → Transient auto-reply, anything else → Delivery), in either SES format.
- `SnsPoster.deliver()` POSTs with SNS's headers and retries like SNS's HTTP delivery policy on errors and non-2xx.
"""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.sns import TestSns

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "samples"
NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
DEFAULT_TOPIC = "arn:aws:sns:us-east-1:123456789012:sesame-feedback"


def sns_timestamp(when: dt.datetime | None = None) -> str:
    when = when or dt.datetime.now(dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def string_to_sign(envelope: dict[str, Any]) -> bytes:
    """Independent implementation of SNS's string to sign (the property tests compare the service's with it)."""
    names = NOTIFICATION_FIELDS if envelope["Type"] == "Notification" else CONFIRMATION_FIELDS
    return "".join(f"{n}\n{envelope[n]}\n" for n in names if envelope.get(n) is not None).encode("utf-8")


class SnsSigner(TestSns):
    """The events helper's test signing identity (tests/support/sns.py), plus writing its PEM anywhere."""

    def write_cert(self, path: Path) -> Path:
        path.write_bytes(self.cert_pem)
        return path


# ----------------------------------------------------------------------------------------------- SES feedback


@dataclass
class SentMail:
    """One mail as the SES stand-in accepted it."""

    ses_message_id: str
    destination: list[str]
    source: str = "sender@example.com"
    raw: bytes | None = None
    timestamp: str = field(default_factory=sns_timestamp)
    tags: dict[str, str] = field(default_factory=dict)

    def headers(self) -> list[dict[str, str]]:
        """The mail's headers as SES reports them (`mail.headers`, "include original headers" on)."""
        if not self.raw:
            return []
        from email import message_from_bytes

        msg = message_from_bytes(self.raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n")
        return [{"name": k, "value": str(v)} for k, v in msg.items()]


def simulator_outcome(address: str) -> str:
    """What the SES mailbox simulator does for `address` (its local part before any +label)."""
    local, _, domain = address.partition("@")
    base = local.split("+", 1)[0].lower()
    if base in ("bounce", "complaint", "ooto", "suppressionlist"):
        return base
    return "success"


def _load(name: str) -> dict[str, Any]:
    return json.loads((REFERENCE / name).read_text())


def _mail_object(template: dict[str, Any], mail: SentMail, fmt: str) -> dict[str, Any]:
    m = copy.deepcopy(template)
    m["timestamp"] = mail.timestamp
    m["messageId"] = mail.ses_message_id
    m["destination"] = list(mail.destination)
    m["source"] = mail.source
    headers = mail.headers()
    if headers:
        m["headers"] = headers
        m["headersTruncated"] = False
        common = {h["name"].lower(): h["value"] for h in headers}
        m["commonHeaders"] = {
            "from": [common.get("from", mail.source)],
            "to": [common.get("to", ", ".join(mail.destination))],
            "messageId": common.get("message-id", mail.ses_message_id),
            "subject": common.get("subject", ""),
        }
    if fmt == "event":
        # Event publishing reports the message tags (values as lists), as SES does with a configuration set.
        m["tags"] = {k: [v] for k, v in mail.tags.items()}
    return m


def ses_feedback_for(
    mail: SentMail, *, fmt: str = "notification", outcome: str | None = None
) -> dict[str, Any] | None:
    """The SES feedback document for `mail` (first recipient) in `fmt` ("notification" or "event"); None for
    outcomes that produce nothing in that format."""
    rcpt = mail.destination[0]
    outcome = outcome or simulator_outcome(rcpt)
    now = sns_timestamp()
    key = "notificationType" if fmt == "notification" else "eventType"
    if outcome == "success":
        doc = _load("notification-delivery.json" if fmt == "notification" else "event-delivery.json")
        doc["delivery"]["recipients"] = [rcpt]
        doc["delivery"]["timestamp"] = now
    elif outcome in ("bounce", "suppressionlist", "ooto"):
        name = {
            "bounce": "notification-bounce-permanent-general.json",
            "suppressionlist": "notification-bounce-permanent-suppressed.json",
            "ooto": "notification-bounce-transient-general.json",
        }[outcome]
        doc = _load(name if fmt == "notification" else "event-bounce.json")
        if fmt == "event" and outcome != "bounce":
            src = _load(name)["bounce"]
            doc["bounce"] = src
        recipients = doc["bounce"]["bouncedRecipients"][:1]
        recipients[0]["emailAddress"] = rcpt
        if "diagnosticCode" in recipients[0] and outcome == "bounce":
            recipients[0]["diagnosticCode"] = "smtp; 550 5.1.1 user unknown"
        doc["bounce"]["bouncedRecipients"] = recipients
        doc["bounce"]["timestamp"] = now
        doc["bounce"]["feedbackId"] = f"{uuid.uuid4().hex}-000000"
    elif outcome == "complaint":
        doc = _load("notification-complaint-abuse.json" if fmt == "notification" else "event-complaint.json")
        doc["complaint"]["complainedRecipients"] = [{"emailAddress": rcpt}]
        doc["complaint"]["timestamp"] = now
        doc["complaint"]["feedbackId"] = f"{uuid.uuid4().hex}-000000"
        doc["complaint"]["userAgent"] = "Amazon SES Mailbox Simulator"
        doc["complaint"]["complaintFeedbackType"] = "abuse"
    else:
        raise ValueError(f"unknown outcome {outcome!r}")
    assert key in doc
    doc["mail"] = _mail_object(doc["mail"], mail, fmt)
    return doc


# ------------------------------------------------------------------------------------------------- delivery


@dataclass
class Delivery:
    status: int | None
    attempts: int
    body: str = ""


class SnsPoster:
    """POSTs envelopes to an HTTP endpoint the way SNS does, retrying failed deliveries."""

    def __init__(self, retry_delays: tuple[float, ...] = (0.5, 1, 2, 4, 8, 10, 10, 10, 10, 10)) -> None:
        self.retry_delays = retry_delays
        self._client = httpx.AsyncClient(
            timeout=15, headers={"User-Agent": "Amazon Simple Notification Service Agent"}
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    @staticmethod
    def headers(envelope: dict[str, Any]) -> dict[str, str]:
        h = {
            "Content-Type": "text/plain; charset=UTF-8",
            "x-amz-sns-message-type": envelope.get("Type", ""),
            "x-amz-sns-message-id": envelope.get("MessageId", ""),
            "x-amz-sns-topic-arn": envelope.get("TopicArn", ""),
        }
        if envelope.get("Type") == "Notification":
            h["x-amz-sns-subscription-arn"] = (
                f"{envelope.get('TopicArn', '')}:{uuid.uuid5(uuid.NAMESPACE_URL, 's')}"
            )
        return h

    async def post_once(
        self, url: str, envelope: dict[str, Any] | bytes, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        body = envelope if isinstance(envelope, bytes) else json.dumps(envelope).encode()
        hdrs = (
            headers if headers is not None else self.headers(envelope if isinstance(envelope, dict) else {})
        )
        return await self._client.post(url, content=body, headers=hdrs)

    async def deliver(self, url: str, envelope: dict[str, Any], *, retry: bool = True) -> Delivery:
        """One SNS delivery: retried on connection errors and any non-2xx answer (SNS retries 4xx too, except
        when the endpoint says the message is unacceptable — we retry everything but 400/403/404/413)."""
        attempts = 0
        last_status: int | None = None
        last_body = ""
        for delay in (0.0, *(self.retry_delays if retry else ())):
            if delay:
                await asyncio.sleep(delay)
            attempts += 1
            try:
                r = await self.post_once(url, envelope)
            except httpx.HTTPError as exc:
                last_status, last_body = None, repr(exc)
                continue
            last_status, last_body = r.status_code, r.text
            if 200 <= r.status_code < 300 or r.status_code in (400, 403, 404, 413):
                break
        return Delivery(last_status, attempts, last_body)
