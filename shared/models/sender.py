"""Tables owned by the sender service: SES accounts, templates, campaigns, messages, rate buckets, sandbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.types import BigIntPK, JSONType, UTCDateTime, utcnow
from shared.models.base import Base

# Message states. `queued` rows may carry a claim (claimed_until) while their work message is on the bus.
MESSAGE_STATES = ("queued", "sending", "sent", "failed", "suppressed", "delayed", "cancelled", "held")


class SesAccount(Base):
    """One project's SES account: where to send, how to authenticate, the last quota read."""

    __tablename__ = "ses_accounts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), unique=True)
    region: Mapped[str] = mapped_column(sa.String(40))
    # "keys": access key id + secret (Fernet-encrypted); "chain": the default AWS credential chain / role.
    credential_mode: Mapped[str] = mapped_column(sa.String(10), default="keys")
    access_key_id_enc: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    secret_access_key_enc: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    configuration_set: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    # SES decides open/click tracking per configuration set: `ses connect` (tracking on) makes two more sets
    # with the same feedback destinations plus OPEN+CLICK, and CLICK only; the sender picks one per message.
    tracking_configuration_set: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    click_configuration_set: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    from_address: Mapped[str | None] = mapped_column(sa.String(400), nullable=True)
    max_send_rate: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    max_24h_send: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    sent_last_24h: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    sending_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    production_access: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    enforcement_status: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    quota_source: Mapped[str | None] = mapped_column(
        sa.String(20), nullable=True
    )  # GetAccount | GetSendQuota
    quota_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Sends recorded since quota_read_at (added to sent_last_24h between reads).
    sent_since_read: Mapped[int] = mapped_column(sa.Integer, default=0)
    warmup_enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    warmup_step: Mapped[int] = mapped_column(sa.Integer, default=0)
    warmup_step_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Marketing sends reserved on `warmup_day` (UTC date, ISO) against the warm-up step's daily volume.
    warmup_day: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    warmup_sent: Mapped[int] = mapped_column(sa.Integer, default=0)
    # The last time a due warm-up step was refused because the project's rates were at or over a warn threshold.
    warmup_blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    warmup_blocked_reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SendingState(Base):
    """Whether a project may send (guard pause, SES account pause, operator)."""

    __tablename__ = "sender_project_state"

    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    marketing_paused: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    transactional_paused: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    detail: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Template(Base):
    __tablename__ = "templates"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    subject: Mapped[str] = mapped_column(sa.Text)
    html: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    text: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Campaign(Base):
    """Content for one or more lists; status draft → scheduled → sending → sent (or paused / cancelled)."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("templates.id"), nullable=True)
    # Inline content (used when template_id is NULL), validated like a template.
    subject: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    html: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    text: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    from_address: Mapped[str | None] = mapped_column(sa.String(400), nullable=True)
    reply_to: Mapped[str | None] = mapped_column(sa.String(400), nullable=True)
    list_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    # Open / click tracking of this campaign's mail; None: the project's setting (default on).
    track_opens: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    track_clicks: Mapped[bool | None] = mapped_column(sa.Boolean, nullable=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recipients: Mapped[int] = mapped_column(sa.Integer, default=0)
    fanout_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Canary (services/sender/canary.py): mode auto | on | off; state NULL (none) → sampling → waiting →
    # released | held. While waiting or held the campaign's status is `canary_hold`, the rest `held`.
    canary: Mapped[str] = mapped_column(sa.String(10), default="auto", server_default="auto")
    canary_window_seconds: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    canary_state: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    canary_size: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    canary_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    canary_reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_campaigns_due", "status", "send_at"),)


class Message(Base):
    """One mail to one recipient, with its delivery state.

    No foreign keys on purpose: a campaign fan-out inserts up to millions of rows in one statement, and Postgres
    checks each FK with a per-row trigger that locks the parent row (≈ 100 µs a row, 10× the insert itself).
    Projects are soft-deleted and campaigns are never deleted (only cancelled), so nothing dangles.
    """

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.BigInteger)
    kind: Mapped[str] = mapped_column(sa.String(20))  # transactional | marketing | notification
    state: Mapped[str] = mapped_column(sa.String(20), default="queued")
    campaign_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    contact_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    list_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    template_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    to_address: Mapped[str] = mapped_column(sa.String(320))
    # shared.email_address.email_hash(to_address): the suppression check joins on it.
    email_hash: Mapped[str] = mapped_column(sa.String(64))
    # Transactional content (campaign messages take theirs from the campaign).
    subject: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    html: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    text: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    from_address: Mapped[str | None] = mapped_column(sa.String(400), nullable=True)
    data: Mapped[dict[str, Any] | None] = mapped_column(
        JSONType, nullable=True
    )  # template variables, headers, tags
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    ses_message_id: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sending_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    feedback: Mapped[str | None] = mapped_column(
        sa.String(20), nullable=True
    )  # delivered|bounced|complained|rejected
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.Index(
            "uq_messages_idempotency",
            "project_id",
            "idempotency_key",
            unique=True,
            postgresql_where=sa.text("idempotency_key IS NOT NULL"),
            sqlite_where=sa.text("idempotency_key IS NOT NULL"),
        ),
        # The dispatcher's claims scan only waiting rows of their own kind: with one index for both, the
        # transactional claim (several a second) walked every queued row of a running campaign to find none.
        sa.Index(
            "ix_messages_due_tx",
            "send_after",
            "id",
            postgresql_where=sa.text("state IN ('queued', 'delayed') AND kind <> 'marketing'"),
            sqlite_where=sa.text("state IN ('queued', 'delayed') AND kind <> 'marketing'"),
        ),
        sa.Index(
            "ix_messages_due_mk",
            "send_after",
            "id",
            postgresql_where=sa.text("state IN ('queued', 'delayed') AND kind = 'marketing'"),
            sqlite_where=sa.text("state IN ('queued', 'delayed') AND kind = 'marketing'"),
        ),
        sa.Index(
            "ix_messages_sending",
            "sending_at",
            postgresql_where=sa.text("state = 'sending'"),
            sqlite_where=sa.text("state = 'sending'"),
        ),
        sa.Index("ix_messages_campaign_state", "campaign_id", "state"),
        # Partial: fan-out inserts (no SES id, not sent) pay for none of these.
        sa.Index(
            "ix_messages_ses_id",
            "ses_message_id",
            postgresql_where=sa.text("ses_message_id IS NOT NULL"),
            sqlite_where=sa.text("ses_message_id IS NOT NULL"),
        ),
        # The subscriptions service's hourly sunset scan (services/subscriptions/sunset.py): a list's sent campaign
        # mail per contact by time. Partial, so fan-out inserts (queued) pay nothing; a row enters once, when
        # it is sent.
        sa.Index(
            "ix_messages_sent_by_list",
            "list_id",
            "contact_id",
            "sent_at",
            "id",
            postgresql_where=sa.text("state = 'sent' AND campaign_id IS NOT NULL"),
            sqlite_where=sa.text("state = 'sent' AND campaign_id IS NOT NULL"),
        ),
        sa.Index(
            "ix_messages_project_sent",
            "project_id",
            "sent_at",
            postgresql_where=sa.text("sent_at IS NOT NULL"),
            sqlite_where=sa.text("sent_at IS NOT NULL"),
        ),
    )


class RateBucket(Base):
    """A send-rate limiter shared by every sender replica: the next free send slot (GCRA) per SES account."""

    __tablename__ = "rate_buckets"

    key: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    rate: Mapped[float] = mapped_column(sa.Float)  # slots per second
    tat: Mapped[float] = mapped_column(sa.Float, default=0.0)  # epoch seconds of the next free slot
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SandboxMessage(Base):
    """Mail captured by the local sandbox SES (embedded mode without SES credentials)."""

    __tablename__ = "sandbox_messages"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    ses_message_id: Mapped[str] = mapped_column(sa.String(100), unique=True)
    message_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    to_address: Mapped[str] = mapped_column(sa.String(320))
    from_address: Mapped[str | None] = mapped_column(sa.String(400), nullable=True)
    subject: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    raw: Mapped[str] = mapped_column(sa.Text)
    simulator_outcome: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.Index("ix_sandbox_messages_project", "project_id", "id"),)
