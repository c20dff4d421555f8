"""The one place that forwards a request to a service: in-process ASGI (embedded) or aiohttp (distributed).

Every call carries the internal token (and the authenticated project, when there is one). A service that cannot
be reached answers 503 `{"error": "unavailable", "detail": "<service> is unavailable"}`; one that takes too long,
504. httpx stays off this path: it manages a few hundred requests/s where aiohttp manages thousands
(../shared/reference/machine-limits.md).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
from yarl import URL

from shared.errors import NotFound, SesameError
from shared.internal_auth import API_KEY_HEADER, INTERNAL_TOKEN_HEADER, PROJECT_HEADER
from shared.logging import correlation_id

log = logging.getLogger("sesame.gateway.upstream")

SERVICES = ("subscriptions", "events", "sender")

# Hop-by-hop headers (RFC 9110 §7.6.1) and the ones we set ourselves are never passed through.
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}
_STRIPPED_IN = _HOP_BY_HOP | {
    INTERNAL_TOKEN_HEADER,
    PROJECT_HEADER,
    API_KEY_HEADER,
    "authorization",
    "x-api-key",
    "cookie",
}
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_STRIPPED_OUT = _HOP_BY_HOP | {"content-encoding", "set-cookie", "server", "date"}


class UpstreamUnavailable(SesameError):
    status_code, error = 503, "unavailable"


class UpstreamTimeout(SesameError):
    status_code, error = 504, "upstream_timeout"


@dataclass
class UpstreamResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def forwardable_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Incoming headers a service may see (never credentials, cookies, or spoofed internal headers)."""
    return [(k, v) for k, v in headers if k.lower() not in _STRIPPED_IN]


def response_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in headers if k.lower() not in _STRIPPED_OUT]


def unsafe_path(path: str) -> bool:
    """Dot segments, empty segments or backslashes: never forwarded (they could reach another route)."""
    if "\\" in path or "//" in path or "\x00" in path:
        return True
    return any(seg in (".", "..") for seg in path.split("/"))


