"""Secrets at rest (SES credentials, webhook signing secrets): Fernet with SESAME_ENCRYPTION_KEY, and
re-encryption when the key rotates (`sesame secrets rotate-key`)."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

# What a secret is, for the error when it cannot be read (`decrypt(..., what=...)`).
SES_CREDENTIALS = "stored SES credentials"
WEBHOOK_SECRET = "a webhook signing secret"


class EncryptionKeyError(ValueError):
    """The configured encryption key is not a Fernet key, or cannot read a stored secret."""


def _fernet(key: str) -> Fernet:
    try:
        raw = base64.urlsafe_b64decode(key.encode())
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != 32:
        raise EncryptionKeyError("SESAME_ENCRYPTION_KEY must be urlsafe base64 of 32 bytes (a Fernet key)")
    return Fernet(key.encode())


def check_key(key: str) -> None:
    """Raise EncryptionKeyError unless `key` is a usable Fernet key."""
    _fernet(key)


def encrypt(key: str, plaintext: str) -> str:
    """The secret encrypted with `key`."""
    return _fernet(key).encrypt(plaintext.encode()).decode()


def decrypt(key: str, token: str, *, old_keys: list[str] | None = None, what: str = "a stored secret") -> str:
    """The secret; tries `key` first, then `old_keys` (a rotation in progress). `what` names it in the error."""
    f = MultiFernet([_fernet(k) for k in [key, *(old_keys or [])]])
    try:
        return f.decrypt(token.encode()).decode()
    except InvalidToken:
        raise EncryptionKeyError(
            f"{what} cannot be decrypted with the configured SESAME_ENCRYPTION_KEY"
        ) from None


def rotate(old_key: str, new_key: str, token: str) -> str:
    """Re-encrypt a stored secret from `old_key` to `new_key` (already-rotated tokens pass through)."""
    try:
        return MultiFernet([_fernet(new_key), _fernet(old_key)]).rotate(token.encode()).decode()
    except InvalidToken:
        raise EncryptionKeyError(
            "a stored secret is encrypted with neither the old nor the new key"
        ) from None
