"""SES feedback documents → one `FeedbackItem` per recipient, for both formats.

Identity notifications carry `notificationType` (Bounce, Complaint, Delivery); configuration-set event
publishing carries `eventType` (Send, Reject, Bounce, Complaint, Delivery, DeliveryDelay, Open, Click,
Rendering Failure, Subscription). Both share the `mail` object and the per-type objects.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Any

from shared.digits import parse_whole
from shared.email_address import InvalidEmail, email_hash, normalize_email

EVENT_TYPES = {
    "Bounce": "bounce",
    "Complaint": "complaint",
    "Delivery": "delivery",
    "Send": "send",
    "Reject": "reject",
    "DeliveryDelay": "delivery_delay",
    "Open": "open",
    "Click": "click",
    "Rendering Failure": "rendering_failure",
    "RenderingFailure": "rendering_failure",
    "Subscription": "subscription",
}
# SES sends this once when notifications are set up for an identity: nothing to do.
IGNORED_TYPES = {"AmazonSnsSubscriptionSucceeded"}
_OBJECT_KEY = {
    "bounce": "bounce",
    "complaint": "complaint",
    "delivery": "delivery",
    "send": "send",
    "reject": "reject",
    "delivery_delay": "deliveryDelay",
    "open": "open",
    "click": "click",
    "rendering_failure": "failure",
    "subscription": "subscription",
}
PROJECT_TAG = "sesame-project"
MESSAGE_TAG = "sesame-message"
MESSAGE_HEADER = "x-sesame-message-id"


class NotSesFeedback(ValueError):
    """The document is not an SES notification/event (kept in the inbox as rejected, never retried)."""


@dataclass(frozen=True)
class FeedbackItem:
    event_type: str
    email: str | None
    email_hash: str | None
    ses_message_id: str
    occurred_at: datetime
    dedupe_key: str
    bounce_type: str | None = None
    bounce_subtype: str | None = None
    feedback_type: str | None = None
    complaint_subtype: str | None = None
    diagnostic: str | None = None
    dsn_status: str | None = None
    auto_reply: bool = False
    tag_project_id: int | None = None
    tag_message_id: int | None = None
    reason: str | None = None  # reject / rendering failure
    detail: dict[str, Any] = field(default_factory=dict)


def parse_time(value: Any, fallback: datetime | None = None) -> datetime:
    if isinstance(value, str):
        try:
            ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return ts.astimezone(UTC) if ts.tzinfo else ts.replace(tzinfo=UTC)
        except ValueError:
            pass
    return fallback or datetime.now(UTC)


# A bare address of these characters is what parseaddr would return anyway; it costs ~100 µs per recipient.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


def clean_address(raw: Any) -> tuple[str | None, str | None]:
    """(normalised address, hash) — tolerant of display names and odd addresses SES may report."""
    if not isinstance(raw, str) or not raw.strip():
        return None, None
    addr = raw.strip() if _PLAIN_ADDRESS.fullmatch(raw) else (parseaddr(raw)[1] or raw.strip())
    try:
        norm = normalize_email(addr)
    except InvalidEmail:
        norm = addr.strip()[:320]
        if "@" in norm:
            local, _, domain = norm.rpartition("@")
            norm = f"{local}@{domain.lower()}"
    return norm, email_hash(norm)


def _int(value: Any) -> int | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return parse_whole(value.strip()) if isinstance(value, str) else None


def our_ids(mail: dict[str, Any]) -> tuple[int | None, int | None]:
    """(project id, our message id) from SES message tags, X-SES-MESSAGE-TAGS or our X-Sesame-Message-Id header."""
    project = message = None
    tags = mail.get("tags")
    if isinstance(tags, dict):
        project, message = _int(tags.get(PROJECT_TAG)), _int(tags.get(MESSAGE_TAG))
    headers = mail.get("headers")
    if isinstance(headers, list):
        for h in headers:
            if not isinstance(h, dict):
                continue
            name = str(h.get("name", "")).lower()
            value = h.get("value")
            if name == MESSAGE_HEADER and message is None:
                message = _int(value)
            elif name == "x-ses-message-tags" and isinstance(value, str):
                for pair in value.split(","):
                    k, _, v = pair.strip().partition("=")
                    if k == PROJECT_TAG and project is None:
                        project = _int(v)
                    elif k == MESSAGE_TAG and message is None:
                        message = _int(v)
    return project, message


def _key(*parts: Any) -> str:
    return hashlib.sha256("|".join("" if p is None else str(p) for p in parts).encode()).hexdigest()


def is_auto_reply(bounce_type: str | None, subtype: str | None, recipient: dict[str, Any]) -> bool:
    """An out-of-office / auto-reply reported as a bounce: Transient/General with no DSN for the recipient.

    SES reports RFC 3834 auto-replies (the ooto@ simulator, vacation responders) as Transient/General bounces whose
    recipient has only `emailAddress`: no `status`, `action` or `diagnosticCode`, because no MTA issued a DSN.
    A genuine soft bounce is an MTA's delivery status notification and carries at least a status code. AWS does
    not count auto-replies in the bounce rate, and neither do we (nor toward the soft-bounce threshold).
    """
    if bounce_type != "Transient" or subtype != "General":
        return False
    return not any(recipient.get(k) for k in ("status", "action", "diagnosticCode"))


def _recipients(event_type: str, obj: dict[str, Any], mail: dict[str, Any]) -> list[dict[str, Any]]:
    key = {
        "bounce": "bouncedRecipients",
        "complaint": "complainedRecipients",
        "delivery_delay": "delayedRecipients",
    }.get(event_type)
    if key is not None:
        raw = obj.get(key)
        if not isinstance(raw, list):
            raise NotSesFeedback(f"{key} missing")
        return [r for r in raw if isinstance(r, dict)]
    if event_type == "delivery":
        raw = obj.get("recipients")
        if isinstance(raw, list):
            return [{"emailAddress": r} for r in raw if isinstance(r, str)]
    dest = mail.get("destination")
    if isinstance(dest, list):
        return [{"emailAddress": r} for r in dest if isinstance(r, str)]
    return [{}]


def parse_feedback(document: str | bytes | dict[str, Any]) -> list[FeedbackItem]:
    """All per-recipient items of one SES notification/event; [] for types with nothing to do."""
    if isinstance(document, dict):
        doc = document
    else:
        try:
            doc = json.loads(document)
        except (ValueError, UnicodeDecodeError):
            raise NotSesFeedback("Message is not JSON") from None
    if not isinstance(doc, dict):
        raise NotSesFeedback("Message is not a JSON object")
    kind = doc.get("eventType", doc.get("notificationType"))
    if not isinstance(kind, str):
        raise NotSesFeedback("neither eventType nor notificationType")
    if kind in IGNORED_TYPES:
        return []
    event_type = EVENT_TYPES.get(kind)
    if event_type is None:
        raise NotSesFeedback(f"unknown SES event type {kind!r}")
    mail = doc.get("mail")
    if not isinstance(mail, dict) or not isinstance(mail.get("messageId"), str) or not mail["messageId"]:
        raise NotSesFeedback("mail.messageId missing")
    ses_id: str = mail["messageId"][:200]
    obj = doc.get(_OBJECT_KEY[event_type]) or {}
    if not isinstance(obj, dict):
        raise NotSesFeedback(f"{_OBJECT_KEY[event_type]} is not an object")
    mail_time = parse_time(mail.get("timestamp"))
    occurred = parse_time(obj.get("timestamp"), mail_time)
    tag_project, tag_message = our_ids(mail)
    feedback_id = obj.get("feedbackId")
    items: list[FeedbackItem] = []
    for rcpt in _recipients(event_type, obj, mail):
        email, ehash = clean_address(rcpt.get("emailAddress"))
        common: dict[str, Any] = {
            "event_type": event_type,
            "email": email,
            "email_hash": ehash,
            "ses_message_id": ses_id,
            "occurred_at": occurred,
            "tag_project_id": tag_project,
            "tag_message_id": tag_message,
        }
        if event_type == "bounce":
            btype, bsub = obj.get("bounceType"), obj.get("bounceSubType")
            if not isinstance(btype, str) or not isinstance(bsub, str):
                raise NotSesFeedback("bounceType/bounceSubType missing")
            items.append(
                FeedbackItem(
                    **common,
                    dedupe_key=_key(event_type, feedback_id, ses_id, obj.get("timestamp"), ehash),
                    bounce_type=btype,
                    bounce_subtype=bsub,
                    diagnostic=_s(rcpt.get("diagnosticCode")),
                    dsn_status=_s(rcpt.get("status")),
                    auto_reply=is_auto_reply(btype, bsub, rcpt),
                    detail=_compact(
                        {
                            "action": rcpt.get("action"),
                            "status": rcpt.get("status"),
                            "reportingMTA": obj.get("reportingMTA"),
                            "feedbackId": feedback_id,
                        }
                    ),
                )
            )
        elif event_type == "complaint":
            items.append(
                FeedbackItem(
                    **common,
                    dedupe_key=_key(event_type, feedback_id, ses_id, obj.get("timestamp"), ehash),
                    feedback_type=_s(obj.get("complaintFeedbackType")),
                    complaint_subtype=_s(obj.get("complaintSubType")),
                    detail=_compact(
                        {
                            "userAgent": obj.get("userAgent"),
                            "feedbackId": feedback_id,
                            "complaintSubType": obj.get("complaintSubType"),
                        }
                    ),
                )
            )
        elif event_type in ("reject", "rendering_failure"):
            reason = _s(obj.get("reason")) or _s(obj.get("errorMessage")) or event_type
            items.append(
                FeedbackItem(
                    **common,
                    dedupe_key=_key(event_type, ses_id, ehash),
                    reason=reason,
                    detail=_compact({"templateName": obj.get("templateName")}),
                )
            )
        else:
            extra = obj.get("link") if event_type == "click" else None
            detail = _compact(
                {
                    "link": obj.get("link"),
                    "linkTags": obj.get("linkTags") if isinstance(obj.get("linkTags"), dict) else None,
                    "userAgent": obj.get("userAgent"),
                    "ipAddress": obj.get("ipAddress"),
                    "smtpResponse": obj.get("smtpResponse"),
                    "delayType": obj.get("delayType"),
                    "status": rcpt.get("status"),
                    "diagnosticCode": rcpt.get("diagnosticCode"),
                    "source": obj.get("source"),
                    "unsubscribeAll": (obj.get("newTopicPreferences") or {}).get("unsubscribeAll")
                    if isinstance(obj.get("newTopicPreferences"), dict)
                    else None,
                }
            )
            items.append(
                FeedbackItem(
                    **common,
                    dedupe_key=_key(event_type, ses_id, obj.get("timestamp"), ehash, extra),
                    diagnostic=_s(rcpt.get("diagnosticCode")),
                    detail=detail,
                )
            )
    return items


def _s(value: Any) -> str | None:
    return value[:2000] if isinstance(value, str) and value else None


def _compact(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}
