"""Properties of email normalisation: one canonical form, bad input only ever refused with InvalidEmail."""

from __future__ import annotations

import string

import idna
import pytest
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from shared.email_address import InvalidEmail, _plain_ascii, email_hash, normalize_email

LOCAL_CHARS = string.ascii_letters + string.digits + "!#$%&'*+-/=?^_`{|}~"
label = st.text(string.ascii_letters + string.digits, min_size=1, max_size=12)
domain = st.builds(lambda labels, tld: ".".join([*labels, tld]), st.lists(label, min_size=1, max_size=3),
                   st.sampled_from(["com", "org", "de", "io", "example"]))  # fmt: skip
local = st.lists(st.text(LOCAL_CHARS, min_size=1, max_size=10), min_size=1, max_size=3).map(".".join)
address = st.builds(lambda lp, d: f"{lp}@{d}", local, domain)


def _norm_or_none(raw: str) -> str | None:
    try:
        return normalize_email(raw)
    except InvalidEmail:
        return None


@given(address)
def test_normalisation_is_idempotent(raw: str) -> None:
    once = _norm_or_none(raw)
    assume(once is not None)
    assert normalize_email(once) == once


@given(address, st.sampled_from([" ", "\t", "\n", "  \r\n"]), st.sampled_from(["", " ", "\n", "\t "]))
def test_surrounding_whitespace_is_trimmed(raw: str, before: str, after: str) -> None:
    assume(_norm_or_none(raw) is not None)
    assert normalize_email(before + raw + after) == normalize_email(raw)


@given(local, domain)
def test_domain_case_never_matters_local_part_is_kept(lp: str, d: str) -> None:
    lower = _norm_or_none(f"{lp}@{d.lower()}")
    assume(lower is not None)
    assert normalize_email(f"{lp}@{d.upper()}") == lower
    kept = lower.rsplit("@", 1)[0]
    # The local part is not case-folded (RFC 5321: it may be significant) — except the RFC 2142 role mailboxes
    # (info@, postmaster@, abuse@ …), which are case-insensitive by definition.
    assert kept == (lp.lower() if lp.lower() in CASE_INSENSITIVE_MAILBOX_NAMES else lp)
    assert lower.rsplit("@", 1)[1] == d.lower()


@given(st.sampled_from(["bücher", "münchen", "παράδειγμα", "例え", "straße"]), st.sampled_from(["de", "com"]))
def test_idn_domain_has_one_form_whatever_the_spelling(uni: str, tld: str) -> None:
    ascii_form = idna.encode(f"{uni}.{tld}", uts46=True).decode()  # IDNA2008 (the stdlib codec is IDNA2003)
    a = _norm_or_none(f"user@{uni}.{tld}")
    assume(a is not None)
    assert normalize_email(f"user@{ascii_form}") == a
    # Upper-case each letter that has a one-letter capital (ß → "SS" would name another domain).
    upper = "".join(c.upper() if len(c.upper()) == 1 else c for c in uni)
    assert normalize_email(f"user@{upper}.{tld.upper()}") == a


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=400), st.binary(max_size=50).map(lambda b: b.decode("latin-1"))))
@example("a" * 321)
@example("@")
@example("a@b@c.com")
@example("a@localhost")
@example("<script>@x.com")
@example("a\x00@example.com")
@example("a@example.com\r\nBcc: victim@example.com")
def test_arbitrary_text_is_refused_with_invalid_email_or_accepted_cleanly(raw: str) -> None:
    try:
        out = normalize_email(raw)
    except InvalidEmail as exc:
        assert exc.status_code == 422
        return
    # Anything accepted is a single plain address: no header injection, no whitespace, one @.
    assert "\r" not in out and "\n" not in out and "\x00" not in out
    assert out.count("@") == 1
    assert out == out.strip()
    assert len(out) <= 320


@pytest.mark.parametrize("bad", [None, 42, b"a@example.com", ["a@example.com"]])
def test_non_string_is_refused(bad: object) -> None:
    with pytest.raises(InvalidEmail):
        normalize_email(bad)  # type: ignore[arg-type]


@given(address)
def test_hash_is_stable_hex_and_case_insensitive(raw: str) -> None:
    n = _norm_or_none(raw)
    assume(n is not None)
    h = email_hash(n)
    assert len(h) == 64 and all(c in "0123456789abcdef" for c in h)
    assert email_hash(n.upper()) == h
    assert email_hash(n) == h


def _validator_outcome(raw: str) -> str:
    """What email_validator alone answers (the slow path normalize_email skips for plain ASCII addresses)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        info = validate_email(raw.strip(), check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        return "invalid"
    return f"{info.local_part}@{info.domain.lower()}"


@settings(max_examples=500)
@given(st.one_of(address, st.text(LOCAL_CHARS + "@.-\"ü ", max_size=80), st.builds(
    lambda lp, d, tld: f"{lp}@{d}.{tld}", local, label, st.sampled_from(["test", "local", "invalid", "c0m", "i"]))))
@example("Ann@Example.COM")
@example("Postmaster@example.com")
@example("a..b@x.io")
@example("a@-x.io")
@example("a@x.123")
@example("a@xn--bcher-kva.de")
@example("a@foo.localhost")
@example("x" * 65 + "@x.io")
@example("a@" + "b" * 64 + ".io")
@example('"q"@x.io')
def test_the_fast_path_answers_exactly_what_email_validator_answers(raw: str) -> None:
    fast = _plain_ascii(raw.strip())
    if fast is not None:
        assert fast == _validator_outcome(raw), raw
    try:
        got = normalize_email(raw)
    except InvalidEmail:
        got = "invalid"
    if len(raw) <= 320:
        assert got == _validator_outcome(raw), raw
