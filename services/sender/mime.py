"""Raw MIME for SES, built fast: the shared parts once per campaign, only the personalised parts per recipient.

`EmailMessage` + `set_content` costs ≈ 2 ms for a 20 KB newsletter (≈ 450/s on one core, see
bench/sender_mime.py). A campaign's messages differ only in a few headers and the rendered bodies, so a
`MimeSkeleton` pre-encodes everything else (From, Reply-To, Feedback-ID, the part headers, the boundary) with the
`email` package once, and per recipient only joins bytes: headers are sanitised and RFC 2047-encoded when not
ASCII (email.header), bodies are quoted-printable via binascii (C) with CRLF line ends. Fed the pieces a
template yields, the template's literal text is encoded once per campaign and only the values filled in per
recipient (`body_qp_pieces`). The output parses with
`email.message_from_bytes(..., policy=email.policy.default)` to the same text (tests/sender/test_mime.py).
"""

from __future__ import annotations

import binascii
import re
import time
import uuid
from collections.abc import Iterable, Sequence
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr

CRLF = b"\r\n"
_HEADER_NAME = re.compile(r"^[!-9;-~]{1,76}$")  # printable ASCII without ':' (RFC 5322 ftext)
_CTRL = re.compile(r"[\r\n\x00]")
ONE_CLICK = "List-Unsubscribe=One-Click"


class HeaderRefused(ValueError):
    """A header name or value that would break the message (or inject headers)."""


def _clean(value: str) -> str:
    return _CTRL.sub(" ", value).strip()


def has_line_break(value: str) -> bool:
    """CR, LF or NUL: what a header value is cleaned of when written (so a field holding one is not what is sent)."""
    return _CTRL.search(value) is not None


def encode_header_value(name: str, value: str) -> bytes:
    """One header line (folded, RFC 2047 when not ASCII), without the final CRLF."""
    value = _clean(value)
    if value.isascii() and len(name) + len(value) + 2 <= 998:
        line = f"{name}: {value}"
        if len(line) <= 78:
            return line.encode()
        return _fold_ascii(name, value).encode()
    encoded = Header(value, "utf-8", header_name=name).encode(linesep="\r\n", maxlinelen=76)
    return f"{name}: {encoded}".encode()


def _fold_ascii(name: str, value: str) -> str:
    # Fold between words (never inside <...>): keeps URLs whole as RFC 2369 asks.
    out, line = [], f"{name}:"
    for word in value.split(" "):
        if len(line) + 1 + len(word) > 78 and line != f"{name}:":
            out.append(line)
            line = " " + word
        else:
            line = f"{line} {word}"
    out.append(line)
    return "\r\n".join(out)


def encode_address(value: str) -> str:
    """`Name <addr>` with the display name RFC 2047-encoded when needed; refuses empty addresses."""
    name, addr = parseaddr(_clean(value))
    if not addr or "@" not in addr:
        raise HeaderRefused(f"not an address: {value!r}")
    return formataddr((name, addr), charset="utf-8")


def check_header_name(name: str) -> str:
    if not _HEADER_NAME.match(name):
        raise HeaderRefused(f"invalid header name {name!r}")
    return name


def list_unsubscribe_value(https_url: str, mailto: str | None) -> str:
    """RFC 2369 value: the https one-click URL first, the mailto alternative after it."""
    items = [f"<{https_url}>"]
    if mailto:
        items.append(f"<{mailto}>")
    return ", ".join(items)


def _body_qp(text: str) -> bytes:
    data = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n").encode("utf-8")
    if not data.endswith(CRLF):
        data += CRLF
    return binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)


def _qp_piece(text: str) -> bytes:
    """Quoted-printable of a piece that a soft line break will follow unless it ends with a newline."""
    if len(text) < 76 and text.isascii() and text.isprintable() and "=" not in text:
        return text.encode()  # a short run of plain ASCII (a filled-in name, a URL) encodes as itself
    data = text.replace("\n", "\r\n").encode("utf-8")
    if data.endswith(CRLF):
        return binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)
    # A letter before a CRLF: b2a_qp then breaks lines with CRLF (it copies the data's first line end) and leaves
    # a trailing space as it is (the soft break's `=` follows it, so it is not at a line end).
    enc = binascii.b2a_qp(data + b"x\r\n", quotetabs=False, istext=True, header=False)
    return enc[:-3]


SOFT_BREAK = b"=\r\n"


