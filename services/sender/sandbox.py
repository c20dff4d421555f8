"""The local sandbox SES (embedded mode without SES credentials): captures mail and imitates the mailbox simulator.

Every captured mail gets the SES notification real SES would send for it (`notificationType` format, the shapes of
shared/reference/samples and ses-mailbox-simulator.json), published as `ses.sandbox_feedback` through the outbox:
the events service processes it like a verified SNS notification.

- success@ / bounce@ / ooto@ / complaint@ / suppressionlist@simulator.amazonses.com (with or without a `+label`):
  the notification that simulator address produces (Delivery, Bounce, Complaint).
- any other recipient: the mail was delivered to the sandbox outbox, so a Delivery notification (the success
  shape, reported by the sandbox itself: `250 2.0.0 captured by the Sesame sandbox`). A campaign to plain
  addresses thus reports them delivered, as it would with SES.

Captures are written in the same transaction that records the send, so a capture (and its notification) exists
exactly when the message is recorded as sent.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.sender.ses import Quota
from shared.contracts.email import SandboxFeedback
from shared.digits import parse_whole
from shared.models.sender import SandboxMessage
from shared.outbox import enqueue

SIMULATOR_DOMAIN = "simulator.amazonses.com"
SANDBOX_MTA = "sandbox.sesame.invalid"
CAPTURED_RESPONSE = "250 2.0.0 captured by the Sesame sandbox"
SUPPRESSED_DIAGNOSTIC = (
    "Amazon SES has suppressed sending to this address because it has a recent history of bouncing as an "
    "invalid address. For more information about how to remove an address from the suppression list, see the "
    "Amazon SES Developer Guide: http://docs.aws.amazon.com/ses/latest/DeveloperGuide/remove-from-suppressionlist.html "
)


def simulator_outcome(address: str) -> str | None:
    """success / bounce / ooto / complaint / suppressionlist for simulator addresses, else None."""
    local, _, domain = address.rpartition("@")
    if domain.lower() != SIMULATOR_DOMAIN:
        return None
    base = local.split("+", 1)[0].lower()
    return base if base in ("success", "bounce", "ooto", "complaint", "suppressionlist") else None


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ts * 1000) % 1000:03d}Z"


def _ses_id(ts: float) -> str:
    return f"{int(ts * 1000):016x}-{uuid.uuid4()}-000000"


def mail_object(
    ses_message_id: str, ts: float, source: str, to: str, raw: bytes, tags: dict[str, str]
) -> dict[str, Any]:
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    names = (
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "X-Sesame-Message-Id",
        "List-Unsubscribe",
        "Feedback-ID",
    )
    headers = [{"name": n, "value": str(msg[n])} for n in names if msg[n] is not None]
    common: dict[str, Any] = {"from": [str(msg["From"] or source)], "to": [to], "messageId": ses_message_id}
    if msg["Subject"]:
        common["subject"] = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
    if msg["Date"]:
        common["date"] = str(msg["Date"])
    return {
        "timestamp": _iso(ts),
        "source": source,
        "sourceArn": f"arn:aws:ses:sandbox:000000000000:identity/{source.rpartition('@')[2]}",
        "sourceIp": "127.0.0.1",
        "sendingAccountId": "000000000000",
        "callerIdentity": "sesame-sandbox",
        "messageId": ses_message_id,
        "destination": [to],
        "headersTruncated": False,
        "headers": headers,
        "commonHeaders": common,
        "tags": {k: [v] for k, v in tags.items()},
    }


def _delivery(
    mail: dict[str, Any], to: str, ts: float, delay: float, mta: str, response: str, ip: str
) -> dict[str, Any]:
    return {
        "notificationType": "Delivery",
        "mail": mail,
        "delivery": {
            "timestamp": _iso(ts + delay),
            "recipients": [to],
            "processingTimeMillis": int(delay * 1000),
            "reportingMTA": mta,
            "smtpResponse": response,
            "remoteMtaIp": ip,
        },
    }


def capture_delivery(mail: dict[str, Any], to: str, ts: float) -> dict[str, Any]:
    """The Delivery notification for a mail to a plain recipient: delivered to the sandbox outbox."""
    return _delivery(mail, to, ts, 0.0, SANDBOX_MTA, CAPTURED_RESPONSE, "127.0.0.1")


def simulator_notification(outcome: str, mail: dict[str, Any], to: str, ts: float) -> dict[str, Any]:
    """The identity notification SES sends for a simulator address."""
    feedback_id = _ses_id(ts + 0.5)
    when = _iso(ts + 0.5)
    if outcome == "success":
        return _delivery(
            mail, to, ts, 0.5, "a8-70.smtp-out.amazonses.com", "250 2.6.0 Message received", "127.0.2.0"
        )
    if outcome == "complaint":
        return {
            "notificationType": "Complaint",
            "complaint": {
                "userAgent": "Amazon SES Mailbox Simulator",
                "complainedRecipients": [{"emailAddress": to}],
                "complaintFeedbackType": "abuse",
                "arrivalDate": when,
                "timestamp": when,
                "feedbackId": feedback_id,
            },
            "mail": mail,
        }
    if outcome == "bounce":
        bounce = {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": to,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
            ],
            "timestamp": when,
            "feedbackId": feedback_id,
            "remoteMtaIp": "127.0.2.0",
            "reportingMTA": "dsn; a8-70.smtp-out.amazonses.com",
        }
    elif outcome == "suppressionlist":
        bounce = {
            "bounceType": "Permanent",
            "bounceSubType": "Suppressed",
            "bouncedRecipients": [
                {
                    "emailAddress": to,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": SUPPRESSED_DIAGNOSTIC,
                }
            ],
            "timestamp": when,
            "feedbackId": feedback_id,
            "reportingMTA": "dns; amazonses.com",
        }
    else:  # ooto: historically a Transient/General bounce naming only the address
        bounce = {
            "bounceType": "Transient",
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": to}],
            "timestamp": when,
            "feedbackId": feedback_id,
        }
    return {"notificationType": "Bounce", "bounce": bounce, "mail": mail}


class SandboxSes:
    """An SES client that never leaves the process (one per project)."""

    sandbox = True

    def __init__(self, project_id: int, *, max_send_rate: float, max_24h: float) -> None:
        self.project_id = project_id
        self._quota = Quota(max_send_rate, max_24h, 0.0, True, False, "HEALTHY", "sandbox")
        self._pending: list[dict[str, Any]] = []

    async def get_quota(self) -> Quota:
        return self._quota

    async def send_raw(
        self,
        raw: bytes,
        *,
        from_address: str,
        to: str,
        tags: list[tuple[str, str]],
        configuration_set: str | None,
    ) -> str:
        ts = time.time()
        ses_id = _ses_id(ts)
        self._pending.append(
            {"ts": ts, "ses_id": ses_id, "raw": raw, "from": from_address, "to": to, "tags": dict(tags)}
        )
        return ses_id

    def take_captures(self, ses_ids: set[str]) -> list[dict[str, Any]]:
        keep, out = [], []
        for c in self._pending:
            (out if c["ses_id"] in ses_ids else keep).append(c)
        # Captures of sends never recorded (the batch failed) are dropped: they were not "sent".
        self._pending = [c for c in keep if time.time() - c["ts"] < 600]
        return out

    async def close(self) -> None:
        self._pending.clear()


async def persist_captures(session: AsyncSession, project_id: int, captures: list[dict[str, Any]]) -> None:
    """Store captured mail and publish its SES feedback (same transaction as the send record)."""
    if not captures:
        return
    rows = []
    for c in captures:
        msg = email.message_from_bytes(c["raw"], policy=email.policy.compat32)
        subject = msg["Subject"]
        subject_text = str(email.header.make_header(email.header.decode_header(subject))) if subject else None
        outcome = simulator_outcome(c["to"])
        mid = c["tags"].get("sesame-message")
        rows.append(
            {
                "project_id": project_id,
                "ses_message_id": c["ses_id"],
                "message_id": parse_whole(mid),
                "to_address": c["to"],
                "from_address": c["from"],
                "subject": subject_text,
                "raw": c["raw"].decode("utf-8", "replace"),
                "simulator_outcome": outcome,
                "created_at": datetime.fromtimestamp(c["ts"], UTC),
            }
        )
        mail = mail_object(c["ses_id"], c["ts"], c["from"], c["to"], c["raw"], c["tags"])
        if outcome:
            note = simulator_notification(outcome, mail, c["to"], c["ts"])
        else:
            note = capture_delivery(mail, c["to"], c["ts"])
        fb = SandboxFeedback(project_id=project_id, notification=note)
        enqueue(
            session,
            fb.ROUTING_KEY,
            fb.payload(),
            message_id=uuid.uuid5(uuid.NAMESPACE_URL, c["ses_id"]).hex,
        )
    await session.execute(sa.insert(SandboxMessage), rows)
