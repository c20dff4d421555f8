"""sender: ix_messages_sent_by_list, a list's sent campaign mail per contact by time (the sunset scan)

Read by the subscriptions service's hourly sunset scan.

Revision ID: sender_sunset_index
Revises: sender_tracking
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sender_sunset_index"
down_revision = "sender_tracking"
branch_labels = None
depends_on = None

WHERE = "state = 'sent' AND campaign_id IS NOT NULL"


def upgrade() -> None:
    op.create_index(
        "ix_messages_sent_by_list",
        "messages",
        ["list_id", "contact_id", "sent_at", "id"],
        unique=False,
        postgresql_where=sa.text(WHERE),
        sqlite_where=sa.text(WHERE),
    )


def downgrade() -> None:
    op.drop_index("ix_messages_sent_by_list", table_name="messages")
