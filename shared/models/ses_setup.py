"""Tables of the sender's SES-setup part (`services/sender/ses_setup`): connect state and suppression sync."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.types import JSONType, UTCDateTime, utcnow
from shared.models.base import Base


class SesSetupState(Base):
    """What `ses connect` set up for a project, and the feedback/suppression bookkeeping around it."""

    __tablename__ = "ses_setup_state"

    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    identity: Mapped[str | None] = mapped_column(sa.String(320), nullable=True)
    mode: Mapped[str] = mapped_column(sa.String(20), default="configuration_set")  # | identity
    configuration_set: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    webhook_url: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    # {"bounce": arn, "complaint": arn, "delivery": arn} and the SNS subscription ARNs per topic
    topics: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    subscriptions: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_report: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Loop proof: {"run_at":…, "results": {"delivery": seconds|None, …}}
    last_loop: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Feedback stall guard: set when the owner was told, cleared when feedback flows again.
    stall_alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    suppression_push: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    suppression_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    suppression_last_result: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SesSuppressionSync(Base):
    """Per address: on which side it was suppressed at the last sync (the baseline of the three-way merge)."""

    __tablename__ = "ses_suppression_sync"

    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    email_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(320))
    in_ses: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    in_sesame: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    ses_reason: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)  # BOUNCE | COMPLAINT
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
