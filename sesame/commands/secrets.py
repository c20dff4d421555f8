"""`sesame secrets …`: the secrets stored encrypted under SESAME_ENCRYPTION_KEY.

- `sesame secrets rotate-key --old-key OLD [--new-key NEW]` re-encrypts every stored secret (SES credentials and
  webhook signing secrets) from the old key to the new one (default: the configured key), in one transaction.
  Safe to re-run: values already under the new key pass through unchanged. `sesame ses rotate-key` is the same.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from sesame.commands._common import load_settings, run


@dataclass(frozen=True)
class Rotated:
    ses_accounts: int
    webhook_endpoints: int

    def __str__(self) -> str:
        return (
            f"re-encrypted the credentials of {self.ses_accounts} SES account(s) "
            f"and the signing secrets of {self.webhook_endpoints} webhook endpoint(s)"
        )


def add_rotate_key_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The `rotate-key` subcommand (under `sesame secrets` and, as before, `sesame ses`)."""
    r = sub.add_parser(
        "rotate-key",
        help="re-encrypt every stored secret (SES credentials, webhook signing secrets) with a new encryption key",
    )
    r.add_argument("--old-key", required=True, help="the previous SESAME_ENCRYPTION_KEY")
    r.add_argument("--new-key", default=None, help="the new key (default: SESAME_ENCRYPTION_KEY)")
    r.set_defaults(func=_rotate)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("secrets", help="secrets stored encrypted under SESAME_ENCRYPTION_KEY (key rotation)")
    secrets_sub = p.add_subparsers(dest="secrets_command", metavar="SECRETS_COMMAND")
    add_rotate_key_parser(secrets_sub)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


async def rotate_keys(database_url: str, old_key: str, new_key: str) -> Rotated:
    """Re-encrypt every stored secret from `old_key` to `new_key` in one transaction; how many rows changed."""
    import sqlalchemy as sa

    from shared.crypto import check_key, rotate
    from shared.db.engine import create_engine, create_sessionmaker
    from shared.models.sender import SesAccount
    from shared.models.webhooks import WebhookEndpoint
    from shared.settings import DatabaseSettings

    check_key(old_key)
    check_key(new_key)
    engine = create_engine(DatabaseSettings(url=database_url))
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            accounts = (
                await session.scalars(sa.select(SesAccount).where(SesAccount.credential_mode == "keys"))
            ).all()
            for a in accounts:
                a.access_key_id_enc = rotate(old_key, new_key, a.access_key_id_enc or "")
                a.secret_access_key_enc = rotate(old_key, new_key, a.secret_access_key_enc or "")
            endpoints = (await session.scalars(sa.select(WebhookEndpoint))).all()
            for e in endpoints:
                e.secret_enc = rotate(old_key, new_key, e.secret_enc)
                if e.previous_secret_enc:
                    e.previous_secret_enc = rotate(old_key, new_key, e.previous_secret_enc)
            return Rotated(len(accounts), len(endpoints))
    finally:
        await engine.dispose()


def _rotate(args: argparse.Namespace) -> int:
    from shared.crypto import EncryptionKeyError

    settings = load_settings()
    new_key = args.new_key or settings.security.encryption_key
    try:
        done = run(rotate_keys(settings.database.url, args.old_key, new_key))
    except EncryptionKeyError as exc:
        raise ValueError(str(exc)) from None
    print(done)
    return 0
