"""The one HTTP client webhooks go out through: SSRF-safe and bounded.

A host name is resolved by our resolver, which refuses the whole name if any address is private, loopback,
link-local, multicast, reserved, unspecified or otherwise not global (IPv4, IPv6, IPv4-mapped/NAT64 forms) — and
aiohttp then connects to exactly those vetted addresses, so a second lookup cannot swap in an internal one. IP
literals are checked before the request (aiohttp does not resolve them). No redirects, no proxies from the
environment, connect/total timeouts, the response read capped. Operators may allow ranges (`webhook_allow_networks`).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import yarl
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

log = logging.getLogger("sesame.events.webhooks")

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Net = ipaddress.IPv4Network | ipaddress.IPv6Network
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Cloud metadata services that are not covered by the ranges below everywhere (e.g. AWS's IPv6 one is ULA).
_METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


class UnsafeTarget(Exception):
    """The URL points (or resolves) to an address webhooks must not reach."""


def parse_networks(cidrs: list[str]) -> list[Net]:
    return [ipaddress.ip_network(c, strict=False) for c in cidrs]


def _embedded_v4(ip: IP) -> ipaddress.IPv4Address | None:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip in _NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
    return None


def refusal(ip: IP, allowed: list[Net]) -> str | None:
    """Why `ip` is refused (None: reachable)."""
    if any(ip in net for net in allowed if net.version == ip.version):
        return None
    inner = _embedded_v4(ip)
    if inner is not None:
        why = refusal(inner, allowed)
        return f"embeds {inner}: {why}" if why else None
    if ip in _METADATA:
        return "cloud metadata address"
    for attr in (
        "is_loopback",
        "is_link_local",
        "is_multicast",
        "is_private",
        "is_reserved",
        "is_unspecified",
    ):
        if getattr(ip, attr):
            return attr[3:].replace("_", "-")
    if not ip.is_global:
        return "not a global address"
    return None


# What a host may be once IDNA-encoded: a DNS name's letters, digits, dots, hyphens (underscores occur in the wild).
_HOST_CHARS = re.compile(r"^[a-z0-9._-]+$")
_CONTROL = re.compile(r"[\x00-\x20\x7f]")
_NUMERIC = re.compile(r"^[0-9a-fx.]+$")  # the inet_aton forms: 2130706433, 0x7f.1, 0177.0.0.1, 127.1


def _connect_host(url: str) -> str:
    """The host aiohttp will connect to, as yarl normalises it: `①②⑦.0.0.1` and `127。0。0。1` are 127.0.0.1."""
    # IDNA-encoded (punycode) as it goes on the wire; an IPv6 literal without its brackets
    return (yarl.URL(url).raw_host or "").rstrip(".").lower()


def check_url(url: str, allowed: list[Net]) -> str | None:
    """Why a webhook URL is refused as written (scheme, credentials, an unsafe IP literal); None when it is fine.

    The host is judged as the client will see it (IDNA-normalised by yarl, trailing dot dropped), so unicode digits
    or full-width dots cannot turn a "name" into a loopback literal that skips the resolver's vetting."""
    if _CONTROL.search(url):  # yarl would drop or quote them: the URL called would not be the one shown
        return "spaces and control characters are not allowed in the URL (percent-encode them)"
    try:
        parts = urlsplit(url)
        port = parts.port
        host = _connect_host(url)
    except ValueError as exc:  # UnicodeError (a bad IDNA label) is one
        return f"not a valid URL: {exc}"
    if parts.scheme not in ("http", "https"):
        return "only http and https URLs"
    if not parts.hostname or not host:
        return "the URL has no host"
    if parts.username or parts.password:
        return "credentials in the URL are not allowed (use the signature to authenticate)"
    if port == 0:
        return "port 0"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if _NUMERIC.match(host):
            try:
                legacy = ipaddress.IPv4Address(socket.inet_aton(host))
            except OSError:
                legacy = None
            if legacy is not None:
                return f"{host} is an IP address in a non-standard form ({legacy}): write it as a dotted quad"
        if not _HOST_CHARS.match(host):
            return f"{host!r} is not a valid host name"
        if (
            host == "localhost" or host.endswith(".localhost") or host == "localhost.localdomain"
        ) and not allowed:
            return "localhost is not reachable"
        return None
    why = refusal(ip, allowed)
    return f"{ip} is refused ({why})" if why else None


