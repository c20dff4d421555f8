"""Tables owned by the events service for outbound webhooks: a project's endpoints, one delivery per (endpoint,
event) and the log of every attempt."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.types import BigIntPK, JSONType, UTCDateTime, utcnow
from shared.models.base import Base

# A Fernet token of a 50-character whsec_ secret is 164 characters; room for longer secrets.
SECRET_ENC_LENGTH = 500


class WebhookEndpoint(Base):
    """Where a project wants its events POSTed, which types, and the signing secret(s)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(sa.String(2000))
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    event_types: Mapped[list[str]] = mapped_column(JSONType, default=list)  # empty: every type
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    # The whsec_<base64> signing secret, Fernet-encrypted with SESAME_ENCRYPTION_KEY (shared/crypto.py).
    secret_enc: Mapped[str] = mapped_column(sa.String(SECRET_ENC_LENGTH))
    # After a rotation the old secret still signs (beside the new one) until it expires.
    previous_secret_enc: Mapped[str | None] = mapped_column(sa.String(SECRET_ENC_LENGTH), nullable=True)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebhookDelivery(Base):
    """One event for one endpoint: the exact body signed on every attempt, its state and next attempt time."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    endpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(sa.String(64))  # webhook-id: the same on every attempt
    event_type: Mapped[str] = mapped_column(sa.String(60))
    body: Mapped[str] = mapped_column(sa.Text)
    # pending → delivering (claimed) → succeeded | pending (retry) | failed (attempts exhausted)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    manual: Mapped[bool] = mapped_column(sa.Boolean, default=False)  # a replay: one attempt, no retries
    last_status_code: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    last_latency_ms: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("endpoint_id", "event_id"),
        sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        sa.Index("ix_webhook_deliveries_endpoint_id_desc", "endpoint_id", "id"),
    )


class WebhookAttempt(Base):
    """The delivery log: one row per HTTP attempt with its outcome, response code and latency."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(sa.Integer)
    ok: Mapped[bool] = mapped_column(sa.Boolean)
    status_code: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    latency_ms: Mapped[int] = mapped_column(sa.Integer)
    error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    response_excerpt: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
