"""`POST /webhooks/sns/{endpoint_token}`: SNS's route, forwarded unchanged (body and SNS headers) to the events
service, which verifies the signature.

A plain ASGI layer rather than a FastAPI route: SNS feedback is the gateway's hottest path (a campaign's
deliveries come back as fast as it was sent), and routing plus dependency solving cost more CPU than the forward
itself (bench/events_ingest.py). It sits inside the request-context and security-header middlewares, so the
answer still carries `x-request-id`, the security headers and the request metrics.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.upstream import forwardable_headers, response_headers
from shared.errors import PayloadTooLarge, SesameError, error_body

PREFIX = "/webhooks/sns/"


class SnsWebhookPassthrough:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not path.startswith(PREFIX)
            or scope["method"] != "POST"
            or "/" in path[len(PREFIX) :]
            or len(path) == len(PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        gw = scope["app"].state.gateway
        try:
            body = await _read_body(scope, receive, gw.config.webhook_max_body_bytes)
            if body is None:
                return  # the client went away: nobody reads an answer
            resp = await gw.upstreams.request(
                "events",
                "POST",
                path,
                query=scope.get("query_string", b"").decode("latin-1"),
                headers=forwardable_headers(
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]
                ),
                body=body,
            )
        except SesameError as exc:
            await _json(send, exc.status_code, error_body(exc.error, exc.detail))
            return
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response_headers(resp.headers)]
        headers.append((b"content-length", str(len(resp.body)).encode()))
        await send({"type": "http.response.start", "status": resp.status, "headers": headers})
        await send({"type": "http.response.body", "body": resp.body})


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """The whole body (None if the client went away), refused past `limit` bytes (by Content-Length, or while
    reading a chunked one)."""
    for k, v in scope["headers"]:
        if k == b"content-length" and v.isdigit() and int(v) > limit:
            raise PayloadTooLarge(f"body over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"body over {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _json(send: Send, status: int, payload: Any) -> None:
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
