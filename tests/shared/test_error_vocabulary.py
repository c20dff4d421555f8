"""Every error code a service can answer is in the one vocabulary of shared/errors.py."""

from __future__ import annotations

import re
from pathlib import Path

from shared.errors import ERROR_CODES, SesameError

ROOT = Path(__file__).resolve().parents[2]
_PATTERNS = (
    re.compile(r'\berror="([a-z_]+)"'),  # raise NotFound(..., error="x")
    re.compile(r'error_body\("([a-z_]+)"'),  # handlers
    re.compile(r'^\s+error = "([a-z_]+)"', re.M),  # subclass attribute
    re.compile(r'status_code, error = \d+, "([a-z_]+)"'),
)


def _codes_in_source() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for base in ("services", "shared"):
        for path in (ROOT / base).rglob("*.py"):
            text = path.read_text()
            for pattern in _PATTERNS:
                for code in pattern.findall(text):
                    found.setdefault(code, []).append(str(path.relative_to(ROOT)))
    return found


def test_every_raised_code_is_in_the_vocabulary() -> None:
    found = _codes_in_source()
    assert len(found) > 20  # the scan itself works
    unknown = {c: where for c, where in found.items() if c not in ERROR_CODES}
    assert not unknown, f"add these to shared/errors.py ERROR_CODES: {unknown}"


def test_vocabulary_statuses_match_the_exception_classes() -> None:
    def subclasses(cls: type) -> list[type]:
        out = []
        for sub in cls.__subclasses__():
            out += [sub, *subclasses(sub)]
        return out

    for cls in subclasses(SesameError):
        status, _ = ERROR_CODES[cls.error]
        assert status == cls.status_code, cls


def test_one_code_for_not_found() -> None:
    """A missing list, contact or subscription is `not_found` (what is missing is in `detail`), in the API and
    behind the hosted pages alike: no resource-named 404 codes (`list_not_found` drifted beside `not_found`)."""
    named = sorted(c for c in {*ERROR_CODES, *_codes_in_source()} if c.endswith("_not_found"))
    assert not named, named
