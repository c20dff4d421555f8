"""A captured mail taken apart for the outbox page: headers, text and HTML parts, attachments, the links in it.

Defensive throughout: the raw MIME comes from the sandbox as stored, and a malformed mail must show what can be
read (an undecodable header shown raw, an unknown charset decoded as UTF-8 with replacements), never fail.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from html.parser import HTMLParser

# Headers a reader looks at first, in this order (the rest follow as the mail has them).
MAIN = ("From", "To", "Subject", "Date")
HIGHLIGHT = ("list-unsubscribe", "list-unsubscribe-post")
URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
ANGLE_RE = re.compile(r"<([^<>\s]+)>")
MAX_LINKS = 200


@dataclass
class Header:
    name: str
    value: str
    highlight: bool = False


@dataclass
class Attachment:
    filename: str
    content_type: str
    size: int


@dataclass
class ParsedMail:
    headers: list[Header] = field(default_factory=list)
    text: str | None = None
    html: str | None = None
    attachments: list[Attachment] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    unsubscribe: list[str] = field(default_factory=list)  # the List-Unsubscribe targets (https and mailto)
    one_click: bool = False  # List-Unsubscribe-Post: List-Unsubscribe=One-Click
    problems: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        low = name.lower()
        return next((h.value for h in self.headers if h.name.lower() == low), None)


def _decoded(part: Message) -> str:
    """A text part's content; a bad charset or transfer encoding degrades to UTF-8 with replacements."""
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except Exception:  # noqa: BLE001 - fall back to the bytes below
        pass
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        payload = None
    if isinstance(payload, bytes):
        charset = part.get_content_charset() or "utf-8"
        try:
            return payload.decode(charset, "replace")
        except LookupError:
            return payload.decode("utf-8", "replace")
    raw = part.get_payload()
    return raw if isinstance(raw, str) else ""


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("a", "area"):
            for k, v in attrs:
                if k == "href" and v:
                    self.found.append(v.strip())


def _http(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def find_links(html: str | None, text: str | None) -> list[str]:
    """http(s) links of the HTML part's anchors and the text part, in order, once each (nothing else is a link)."""
    out: list[str] = []
    if html:
        p = _Links()
        try:
            p.feed(html)
            p.close()
        except Exception:  # noqa: BLE001 - keep what was found before the parser gave up
            pass
        out += p.found
    if text:
        out += [u.rstrip(".,;:!?)]}'\"") for u in URL_RE.findall(text)]
    seen: set[str] = set()
    links = []
    for u in out:
        if _http(u) and u not in seen:
            seen.add(u)
            links.append(u)
    return links[:MAX_LINKS]


def parse_mail(raw: str) -> ParsedMail:
    out = ParsedMail()
    try:
        msg: Message = email.message_from_string(raw or "", policy=email.policy.default)
    except Exception as exc:  # noqa: BLE001 - show the raw text rather than nothing
        out.problems.append(f"The mail could not be parsed ({type(exc).__name__}); its raw text is below.")
        out.text = raw
        return out
    first: list[Header] = []
    rest: list[Header] = []
    try:
        items = msg.raw_items()  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001
        items = []
    for name, raw_value in items:
        try:  # decoded (RFC 2047 words); a header the parser cannot decode is shown as it was sent
            value = str(msg.policy.header_fetch_parse(name, raw_value))
        except Exception:  # noqa: BLE001
            value = str(raw_value)
        h = Header(str(name), value.replace("\r", "").replace("\n", " "), str(name).lower() in HIGHLIGHT)
        (first if h.name.title() in MAIN else rest).append(h)
    first.sort(key=lambda h: MAIN.index(h.name.title()))
    out.headers = first + rest

    unsub = out.header("List-Unsubscribe") or ""
    out.unsubscribe = [u for u in ANGLE_RE.findall(unsub) if _http(u) or u.lower().startswith("mailto:")]
    post = (out.header("List-Unsubscribe-Post") or "").replace(" ", "").lower()
    out.one_click = post == "list-unsubscribe=one-click"

    if isinstance(msg, EmailMessage):
        for kind in ("plain", "html"):
            try:
                part = msg.get_body(preferencelist=(kind,))
            except Exception:  # noqa: BLE001
                part = None
            if part is not None:
                content = _decoded(part)
                if kind == "plain":
                    out.text = content
                else:
                    out.html = content
        try:
            for att in msg.iter_attachments():
                payload = att.get_payload(decode=True)
                out.attachments.append(
                    Attachment(
                        att.get_filename() or "(no name)",
                        att.get_content_type(),
                        len(payload) if isinstance(payload, bytes) else 0,
                    )
                )
        except Exception:  # noqa: BLE001
            out.problems.append("Some attachments could not be read.")
    if out.text is None and out.html is None and not msg.is_multipart():
        out.text = _decoded(msg)  # a body the parser did not recognise as text: shown as it is
    if msg.defects:
        out.problems.append(
            "The parser reported defects: " + ", ".join(type(d).__name__ for d in msg.defects)
        )
    out.links = find_links(out.html, out.text)
    return out


def frame_document(html: str) -> str:
    """The HTML part for the sandboxed frame, with links opening a new tab (the frame cannot navigate itself)."""
    base = '<base target="_blank">'
    m = re.search(r"<head\b[^>]*>", html, re.IGNORECASE) or re.search(r"<!doctype[^>]*>", html, re.IGNORECASE)
    if m:
        return html[: m.end()] + base + html[m.end() :]
    return base + html
