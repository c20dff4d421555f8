"""The one pagination contract of every list route: `?cursor=…&limit=…` in, `{"data": [...], "next_cursor": …}`
out. A cursor is opaque to clients (base64 of the last id seen); `limit` is 1..PAGE_LIMIT_MAX (default 50).
Routes that paged another way (`before_id`, `before`, none) still take their old parameter for one release and
mark such answers with `Deprecation` / `Sunset` / `Link` headers (RFC 9745, RFC 8594)."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Generic, TypeVar

from fastapi import Query, Response
from pydantic import BaseModel, Field

from shared.errors import BadRequest

PAGE_LIMIT_MAX = 500
PAGE_LIMIT_DEFAULT = 50
# The old paging parameters go with the release after this date (an HTTP-date, as `Sunset` wants it).
LEGACY_SUNSET = "Wed, 30 Jun 2027 00:00:00 GMT"
LEGACY_DOCS = "/docs#pagination"

T = TypeVar("T")

CursorQuery = Annotated[
    str | None,
    Query(max_length=200, description="`next_cursor` of the previous page; omit for the first page"),
]
LimitQuery = Annotated[
    int, Query(ge=1, le=PAGE_LIMIT_MAX, description=f"items per page, at most {PAGE_LIMIT_MAX}")
]


class Page(BaseModel, Generic[T]):
    """One page of a listing."""

    data: list[T]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


def encode_cursor(last_id: int) -> str:
    """The opaque cursor of a page that ends at `last_id`."""
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The id a page continues from; 400 `invalid_cursor` for a cursor this API did not issue."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)["after"]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError
        return value
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        raise BadRequest("cursor is not valid", error="invalid_cursor") from None


def mark_deprecated(response: Response, parameter: str) -> None:
    """Headers telling a client that `parameter` pages the old way and when that stops working."""
    response.headers["Deprecation"] = "true"
    response.headers["Sunset"] = LEGACY_SUNSET
    response.headers["Link"] = f'<{LEGACY_DOCS}>; rel="deprecation"; type="text/html"'
    response.headers["Warning"] = f'299 - "{parameter} is deprecated: use cursor"'


def start_id(
    response: Response, cursor: str | None, legacy: int | None, legacy_name: str = "before_id"
) -> int | None:
    """The id a page continues from: the cursor's, or (deprecated, headers set) the old parameter's."""
    if legacy is None:
        return decode_cursor(cursor)
    if cursor:
        raise BadRequest(f"give cursor or {legacy_name}, not both", error="invalid_cursor")
    mark_deprecated(response, legacy_name)
    return legacy


def next_page(ids: list[int], limit: int) -> tuple[int | None, str | None]:
    """(last id, cursor) of a page fetched with limit+1 rows: both None when there is no next page."""
    if len(ids) <= limit:
        return None, None
    return ids[limit - 1], encode_cursor(ids[limit - 1])
