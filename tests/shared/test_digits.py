"""Numbers typed as text: ASCII digits only, so '²' (isdigit, but int() refuses it) is no number, not a 500."""

from __future__ import annotations

import pytest

from shared.digits import ascii_digits, parse_whole


@pytest.mark.parametrize("raw", ["0", "7", "123456789012345678"])
def test_ascii_digits_are_numbers(raw: str) -> None:
    assert ascii_digits(raw) and parse_whole(raw) == int(raw)


@pytest.mark.parametrize(
    "raw",
    [None, "", "²", "1²", "①", "١٢", "１２", "-1", "+1", " 1", "1 ", "1.0", "1e3", "1234567890123456789"],
)
def test_anything_else_is_not(raw: str | None) -> None:
    assert not ascii_digits(raw) and parse_whole(raw) is None


def test_max_digits() -> None:
    assert ascii_digits("65535", max_digits=5) and not ascii_digits("655350", max_digits=5)
