"""A small, strict SESv2 stand-in for what moto lacks: GetAccount, the account-level suppression list,
configuration-set event destinations and an identity's default configuration set.

It speaks the REST-JSON wire format botocore uses (paths, query names, `x-amzn-ErrorType` errors, epoch
timestamps), runs in its own thread with its own event loop (usable from sync and async tests alike), and
keeps every request in `requests` so tests can count calls.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import web

REASONS = {"BOUNCE", "COMPLAINT"}
EVENT_TYPES = {
    "SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY", "OPEN", "CLICK", "RENDERING_FAILURE",
    "DELIVERY_DELAY", "SUBSCRIPTION",
}  # fmt: skip


@dataclass
class AccountState:
    production_access: bool = False
    sending_enabled: bool = True
    enforcement_status: str = "HEALTHY"
    max_24h: float = 200.0
    max_rate: float = 1.0
    sent_24h: float = 0.0
    suppressed_reasons: list[str] = field(default_factory=lambda: ["BOUNCE", "COMPLAINT"])


class _Error(Exception):
    def __init__(self, status: int, kind: str, message: str) -> None:
        self.status, self.kind, self.message = status, kind, message


class SesV2Extras:
    def __init__(self) -> None:
        self.account = AccountState()
        self.suppressed: dict[
            str, dict[str, Any]
        ] = {}  # lower-cased address → {EmailAddress, Reason, LastUpdateTime}
        self.config_sets: dict[str, dict[str, dict[str, Any]]] = {}  # name → destination name → destination
        self.identities: dict[str, dict[str, Any]] = {}  # identity → {"ConfigurationSetName": …}
        self.requests: list[tuple[str, str]] = []
        self.page_size_cap = 1000
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # --- test helpers -------------------------------------------------------------------------------------------
    def add_identity(self, identity: str, configuration_set: str | None = None) -> None:
        self.identities[identity] = {"ConfigurationSetName": configuration_set}

    def suppress(self, email: str, reason: str = "BOUNCE", at: float | None = None) -> None:
        self.suppressed[email.lower()] = {
            "EmailAddress": email,
            "Reason": reason,
            "LastUpdateTime": at or time.time(),
        }

    def mutating_requests(self) -> list[tuple[str, str]]:
        return [r for r in self.requests if r[0] != "GET"]

    # --- server lifecycle ---------------------------------------------------------------------------------------
    def start(self) -> str:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            app = web.Application(middlewares=[self._errors])
            app.router.add_route("*", "/v2/email/{tail:.*}", self._dispatch)
            self._runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self.url = f"http://127.0.0.1:{port}"
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="sesv2-extras", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("SESv2 stand-in did not start")
        return self.url

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    # --- HTTP ---------------------------------------------------------------------------------------------------
    @web.middleware
    async def _errors(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            return await handler(request)
        except _Error as exc:
            return web.json_response(
                {"message": exc.message}, status=exc.status, headers={"x-amzn-ErrorType": exc.kind}
            )

    async def _dispatch(self, request: web.Request) -> web.Response:
        if "authorization" not in {k.lower() for k in request.headers}:
            raise _Error(403, "AccessDeniedException", "missing signature")
        tail = request.match_info["tail"]
        parts = [unquote(p) for p in tail.split("/") if p]
        method = request.method
        self.requests.append((method, "/" + tail))
        body: dict[str, Any] = {}
        if request.can_read_body:
            raw = await request.read()
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise _Error(400, "BadRequestException", "body is not JSON") from None
        out = self._route(method, parts, dict(request.query), body)
        return web.json_response(out)

    def _route(self, method: str, p: list[str], q: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        if p == ["account"] and method == "GET":
            return self._get_account()
        if p == ["account", "suppression"] and method == "PUT":
            reasons = body.get("SuppressedReasons")
            if not isinstance(reasons, list) or not set(reasons) <= REASONS:
                raise _Error(400, "BadRequestException", "SuppressedReasons must be BOUNCE / COMPLAINT")
            self.account.suppressed_reasons = list(reasons)
            return {}
        if p[:2] == ["suppression", "addresses"]:
            return self._suppression(method, p[2:], q, body)
        if p and p[0] == "configuration-sets":
            return self._config_sets(method, p[1:], body)
        if p and p[0] == "identities" and len(p) >= 2:
            return self._identity(method, p[1], p[2:], body)
        raise _Error(404, "NotFoundException", f"no route {method} /{'/'.join(p)} in the stand-in")

    def _get_account(self) -> dict[str, Any]:
        a = self.account
        return {
            "DedicatedIpAutoWarmupEnabled": False,
            "EnforcementStatus": a.enforcement_status,
            "ProductionAccessEnabled": a.production_access,
            "SendQuota": {
                "Max24HourSend": a.max_24h,
                "MaxSendRate": a.max_rate,
                "SentLast24Hours": a.sent_24h,
            },
            "SendingEnabled": a.sending_enabled,
            "SuppressionAttributes": {"SuppressedReasons": list(a.suppressed_reasons)},
        }

    def _suppression(
        self, method: str, rest: list[str], q: dict[str, str], body: dict[str, Any]
    ) -> dict[str, Any]:
        if not rest and method == "GET":
            size = int(q.get("PageSize", "1000")) if q.get("PageSize", "1000").isdigit() else -1
            if not 1 <= size <= 1000:
                raise _Error(400, "BadRequestException", "PageSize must be 1..1000")
            size = min(size, self.page_size_cap)
            reasons = {v for k, v in q.items() if k == "Reason"}
            items = sorted(self.suppressed.values(), key=lambda d: d["EmailAddress"].lower())
            if reasons:
                items = [d for d in items if d["Reason"] in reasons]
            start = 0
            if "NextToken" in q:
                token = q["NextToken"]
                if not token.startswith("tok-") or not token[4:].isdigit():
                    raise _Error(400, "BadRequestException", "invalid NextToken")
                start = int(token[4:])
            page = items[start : start + size]
            out: dict[str, Any] = {"SuppressedDestinationSummaries": page}
            if start + size < len(items):
                out["NextToken"] = f"tok-{start + size}"
            return out
        if not rest and method == "PUT":
            email, reason = body.get("EmailAddress"), body.get("Reason")
            if not isinstance(email, str) or "@" not in email or reason not in REASONS:
                raise _Error(
                    400, "BadRequestException", "EmailAddress and Reason (BOUNCE|COMPLAINT) required"
                )
            self.suppress(email, reason)
            return {}
        if len(rest) == 1:
            key = rest[0].lower()
            if key not in self.suppressed:
                raise _Error(404, "NotFoundException", f"{rest[0]} is not on the suppression list")
            if method == "GET":
                return {"SuppressedDestination": dict(self.suppressed[key])}
            if method == "DELETE":
                del self.suppressed[key]
                return {}
        raise _Error(405, "BadRequestException", "unsupported")

    def _config_sets(self, method: str, rest: list[str], body: dict[str, Any]) -> dict[str, Any]:
        if not rest and method == "POST":
            name = body.get("ConfigurationSetName")
            if not isinstance(name, str) or not name:
                raise _Error(400, "BadRequestException", "ConfigurationSetName required")
            if name in self.config_sets:
                raise _Error(400, "AlreadyExistsException", f"configuration set {name} exists")
            self.config_sets[name] = {}
            return {}
        if not rest:
            raise _Error(405, "BadRequestException", "unsupported")
        name = rest[0]
        if name not in self.config_sets:
            raise _Error(404, "NotFoundException", f"Configuration set <{name}> does not exist.")
        dests = self.config_sets[name]
        if len(rest) == 1 and method == "GET":
            return {"ConfigurationSetName": name}
        if len(rest) == 1 and method == "DELETE":
            del self.config_sets[name]
            return {}
        if rest[1:] == ["event-destinations"] and method == "GET":
            return {"EventDestinations": [{"Name": k, **v} for k, v in dests.items()]}
        if rest[1:] == ["event-destinations"] and method == "POST":
            dname = body.get("EventDestinationName")
            if not isinstance(dname, str) or not dname:
                raise _Error(400, "BadRequestException", "EventDestinationName required")
            if dname in dests:
                raise _Error(400, "AlreadyExistsException", f"event destination {dname} exists")
            dests[dname] = self._destination(body.get("EventDestination"))
            return {}
        if len(rest) == 3 and rest[1] == "event-destinations":
            dname = rest[2]
            if dname not in dests:
                raise _Error(404, "NotFoundException", f"event destination {dname} does not exist")
            if method == "PUT":
                dests[dname] = self._destination(body.get("EventDestination"))
                return {}
            if method == "DELETE":
                del dests[dname]
                return {}
        raise _Error(405, "BadRequestException", "unsupported")

    @staticmethod
    def _destination(d: Any) -> dict[str, Any]:
        if not isinstance(d, dict) or not d.get("MatchingEventTypes"):
            raise _Error(400, "BadRequestException", "EventDestination.MatchingEventTypes required")
        if not set(d["MatchingEventTypes"]) <= EVENT_TYPES:
            raise _Error(400, "BadRequestException", "unknown event type")
        out = {"Enabled": bool(d.get("Enabled", False)), "MatchingEventTypes": list(d["MatchingEventTypes"])}
        if "SnsDestination" in d:
            arn = (d["SnsDestination"] or {}).get("TopicArn", "")
            if not str(arn).startswith("arn:aws:sns:"):
                raise _Error(400, "BadRequestException", "SnsDestination.TopicArn must be an SNS topic ARN")
            out["SnsDestination"] = {"TopicArn": arn}
        return out

    def _identity(self, method: str, ident: str, rest: list[str], body: dict[str, Any]) -> dict[str, Any]:
        if ident not in self.identities:
            raise _Error(404, "NotFoundException", f"Email identity {ident} does not exist.")
        info = self.identities[ident]
        if not rest and method == "GET":
            out: dict[str, Any] = {
                "IdentityType": "DOMAIN" if "@" not in ident else "EMAIL_ADDRESS",
                "VerifiedForSendingStatus": True,
                "VerificationStatus": "SUCCESS",
            }
            if info.get("ConfigurationSetName"):
                out["ConfigurationSetName"] = info["ConfigurationSetName"]
            return out
        if rest == ["configuration-set"] and method == "PUT":
            name = body.get("ConfigurationSetName")
            if name is not None and name not in self.config_sets:
                raise _Error(404, "NotFoundException", f"Configuration set <{name}> does not exist.")
            info["ConfigurationSetName"] = name
            return {}
        raise _Error(405, "BadRequestException", "unsupported")
