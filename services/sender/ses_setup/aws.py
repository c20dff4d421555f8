"""AWS access for the setup work: aiobotocore clients per project credentials, every call recorded in a log.

The call log is part of what connect and doctor print ("every AWS call it makes is listed"), and the
idempotency tests count its mutating calls.
"""

from __future__ import annotations

import contextlib
import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from aiobotocore.session import AioSession, get_session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from shared.errors import SesameError

MUTATING = re.compile(r"^(Create|Put|Set|Update|Delete|Subscribe|Unsubscribe|Confirm|Send|Verify)")
# Parameters never echoed into logs or reports.
_SECRET_KEYS = {"RawMessage", "Content"}


@dataclass(frozen=True)
class AwsTarget:
    """Where and as whom to call AWS: region, credentials (None = default chain), per-service endpoints."""

    region: str
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None
    endpoints: dict[str, str] = field(default_factory=dict)  # "ses" | "sesv2" | "sns" → endpoint URL

    def __repr__(self) -> str:  # never print the secret
        return f"AwsTarget(region={self.region!r}, key={'set' if self.access_key_id else 'chain'})"


@dataclass
class AwsCall:
    service: str
    operation: str
    params: dict[str, Any]
    mutating: bool
    ok: bool = True
    error: str | None = None
    ms: float = 0.0

    def line(self) -> str:
        shown = ", ".join(f"{k}={_short(v)}" for k, v in self.params.items())
        mark = "*" if self.mutating else " "
        outcome = "" if self.ok else f"  -> {self.error}"
        return f"{mark} {self.service}:{self.operation}({shown}){outcome}"


def _short(v: Any) -> str:
    s = v if isinstance(v, str) else repr(v)
    return s if len(s) <= 90 else s[:87] + "..."


class AwsError(SesameError):
    """An AWS call failed; carries the error code and the call that failed (502 with the reason if unhandled)."""

    status_code, error = 502, "upstream_error"

    def __init__(self, call: AwsCall, code: str, message: str) -> None:
        super().__init__(f"{call.service}:{call.operation} failed: {code}: {message}")
        self.call, self.code, self.message = call, code, message


_SHARED: AioSession | None = None


def _shared_session() -> AioSession:
    """One botocore session per process: service models load once (credentials are passed per client)."""
    global _SHARED
    if _SHARED is None:
        _SHARED = get_session()
    return _SHARED


class AwsSession:
    """Opened with `async with`; `call(service, Operation, **params)` runs one API call and logs it."""

    def __init__(self, target: AwsTarget, *, timeout: float = 20.0) -> None:
        self.target = target
        self.calls: list[AwsCall] = []
        self._timeout = timeout
        self._stack = contextlib.AsyncExitStack()
        self._clients: dict[str, Any] = {}

    async def __aenter__(self) -> AwsSession:
        await self._stack.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._stack.__aexit__(*exc)
        self._clients.clear()

    async def _client(self, service: str) -> Any:
        if service not in self._clients:
            cfg = Config(
                retries={"mode": "standard", "max_attempts": 3},
                connect_timeout=self._timeout,
                read_timeout=self._timeout,
            )
            endpoint = self.target.endpoints.get(service)
            t = self.target
            self._clients[service] = await self._stack.enter_async_context(
                _shared_session().create_client(
                    service,
                    region_name=t.region,
                    aws_access_key_id=t.access_key_id,
                    aws_secret_access_key=t.secret_access_key,
                    aws_session_token=t.session_token,
                    endpoint_url=endpoint or None,
                    config=cfg,
                )
            )
        return self._clients[service]

    async def call(self, service: str, operation: str, **params: Any) -> dict[str, Any]:
        """Run `operation` (AWS spelling, e.g. "ListTopics") and return its response without metadata."""
        shown = {k: v for k, v in params.items() if k not in _SECRET_KEYS}
        record = AwsCall(service, operation, shown, bool(MUTATING.match(operation)))
        self.calls.append(record)
        client = await self._client(service)
        method = getattr(client, _snake(operation))
        started = time.perf_counter()
        try:
            response = await method(**params)
        except ClientError as exc:
            err = exc.response.get("Error", {})
            record.ok, record.error = False, f"{err.get('Code', 'Error')}: {err.get('Message', '')}"
            raise AwsError(record, str(err.get("Code", "Error")), str(err.get("Message", ""))) from exc
        except (BotoCoreError, OSError) as exc:
            record.ok, record.error = False, f"{type(exc).__name__}: {exc}"
            raise AwsError(record, type(exc).__name__, str(exc)) from exc
        finally:
            record.ms = round((time.perf_counter() - started) * 1000, 1)
        response.pop("ResponseMetadata", None)
        return dict(response)

    def mutating_calls(self) -> list[AwsCall]:
        return [c for c in self.calls if c.mutating]

    def call_log(self) -> list[dict[str, Any]]:
        return [asdict(c) for c in self.calls]


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def is_not_found(exc: AwsError) -> bool:
    return exc.code in {
        "NotFoundException",
        "NotFound",
        "ConfigurationSetDoesNotExist",
        "ResourceNotFoundException",
    }
