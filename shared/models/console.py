"""Tables of the gateway's owner console: named users, their roles per project, invitations, sessions, audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.types import BigIntPK, JSONType, UTCDateTime, utcnow
from shared.models.base import Base


class ConsoleUser(Base):
    """A person who logs in to the console: an email address (or `admin`, the bootstrap operator) and an argon2 hash."""

    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # Operators run the installation: every project, project creation, the ops dashboard.
    is_operator: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ConsoleMembership(Base):
    """A user's role in one project: owner, editor or viewer."""

    __tablename__ = "console_memberships"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("console_users.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ConsoleInvitation(Base):
    """An invitation to join a project with a role; the link carries a secret whose hash is stored here."""

    __tablename__ = "console_invitations"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(sa.String(320))
    role: Mapped[str] = mapped_column(sa.String(20))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by: Mapped[int | None] = mapped_column(
        sa.ForeignKey("console_users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ConsoleSession(Base):
    """A login: the cookie holds a secret whose hash is the key; expires absolutely and when idle."""

    __tablename__ = "console_sessions"

    id_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("console_users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ip: Mapped[str] = mapped_column(sa.String(64), default="")


class AuditEntry(Base):
    """Who changed what, when: one row per change made through the console."""

    __tablename__ = "console_audit"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("console_users.id", ondelete="SET NULL"), nullable=True
    )
    user_login: Mapped[str] = mapped_column(sa.String(320))
    project_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=True
    )
    action: Mapped[str] = mapped_column(sa.String(100))
    target: Mapped[str] = mapped_column(sa.String(200), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    ip: Mapped[str] = mapped_column(sa.String(64), default="")

    __table_args__ = (sa.Index("ix_console_audit_project_id_id", "project_id", "id"),)
