"""Properties of the token codec and link tokens: round trip, purpose/secret/project separation, tamper-proof."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shared.links import CONFIRM, PREFERENCES, UNSUBSCRIBE, LinkTarget, make_token, read_token
from shared.tokens import TokenCodec, TokenExpired, TokenInvalid

SECRET = "property-test-secret-0123456789"
codec = TokenCodec(SECRET)
purposes = st.sampled_from([CONFIRM, PREFERENCES, UNSUBSCRIBE, "other", "x" * 40])
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**53), 2**53), st.text(max_size=30))
payloads = st.dictionaries(st.text(min_size=1, max_size=10), json_scalars, max_size=6)
ids = st.integers(1, 2**62)
targets = st.builds(LinkTarget, ids, ids, st.one_of(st.none(), ids))


@given(purposes, payloads)
def test_round_trip(purpose: str, payload: dict) -> None:
    assert codec.verify(purpose, codec.sign(purpose, payload)) == payload


@given(purposes, purposes, payloads)
def test_token_of_one_purpose_never_verifies_as_another(a: str, b: str, payload: dict) -> None:
    assume(a != b)
    token = codec.sign(a, payload)
    try:
        codec.verify(b, token)
    except TokenInvalid:
        return
    raise AssertionError(f"{a} token accepted as {b}")


@given(purposes, payloads, st.text(min_size=16, max_size=40))
def test_token_signed_with_another_secret_is_refused(purpose: str, payload: dict, other: str) -> None:
    assume(other != SECRET)
    try:
        codec.verify(purpose, TokenCodec(other).sign(purpose, payload))
    except TokenInvalid:
        return
    raise AssertionError("foreign secret accepted")


@settings(max_examples=300)
@given(purposes, payloads, st.data())
def test_tampering_never_yields_another_payload(purpose: str, payload: dict, data: st.DataObject) -> None:
    token = codec.sign(purpose, payload)
    i = data.draw(st.integers(0, len(token) - 1))
    c = data.draw(st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/%"))
    assume(token[i] != c)
    mutated = token[:i] + c + token[i + 1 :]
    try:
        got = codec.verify(purpose, mutated)
    except TokenInvalid:
        return
    # base64 carries spare bits in its last character: a "different" token may decode to the same bytes.
    # What must never happen is a different payload being accepted.
    assert got == payload


@settings(max_examples=300)
@given(
    purposes, st.one_of(st.text(max_size=5000), st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
)
def test_arbitrary_strings_are_refused_as_invalid_never_crash(purpose: str, junk: str) -> None:
    try:
        codec.verify(purpose, junk)
    except TokenInvalid as exc:
        assert exc.status_code == 400
    except TokenExpired:
        raise AssertionError("junk classified as an authentic expired token") from None
    else:
        raise AssertionError(f"junk accepted: {junk!r}")


@given(purposes, payloads)
def test_expired_token_is_gone_and_says_whom_it_was_for(purpose: str, payload: dict) -> None:
    token = codec.sign(purpose, payload)
    try:
        codec.verify(purpose, token, max_age=-1)
    except TokenExpired as exc:
        assert exc.status_code == 410
        assert exc.payload == payload
        return
    raise AssertionError("expired token accepted")


@given(purposes, targets)
def test_link_tokens_round_trip(purpose: str, target: LinkTarget) -> None:
    assert read_token(codec, purpose, make_token(codec, purpose, target)) == target


@given(targets, ids)
def test_link_token_names_exactly_one_project(target: LinkTarget, other_project: int) -> None:
    """Replay across projects: a token carries its project inside the signed payload; nothing outside can move it."""
    assume(other_project != target.project_id)
    token = make_token(codec, UNSUBSCRIBE, target)
    got = read_token(codec, UNSUBSCRIBE, token)
    assert got.project_id == target.project_id != other_project


@given(purposes, st.dictionaries(st.sampled_from(["p", "c", "l", "x"]), json_scalars, max_size=4))
def test_link_token_with_malformed_payload_is_invalid_not_a_crash(purpose: str, payload: dict) -> None:
    token = codec.sign(purpose, payload)
    try:
        target = read_token(codec, purpose, token)
    except TokenInvalid:
        return
    assert isinstance(target.project_id, int) and isinstance(target.contact_id, int)
