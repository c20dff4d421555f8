"""The fast MIME builder produces what the email package parses back to the same content."""

from __future__ import annotations

import email
import email.policy

import pytest

from services.sender.mime import HeaderRefused, MimeSkeleton, list_unsubscribe_value


def _parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def test_round_trip_multipart_with_unicode_and_long_lines() -> None:
    html = "<html><body>" + "<p>Größe = 5 € — " + "x" * 300 + "</p>\n" * 50 + "</body></html>"
    text = "Hällo\n.line starting with a dot\nFrom the start\n" + "y" * 200
    sk = MimeSkeleton(
        from_address="Zoë <news@example.com>",
        reply_to="r@example.com",
        feedback_id="1:2:marketing:sesame",
        one_click=True,
    )
    lu = list_unsubscribe_value(
        "https://mail.example.org/u/" + "t" * 120, "mailto:u@example.org?subject=unsubscribe%20abc"
    )
    raw = sk.build(
        to="bob@example.org",
        subject="Ünïcode subject " * 6,
        html=html,
        text=text,
        list_unsubscribe=lu,
        headers=[("X-Sesame-Message-Id", "77")],
    )
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")
    m = _parse(raw)
    assert m["From"].addresses[0].display_name == "Zoë"
    assert m["Subject"] == ("Ünïcode subject " * 6).strip()
    assert m["List-Unsubscribe"] == lu
    assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert m["Feedback-ID"] == "1:2:marketing:sesame" and m["X-Sesame-Message-Id"] == "77"
    norm = lambda s: s.replace("\r\n", "\n").rstrip("\n")  # noqa: E731
    assert norm(m.get_body(("html",)).get_content()) == norm(html)
    assert norm(m.get_body(("plain",)).get_content()) == norm(text)


def test_text_only_and_header_injection_refused() -> None:
    sk = MimeSkeleton(from_address="a@example.com")
    m = _parse(sk.build(to="b@example.com", subject="line\r\nBcc: evil@x.com", html=None, text="hi"))
    assert m["Bcc"] is None and m.get_content_type() == "text/plain"
    with pytest.raises(HeaderRefused):
        sk.build(to="b@example.com", subject="s", html=None, text="t", headers=[("X-Bad\r\nBcc", "v")])
    with pytest.raises(HeaderRefused):
        MimeSkeleton(from_address="not an address")


PIECES = [
    ["<p>Größe = 5 € ", "Ann", " \t", "\n", "x" * 200, "", "=", "\n\n", "tail "],
    ["no newline at all " * 20],
    ["a", "\n", "b\n", "\nc", " ", "\t", "d" * 77, "é" * 40],
    ["ends with a newline\n"],
    ["Hi ", "Ann", " \t"],
    [""],
    ["carriage\r", "\nreturn straddling two pieces\r\n", "x"],  # falls back to whole-text encoding
]


@pytest.mark.parametrize("pieces", PIECES)
def test_bodies_as_template_pieces_decode_to_the_same_text(pieces: list[str]) -> None:
    text = "".join(pieces)
    cacheable = frozenset(p for p in pieces if len(p) > 3)
    sk = MimeSkeleton(from_address="n@example.com", cacheable=cacheable)
    for _ in range(2):  # the second build takes the literal pieces from the cache
        raw = sk.build(to="b@example.org", subject="s", html=pieces, text=pieces)
        whole = sk.build(to="b@example.org", subject="s", html=text, text=text)
        assert b"\n" not in raw.replace(b"\r\n", b"")
        body = raw.split(b"\r\n\r\n", 1)[1]
        assert all(len(line) <= 76 for line in body.split(b"\r\n"))
        assert not any(line.endswith((b" ", b"\t")) for line in body.split(b"\r\n"))
        got = [p.get_content() for p in _parse(raw).walk() if not p.is_multipart()]
        want = [p.get_content() for p in _parse(whole).walk() if not p.is_multipart()]
        assert got == want
        assert got[0].replace("\r\n", "\n") == text.replace("\r\n", "\n").replace("\r", "\n") + (
            "" if text.endswith(("\n", "\r")) else "\n"
        )


def test_template_pieces_of_a_personalised_newsletter() -> None:
    from services.sender.templating import compile_parts

    compiled = compile_parts(
        "Hi {{ first_name }}",
        "<html><body>"
        + "<p>Dear {{ first_name }}, a long literal paragraph = 3 € that wraps.</p>\n" * 30
        + "</body></html>",
        None,
        add_unsubscribe_footer=True,
    )
    assert compiled.constants  # the literal pieces were found in the compiled template
    sk = MimeSkeleton(from_address="n@example.com", cacheable=compiled.constants)
    for name in ("Ann", "Zoë  ", "<b>&"):
        ctx = {"first_name": name, "unsubscribe_url": "https://u/x", "preferences_url": "https://p/y"}
        subject, html, text = compiled.render_pieces(ctx)
        assert html is not None
        raw = sk.build(to="b@example.org", subject=subject, html=html, text=text)
        whole = sk.build(to="b@example.org", subject=subject, html="".join(html), text="".join(text))
        got = [p.get_content() for p in _parse(raw).walk() if not p.is_multipart()]
        assert got == [p.get_content() for p in _parse(whole).walk() if not p.is_multipart()]
        assert name.strip() in got[0]
        assert compiled.render(ctx) == (subject, "".join(html), "".join(text))
