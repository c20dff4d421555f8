"""The console's paging on the API's one contract (shared/pagination.py): a page link carries `?cursor=` with the
API's `next_cursor`, passed back as it came. Links the console made before (`?before=<id>`, bookmarks) still open
the page they named: the id becomes the cursor the API would have given for it."""

from __future__ import annotations

import re
from collections.abc import Mapping

from shared.digits import parse_whole
from shared.errors import BadRequest
from shared.pagination import decode_cursor, encode_cursor

CURSOR = re.compile(r"[A-Za-z0-9_=-]{1,200}")


def api_cursor(raw: str | None) -> str | None:
    """A cursor as the API issues them (opaque, base64url), passed back; anything else is page one."""
    return raw if raw and CURSOR.fullmatch(raw) else None


def page_cursor(params: Mapping[str, str]) -> str | None:
    """The `cursor` to ask the API for: the link's `?cursor=`, else an old `?before=<id>` link's id as a cursor,
    else None (the first page)."""
    cursor = api_cursor(params.get("cursor"))
    if cursor is not None:
        return cursor
    before = parse_whole(params.get("before"))
    return encode_cursor(before) if before is not None else None


def page_after(params: Mapping[str, str]) -> int | None:
    """For the console's own tables: the id a page continues from (`?cursor=`, or an old `?before=<id>`);
    a cursor the console did not issue is the first page."""
    cursor = page_cursor(params)
    try:
        return decode_cursor(cursor)
    except BadRequest:
        return None
