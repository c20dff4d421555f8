"""subscriptions: the API key that created a subscription or started an import (source attribution)

Revision ID: subscriptions_api_key
Revises: subscriptions_sunset
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "subscriptions_api_key"
down_revision = "subscriptions_sunset"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("api_key_id", sa.BigInteger(), nullable=True))
    op.add_column("imports", sa.Column("api_key_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    for table in ("imports", "subscriptions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("api_key_id")
