"""One way to normalise an email address (no network lookups), and the hash kept for erased suppressions."""

from __future__ import annotations

import hashlib
import re

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

from shared.errors import Unprocessable


class InvalidEmail(Unprocessable):
    error = "invalid_email"


# Plain ASCII dot-atom addresses (nearly all) are answered by one regex; everything else — IDN, quoted local
# parts, special-use domains, odd lengths — goes through email_validator, which costs ≈ 150 µs per address.
# tests/properties/test_email_properties.py checks that both give the same answer.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_SPECIAL_USE = tuple(SPECIAL_USE_DOMAIN_NAMES)


def _plain_ascii(value: str) -> str | None:
    """normalize_email's answer for a plain ASCII address, or None when only email_validator can tell."""
    if len(value) > 254 or not _PLAIN_EMAIL.fullmatch(value):
        return None
    local, _, domain = value.rpartition("@")
    domain = domain.lower()
    if len(local) > 64 or "xn--" in domain or local.lower() in CASE_INSENSITIVE_MAILBOX_NAMES:
        return None
    if any(domain == s or domain.endswith("." + s) for s in _SPECIAL_USE):
        return None
    return f"{local}@{domain}"


def normalize_email(raw: str) -> str:
    """Trimmed, domain lower-cased (IDN domains in their Unicode form), local part kept; raises InvalidEmail."""
    if not isinstance(raw, str) or len(raw) > 320:
        raise InvalidEmail("email address missing or too long")
    fast = _plain_ascii(raw.strip())
    if fast is not None:
        return fast
    try:
        info = validate_email(raw.strip(), check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as exc:
        raise InvalidEmail(f"invalid email address: {exc}") from None
    return f"{info.local_part}@{info.domain.lower()}"


def email_hash(normalized: str) -> str:
    """SHA-256 of the normalised address, lower-cased: what remains of an erased contact's suppression."""
    return hashlib.sha256(normalized.lower().encode()).hexdigest()
