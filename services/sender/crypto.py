"""SES credentials at rest: Fernet with SESAME_ENCRYPTION_KEY, and re-encryption when the key rotates."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class CredentialKeyError(ValueError):
    """The configured encryption key is not a Fernet key, or cannot read a stored secret."""


def _fernet(key: str) -> Fernet:
    try:
        raw = base64.urlsafe_b64decode(key.encode())
    except (ValueError, TypeError):
        raw = b""
    if len(raw) != 32:
        raise CredentialKeyError("SESAME_ENCRYPTION_KEY must be urlsafe base64 of 32 bytes (a Fernet key)")
    return Fernet(key.encode())


def encrypt(key: str, plaintext: str) -> str:
    """The secret encrypted with `key`."""
    return _fernet(key).encrypt(plaintext.encode()).decode()


def decrypt(key: str, token: str, *, old_keys: list[str] | None = None) -> str:
    """The secret; tries `key` first, then `old_keys` (a rotation in progress)."""
    f = MultiFernet([_fernet(k) for k in [key, *(old_keys or [])]])
    try:
        return f.decrypt(token.encode()).decode()
    except InvalidToken:
        raise CredentialKeyError(
            "stored SES credentials cannot be decrypted with the configured key"
        ) from None


def rotate(old_key: str, new_key: str, token: str) -> str:
    """Re-encrypt a stored secret from `old_key` to `new_key` (already-rotated tokens pass through)."""
    return MultiFernet([_fernet(new_key), _fernet(old_key)]).rotate(token.encode()).decode()
