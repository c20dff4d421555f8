"""One way to normalise an email address (no network lookups), and the hash kept for erased suppressions."""

from __future__ import annotations

import hashlib

from email_validator import EmailNotValidError, validate_email

from shared.errors import Unprocessable


class InvalidEmail(Unprocessable):
    error = "invalid_email"


def normalize_email(raw: str) -> str:
    """Trimmed, domain lower-cased (IDN domains in their Unicode form), local part kept; raises InvalidEmail."""
    if not isinstance(raw, str) or len(raw) > 320:
        raise InvalidEmail("email address missing or too long")
    try:
        info = validate_email(raw.strip(), check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as exc:
        raise InvalidEmail(f"invalid email address: {exc}") from None
    return f"{info.local_part}@{info.domain.lower()}"


def email_hash(normalized: str) -> str:
    """SHA-256 of the normalised address, lower-cased: what remains of an erased contact's suppression."""
    return hashlib.sha256(normalized.lower().encode()).hexdigest()
