"""Security headers on every answer, per-page CSP, client IP behind trusted proxies, branding validation."""

from __future__ import annotations

import ipaddress
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.digits import ascii_digits

BASE_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]
DEFAULT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "worker-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def build_csp(
    *,
    nonce: str | None = None,
    frameable: bool = False,
    extra_script: str = "",
    extra_frame: str = "",
    form_action: str = "",
    images_https: bool = False,
) -> str:
    """A page's Content-Security-Policy: self only, plus exactly what that page needs."""
    style = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    script = "'self'" + (f" {extra_script}" if extra_script else "")
    img = "'self' data:" + (" https:" if images_https else "")
    parts = [
        "default-src 'none'",
        f"script-src {script}",
        f"style-src {style}",
        f"img-src {img}",
        "connect-src 'self'" + (f" {extra_script}" if extra_script else ""),
        "worker-src 'self'",
        "form-action 'self'" + (f" {form_action}" if form_action else ""),
        "base-uri 'none'",
        "frame-ancestors " + ("*" if frameable else "'none'"),
    ]
    if extra_frame:
        parts.append(f"frame-src {extra_frame}")
    return "; ".join(parts)


class SecurityHeadersMiddleware:
    """Adds the security headers to every response; routes may set their own CSP (kept as is)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                for k, v in BASE_HEADERS:
                    if k not in names:
                        headers.append((k, v))
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", DEFAULT_CSP.encode()))
                if b"x-frame-options" not in names:
                    csp = next((v for k, v in headers if k.lower() == b"content-security-policy"), b"")
                    if b"frame-ancestors *" not in csp:
                        headers.append((b"x-frame-options", b"DENY"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def client_ip(request: Request, trusted_proxies: list[str]) -> str:
    """The client's address; X-Forwarded-For is believed only from a trusted proxy (right-most untrusted hop)."""
    peer = request.client.host if request.client else "unknown"
    if not trusted_proxies or not _in(peer, trusted_proxies):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _in(hop, trusted_proxies):
            return hop
    return hops[0] if hops else peer


def _in(addr: str, networks: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    for n in networks:
        try:
            if ip in ipaddress.ip_network(n, strict=False):
                return True
        except ValueError:
            continue
    return False


# --- branding ----------------------------------------------------------------------------------------------
_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
DEFAULT_PRIMARY = "#1f5fbf"
DEFAULT_BACKGROUND = "#f6f7f9"
DEFAULT_TEXT = "#1a1d21"


def safe_color(value: Any, default: str) -> str:
    """A CSS colour we can put in a stylesheet: #rgb or #rrggbb, else the default."""
    return value if isinstance(value, str) and _HEX.match(value) else default


def _luminance(hex_color: str) -> float:
    h = hex_color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_on(background: str) -> str:
    """Black or white, whichever reads better on `background` (WCAG contrast)."""
    return "#000000" if contrast(background, "#000000") >= contrast(background, "#ffffff") else "#ffffff"


def safe_https_url(value: Any) -> str | None:
    """An absolute https URL without credentials, else None (used for logos)."""
    if not isinstance(value, str) or len(value) > 2000:
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
        return None
    if any(c in value for c in "\"'<>\\ \t\r\n"):
        return None
    return value


@dataclass(frozen=True)
class Branding:
    name: str
    logo_url: str | None
    primary: str
    accent: str
    background: str
    text: str
    on_primary: str

    @classmethod
    def from_project(
        cls, project: dict[str, Any] | None, overrides: dict[str, Any] | None = None
    ) -> Branding:
        project = project or {}
        raw = dict(project.get("branding") or {})
        raw.update({k: v for k, v in (overrides or {}).items() if v})
        name = raw.get("name") or project.get("name") or "Sesame"
        primary = safe_color(raw.get("primary_color"), DEFAULT_PRIMARY)
        accent = safe_color(raw.get("accent_color"), primary)
        background = safe_color(raw.get("background_color"), DEFAULT_BACKGROUND)
        text = safe_color(raw.get("text_color"), DEFAULT_TEXT)
        if contrast(text, background) < 4.5:  # keep text readable whatever the brand colours are
            text = readable_on(background)
        return cls(
            name=str(name)[:200],
            logo_url=safe_https_url(raw.get("logo_url")),
            primary=primary,
            accent=accent,
            background=background,
            text=text,
            on_primary=readable_on(primary),
        )


DEFAULT_BRANDING = Branding(
    "Sesame", None, DEFAULT_PRIMARY, DEFAULT_PRIMARY, DEFAULT_BACKGROUND, DEFAULT_TEXT, "#ffffff"
)


def safe_redirect(url: Any, allowed_hosts: list[str] | None) -> str | None:
    """`url` if it is an absolute http(s) URL on one of the project's allowed hosts, else None (no open redirect)."""
    if not isinstance(url, str) or not url or len(url) > 2000:
        return None
    if any(c in url for c in "\\\r\n\t ") or url.startswith("//"):
        return None
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if parts.scheme not in ("https", "http") or not host or parts.username or parts.password:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    return url if host_allowed(host, port, allowed_hosts) else None


def host_allowed(host: str, port: int | None, allowed_hosts: list[str] | None) -> bool:
    """Whether host[:port] matches an entry: `example.com`, `*.example.com` (subdomains), `example.com:8443`."""
    host = host.lower().rstrip(".")
    for entry in allowed_hosts or []:
        if not isinstance(entry, str) or not entry.strip():
            continue
        entry = entry.strip().lower()
        want_port: int | None = None
        if ":" in entry:
            entry, _, p = entry.rpartition(":")
            if not ascii_digits(p, max_digits=5):
                continue
            want_port = int(p)
        entry = entry.rstrip(".")
        if want_port is not None and port != want_port:
            continue
        if entry.startswith("*."):
            if host.endswith(entry[1:]) and host != entry[2:]:
                return True
        elif host == entry:
            return True
    return False
