"""Reading request bodies with a size limit (also for chunked requests without Content-Length)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData

from shared.digits import ascii_digits
from shared.errors import BadRequest, PayloadTooLarge


async def read_body(request: Request, limit: int) -> bytes:
    length = request.headers.get("content-length")
    if ascii_digits(length, max_digits=40) and int(length) > limit:
        raise PayloadTooLarge(f"body over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"body over {limit} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # noqa: SLF001 - lets request.form() parse what we already read
    return body


async def read_form(request: Request, limit: int) -> FormData:
    """The urlencoded or multipart form (an empty form for other or missing content types)."""
    await read_body(request, limit)
    ctype = request.headers.get("content-type", "").lower()
    if not (ctype.startswith("application/x-www-form-urlencoded") or ctype.startswith("multipart/form-data")):
        return FormData()
    try:
        return await request.form(max_files=0, max_fields=50)
    except Exception:  # noqa: BLE001 - malformed multipart is the client's problem
        raise BadRequest("malformed form body") from None


async def read_json(request: Request, limit: int) -> dict[str, Any]:
    body = await read_body(request, limit)
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        raise BadRequest("body is not valid JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("body must be a JSON object")
    return data


def field(form: FormData | dict[str, Any], name: str, max_len: int = 1000) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value.strip()[:max_len]
