"""ses_setup: connect state and the suppression-sync baseline

Revision ID: ses_setup_0001
Revises: 0001_base
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
import shared.db.types

revision = 'ses_setup_0001'
down_revision = '0001_base'
branch_labels = ('ses_setup',)
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('ses_setup_state',
    sa.Column('project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('identity', sa.String(length=320), nullable=True),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('configuration_set', sa.String(length=64), nullable=True),
    sa.Column('webhook_url', sa.Text(), nullable=True),
    sa.Column('topics', _JSON, nullable=False),
    sa.Column('subscriptions', _JSON, nullable=False),
    sa.Column('connected_at', shared.db.types.UTCDateTime(), nullable=True),
    sa.Column('last_report', _JSON, nullable=False),
    sa.Column('last_loop', _JSON, nullable=False),
    sa.Column('stall_alerted_at', shared.db.types.UTCDateTime(), nullable=True),
    sa.Column('suppression_push', sa.Boolean(), nullable=False),
    sa.Column('suppression_synced_at', shared.db.types.UTCDateTime(), nullable=True),
    sa.Column('suppression_last_result', _JSON, nullable=False),
    sa.Column('updated_at', shared.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_ses_setup_state_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_ses_setup_state'))
    )
    op.create_table('ses_suppression_sync',
    sa.Column('project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('email_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('in_ses', sa.Boolean(), nullable=False),
    sa.Column('in_sesame', sa.Boolean(), nullable=False),
    sa.Column('ses_reason', sa.String(length=20), nullable=True),
    sa.Column('updated_at', shared.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_ses_suppression_sync_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'email_hash', name=op.f('pk_ses_suppression_sync'))
    )


def downgrade() -> None:
    op.drop_table('ses_suppression_sync')
    op.drop_table('ses_setup_state')
