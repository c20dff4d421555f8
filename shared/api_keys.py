"""API keys: `ses_<prefix>_<secret>`, shown once, stored as a SHA-256 hash, found by their prefix."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

PREFIX_LEN = 10


@dataclass(frozen=True)
class NewKey:
    key: str  # shown once to the user, never stored
    prefix: str
    key_hash: str


def hash_key(key: str) -> str:
    """The stored form of a key (keys are 190+ bits of randomness, so a fast hash is enough)."""
    return hashlib.sha256(key.encode()).hexdigest()


def generate_key() -> NewKey:
    """A fresh random key with its prefix and hash."""
    prefix = secrets.token_hex(PREFIX_LEN // 2)
    key = f"ses_{prefix}_{secrets.token_urlsafe(24)}"
    return NewKey(key, prefix, hash_key(key))


def parse_prefix(key: str) -> str | None:
    """The lookup prefix of a presented key, or None when it is not shaped like one."""
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != "ses" or len(parts[1]) != PREFIX_LEN or not parts[2] or len(key) > 200:
        return None
    return parts[1]


def key_matches(key: str, key_hash: str) -> bool:
    """Constant-time comparison of a presented key with a stored hash."""
    return hmac.compare_digest(hash_key(key), key_hash)
