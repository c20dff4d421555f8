"""Talking to SES: read the quota, send raw MIME, and classify every error into what the queue must do.

Two clients share one interface:
- `SesHttpClient` — SESv2 REST over aiohttp, signed by `sigv4.py`. This is the hot path: one aiohttp request
  per mail (aiobotocore adds ≈ 1 ms of CPU per call — bench/sender_ses_client.py).
- `SesBotoClient` — aiobotocore, the reference implementation (selected with SESAME_SENDER_SES_CLIENT).
Both call SESv2 `GetAccount` for the quota and fall back to v1 `GetSendQuota` when v2 is not available (moto).
Retries are owned by the queue, never by the SDK (botocore would silently retry throttling and quota errors).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import urlencode

import aiohttp
from botocore.credentials import Credentials

from services.sender.sigv4 import SigV4Signer

log = logging.getLogger("sesame.sender.ses")

ErrorKind = Literal[
    "throttled", "daily_quota", "rejected", "paused", "suspended", "config", "transient", "ambiguous"
]


@dataclass
class Quota:
    max_send_rate: float  # -1 = unlimited
    max_24h_send: float  # -1 = unlimited
    sent_last_24h: float
    sending_enabled: bool = True
    production_access: bool | None = None
    enforcement_status: str | None = None
    source: str = "GetAccount"


class SesError(Exception):
    """An SES call failed; `kind` says what the queue does with the message."""

    def __init__(self, kind: ErrorKind, code: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.kind = kind
        self.code = code
        self.message = message
        self.status = status


_AUTH_CODES = {
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "NoCredentials",
}
_THROTTLE_CODES = {"Throttling", "ThrottlingException", "TooManyRequestsException", "LimitExceededException"}


def classify(status: int | None, code: str, message: str) -> ErrorKind:
    """Map an SES error (v1 or v2, any wire format) to the queue's decision (ses-api-spec.md §3)."""
    msg = (message or "").strip().lower()
    if code in _THROTTLE_CODES or status == 429:
        if msg.startswith("daily message quota exceeded"):
            return "daily_quota"
        if code == "LimitExceededException" and not msg.startswith("maximum sending rate exceeded"):
            return "config"
        return "throttled"
    if code in ("AccountSuspendedException",):
        return "suspended"
    if code in (
        "SendingPausedException",
        "AccountSendingPausedException",
        "ConfigurationSetSendingPausedException",
    ):
        return "paused"
    if code in ("MessageRejected", "MailFromDomainNotVerifiedException", "MailFromDomainNotVerified"):
        return "rejected"
    if code in (
        "NotFoundException",
        "ConfigurationSetDoesNotExist",
        "ConfigurationSetDoesNotExistException",
        "BadRequestException",
        "InvalidParameterValue",
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "IncompleteSignature",
    ):
        return "config"
    if (
        status is not None
        and 400 <= status < 500
        and code not in ("RequestTimeout", "RequestTimeoutException")
    ):
        return "config"
    return "transient"


def parse_error_body(status: int, headers: Any, body: bytes) -> tuple[str, str]:
    """(code, message) from an SES error answer: v2 JSON, v1 XML, or just the status."""
    code = ""
    message = ""
    etype = headers.get("x-amzn-errortype") or headers.get("X-Amzn-ErrorType") or ""
    if etype:
        code = etype.split(":", 1)[0]
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
            code = (
                code or str(data.get("__type") or data.get("code") or data.get("Code") or "").split("#")[-1]
            )
            message = str(data.get("message") or data.get("Message") or "")
        except ValueError:
            pass
    elif text.startswith("<"):
        try:
            root = ET.fromstring(text)
            for el in root.iter():
                tag = el.tag.rsplit("}", 1)[-1]
                if tag == "Code" and not code:
                    code = (el.text or "").strip()
                elif tag == "Message" and not message:
                    message = (el.text or "").strip()
        except ET.ParseError:
            pass
    if not code:
        code = "InternalFailure" if status >= 500 else f"HTTP{status}"
    return code, message or text[:300]


class SesClient(Protocol):
    async def get_quota(self) -> Quota: ...

    async def send_raw(
        self,
        raw: bytes,
        *,
        from_address: str,
        to: str,
        tags: list[tuple[str, str]],
        configuration_set: str | None,
    ) -> str: ...

    async def close(self) -> None: ...


_TAG_VALUE = re.compile(r"[^A-Za-z0-9_\-]")


def tag_value(value: str) -> str:
    """SES tag values: ASCII letters, digits, '_' and '-' only, ≤ 256 chars."""
    return _TAG_VALUE.sub("_", value)[:256]


