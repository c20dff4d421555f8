"""The one OpenAPI document of the API: the services' documents merged, then what only the gateway knows added —
the two API-key schemes, the error answers every route can give (in the one error shape of shared/errors.py),
the error vocabulary, an example for every answer, and a getting-started text for the interactive docs."""

from __future__ import annotations

import copy
import re
from typing import Any

from services.gateway.state import Gateway
from services.gateway.upstream import UpstreamTimeout, UpstreamUnavailable
from shared.errors import ERROR_CODES, ErrorBody
from shared.pagination import PAGE_LIMIT_MAX

SERVICES = ("subscriptions", "sender", "events")
SECURITY_SCHEMES = {
    "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "ses_… API key",
        "description": "`Authorization: Bearer ses_…` — a project's API key (console → API keys).",
    },
    "apiKeyHeader": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Api-Key",
        "description": "The same API key in an `X-Api-Key` header, for clients that cannot set Authorization.",
    },
}
SECURITY = [{"bearerAuth": []}, {"apiKeyHeader": []}]  # either one

# status -> (description, example body). Every /v1 route can answer 401 and 429 (the gateway authenticates
# first), 422 (its parameters or body are validated) and 503 (a service, the database or the broker is down).
_ERRORS: dict[str, tuple[str, dict[str, Any]]] = {
    "401": (
        "No API key, or an invalid or revoked one.",
        {"error": "unauthorized", "detail": "invalid or revoked API key"},
    ),
    "404": ("The resource is not in this project.", {"error": "not_found", "detail": "campaign not found"}),
    "409": (
        "The change conflicts with the resource's state or with existing data.",
        {"error": "conflict", "detail": "campaign is sending"},
    ),
    "422": (
        "Parameters or body refused (detail lists the fields), or a value out of range.",
        {
            "error": "validation_error",
            "detail": [{"loc": ["body", "name"], "msg": "Field required", "type": "missing"}],
        },
    ),
    "429": (
        "Too many requests (or failed authentications); `Retry-After` says when to try again.",
        {"error": "too_many_requests", "detail": "too many failed authentications"},
    ),
    "503": (
        "A service, the database or the broker is unavailable; nothing was changed, retry later.",
        {"error": "unavailable", "detail": "a backend is unavailable"},
    ),
}
_WRITES = {"post", "put", "patch", "delete"}

GETTING_STARTED = """\
Sesame's HTTP API: every route under `/v1` answers JSON and needs a project's API key.

**Getting started**
1. Create an API key in the console (Project → API keys) or with `sesame keys create`.
2. Click **Authorize** above and paste the key (`ses_…`) into *bearerAuth* (or *apiKeyHeader*).
3. Try `GET /v1/project`, then `POST /v1/lists` and `POST /v1/contacts` (subscribe an address),
   `POST /v1/messages` (a transactional mail), `POST /v1/campaigns` + `POST /v1/campaigns/{id}/send`.

From a shell: `curl -H "Authorization: Bearer $SESAME_KEY" http://localhost:8000/v1/project`.
From Python: the typed client in `clients/python` (`sesame_client.Client` / `AsyncClient`).

**Pagination.** Every list answers `{"data": [...], "next_cursor": "…" | null}`. Pass `next_cursor` back as
`cursor` for the next page; `limit` is 1–{max_limit} (default 50). Older parameters (`before_id`, `before`)
still work for one release and answer a `Deprecation` header.

**Errors.** Every error answers `{"error": code, "detail": …}` with one of these codes:

{codes}
"""


def _codes_table() -> str:
    rows = ["| code | status | meaning |", "|---|---|---|"]
    for code, (status, meaning) in ERROR_CODES.items():
        rows.append(f"| `{code}` | {status} | {meaning} |")
    return "\n".join(rows)


def _example(schema: dict[str, Any], schemas: dict[str, Any], depth: int = 0) -> Any:
    """An example value for a schema: its own examples/defaults first, else a value of the right type."""
    if depth > 8:
        return None
    if "$ref" in schema:
        return _example(schemas.get(schema["$ref"].rsplit("/", 1)[1], {}), schemas, depth + 1)
    if schema.get("examples"):
        return schema["examples"][0]
    if "example" in schema:
        return schema["example"]
    if schema.get("default") is not None:
        return schema["default"]
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return _example(options[0], schemas, depth + 1)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {k: _example(v, schemas, depth + 1) for k, v in (schema.get("properties") or {}).items()}
    if kind == "array":
        return [_example(schema.get("items") or {}, schemas, depth + 1)]
    fmt = schema.get("format", "")
    return {
        "string": "2026-01-01T00:00:00+00:00"
        if fmt == "date-time"
        else ("user@example.com" if fmt == "email" else "string"),
        "integer": 1,
        "number": 1.0,
        "boolean": True,
    }.get(kind or "", None)


