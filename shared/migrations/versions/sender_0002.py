"""sender: one due-index per kind (the transactional claim no longer walks a campaign's queued rows)

Revision ID: sender_0002
Revises: sender_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sender_0002"
down_revision = "sender_0001"
branch_labels = None
depends_on = None

DUE = "state IN ('queued', 'delayed')"
TX = f"{DUE} AND kind <> 'marketing'"
MK = f"{DUE} AND kind = 'marketing'"


def upgrade() -> None:
    op.create_index(
        "ix_messages_due_tx", "messages", ["send_after", "id"], postgresql_where=sa.text(TX), sqlite_where=sa.text(TX)
    )
    op.create_index(
        "ix_messages_due_mk", "messages", ["send_after", "id"], postgresql_where=sa.text(MK), sqlite_where=sa.text(MK)
    )
    op.drop_index("ix_messages_due", table_name="messages")


def downgrade() -> None:
    op.create_index(
        "ix_messages_due", "messages", ["send_after", "id"], postgresql_where=sa.text(DUE), sqlite_where=sa.text(DUE)
    )
    op.drop_index("ix_messages_due_mk", table_name="messages")
    op.drop_index("ix_messages_due_tx", table_name="messages")
