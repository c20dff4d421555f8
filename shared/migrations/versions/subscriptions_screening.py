"""subscriptions: import screening report + hold decision; the import that created a contact / subscription

Revision ID: subscriptions_screening
Revises: subscriptions_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from shared.db.types import JSONType, UTCDateTime

revision = "subscriptions_screening"
down_revision = "subscriptions_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("imports", sa.Column("screening", JSONType, nullable=True))
    op.add_column("imports", sa.Column("hold_reason", sa.String(length=1000), nullable=True))
    op.add_column("imports", sa.Column("decided_by", sa.String(length=200), nullable=True))
    op.add_column("imports", sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True))
    op.add_column("subscriptions", sa.Column("import_id", sa.BigInteger(), nullable=True))
    op.add_column("contacts", sa.Column("import_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    for table, columns in (
        ("contacts", ("import_id",)),
        ("subscriptions", ("import_id",)),
        ("imports", ("decided_at", "decided_by", "hold_reason", "screening")),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for c in columns:
                batch_op.drop_column(c)
