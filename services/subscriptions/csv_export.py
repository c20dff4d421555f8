"""CSV exports (suppressions, contacts): rows written in chunks for a streamed answer, formula cells defused.

A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a formula, and
every exported value may come from outside (a subscriber's form attribute, a bounce's diagnostic): such cells
get a leading `'` (OWASP "CSV injection"). Readers that want the raw value strip one leading quote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from typing import Any

from fastapi.responses import StreamingResponse

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": "email,name,created_at\r\nada@example.com,Ada,2026-01-01T00:00:00+00:00\r\n",
            }
        },
        "description": "CSV (UTF-8, header row), streamed",
    }
}


def safe_cell(value: Any) -> str:
    """The cell's text, with a leading `'` when a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class CsvChunks:
    """Rows go in with `row`; `take` hands out what was written since the last call (one chunk of the body)."""

    def __init__(self, header: Iterable[str]) -> None:
        self._buf = io.StringIO()
        self._writer = csv.writer(self._buf)
        self._writer.writerow(list(header))

    def row(self, values: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(v) for v in values])

    def take(self) -> str:
        out = self._buf.getvalue()
        self._buf.seek(0)
        self._buf.truncate()
        return out


def csv_response(chunks: AsyncIterator[str], filename: str) -> StreamingResponse:
    """A streamed `text/csv` attachment."""
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )
