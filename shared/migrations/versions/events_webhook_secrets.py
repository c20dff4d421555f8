"""events: webhook signing secrets encrypted at rest (secret → secret_enc, previous_secret → previous_secret_enc)

Existing plain `whsec_` values are encrypted here with SESAME_ENCRYPTION_KEY (the key `shared.migrate.upgrade` was
given, else the one in the environment); the downgrade decrypts them back.

Revision ID: events_webhook_secrets
Revises: events_webhooks
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import context, op

from shared.crypto import WEBHOOK_SECRET, decrypt, encrypt

revision = "events_webhook_secrets"
down_revision = "events_webhooks"
branch_labels = None
depends_on = None

SECRET_ENC_LENGTH = 500  # as shared.models.webhooks, frozen here


def _key() -> str:
    key = context.config.attributes.get("encryption_key")
    if key:
        return str(key)
    from shared.settings import SecuritySettings

    return SecuritySettings().encryption_key


def _convert(old: tuple[str, str], new: tuple[str, str], fn: Callable[[str, str], str]) -> None:
    """Copy each endpoint's two secrets from the `old` columns to the `new` ones through `fn(key, value)`."""
    table = sa.table("webhook_endpoints", sa.column("id"), *(sa.column(c) for c in (*old, *new)))
    conn = op.get_bind()
    rows = conn.execute(sa.select(table.c.id, *(table.c[c] for c in old))).all()
    if not rows:
        return
    key = _key()
    for row in rows:
        values = {n: (fn(key, v) if v else None) for n, v in zip(new, row[1:], strict=True)}
        conn.execute(table.update().where(table.c.id == row.id).values(**values))


def upgrade() -> None:
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret_enc", sa.String(length=SECRET_ENC_LENGTH), nullable=True))
        batch_op.add_column(
            sa.Column("previous_secret_enc", sa.String(length=SECRET_ENC_LENGTH), nullable=True)
        )
    _convert(("secret", "previous_secret"), ("secret_enc", "previous_secret_enc"), encrypt)
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_column("secret")
        batch_op.drop_column("previous_secret")
        batch_op.alter_column("secret_enc", existing_type=sa.String(length=SECRET_ENC_LENGTH), nullable=False)


def _decrypt(key: str, token: str) -> str:
    return decrypt(key, token, what=WEBHOOK_SECRET)


def downgrade() -> None:
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("previous_secret", sa.String(length=100), nullable=True))
    _convert(("secret_enc", "previous_secret_enc"), ("secret", "previous_secret"), _decrypt)
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_column("secret_enc")
        batch_op.drop_column("previous_secret_enc")
        batch_op.alter_column("secret", existing_type=sa.String(length=100), nullable=False)
