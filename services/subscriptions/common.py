"""What the subscriptions routes share: the service settings dependency, cursor pagination, small validators."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import BaseModel

from services.subscriptions.settings import SubscriptionsSettings
from shared.pagination import PAGE_LIMIT_MAX, decode_cursor, encode_cursor


def get_sub_settings(request: Request) -> SubscriptionsSettings:
    return request.app.state.sub_settings  # type: ignore[no-any-return]


async def _sub_settings(request: Request) -> SubscriptionsSettings:
    return get_sub_settings(request)


# Async dependencies: FastAPI runs a plain `def` one in a worker thread.
SubSettings = Annotated[SubscriptionsSettings, Depends(_sub_settings)]


class PageParams:
    """`?cursor=…&limit=…` on every listing (ascending id order)."""

    def __init__(
        self,
        request: Request,
        cursor: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = 50,
    ) -> None:
        self.after = decode_cursor(cursor)
        self.limit = min(limit, get_sub_settings(request).page_size_max)


async def _page(
    request: Request,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = 50,
) -> PageParams:
    return PageParams(request, cursor, limit)


Page = Annotated[PageParams, Depends(_page)]


class PageOut(BaseModel):
    data: list[Any]
    next_cursor: str | None


def page_out(items: list[Any], rows: list[Any], limit: int) -> dict[str, Any]:
    """`rows` were fetched with limit+1: the extra one only says there is a next page."""
    more = len(rows) > limit
    return {"data": items[:limit], "next_cursor": encode_cursor(rows[limit - 1].id) if more else None}


def iso(dt: datetime | None) -> str | None:
    return dt.isoformat() if dt else None