def body_qp_pieces(pieces: Sequence[str], cache: dict[str, bytes], cacheable: frozenset[str]) -> bytes:
    """Quoted-printable of "".join(pieces) where the template's literal pieces (`cacheable`) are encoded once
    per campaign and only the text between them per recipient; the encoded runs are joined with soft line
    breaks (RFC 2045 §6.7 rule 5: an `=` at a line end is removed by the decoder). Decodes to exactly the text
    `_body_qp` encodes; pieces holding a CR fall back to it (a CRLF pair may straddle two pieces)."""
    if any("\r" in piece for piece in pieces):
        return _body_qp("".join(pieces))
    out: list[bytes] = []
    run: list[str] = []

    def emit(enc: bytes) -> None:
        if out and not out[-1].endswith(b"\n"):
            out.append(SOFT_BREAK)
        out.append(enc)

    for piece in pieces:
        if piece in cacheable:
            if run:
                emit(_qp_piece("".join(run)))
                run.clear()
            enc = cache.get(piece)
            if enc is None:
                enc = cache[piece] = _qp_piece(piece)
            emit(enc)
        elif piece:
            run.append(piece)
    if run:
        emit(_qp_piece("".join(run)))
    if not out or not out[-1].endswith(b"\n"):
        if out and out[-1][-1:] in (b" ", b"\t"):  # whitespace before the final line break must be encoded
            out[-1] = out[-1][:-1] + (b"=20" if out[-1][-1:] == b" " else b"=09")
        out.append(CRLF)
    return b"".join(out)


_date_cache: tuple[int, bytes] = (0, b"")


def _date_header() -> bytes:
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, f"Date: {formatdate(now, usegmt=True)}".encode())
    return _date_cache[1]


class MimeSkeleton:
    """What is shared by every message of one campaign (or one transactional send), encoded once."""

    def __init__(
        self,
        *,
        from_address: str,
        reply_to: str | None = None,
        feedback_id: str | None = None,
        one_click: bool = False,
        extra_headers: Iterable[tuple[str, str]] = (),
        cacheable: frozenset[str] = frozenset(),
    ) -> None:
        self.from_address = encode_address(from_address)
        self.envelope_from = parseaddr(self.from_address)[1]
        shared: list[bytes] = [encode_header_value("From", self.from_address)]
        if reply_to:
            shared.append(encode_header_value("Reply-To", encode_address(reply_to)))
        shared.append(b"MIME-Version: 1.0")
        if feedback_id:
            shared.append(encode_header_value("Feedback-ID", feedback_id))
        for name, value in extra_headers:
            shared.append(encode_header_value(check_header_name(name), value))
        self._shared = CRLF.join(shared) + CRLF
        self._one_click = b"List-Unsubscribe-Post: " + ONE_CLICK.encode() + CRLF if one_click else b""
        self._boundary = f"=_sesame_{uuid.uuid4().hex}"
        b = self._boundary.encode()
        part = (
            b'Content-Type: text/%s; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
        )
        self._multipart_header = b'Content-Type: multipart/alternative; boundary="' + b + b'"' + CRLF + CRLF
        self._text_open = b"--" + b + CRLF + part % b"plain"
        self._html_open = CRLF + b"--" + b + CRLF + part % b"html"
        self._close = CRLF + b"--" + b + b"--" + CRLF
        self._single_text = part % b"plain"
        self._subject_cache: dict[str, bytes] = {}
        # The template's literal pieces, quoted-printable (bounded by the template's size).
        self._cacheable = cacheable
        self._qp_cache: dict[str, bytes] = {}

    def _body(self, body: str | Sequence[str]) -> bytes:
        if isinstance(body, str):
            return _body_qp(body)
        return body_qp_pieces(body, self._qp_cache, self._cacheable)

    def _subject(self, subject: str) -> bytes:
        enc = self._subject_cache.get(subject)
        if enc is None:
            enc = encode_header_value("Subject", subject)
            if len(self._subject_cache) < 64:  # campaigns usually share one subject
                self._subject_cache[subject] = enc
        return enc

    def build(
        self,
        *,
        to: str,
        subject: str,
        html: str | Sequence[str] | None,
        text: str | Sequence[str],
        list_unsubscribe: str | None = None,
        headers: Sequence[tuple[str, str]] = (),
    ) -> bytes:
        """The complete message for one recipient (bodies as text, or as the pieces a template yielded)."""
        out = [
            self._shared,
            encode_header_value("To", encode_address(to)),
            CRLF,
            self._subject(subject),
            CRLF,
            _date_header(),
            CRLF,
        ]
        if list_unsubscribe:
            out += [encode_header_value("List-Unsubscribe", list_unsubscribe), CRLF, self._one_click]
        for name, value in headers:
            out += [encode_header_value(check_header_name(name), value), CRLF]
        if html is None:
            out += [self._single_text, self._body(text)]
        else:
            out += [
                self._multipart_header,
                self._text_open,
                self._body(text),
                self._html_open,
                self._body(html),
                self._close,
            ]
        return b"".join(out)
