"""Tables owned by the events service: SNS endpoints and subscriptions, the raw inbox, feedback events,
per-address feedback state, hourly reputation buckets and the per-project guard."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.types import BigIntPK, JSONType, UTCDateTime, utcnow
from shared.models.base import Base


class SnsEndpoint(Base):
    """A project's webhook URL (`/webhooks/sns/<token>`) and the topic ARNs it accepts."""

    __tablename__ = "sns_endpoints"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    allowed_topic_arns: Mapped[list[str]] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SnsSubscription(Base):
    """What SNS told us about a topic → endpoint subscription (confirmed, unsubscribed, confirm failed)."""

    __tablename__ = "sns_subscriptions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    topic_arn: Mapped[str] = mapped_column(sa.String(300))
    status: Mapped[str] = mapped_column(sa.String(20))  # confirmed | confirm_failed | unsubscribed
    last_message_id: Mapped[str | None] = mapped_column(sa.String(100), nullable=True)
    detail: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("project_id", "topic_arn"),)


class SnsInbox(Base):
    """Raw verified notifications, stored once per (project, SNS MessageId), processed from here."""

    __tablename__ = "sns_inbox"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(sa.String(20))  # sns | sandbox
    message_id: Mapped[str] = mapped_column(sa.String(100))
    topic_arn: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    body: Mapped[str] = mapped_column(sa.Text)  # the SES JSON document (SNS `Message`), as received
    # received → processed; failed (kept with its error, retried); rejected (verified but not SES JSON)
    status: Mapped[str] = mapped_column(sa.String(20), default="received")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        sa.UniqueConstraint("project_id", "source", "message_id"),
        sa.Index(
            "ix_sns_inbox_pending",
            "id",
            sqlite_where=sa.text("status IN ('received', 'failed')"),
            postgresql_where=sa.text("status IN ('received', 'failed')"),
        ),
    )


class EmailEvent(Base):
    """One feedback event for one recipient (bounce, complaint, delivery, open …), linked to the sent message."""

    __tablename__ = "email_events"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    inbox_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sns_inbox.id", ondelete="SET NULL"), nullable=True
    )
    # Same SES event seen twice (SNS retry with a new id, both formats configured) → one row.
    dedupe_key: Mapped[str] = mapped_column(sa.String(64))
    # send | reject | bounce | complaint | delivery | delivery_delay | open | click | rendering_failure | subscription
    event_type: Mapped[str] = mapped_column(sa.String(30))
    email: Mapped[str | None] = mapped_column(sa.String(320), nullable=True)
    email_hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    ses_message_id: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    message_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)  # the sender's messages.id
    bounce_type: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    bounce_subtype: Mapped[str | None] = mapped_column(sa.String(60), nullable=True)
    feedback_type: Mapped[str | None] = mapped_column(sa.String(60), nullable=True)
    # Counts toward the soft-bounce threshold (transient/undetermined, not an auto-reply).
    soft_bounce: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Counts in the reputation rates (hard bounces / real complaints).
    counted: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    suppressed: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    diagnostic: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    digested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Set when services/events/engagement.py rolled this row into the engagement aggregates (claim flag: ids
    # commit out of order on Postgres, so a watermark on id could skip a row committed late).
    rollup_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        sa.UniqueConstraint("project_id", "dedupe_key"),
        sa.Index("ix_email_events_project_id_desc", "project_id", "id"),
        sa.Index("ix_email_events_address", "project_id", "email_hash", "event_type", "occurred_at"),
        sa.Index("ix_email_events_ses_message_id", "ses_message_id"),
        sa.Index("ix_email_events_message_id", "message_id"),
        sa.Index(
            "ix_email_events_rollup_pending",
            "id",
            sqlite_where=sa.text("rollup_at IS NULL"),
            postgresql_where=sa.text("rollup_at IS NULL"),
        ),
    )


class FeedbackAddress(Base):
    """Per-address feedback state; its row lock serialises counting + deciding for one address."""

    __tablename__ = "feedback_addresses"

    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    email_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    bounces: Mapped[int] = mapped_column(sa.Integer, default=0)
    complaints: Mapped[int] = mapped_column(sa.Integer, default=0)
    suppressed_reason: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    suppressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReputationBucket(Base):
    """Per project and hour: sending volume and the feedback that counts toward the rates (for charts)."""

    __tablename__ = "reputation_buckets"

    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    hour: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    sent: Mapped[int] = mapped_column(sa.Integer, default=0)
    delivered: Mapped[int] = mapped_column(sa.Integer, default=0)
    hard_bounces: Mapped[int] = mapped_column(sa.Integer, default=0)
    soft_bounces: Mapped[int] = mapped_column(sa.Integer, default=0)
    complaints: Mapped[int] = mapped_column(sa.Integer, default=0)
    rejects: Mapped[int] = mapped_column(sa.Integer, default=0)


class ProjectGuard(Base):
    """Per-project feedback policy, guard thresholds (NULL = the service default) and guard state."""

    __tablename__ = "project_guards"

    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(sa.String(20), default="ok")  # ok | warning | paused
    warn_bounce_rate: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    warn_complaint_rate: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    pause_bounce_rate: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    pause_complaint_rate: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    pause_transactional: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    soft_bounce_threshold: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    soft_bounce_window_days: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    digest: Mapped[str] = mapped_column(sa.String(20), default="daily")  # off | immediate | hourly | daily
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    crossings: Mapped[int] = mapped_column(sa.Integer, default=0)
    state_reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    state_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resumed_by: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    # After an explicit resume the guard judges only feedback from this moment on (a fresh start).
    guard_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