class Upstreams:
    """Calls the three services. `apps` given → in-process ASGI; otherwise HTTP to `urls`."""

    def __init__(
        self,
        *,
        internal_token: str,
        urls: Mapping[str, str] | None = None,
        apps: Mapping[str, Any] | None = None,
        timeout: float = 15.0,
        connect_timeout: float = 3.0,
        pool_size: int = 100,
    ) -> None:
        self.internal_token = internal_token
        self.urls = {k: v.rstrip("/") for k, v in (urls or {}).items()}
        self.apps = dict(apps or {})
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.pool_size = pool_size
        self._session: aiohttp.ClientSession | None = None

    @property
    def embedded(self) -> bool:
        return bool(self.apps)

    async def start(self) -> None:
        if self.embedded or self._session is not None:
            return
        connector = aiohttp.TCPConnector(
            limit=self.pool_size * max(1, len(self.urls)), limit_per_host=self.pool_size
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=self.timeout, sock_connect=self.connect_timeout),
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept-Encoding"),
            cookie_jar=aiohttp.DummyCookieJar(),
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def request(
        self,
        service: str,
        method: str,
        path: str,
        *,
        query: str | Mapping[str, Any] = "",
        headers: Iterable[tuple[str, str]] = (),
        body: bytes = b"",
        json_body: Any = None,
        project_id: int | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - per-call override of the client's timeout
    ) -> UpstreamResponse:
        """Forward one request; raises UpstreamUnavailable (503) / UpstreamTimeout (504)."""
        if unsafe_path(path):
            raise NotFound("no such route")
        hdrs = [(k, v) for k, v in headers]
        if json_body is not None:
            body = json.dumps(json_body).encode()
            hdrs = [(k, v) for k, v in hdrs if k.lower() != "content-type"]
            hdrs.append(("content-type", "application/json"))
        hdrs.append((INTERNAL_TOKEN_HEADER, self.internal_token))
        if project_id is not None:
            hdrs.append((PROJECT_HEADER, str(project_id)))
        if not any(k.lower() == "x-request-id" for k, _ in hdrs):
            hdrs.append(("x-request-id", correlation_id.get()))
        qs = query if isinstance(query, str) else urlencode(query, doseq=True)
        try:
            if self.embedded:
                app = self.apps.get(service)
                if app is None:
                    raise UpstreamUnavailable(f"{service} is unavailable")
                coro = _asgi_call(app, method, path, qs, hdrs, body)
                return await asyncio.wait_for(coro, timeout or self.timeout)
            return await self._http(service, method, path, qs, hdrs, body, timeout)
        except TimeoutError:
            log.warning("%s %s %s timed out", service, method, path)
            raise UpstreamTimeout(f"{service} did not answer in time") from None

    async def _http(
        self,
        service: str,
        method: str,
        path: str,
        qs: str,
        hdrs: list[tuple[str, str]],
        body: bytes,
        timeout: float | None,  # noqa: ASYNC109
    ) -> UpstreamResponse:
        base = self.urls.get(service)
        if base is None:
            raise UpstreamUnavailable(f"{service} is unavailable")
        if self._session is None:
            await self.start()
        assert self._session is not None
        # Sent exactly as given (percent-encoded once, never normalised): a `..` segment must not be resolved
        # into another route of the service on the way (callers refuse such paths anyway).
        url = URL(f"{base}{quote(path, safe=_PATH_SAFE)}" + (f"?{qs}" if qs else ""), encoded=True)
        kwargs: dict[str, Any] = {}
        if timeout is not None:
            kwargs["timeout"] = aiohttp.ClientTimeout(total=timeout, sock_connect=self.connect_timeout)
        for attempt in (1, 2):
            try:
                async with self._session.request(
                    method, url, headers=hdrs, data=body or None, allow_redirects=False, **kwargs
                ) as resp:
                    data = await resp.read()
                    hdrs_out = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.raw_headers]
                    return UpstreamResponse(resp.status, hdrs_out, data)
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, OSError) as exc:
                # (TimeoutError is an OSError: a total/read timeout is 504; not even connecting in time is 503.)
                if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError) and not isinstance(
                    exc, aiohttp.ConnectionTimeoutError
                ):
                    log.warning("%s %s %s timed out", service, method, path)
                    raise UpstreamTimeout(f"{service} did not answer in time") from None
                if attempt == 1 and _safe_to_retry(method, exc):
                    log.info("%s: retrying %s %s once after %r", service, method, path, exc)
                    continue
                log.warning("%s unavailable: %r", service, exc)
                raise UpstreamUnavailable(f"{service} is unavailable") from None
        raise UpstreamUnavailable(f"{service} is unavailable")


_IDEMPOTENT = {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}


def _safe_to_retry(method: str, exc: BaseException) -> bool:
    """A pooled connection the service had already closed (keep-alive race), or one never made: nothing reached
    the service, so one retry cannot apply a request twice. Other failures of non-idempotent requests are final."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        return True
    if method.upper() in _IDEMPOTENT and isinstance(
        exc, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError
    ):
        return True
    return isinstance(exc, aiohttp.ClientOSError) and "write request body" in str(exc)


async def _asgi_call(
    app: Any, method: str, path: str, qs: str, headers: list[tuple[str, str]], body: bytes
) -> UpstreamResponse:
    """One HTTP request straight into an ASGI app (no sockets): the embedded mode's transport."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method.upper(),
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": qs.encode(),
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        + [(b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 0),
        "server": ("embedded", 80),
        "state": {},
    }
    sent = False
    done = asyncio.Event()

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    status = 0
    out_headers: list[tuple[str, str]] = []
    chunks: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, out_headers
        if message["type"] == "http.response.start":
            status = message["status"]
            out_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                done.set()

    try:
        await app(scope, receive, send)
    except Exception:  # noqa: BLE001 - the service crashed: its 500 (if sent) stands, else it is unavailable
        log.exception("in-process call %s %s failed", method, path)
        if not status:
            raise UpstreamUnavailable("service failed") from None
    finally:
        done.set()
    if not status:
        raise UpstreamUnavailable("service gave no answer")
    return UpstreamResponse(status, out_headers, b"".join(chunks))
