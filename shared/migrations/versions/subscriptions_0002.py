"""subscriptions: lists.public (a private list is not offered on the preference page)

Revision ID: subscriptions_0002
Revises: subscriptions_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "subscriptions_0002"
down_revision = "subscriptions_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing lists stay public (the default): the preference page shows what it showed before.
    op.add_column("lists", sa.Column("public", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("lists", schema=None) as batch_op:
        batch_op.drop_column("public")
