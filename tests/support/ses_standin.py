"""A small, strict Amazon SES v2 stand-in (aiohttp on loopback) for quota, throttling and fault tests.

It answers the way SES does (shapes from shared/reference/ses-api-spec.md):
- `POST /v2/email/outbound-emails` (SendEmail, Raw/Simple): 200 `{"MessageId": …}`; over the max send rate →
  429 `TooManyRequestsException` `{"message": "Maximum sending rate exceeded."}`; past the 24-hour quota →
  the same error type with `Daily message quota exceeded.` (AWS documents no v2 daily-quota code; the spec
  recommends treating that message under any throttling code as "quota exhausted"); an unverified From in
  `verified` mode → 400 `MessageRejected`. Mailbox-simulator recipients do not count against the daily quota.
- `GET /v2/email/account` (GetAccount) and v1 `POST /` `Action=GetSendQuota` (XML).
- Rate: at most `max_rate` accepted sends in any sliding one-second window (strict, no burst).
- Faults on demand: `inject("throttle" | "server_error" | "timeout" | "paused" | "suspended" | "reject",
  count=…, seconds=…)`.
- Counts every accepted send per recipient and keeps arrival times (accepted and refused) for rate checks.

Use in-process (`await SesStandin(...).start()`), in a background thread (`StandinThread`), or as its own
process: `python -m tests.support.ses_standin --port 0 --rate 50` (prints the URL; control API under
`/_standin/`: GET stats, POST inject / reset / config).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import email
import email.policy
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web

SIMULATOR = "simulator.amazonses.com"


def max_in_window(timestamps: list[float], window: float = 1.0) -> int:
    """The largest number of timestamps inside any half-open window [t, t + window)."""
    ts = sorted(timestamps)
    best = 0
    j = 0
    for i in range(len(ts)):
        while ts[i] - ts[j] >= window:
            j += 1
        best = max(best, i - j + 1)
    return best


@dataclass
class Fault:
    kind: str
    remaining: int | None
    until: float | None

    def active(self) -> bool:
        if self.until is not None and time.time() > self.until:
            return False
        return self.remaining is None or self.remaining > 0


@dataclass
class StandinState:
    max_rate: float | None = 14.0  # None = unlimited
    max_24h: float | None = 50000.0  # None = unlimited (answers -1)
    sent_24h_base: float = 0.0
    sending_enabled: bool = True
    production_access: bool = True
    enforcement_status: str = "HEALTHY"
    credentials_valid: bool = True  # False: every call answers as AWS does to unknown keys (403)
    verified: set[str] | None = None  # None: every From accepted
    store_raw: bool = False
    timeout_seconds: float = 30.0
    accepted: collections.Counter[str] = field(default_factory=collections.Counter)
    accepted_times: list[float] = field(default_factory=list)
    arrival_times: list[float] = field(default_factory=list)
    throttled: int = 0
    quota_refused: int = 0
    errors: collections.Counter[str] = field(default_factory=collections.Counter)
    raw: list[bytes] = field(default_factory=list)
    message_ids: dict[str, str] = field(default_factory=dict)  # X-Sesame-Message-Id → SES id (first accept)
    duplicates: collections.Counter[str] = field(default_factory=collections.Counter)  # X-Sesame-Message-Id
    faults: list[Fault] = field(default_factory=list)
    window: collections.deque[float] = field(default_factory=collections.deque)
    day_count: int = 0


def _error(status: int, code: str, message: str) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps({"message": message}).encode(),
        headers={
            "Content-Type": "application/json",
            "x-amzn-ErrorType": f"{code}:http://internal.amazon.com/coral/com.amazonaws.sesv2/",
            "x-amzn-RequestId": str(uuid.uuid4()),
        },
    )


class SesStandin:
    def __init__(self, **config: Any) -> None:
        self.state = StandinState(**config)
        self._lock = asyncio.Lock()
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- control -----------------------------------------------------------------------------------------------

    def inject(self, kind: str, *, count: int | None = None, seconds: float | None = None) -> None:
        """Answer the next `count` sends (or all sends for `seconds`) with a fault."""
        self.state.faults.append(Fault(kind, count, time.time() + seconds if seconds else None))

    def clear_faults(self) -> None:
        self.state.faults.clear()

    def stats(self) -> dict[str, Any]:
        s = self.state
        return {
            "accepted_total": sum(s.accepted.values()),
            "recipients": len(s.accepted),
            "max_per_recipient": max(s.accepted.values(), default=0),
            "duplicates": sum(s.duplicates.values()),
            "throttled": s.throttled,
            "quota_refused": s.quota_refused,
            "errors": dict(s.errors),
            "max_accepted_in_1s": max_in_window(s.accepted_times),
            "max_arrivals_in_1s": max_in_window(s.arrival_times),
        }

    def reset(self) -> None:
        s = self.state
        s.accepted.clear()
        s.accepted_times.clear()
        s.arrival_times.clear()
        s.throttled = s.quota_refused = 0
        s.errors.clear()
        s.raw.clear()
        s.message_ids.clear()
        s.duplicates.clear()
        s.faults.clear()
        s.window.clear()
        s.day_count = 0

    # -- server ------------------------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_post("/v2/email/outbound-emails", self._send_email)
        app.router.add_get("/v2/email/account", self._get_account)
        app.router.add_post("/", self._v1)
        app.router.add_get("/_standin/stats", self._ctl_stats)
        app.router.add_post("/_standin/inject", self._ctl_inject)
        app.router.add_post("/_standin/reset", self._ctl_reset)
        app.router.add_post("/_standin/config", self._ctl_config)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        sock = site._server.sockets[0]  # type: ignore[union-attr]
        self.url = f"http://{host}:{sock.getsockname()[1]}"
        return self.url

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
            self._runner = None

    # -- SES API -----------------------------------------------------------------------------------------------

    def _signed(self, request: web.Request) -> bool:
        signed = request.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 Credential=")
        return signed and self.state.credentials_valid

    def _fault(self) -> str | None:
        s = self.state
        s.faults = [f for f in s.faults if f.active()]
        for f in s.faults:
            if f.remaining is not None:
                f.remaining -= 1
            return f.kind
        return None

    async def _send_email(self, request: web.Request) -> web.Response:
        s = self.state
        now = time.time()
        s.arrival_times.append(now)
        if not self._signed(request):
            return _error(
                403, "UnrecognizedClientException", "The security token included in the request is invalid."
            )
        try:
            doc = await request.json()
            content = doc["Content"]
        except (ValueError, KeyError, TypeError):
            return _error(400, "BadRequestException", "Invalid request body")
        if (
            not isinstance(content, dict)
            or len(content) != 1
            or next(iter(content)) not in ("Raw", "Simple", "Template")
        ):
            return _error(
                400, "BadRequestException", "Content must contain exactly one of Simple, Raw or Template"
            )
        raw = b""
        if "Raw" in content:
            try:
                raw = base64.b64decode(content["Raw"]["Data"], validate=True)
            except (ValueError, KeyError, TypeError):
                return _error(400, "BadRequestException", "Invalid base64 in Content.Raw.Data")
        to = list((doc.get("Destination") or {}).get("ToAddresses") or [])
        # Headers only: parsing 20 KB bodies with the email package would make the stand-in the bottleneck.
        head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
        parsed = BytesHeaderParser(policy=email.policy.compat32).parsebytes(head) if raw else None
        if not to and parsed is not None:
            to = [a.strip() for a in str(parsed.get("To", "")).split(",") if a.strip()]
        if not to:
            return _error(400, "BadRequestException", "No recipients")
        for tag in doc.get("EmailTags") or []:
            if not all(c.isalnum() or c in "_-" for c in str(tag.get("Value", ""))):
                return _error(400, "BadRequestException", f"Invalid tag value: {tag.get('Value')}")
        fault = self._fault()
        if fault == "timeout":
            await asyncio.sleep(s.timeout_seconds)
            return _error(500, "InternalFailure", "timed out")
        if fault == "throttle":
            s.throttled += 1
            return _error(429, "TooManyRequestsException", "Maximum sending rate exceeded.")
        if fault == "server_error":
            s.errors["InternalFailure"] += 1
            return _error(500, "InternalFailure", "An internal error occurred.")
        if fault == "paused" or not s.sending_enabled:
            s.errors["SendingPausedException"] += 1
            return _error(400, "SendingPausedException", "Sending is paused for this account.")
        if fault == "suspended":
            s.errors["AccountSuspendedException"] += 1
            return _error(400, "AccountSuspendedException", "Your account has been suspended.")
        if fault == "reject":
            s.errors["MessageRejected"] += 1
            return _error(400, "MessageRejected", "Message rejected: Email address is not verified.")
        source = str(doc.get("FromEmailAddress") or (parsed.get("From") if parsed else "") or "")
        if (
            s.verified is not None
            and source.rpartition("@")[2] not in s.verified
            and source not in s.verified
        ):
            s.errors["MessageRejected"] += 1
            return _error(
                400,
                "MessageRejected",
                f"Email address is not verified. The following identities failed the check in region US-EAST-1: {source}",
            )
        counted = sum(1 for a in to if a.rpartition("@")[2].lower() != SIMULATOR)
        async with self._lock:  # check-and-accept is atomic
            now = time.time()
            while s.window and now - s.window[0] >= 1.0:
                s.window.popleft()
            if s.max_rate is not None and len(s.window) + len(to) > s.max_rate:
                s.throttled += 1
                return _error(429, "TooManyRequestsException", "Maximum sending rate exceeded.")
            if s.max_24h is not None and s.sent_24h_base + s.day_count + counted > s.max_24h:
                s.quota_refused += 1
                return _error(429, "TooManyRequestsException", "Daily message quota exceeded.")
            for _ in to:
                s.window.append(now)
                s.accepted_times.append(now)
            s.day_count += counted
        ses_id = f"{int(now * 1000):016x}-{uuid.uuid4()}-000000"
        for a in to:
            s.accepted[a.lower()] += 1
        if parsed is not None:
            xid = parsed.get("X-Sesame-Message-Id")
            if xid:
                if xid in s.message_ids:
                    s.duplicates[xid] += 1
                else:
                    s.message_ids[xid] = ses_id
        if s.store_raw:
            s.raw.append(raw)
        return web.json_response({"MessageId": ses_id}, headers={"x-amzn-RequestId": str(uuid.uuid4())})

    def _quota_values(self) -> tuple[float, float, float]:
        s = self.state
        return (
            -1.0 if s.max_24h is None else float(s.max_24h),
            -1.0 if s.max_rate is None else float(s.max_rate),
            float(s.sent_24h_base + s.day_count),
        )

    async def _get_account(self, request: web.Request) -> web.Response:
        if not self._signed(request):
            return _error(
                403, "UnrecognizedClientException", "The security token included in the request is invalid."
            )
        m24, rate, sent = self._quota_values()
        s = self.state
        return web.json_response(
            {
                "DedicatedIpAutoWarmupEnabled": False,
                "EnforcementStatus": s.enforcement_status,
                "ProductionAccessEnabled": s.production_access,
                "SendQuota": {"Max24HourSend": m24, "MaxSendRate": rate, "SentLast24Hours": sent},
                "SendingEnabled": s.sending_enabled,
                "SuppressionAttributes": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
            }
        )

    async def _v1(self, request: web.Request) -> web.Response:
        if not self.state.credentials_valid:
            return web.Response(
                status=403,
                text="<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code>"
                "<Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>",
                content_type="text/xml",
            )
        form = parse_qs((await request.read()).decode())
        action = (form.get("Action") or [""])[0]
        if action != "GetSendQuota":
            return web.Response(
                status=400,
                text="<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code>"
                "<Message>unsupported</Message></Error></ErrorResponse>",
                content_type="text/xml",
            )
        m24, rate, sent = self._quota_values()
        xml = (
            '<GetSendQuotaResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><GetSendQuotaResult>'
            f"<SentLast24Hours>{sent}</SentLast24Hours><Max24HourSend>{m24}</Max24HourSend>"
            f"<MaxSendRate>{rate}</MaxSendRate></GetSendQuotaResult><ResponseMetadata><RequestId>{uuid.uuid4()}"
            "</RequestId></ResponseMetadata></GetSendQuotaResponse>"
        )
        return web.Response(text=xml, content_type="text/xml")

    # -- control API -------------------------------------------------------------------------------------------

    async def _ctl_stats(self, request: web.Request) -> web.Response:
        out = self.stats()
        if request.query.get("detail"):
            out["accepted"] = dict(self.state.accepted)
            out["accepted_times"] = self.state.accepted_times
            out["arrival_times"] = self.state.arrival_times
        return web.json_response(out)

    async def _ctl_inject(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.inject(body["kind"], count=body.get("count"), seconds=body.get("seconds"))
        return web.json_response({"ok": True})

    async def _ctl_reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"ok": True})

    async def _ctl_config(self, request: web.Request) -> web.Response:
        body = await request.json()
        for k in ("max_rate", "max_24h", "sent_24h_base", "sending_enabled", "enforcement_status"):
            if k in body:
                setattr(self.state, k, body[k])
        return web.json_response({"ok": True})


class StandinThread:
    """The stand-in on its own event loop in a background thread (keeps it off the test's loop)."""

    def __init__(self, **config: Any) -> None:
        self.standin = SesStandin(**config)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="ses-standin")
        self.url = ""

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self.url = self._loop.run_until_complete(self.standin.start())
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> str:
        self._thread.start()
        self._ready.wait(10)
        return self.url

    def stop(self) -> None:
        fut = asyncio.run_coroutine_threadsafe(self.standin.stop(), self._loop)
        fut.result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


def main() -> None:
    p = argparse.ArgumentParser(description="strict SES v2 stand-in")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--rate", type=float, default=-1, help="max send rate (-1 unlimited)")
    p.add_argument("--quota", type=float, default=-1, help="24-hour quota (-1 unlimited)")
    a = p.parse_args()

    async def run() -> None:
        s = SesStandin(max_rate=None if a.rate < 0 else a.rate, max_24h=None if a.quota < 0 else a.quota)
        print(await s.start(a.host, a.port), flush=True)
        await asyncio.Event().wait()

    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    asyncio.run(run())


if __name__ == "__main__":
    main()
