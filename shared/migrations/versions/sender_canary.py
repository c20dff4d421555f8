"""sender: canary sends (campaign canary mode / window / state) and the warm-up's blocked step

Revision ID: sender_canary
Revises: sender_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import shared.db.types

revision = "sender_canary"
down_revision = "sender_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as b:
        b.add_column(sa.Column("canary", sa.String(length=10), server_default="auto", nullable=False))
        b.add_column(sa.Column("canary_window_seconds", sa.Integer(), nullable=True))
        b.add_column(sa.Column("canary_state", sa.String(length=20), nullable=True))
        b.add_column(sa.Column("canary_size", sa.Integer(), server_default="0", nullable=False))
        b.add_column(sa.Column("canary_until", shared.db.types.UTCDateTime(), nullable=True))
        b.add_column(sa.Column("canary_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("ses_accounts") as b:
        b.add_column(sa.Column("warmup_blocked_at", shared.db.types.UTCDateTime(), nullable=True))
        b.add_column(sa.Column("warmup_blocked_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ses_accounts") as b:
        b.drop_column("warmup_blocked_reason")
        b.drop_column("warmup_blocked_at")
    with op.batch_alter_table("campaigns") as b:
        for col in (
            "canary_reason",
            "canary_until",
            "canary_size",
            "canary_state",
            "canary_window_seconds",
            "canary",
        ):
            b.drop_column(col)
