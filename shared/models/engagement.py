"""Engagement aggregates owned by the events service, rolled up from `email_events` in batches
(services/events/engagement.py): per campaign and minute, per campaign and link, per message, per contact."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.types import UTCDateTime
from shared.models.base import Base

# The per-message "first time" outcomes: each counts once per message, in the minute it first happened.
FIRSTS = ("delivered", "hard_bounced", "soft_bounced", "complained", "rejected", "opened", "clicked")


class CampaignMinute(Base):
    """Per campaign and minute: messages reaching each outcome for the first time, and open/click events."""

    __tablename__ = "engagement_campaign_minutes"

    campaign_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    minute: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.BigInteger)
    delivered: Mapped[int] = mapped_column(sa.Integer, default=0)
    hard_bounced: Mapped[int] = mapped_column(sa.Integer, default=0)
    soft_bounced: Mapped[int] = mapped_column(sa.Integer, default=0)
    complained: Mapped[int] = mapped_column(sa.Integer, default=0)
    rejected: Mapped[int] = mapped_column(sa.Integer, default=0)
    opened: Mapped[int] = mapped_column(sa.Integer, default=0)  # unique: messages first opened in this minute
    clicked: Mapped[int] = mapped_column(
        sa.Integer, default=0
    )  # unique: messages first clicked in this minute
    opens: Mapped[int] = mapped_column(sa.Integer, default=0)  # every open event
    clicks: Mapped[int] = mapped_column(sa.Integer, default=0)  # every click event


class CampaignLink(Base):
    """Per campaign and clicked URL: clicks, and messages that clicked it."""

    __tablename__ = "engagement_campaign_links"

    campaign_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    url_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.BigInteger)
    url: Mapped[str] = mapped_column(sa.Text)
    total: Mapped[int] = mapped_column(sa.Integer, default=0)
    uniq: Mapped[int] = mapped_column(sa.Integer, default=0)


class MessageLink(Base):
    """A message clicked this URL at least once (makes the per-link unique count exact)."""

    __tablename__ = "engagement_message_links"

    message_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    url_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)


class MessageEngagement(Base):
    """Per sent message: when each outcome first happened, and its open/click event counts."""

    __tablename__ = "engagement_messages"

    message_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.BigInteger)
    campaign_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    contact_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    hard_bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    soft_bounced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    complained_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    clicked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    opens: Mapped[int] = mapped_column(sa.Integer, default=0)
    clicks: Mapped[int] = mapped_column(sa.Integer, default=0)

    __table_args__ = (
        sa.Index("ix_engagement_messages_contact", "contact_id", "campaign_id"),
        sa.Index("ix_engagement_messages_campaign", "campaign_id"),
    )


class ContactEngagement(Base):
    """Per contact: last delivery/open/click and how many messages were delivered/opened/clicked."""

    __tablename__ = "engagement_contacts"

    contact_id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.BigInteger)
    last_delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_clicked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delivered: Mapped[int] = mapped_column(sa.Integer, default=0)
    opened: Mapped[int] = mapped_column(sa.Integer, default=0)
    clicked: Mapped[int] = mapped_column(sa.Integer, default=0)
    campaigns_received: Mapped[int] = mapped_column(sa.Integer, default=0)
