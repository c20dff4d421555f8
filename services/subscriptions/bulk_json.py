"""API bulk add as JSON: `{"contacts": [{"email": …, "attributes": {…}}, …]}` turned into the import's CSV.

The JSON body of `POST /v1/lists/{id}/imports` goes through the very same import as a CSV file — row checks,
screening, the hold, progress and the error report (line N of the report is contacts[N - 2]).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from shared.errors import PayloadTooLarge, Unprocessable

MAX_JSON_BYTES = 32 * 1024 * 1024
MAX_ATTRIBUTE_KEYS = 100


def _refuse(detail: str) -> Unprocessable:
    return Unprocessable(detail, error="validation_error")


def json_to_csv(source: Path, target: Path) -> int:
    """Write the contacts of the JSON file `source` as CSV to `target`; returns the CSV's size in bytes."""
    if source.stat().st_size > MAX_JSON_BYTES:
        raise PayloadTooLarge(f"a JSON bulk add is limited to {MAX_JSON_BYTES} bytes: send a CSV file")
    try:
        doc = json.loads(source.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise _refuse(f"the body is not valid JSON: {exc}") from None
    contacts = doc.get("contacts") if isinstance(doc, dict) else None
    if not isinstance(contacts, list) or not contacts:
        raise _refuse(
            'expected {"contacts": [{"email": "...", "attributes": {...}}, ...]} with one contact or more'
        )
    keys: dict[str, None] = {}
    rows: list[tuple[Any, dict[str, Any]]] = []
    for i, c in enumerate(contacts):
        if isinstance(c, str):
            c = {"email": c}
        if not isinstance(c, dict):
            raise _refuse(f"contacts[{i}] is not an object")
        attrs = c.get("attributes") or {}
        if not isinstance(attrs, dict):
            raise _refuse(f"contacts[{i}].attributes is not an object")
        for k, v in attrs.items():
            if isinstance(v, dict | list):
                raise _refuse(f"contacts[{i}].attributes.{k}: values are strings, numbers or booleans")
            if k.lower() == "email" or not k.strip():
                raise _refuse(f"contacts[{i}].attributes: {k!r} cannot be an attribute name")
            keys.setdefault(k, None)
        if len(keys) > MAX_ATTRIBUTE_KEYS:
            raise _refuse(f"more than {MAX_ATTRIBUTE_KEYS} distinct attribute names")
        email = c.get("email")
        rows.append(("" if email is None else str(email), attrs))
    names = list(keys)
    with target.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["email", *names])
        for email, attrs in rows:
            w.writerow([email, *("" if attrs.get(k) is None else _text(attrs[k]) for k in names)])
    return target.stat().st_size


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


# The request body of POST /v1/lists/{id}/imports in the OpenAPI document: a CSV file, or this JSON.
CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["contacts"],
                    "properties": {
                        "contacts": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["email"],
                                "properties": {
                                    "email": {"type": "string"},
                                    "attributes": {"type": "object"},
                                },
                            },
                        }
                    },
                }
            },
        },
        "description": "The CSV file (a header row with an `email` column; other columns become attributes), or "
        'the API bulk add as JSON: {"contacts": [{"email": …, "attributes": {…}}]}. Both are screened alike.',
    }
}