def _short_operation_id(path: str, method: str, op: dict[str, Any]) -> str | None:
    """The route function's name, from FastAPI's `{name}{path as _}_{method}` id (what the client names calls)."""
    op_id = op.get("operationId")
    suffix = re.sub(r"\W", "_", path) + "_" + method
    if isinstance(op_id, str) and op_id.endswith(suffix) and len(op_id) > len(suffix):
        return op_id[: -len(suffix)]
    return None


def _complete_operation(
    path: str, method: str, op: dict[str, Any], schemas: dict[str, Any], service: str
) -> None:
    op.setdefault("security", SECURITY)
    body = (op.get("requestBody") or {}).get("content", {}).get("application/json", {})
    options = (body.get("schema") or {}).get("anyOf") or []
    if "requestBody" in op and not op["requestBody"].get("required"):
        # an optional body (`SendIn | None = None`): say "may be left out", not "may be JSON null"
        kept = [o for o in options if o.get("type") != "null"]
        if len(kept) == 1 and len(options) == 2:
            body["schema"] = kept[0]
    op.setdefault("tags", [service])
    responses: dict[str, Any] = op.setdefault("responses", {})
    statuses = ["401", "422", "429", "503"]
    if "{" in path or method in _WRITES:
        statuses.append("404")
    if method in _WRITES:
        statuses.append("409")
    for status in sorted(statuses):
        description, example = _ERRORS[status]
        answer = responses.setdefault(status, {"description": description})
        answer["content"] = {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}, "example": example}
        }
    for status, answer in responses.items():
        if not status.startswith("2"):
            continue
        for media in (answer.get("content") or {}).values():
            if "example" not in media and "examples" not in media and media.get("schema"):
                media["example"] = _example(media["schema"], schemas)


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith("#/components/schemas/"):
                name = v.rsplit("/", 1)[1]
                out[k] = "#/components/schemas/" + renames.get(name, name)
            else:
                out[k] = _rename_refs(v, renames)
        return out
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


async def merged_openapi(gw: Gateway, own: dict[str, Any]) -> dict[str, Any]:
    """The gateway's own document plus every service's /v1 routes, completed (cached a while)."""
    hit = gw.cached("openapi")
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    from services.gateway.api import service_for  # the route table lives with the proxy

    doc = copy.deepcopy(own)
    doc["info"] = {
        "title": "Sesame API",
        "version": own.get("info", {}).get("version", "0.1.0"),
        "description": GETTING_STARTED.replace("{max_limit}", str(PAGE_LIMIT_MAX)).replace(
            "{codes}", _codes_table()
        ),
    }
    paths: dict[str, Any] = doc.setdefault("paths", {})
    components = doc.setdefault("components", {})
    schemas: dict[str, Any] = components.setdefault("schemas", {})
    components["securitySchemes"] = SECURITY_SCHEMES
    missing: list[str] = []
    for service in SERVICES:
        try:
            resp = await gw.upstreams.request(service, "GET", "/openapi.json", timeout=5)
        except (UpstreamUnavailable, UpstreamTimeout):
            missing.append(service)
            continue
        spec = resp.json() if resp.ok else None
        if not isinstance(spec, dict):
            missing.append(service)
            continue
        their = (spec.get("components") or {}).get("schemas") or {}
        renames = {
            name: f"{service}_{name}"
            for name, schema in their.items()
            if name in schemas and schemas[name] != schema
        }
        for name, schema in their.items():
            schemas[renames.get(name, name)] = _rename_refs(schema, renames)
        for path, item in (spec.get("paths") or {}).items():
            if service_for(path) != service:
                continue  # internal, admin and public-page routes are not part of the API
            paths[path] = _rename_refs(item, renames)
            for method, op in paths[path].items():
                if isinstance(op, dict):
                    _complete_operation(path, method, op, schemas, service)
    short = {
        (path, method): _short_operation_id(path, method, op)
        for path, item in paths.items()
        for method, op in item.items()
        if path.startswith("/v1/") and isinstance(op, dict)
    }
    names = [n for n in short.values() if n]
    for (path, method), name in short.items():
        if name and names.count(name) == 1:
            paths[path][method]["operationId"] = name
    schemas["Error"] = ErrorBody.model_json_schema()
    schemas["Error"]["properties"]["error"]["enum"] = sorted(ERROR_CODES)
    if missing:
        doc["info"]["description"] += (
            f"\n\nNot reachable while this document was built: {', '.join(missing)}."
        )
    gw.remember("openapi", doc, gw.config.openapi_cache_seconds if not missing else 5.0)
    return doc
