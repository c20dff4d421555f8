"""An SESv2 stand-in for the system and fault tests: counts every mail it accepts, and misbehaves on request.

Speaks SESv2's REST-JSON wire format (`POST /v2/email/outbound-emails`, `GET /v2/email/account`, errors with
`x-amzn-ErrorType` and `{"message": …}`), requires a SigV4 `Authorization` header, runs in its own thread with its
own event loop (so a test blocked in a subprocess call cannot stall it), and records each accepted mail.

Faults (each for a number of seconds, or until cleared):
- `throttle` — 429 TooManyRequestsException "Maximum sending rate exceeded." (as SES does over MaxSendRate)
- `error_5xx` — 500 InternalFailure / 503 ServiceUnavailable, alternately
- `timeout` — the request hangs past the client's timeout and is NOT accepted (nothing was sent)
- `max_send_rate` — strict per-second window like SES: the request over the rate gets the 429
A request refused by a fault is never counted as sent: "sent exactly once" is judged on `accepted`.
"""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiohttp import web

from tests.system.private_infra import free_port


@dataclass
class Accepted:
    ses_message_id: str
    to: list[str]
    from_address: str
    raw: bytes
    tags: dict[str, str]
    at: float = field(default_factory=time.time)

    def mime(self) -> Message:
        return message_from_bytes(self.raw)

    def header(self, name: str) -> str | None:
        v = self.mime().get(name)
        return None if v is None else str(v)