def send_email_body(
    raw: bytes, from_address: str, to: str, tags: list[tuple[str, str]], configuration_set: str | None
) -> bytes:
    """The SESv2 SendEmail JSON for raw content. The base64 data needs no JSON escaping, so it is joined in as
    bytes rather than run through json.dumps (≈ 60 µs for a 20 KB mail)."""
    doc: dict[str, Any] = {"FromEmailAddress": from_address, "Destination": {"ToAddresses": [to]}}
    if tags:
        doc["EmailTags"] = [{"Name": n, "Value": tag_value(v)} for n, v in tags]
    if configuration_set:
        doc["ConfigurationSetName"] = configuration_set
    head = json.dumps(doc, separators=(",", ":")).encode()
    return head[:-1] + b',"Content":{"Raw":{"Data":"' + base64.b64encode(raw) + b'"}}}'


class SesHttpClient:
    """SESv2 over aiohttp with SigV4 signing (one shared connection pool per client)."""

    def __init__(
        self,
        *,
        region: str,
        access_key_id: str | None,
        secret_access_key: str | None,
        endpoint_url: str | None = None,
        timeout: float = 20.0,
        concurrency: int = 64,
    ) -> None:
        self.region = region
        self.endpoint = (endpoint_url or f"https://email.{region}.amazonaws.com").rstrip("/")
        self._static = (
            Credentials(access_key_id, secret_access_key) if access_key_id and secret_access_key else None
        )
        self._chain: Any = None
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._concurrency = concurrency
        self._session: aiohttp.ClientSession | None = None
        self._signer = SigV4Signer(self.endpoint, region)

    async def _credentials(self) -> Any:
        if self._static is not None:
            return self._static
        if self._chain is None:
            from aiobotocore.session import get_session

            self._chain = await get_session().get_credentials()
            if self._chain is None:
                raise SesError("config", "NoCredentials", "no AWS credentials found in the default chain")
        return await self._chain.get_frozen_credentials()

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(limit=self._concurrency, keepalive_timeout=30),
            )
        return self._session

    async def _call(self, method: str, path: str, body: bytes, content_type: str) -> tuple[int, Any, bytes]:
        url = self.endpoint + path
        creds = await self._credentials()
        headers = self._signer.headers(
            method,
            path,
            body,
            content_type,
            access_key=creds.access_key,
            secret_key=creds.secret_key,
            token=creds.token,
        )
        try:
            async with self._http().request(method, url, data=body, headers=headers) as resp:
                return resp.status, resp.headers, await resp.read()
        except aiohttp.ClientConnectorError as exc:
            # The request never reached SES: safe to retry.
            raise SesError("transient", type(exc).__name__, str(exc) or "connection failed") from None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            # Sent but no answer (timeout, dropped connection): SES may have accepted it.
            raise SesError("ambiguous", type(exc).__name__, str(exc) or "no answer from SES") from None

    async def send_raw(
        self,
        raw: bytes,
        *,
        from_address: str,
        to: str,
        tags: list[tuple[str, str]],
        configuration_set: str | None,
    ) -> str:
        status, headers, body = await self._call(
            "POST",
            "/v2/email/outbound-emails",
            send_email_body(raw, from_address, to, tags, configuration_set),
            "application/json",
        )
        if status == 200:
            try:
                return str(json.loads(body)["MessageId"])
            except (ValueError, KeyError, TypeError):
                raise SesError(
                    "transient", "BadResponse", body[:200].decode("utf-8", "replace"), status
                ) from None
        code, message = parse_error_body(status, headers, body)
        raise SesError(classify(status, code, message), code, message, status)

    async def get_quota(self) -> Quota:
        status, headers, body = await self._call("GET", "/v2/email/account", b"", "application/json")
        if status == 200:
            try:
                data = json.loads(body)
                q = data["SendQuota"]
                return Quota(
                    max_send_rate=float(q.get("MaxSendRate", 1)),
                    max_24h_send=float(q.get("Max24HourSend", 200)),
                    sent_last_24h=float(q.get("SentLast24Hours", 0)),
                    sending_enabled=bool(data.get("SendingEnabled", True)),
                    production_access=data.get("ProductionAccessEnabled"),
                    enforcement_status=data.get("EnforcementStatus"),
                    source="GetAccount",
                )
            except (ValueError, KeyError, TypeError):
                pass  # not a GetAccount answer: try v1
        else:
            code, message = parse_error_body(status, headers, body)
            kind = classify(status, code, message)
            if kind != "config" and kind != "transient" or code in _AUTH_CODES:
                raise SesError(kind, code, message, status)
            # Anything else (404/405/501, "not implemented"): an endpoint without SESv2 GetAccount (moto).
        return await self._get_send_quota_v1()

    async def _get_send_quota_v1(self) -> Quota:
        form = urlencode({"Action": "GetSendQuota", "Version": "2010-12-01"}).encode()
        status, headers, body = await self._call("POST", "/", form, "application/x-www-form-urlencoded")
        if status != 200:
            code, message = parse_error_body(status, headers, body)
            raise SesError(classify(status, code, message), code, message, status)
        root = ET.fromstring(body)
        vals: dict[str, float] = {}
        for el in root.iter():
            tag = el.tag.rsplit("}", 1)[-1]
            if tag in ("Max24HourSend", "MaxSendRate", "SentLast24Hours") and el.text:
                vals[tag] = float(el.text)
        return Quota(
            max_send_rate=vals.get("MaxSendRate", 1.0),
            max_24h_send=vals.get("Max24HourSend", 200.0),
            sent_last_24h=vals.get("SentLast24Hours", 0.0),
            source="GetSendQuota",
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class SesBotoClient:
    """The same calls through aiobotocore (reference path, and the per-call cost comparison)."""

    def __init__(
        self,
        *,
        region: str,
        access_key_id: str | None,
        secret_access_key: str | None,
        endpoint_url: str | None = None,
        timeout: float = 20.0,
        concurrency: int = 64,
    ) -> None:
        from aiobotocore.config import AioConfig

        self.region = region
        self._kw: dict[str, Any] = {"region_name": region, "endpoint_url": endpoint_url}
        if access_key_id and secret_access_key:
            self._kw.update(aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key)
        self._config = AioConfig(
            retries={"mode": "standard", "total_max_attempts": 1},
            read_timeout=timeout,
            connect_timeout=timeout,
            max_pool_connections=concurrency,
        )
        self._clients: dict[str, Any] = {}
        self._ctx: list[Any] = []
        self._lock = asyncio.Lock()

    async def _client(self, service: str) -> Any:
        async with self._lock:
            if service not in self._clients:
                from aiobotocore.session import get_session

                ctx = get_session().create_client(service, config=self._config, **self._kw)
                self._clients[service] = await ctx.__aenter__()
                self._ctx.append(ctx)
            return self._clients[service]

    @staticmethod
    def _error(exc: Exception) -> SesError:
        from botocore.exceptions import ClientError

        if isinstance(exc, ClientError):
            err = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            code, message = str(err.get("Code", "")), str(err.get("Message", ""))
            return SesError(classify(status, code, message), code, message, status)
        return SesError("transient", type(exc).__name__, str(exc))

    async def send_raw(
        self,
        raw: bytes,
        *,
        from_address: str,
        to: str,
        tags: list[tuple[str, str]],
        configuration_set: str | None,
    ) -> str:
        client = await self._client("sesv2")
        kw: dict[str, Any] = {
            "FromEmailAddress": from_address,
            "Destination": {"ToAddresses": [to]},
            "Content": {"Raw": {"Data": raw}},
        }
        if tags:
            kw["EmailTags"] = [{"Name": n, "Value": tag_value(v)} for n, v in tags]
        if configuration_set:
            kw["ConfigurationSetName"] = configuration_set
        try:
            resp = await client.send_email(**kw)
        except Exception as exc:  # noqa: BLE001 - every failure is classified
            raise self._error(exc) from None
        return str(resp["MessageId"])

    async def get_quota(self) -> Quota:
        try:
            data = await (await self._client("sesv2")).get_account()
            q = data["SendQuota"]
            return Quota(
                float(q["MaxSendRate"]),
                float(q["Max24HourSend"]),
                float(q["SentLast24Hours"]),
                bool(data.get("SendingEnabled", True)),
                data.get("ProductionAccessEnabled"),
                data.get("EnforcementStatus"),
                "GetAccount",
            )
        except Exception as exc:  # noqa: BLE001
            err = self._error(exc)
            if err.kind not in ("config", "transient") or err.code in _AUTH_CODES:
                raise err from None
        try:
            q = await (await self._client("ses")).get_send_quota()
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc) from None
        return Quota(
            float(q["MaxSendRate"]),
            float(q["Max24HourSend"]),
            float(q["SentLast24Hours"]),
            source="GetSendQuota",
        )

    async def close(self) -> None:
        for ctx in self._ctx:
            await ctx.__aexit__(None, None, None)
        self._ctx.clear()
        self._clients.clear()