class VettingResolver(AbstractResolver):
    """Resolves with the system resolver, then refuses the name if any address is not allowed."""

    def __init__(self, allowed: list[Net]) -> None:
        self._inner = ThreadedResolver()
        self._allowed = allowed

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:  # noqa: E501
        results = await self._inner.resolve(host, port, family)
        for r in results:
            ip = ipaddress.ip_address(r["host"].split("%", 1)[0])
            why = refusal(ip, self._allowed)
            if why:
                raise UnsafeTarget(f"{host} resolves to {ip} ({why})")
        return results

    async def close(self) -> None:
        await self._inner.close()


def _text(received: str | None) -> str | None:
    """What a receiver sent, storable: a NUL (no Postgres text holds one) or a lone surrogate (aiohttp's reading of
    header bytes that are not UTF-8, e.g. a redirect's Location) would fail the whole batch's record."""
    if received is None:
        return None
    return received.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


@dataclass(slots=True)
class PostResult:
    ok: bool
    status_code: int | None
    latency_ms: int
    error: str | None
    excerpt: str | None
    permanent: bool = False  # never retried (nothing was sent: a retry could not do better)


class WebhookClient:
    """One aiohttp session for every webhook POST of the process (built in the service's lifespan)."""

    def __init__(
        self,
        allowed: list[Net],
        *,
        connect_timeout: float = 5.0,
        total_timeout: float = 10.0,
        read_bytes: int = 4096,
        limit: int = 100,
    ) -> None:
        self.allowed = allowed
        self._timeout = aiohttp.ClientTimeout(
            total=total_timeout, sock_connect=connect_timeout, connect=connect_timeout
        )
        self._read = read_bytes
        self._limit = limit
        self._session: aiohttp.ClientSession | None = None

    def _get(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                resolver=VettingResolver(self.allowed), limit=self._limit, ttl_dns_cache=60
            )
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self._timeout, trust_env=False, auto_decompress=False
            )
        return self._session

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> PostResult:
        t0 = time.perf_counter()

        def done(ok: bool, code: int | None, error: str | None, excerpt: str | None = None) -> PostResult:
            return PostResult(ok, code, int((time.perf_counter() - t0) * 1000), _text(error), _text(excerpt))

        why = check_url(url, self.allowed)
        if why:
            return done(False, None, f"refused: {why}")
        try:
            async with self._get().post(url, data=body, headers=headers, allow_redirects=False) as resp:
                raw = await resp.content.read(self._read)
                excerpt = raw.decode("utf-8", "replace")
                ok = 200 <= resp.status < 300
                err = (
                    None
                    if ok
                    else (
                        f"redirect to {resp.headers.get('location', '?')} not followed"
                        if 300 <= resp.status < 400
                        else f"HTTP {resp.status}"
                    )
                )
                return done(ok, resp.status, err, excerpt)
        except UnsafeTarget as exc:
            return done(False, None, f"refused: {exc}")
        except aiohttp.ClientConnectorError as exc:
            inner: Any = exc.os_error
            if isinstance(inner, UnsafeTarget) or isinstance(exc.__cause__, UnsafeTarget):
                return done(False, None, f"refused: {inner}")
            return done(False, None, f"connect failed: {exc}")
        except TimeoutError:
            return done(False, None, "timed out")
        except aiohttp.ClientError as exc:
            return done(False, None, f"{type(exc).__name__}: {exc}")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
