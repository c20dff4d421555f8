"""console: users, memberships, invitations, sessions and the audit log of the owner console

Revision ID: console_0001
Revises: 0001_base
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
import shared.db.types

revision = 'console_0001'
down_revision = '0001_base'
branch_labels = ('console',)
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('console_users',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('login', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('is_operator', sa.Boolean(), nullable=False),
    sa.Column('created_at', shared.db.types.UTCDateTime(), nullable=False),
    sa.Column('password_changed_at', shared.db.types.UTCDateTime(), nullable=False),
    sa.Column('disabled_at', shared.db.types.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_users')),
    sa.UniqueConstraint('login', name=op.f('uq_console_users_login'))
    )
    op.create_table('console_memberships',
    sa.Column('user_id', _ID, nullable=False),
    sa.Column('project_id', _ID, nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', shared.db.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_console_memberships_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['console_users.id'], name=op.f('fk_console_memberships_user_id_console_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'project_id', name=op.f('pk_console_memberships'))
    )
    op.create_index(op.f('ix_console_memberships_project_id'), 'console_memberships', ['project_id'], unique=False)
    op.create_table('console_invitations',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('project_id', _ID, nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by', _ID, nullable=True),
    sa.Column('created_at', shared.db.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', shared.db.types.UTCDateTime(), nullable=False),
    sa.Column('accepted_at', shared.db.types.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', shared.db.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['invited_by'], ['console_users.id'], name=op.f('fk_console_invitations_invited_by_console_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_console_invitations_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_console_invitations_token_hash'))
    )
    op.create_index(op.f('ix_console_invitations_project_id'), 'console_invitations', ['project_id'], unique=False)
    op.create_table('console_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', _ID, nullable=False),
    sa.Column('created_at', shared.db.types.UTCDateTime(), nullable=False),
    sa.Column('last_seen_at', shared.db.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', shared.db.types.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', shared.db.types.UTCDateTime(), nullable=True),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['console_users.id'], name=op.f('fk_console_sessions_user_id_console_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_console_sessions'))
    )
    op.create_index(op.f('ix_console_sessions_user_id'), 'console_sessions', ['user_id'], unique=False)
    op.create_table('console_audit',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('at', shared.db.types.UTCDateTime(), nullable=False),
    sa.Column('user_id', _ID, nullable=True),
    sa.Column('user_login', sa.String(length=320), nullable=False),
    sa.Column('project_id', _ID, nullable=True),
    sa.Column('action', sa.String(length=100), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('detail', _JSON, nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_console_audit_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['console_users.id'], name=op.f('fk_console_audit_user_id_console_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_console_audit'))
    )
    op.create_index('ix_console_audit_project_id_id', 'console_audit', ['project_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_console_audit_project_id_id', table_name='console_audit')
    op.drop_table('console_audit')
    op.drop_index(op.f('ix_console_sessions_user_id'), table_name='console_sessions')
    op.drop_table('console_sessions')
    op.drop_index(op.f('ix_console_invitations_project_id'), table_name='console_invitations')
    op.drop_table('console_invitations')
    op.drop_index(op.f('ix_console_memberships_project_id'), table_name='console_memberships')
    op.drop_table('console_memberships')
    op.drop_table('console_users')
