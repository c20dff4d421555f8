"""Tables owned by the subscriptions service (read by the sender for fan-out and suppression checks).

Who may be mailed (for the sender's fan-out): a subscription is *receiving* when `status = 'active'`, or when
`status = 'paused'` and `paused_until <= now` — a pause ends by itself at that instant even before the
subscriptions service's periodic resume task flips the row back to `active` (see `receiving_clause`). An address
is excluded when a suppression with its `email_hash` exists for the project (`shared/suppression.py`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.types import BigIntPK, JSONType, UTCDateTime, utcnow
from shared.models.base import Base

SUBSCRIPTION_STATUSES = ("pending", "active", "paused", "unsubscribed")
SUPPRESSION_REASONS = (
    "hard_bounce",
    "soft_bounce",
    "complaint",
    "manual",
    "ses_suppression",
    "unsubscribed_all",
)


class MailingList(Base):
    __tablename__ = "lists"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    double_optin: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    # A private list (false) is never offered on the preference page to a contact who is not on it.
    public: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    # Public form settings: captcha {provider, site_key, secret}, honeypot, redirect_url — the gateway's concern.
    form_settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Sunset policy (off when both are NULL): pause from marketing the contacts with no open or click in this
    # many days and/or in the last this-many campaigns they received (services/subscriptions/sunset.py).
    sunset_days: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    sunset_campaigns: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"))
    # Normalised address; NULL once erased (GDPR).
    email: Mapped[str | None] = mapped_column(sa.String(320), nullable=True)
    # shared.email_address.email_hash(email): joins against suppressions.email_hash; NULL once erased.
    email_hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The import that created this contact (NULL: created by a form, the API or the console); set on insert only.
    import_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)

    # Unique by hash: addresses differing only in case are one contact (the stored email keeps its spelling).
    # Exact lookups go by hash; every index here costs each bulk-imported row, so there is no second one.
    __table_args__ = (sa.UniqueConstraint("project_id", "email_hash"),)


class Subscription(Base):
    """contact × list; status pending → active → unsubscribed, or paused until `paused_until`."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    # The list's project, copied for filtering; no foreign key of its own (list_id and contact_id already tie the
    # row to the project, and each FK check costs every bulk-imported row a trigger call).
    project_id: Mapped[int] = mapped_column(BigIntPK)
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("lists.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20))  # pending | active | paused | unsubscribed
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # How consent was obtained when not by our own double opt-in (API / import), e.g. "signup form 2023 export".
    consent_source: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    # Last confirmation mail requested (the resend cooldown is measured from it).
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The import that created this subscription: its source for attribution, and the hold — the campaign fan-out
    # skips subscriptions of an import still `running` or `held` (no FK: each check costs every imported row).
    import_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    # The API key that created it (directly, or through an import started with it): attribution by key.
    api_key_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        # (list_id, contact_id) also serves the fan-out's `list_id = ? AND status = 'active'` scans.
        sa.UniqueConstraint("list_id", "contact_id"),
        # Only paused rows are indexed (the resume task's scan); active rows, the vast majority, cost nothing here.
        sa.Index(
            "ix_subscriptions_paused_until",
            "paused_until",
            postgresql_where=sa.text("status = 'paused'"),
            sqlite_where=sa.text("status = 'paused'"),
        ),
    )


def receiving_clause(now: datetime) -> sa.ColumnElement[bool]:
    """Subscriptions that may receive list mail at `now` (active, or paused with the pause already over)."""
    return sa.or_(
        Subscription.status == "active",
        sa.and_(
            Subscription.status == "paused",
            Subscription.paused_until.is_not(None),
            Subscription.paused_until <= now,
        ),
    )


class SubscriptionChange(Base):
    """Every status change of a subscription, with its source (api, form, confirmation, preferences, one_click, …).

    An append-only log: plain id columns without foreign keys (a log row outlives nothing it could dangle from —
    subscriptions are never deleted — and FK checks would cost every bulk-imported row two trigger calls)."""

    __tablename__ = "subscription_changes"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(BigIntPK)
    subscription_id: Mapped[int] = mapped_column(BigIntPK, index=True)
    list_id: Mapped[int] = mapped_column(BigIntPK)
    contact_id: Mapped[int] = mapped_column(BigIntPK)  # a contact's history goes through its subscriptions
    previous_status: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    status: Mapped[str] = mapped_column(sa.String(20))
    source: Mapped[str] = mapped_column(sa.String(20))
    detail: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    # The campaign / message whose mail the change came from (its unsubscribe link, a complaint about it).
    campaign_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True, index=True)
    message_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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


class SuppressionRemoval(Base):
    """Who removed which suppression, when and why (the suppression row itself is deleted)."""

    __tablename__ = "suppression_removals"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(320), nullable=True)
    email_hash: Mapped[str] = mapped_column(sa.String(64))
    reason: Mapped[str] = mapped_column(sa.String(40))  # the removed suppression's reason
    suppressed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    removed_by: Mapped[str] = mapped_column(sa.String(200))
    why: Mapped[str] = mapped_column(sa.String(1000))
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContactImport(Base):
    """One bulk CSV import into a list: progress counters updated after every batch."""

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    list_id: Mapped[int] = mapped_column(sa.ForeignKey("lists.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(sa.String(20))  # running | completed | failed | held | rejected
    consent_source: Mapped[str] = mapped_column(sa.String(500))
    filename: Mapped[str | None] = mapped_column(sa.String(500), nullable=True)
    total_bytes: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    processed_bytes: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    rows_processed: Mapped[int] = mapped_column(sa.Integer, default=0)
    rows_imported: Mapped[int] = mapped_column(sa.Integer, default=0)
    contacts_created: Mapped[int] = mapped_column(sa.Integer, default=0)
    subscriptions_created: Mapped[int] = mapped_column(sa.Integer, default=0)
    rows_duplicate: Mapped[int] = mapped_column(sa.Integer, default=0)
    rows_failed: Mapped[int] = mapped_column(sa.Integer, default=0)
    error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    # The list-quality report (services/subscriptions/screening.py): shares of role / disposable / no-MX rows.
    screening: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    hold_reason: Mapped[str | None] = mapped_column(sa.String(1000), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(
        sa.String(200), nullable=True
    )  # who accepted / rejected it
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    api_key_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)  # NULL: console or CLI
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# Imports whose subscriptions the campaign fan-out skips: screening not done yet, or held for the owner's decision.
UNSENDABLE_IMPORT_STATUSES = ("running", "held")


class ImportRowError(Base):
    """A CSV row an import refused: its line number and why."""

    __tablename__ = "import_errors"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    import_id: Mapped[int] = mapped_column(sa.ForeignKey("imports.id", ondelete="CASCADE"), index=True)
    line: Mapped[int] = mapped_column(sa.Integer)
    value: Mapped[str | None] = mapped_column(sa.String(320), nullable=True)
    reason: Mapped[str] = mapped_column(sa.String(500))
