"""What happened to mail: published by the sender (sent/failed) and the events service (feedback)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from shared.contracts import Contract


class EmailSent(Contract):
    ROUTING_KEY = "email.sent"
    project_id: int
    message_id: int  # the sender's messages.id
    ses_message_id: str
    to: str
    kind: Literal["transactional", "marketing", "notification"]
    campaign_id: int | None = None
    contact_id: int | None = None
    sent_at: datetime


class EmailFailed(Contract):
    ROUTING_KEY = "email.failed"
    project_id: int
    message_id: int
    to: str
    reason: str
    campaign_id: int | None = None


class EmailFeedback(Contract):
    """Base of the feedback events the events service publishes after applying its policy."""

    project_id: int
    email: str
    ses_message_id: str | None = None
    message_id: int | None = None  # our messages.id when the event could be linked
    contact_id: int | None = None
    occurred_at: datetime
    event_id: int | None = None  # the events service's email_events.id


class EmailBounced(EmailFeedback):
    ROUTING_KEY = "email.bounced"
    bounce_type: str  # Permanent / Transient / Undetermined
    bounce_subtype: str
    diagnostic: str | None = None
    # Policy decision: suppress the address now (hard bounce, or soft bounces past the threshold).
    suppress: bool
    suppression_reason: Literal["hard_bounce", "soft_bounce", "ses_suppression"] | None = None
    # An out-of-office / auto-reply reported as a Transient/General bounce without DSN: informational only.
    auto_reply: bool = False


class EmailComplained(EmailFeedback):
    ROUTING_KEY = "email.complained"
    feedback_type: str | None = None
    suppress: bool = True
    unsubscribe_all: bool = True
    # complaint; ses_suppression when SES did not send because the address is on the account suppression list
    suppression_reason: Literal["complaint", "ses_suppression"] = "complaint"


class EmailDelivered(EmailFeedback):
    ROUTING_KEY = "email.delivered"


class EmailOpened(EmailFeedback):
    """SES open tracking saw the pixel load (one per open: a recipient opening twice is two events)."""

    ROUTING_KEY = "email.opened"
    user_agent: str | None = None
    ip_address: str | None = None


class EmailClicked(EmailFeedback):
    """SES click tracking saw a tracked link followed."""

    ROUTING_KEY = "email.clicked"
    link: str  # the original URL, as SES reports it
    link_tags: dict[str, list[str]] = {}
    user_agent: str | None = None
    ip_address: str | None = None


class EmailRejected(EmailFeedback):
    """SES Reject or Rendering Failure: the message failed and the owner is told."""

    ROUTING_KEY = "email.rejected"
    reason: str


class SandboxFeedback(Contract):
    """The embedded sandbox SES reports simulator feedback (an SES notification JSON) to the events service."""

    ROUTING_KEY = "ses.sandbox_feedback"
    project_id: int
    notification: dict[str, Any]
