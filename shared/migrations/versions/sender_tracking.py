"""sender: open/click tracking — campaigns.track_opens/track_clicks, ses_accounts' tracking configuration sets

Revision ID: sender_tracking
Revises: sender_canary
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sender_tracking"
down_revision = "sender_canary"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("track_opens", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("track_clicks", sa.Boolean(), nullable=True))
    with op.batch_alter_table("ses_accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tracking_configuration_set", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("click_configuration_set", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ses_accounts", schema=None) as batch_op:
        batch_op.drop_column("click_configuration_set")
        batch_op.drop_column("tracking_configuration_set")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("track_clicks")
        batch_op.drop_column("track_opens")
