"""SES feedback documents in the two real formats (configuration-set `eventType`, identity `notificationType`) for
one sent message, as AWS writes them (see ../shared/reference/samples), to feed through the SNS webhook."""

from __future__ import annotations

import datetime as dt
from typing import Any

KINDS = {
    "open": "Open",
    "click": "Click",
    "delivery": "Delivery",
    "bounce": "Bounce",
    "complaint": "Complaint",
}


def ses_time(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def ses_document(
    kind: str, *, ses_message_id: str, to: str, at: dt.datetime, project_id: int | None = None,
    message_id: int | None = None, link: str | None = None, bounce_type: str = "Permanent",
    notification: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """One SES event for `to`; `notification=True` gives the identity-notification format (delivery/bounce/complaint)."""
    mail: dict[str, Any] = {
        "timestamp": ses_time(at - dt.timedelta(seconds=5)),
        "source": "news@acme.example",
        "sourceArn": "arn:aws:ses:us-east-1:123456789012:identity/acme.example",
        "sendingAccountId": "123456789012",
        "messageId": ses_message_id,
        "destination": [to],
    }
    if project_id is not None and message_id is not None and not notification:
        mail["tags"] = {"sesame-project": [str(project_id)], "sesame-message": [str(message_id)]}
    stamp = ses_time(at)
    body: dict[str, Any]
    if kind == "open":
        body = {"ipAddress": "192.0.2.1", "timestamp": stamp, "userAgent": "Mozilla/5.0"}
    elif kind == "click":
        body = {
            "ipAddress": "192.0.2.1",
            "link": link,
            "linkTags": {},
            "timestamp": stamp,
            "userAgent": "Mozilla/5.0",
        }
    elif kind == "delivery":
        body = {
            "timestamp": stamp,
            "processingTimeMillis": 500,
            "recipients": [to],
            "smtpResponse": "250 2.6.0 Message received",
            "reportingMTA": "a8-70.smtp-out.amazonses.com",
        }
    elif kind == "bounce":
        body = {
            "bounceType": bounce_type,
            "bounceSubType": "General" if bounce_type == "Permanent" else "MailboxFull",
            "bouncedRecipients": [
                {
                    "emailAddress": to,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
            ],
            "timestamp": stamp,
            "feedbackId": f"fb-{ses_message_id}-{stamp}",
            "reportingMTA": "dsn; a8-70.smtp-out.amazonses.com",
        }
        if bounce_type != "Permanent":
            body["bouncedRecipients"][0].update(
                {"status": "4.2.2", "diagnosticCode": "smtp; 452 4.2.2 mailbox full"}
            )
    elif kind == "complaint":
        body = {
            "complainedRecipients": [{"emailAddress": to}],
            "timestamp": stamp,
            "feedbackId": f"fb-{ses_message_id}-{stamp}",
            "complaintFeedbackType": "abuse",
            "userAgent": "ExampleCorp Feedback Loop (V0.01)",
            "arrivalDate": stamp,
        }
    else:
        raise ValueError(kind)
    if notification:
        assert kind in ("delivery", "bounce", "complaint"), kind
        return {"notificationType": KINDS[kind], "mail": mail, kind: body}
    return {"eventType": KINDS[kind], "mail": mail, kind: body}