class FaultySes:
    """Start with `start()`; `url` is the endpoint for SESAME_SENDER_SES_ENDPOINT_URL."""

    def __init__(self, *, max_send_rate: float = -1, max_24h: float = -1, latency: float = 0.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.max_send_rate = max_send_rate
        self.max_24h = max_24h
        self.latency = latency
        self.accepted: list[Accepted] = []
        self.refused: Counter[str] = Counter()
        self.requests = 0
        self.reject_when_to_contains: str | None = "reject-me"
        self._faults: dict[str, float] = {}
        self._lock = threading.Lock()
        self._window: list[float] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._flip = 0

    # ------------------------------------------------------------------ control (any thread)

    def fault(self, kind: str, seconds: float | None = None) -> None:
        """Turn a fault on for `seconds` (None: until `clear`)."""
        assert kind in ("throttle", "error_5xx", "timeout"), kind
        with self._lock:
            self._faults[kind] = time.monotonic() + seconds if seconds is not None else float("inf")

    def clear(self, kind: str | None = None) -> None:
        with self._lock:
            if kind is None:
                self._faults.clear()
            else:
                self._faults.pop(kind, None)

    def _active(self, kind: str) -> bool:
        with self._lock:
            until = self._faults.get(kind)
            return until is not None and time.monotonic() < until

    def counts(self) -> Counter[str]:
        """Accepted mails per recipient address."""
        with self._lock:
            return Counter(a for acc in self.accepted for a in acc.to)

    def to(self, address: str) -> list[Accepted]:
        with self._lock:
            return [a for a in self.accepted if address in a.to]

    def duplicates(self) -> dict[str, int]:
        return {a: n for a, n in self.counts().items() if n > 1}

    def reset(self) -> None:
        with self._lock:
            self.accepted.clear()
            self.refused.clear()
            self.requests = 0

    # ------------------------------------------------------------------ HTTP

    @staticmethod
    def _error(status: int, kind: str, message: str) -> web.Response:
        return web.Response(
            status=status,
            body=json.dumps({"message": message}).encode(),
            headers={"x-amzn-ErrorType": f"{kind}:http://internal.amazon.com/coral/com.amazonaws.sesv2/",
                     "x-amzn-RequestId": str(uuid.uuid4()), "Content-Type": "application/json"},
        )  # fmt: skip

    def _refuse(self, reason: str, resp: web.Response) -> web.Response:
        with self._lock:
            self.refused[reason] += 1
        return resp

    async def _send(self, request: web.Request) -> web.Response:
        with self._lock:
            self.requests += 1
        if not request.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 Credential="):
            return self._refuse(
                "unsigned",
                self._error(403, "MissingAuthenticationTokenException", "Missing Authentication Token"),
            )
        body = await request.read()
        if self.latency:
            await asyncio.sleep(self.latency)
        if self._active("timeout"):
            self._refuse("timeout", web.Response())
            await asyncio.sleep(3600)  # the client gives up first; nothing is accepted
        if self._active("error_5xx"):
            self._flip += 1
            if self._flip % 2:
                return self._refuse("5xx", self._error(500, "InternalFailure", "An internal error occurred."))
            return self._refuse("5xx", self._error(503, "ServiceUnavailable", "Service is unavailable."))
        if self._active("throttle"):
            return self._refuse(
                "throttle", self._error(429, "TooManyRequestsException", "Maximum sending rate exceeded.")
            )
        if self.max_send_rate > 0:
            now = time.monotonic()
            with self._lock:
                self._window = [t for t in self._window if now - t < 1.0]
                over = len(self._window) >= self.max_send_rate
                if not over:
                    self._window.append(now)
            if over:
                return self._refuse(
                    "rate", self._error(429, "TooManyRequestsException", "Maximum sending rate exceeded.")
                )
        if self.max_24h > 0 and len(self.accepted) >= self.max_24h:
            return self._refuse(
                "daily_quota", self._error(429, "TooManyRequestsException", "Daily message quota exceeded.")
            )
        try:
            doc = json.loads(body)
            raw = base64.b64decode(doc["Content"]["Raw"]["Data"], validate=True)
            dest = doc.get("Destination", {})
            to = [*dest.get("ToAddresses", []), *dest.get("CcAddresses", []), *dest.get("BccAddresses", [])]
            from_address = doc.get("FromEmailAddress") or ""
        except (ValueError, KeyError, TypeError):
            return self._refuse(
                "bad_request", self._error(400, "BadRequestException", "Invalid request body")
            )
        if not to:
            msg = message_from_bytes(raw)
            to = [str(msg.get("To", ""))]
        if len(to) > 50:
            return self._refuse(
                "bad_request", self._error(400, "BadRequestException", "Recipient count exceeds 50.")
            )
        if self.reject_when_to_contains and any(self.reject_when_to_contains in a for a in to):
            return self._refuse(
                "rejected", self._error(400, "MessageRejected", "Email address is not verified.")
            )
        mid = f"0100{uuid.uuid4().hex[:12]}-{uuid.uuid4()}-000000"
        tags = {t.get("Name", ""): t.get("Value", "") for t in doc.get("EmailTags", []) or []}
        with self._lock:
            self.accepted.append(Accepted(mid, to, from_address, raw, tags))
        return web.json_response({"MessageId": mid})

    async def _account(self, request: web.Request) -> web.Response:
        if not request.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 Credential="):
            return self._error(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
        with self._lock:
            sent = len(self.accepted)
        return web.json_response(
            {
                "SendQuota": {"Max24HourSend": float(self.max_24h), "MaxSendRate": float(self.max_send_rate),
                              "SentLast24Hours": float(sent)},
                "SendingEnabled": True,
                "ProductionAccessEnabled": True,
                "EnforcementStatus": "HEALTHY",
                "DedicatedIpAutoWarmupEnabled": False,
            }
        )  # fmt: skip

    async def _other(self, request: web.Request) -> web.Response:
        return self._error(
            404, "NotFoundException", f"{request.method} {request.path} is not implemented here"
        )

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FaultySes:
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            app = web.Application(client_max_size=50 * 2**20)
            app.router.add_post("/v2/email/outbound-emails", self._send)
            app.router.add_get("/v2/email/account", self._account)
            app.router.add_route("*", "/{tail:.*}", self._other)
            self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
            loop.run_until_complete(self._runner.setup())
            loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            # Requests still held by an injected hang outlive the runner's shutdown timeout: end them here, or
            # they are destroyed pending when the loop is collected.
            left = asyncio.all_tasks(loop)
            for task in left:
                task.cancel()
            if left:
                loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=serve, name="faulty-ses", daemon=True)
        self._thread.start()
        if not ready.wait(15):
            raise RuntimeError("SES stand-in did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def summary(self) -> dict[str, Any]:
        return {"requests": self.requests, "accepted": len(self.accepted), "refused": dict(self.refused)}
