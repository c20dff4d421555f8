"""Tables owned by the subscriptions service (read by the sender for fan-out and suppression checks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.types import BigIntPK, JSONType, UTCDateTime, utcnow
from shared.models.base import Base


class MailingList(Base):
    __tablename__ = "lists"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    double_optin: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # Public form settings (captcha, honeypot, redirect, branding overrides) — the gateway's concern.
    form_settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    # Normalised address; NULL once erased (GDPR).
    email: Mapped[str | None] = mapped_column(sa.String(320), nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (sa.UniqueConstraint("project_id", "email"),)


class Subscription(Base):
    """contact × list; status pending → active → unsubscribed, or paused until `paused_until`."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("lists.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20))  # pending | active | paused | unsubscribed
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    consent_source: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.UniqueConstraint("list_id", "contact_id"),
        sa.Index("ix_subscriptions_list_status", "list_id", "status"),
    )


class Suppression(Base):
    """An address never to be mailed by this project. `email` is NULL for erased contacts; `email_hash` stays."""

    __tablename__ = "suppressions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    email: Mapped[str | None] = mapped_column(sa.String(320), nullable=True)
    email_hash: Mapped[str] = mapped_column(sa.String(64))
    # hard_bounce | soft_bounce | complaint | manual | ses_suppression | unsubscribed_all
    reason: Mapped[str] = mapped_column(sa.String(40))
    source_event: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    detail: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("project_id", "email_hash"),)
