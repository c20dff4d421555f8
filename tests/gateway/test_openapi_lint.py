"""The merged OpenAPI document of the real embedded system, linted: every /v1 operation has a typed 2xx answer
with an example, its error answers in the one error schema, and both API-key schemes; the document is valid
OpenAPI 3. Run in CI with the rest of tests/gateway (schemathesis fuzzes the same document in tests/hostile)."""

from __future__ import annotations

from typing import Any

import httpx
from openapi_spec_validator import validate

from sesame.embedded import create_embedded_app  # noqa: F401  (the embedded system the harness builds)
from shared.errors import ERROR_CODES
from tests.gateway.embedded import embedded_app

ERROR_REF = "#/components/schemas/Error"
ALWAYS = {"401", "422", "429", "503"}


def _typed(schema: dict[str, Any] | None, schemas: dict[str, Any]) -> bool:
    if not schema:
        return False
    if "$ref" in schema:
        return _typed(schemas.get(schema["$ref"].rsplit("/", 1)[1]), schemas)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return all(_typed(s, schemas) or s.get("type") == "null" for s in schema[key])
    kind = schema.get("type")
    if kind == "array":
        return _typed(schema.get("items"), schemas)
    if kind == "object" or "additionalProperties" in schema:
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        return bool(props) or (isinstance(extra, dict) and _typed(extra, schemas))
    return kind in ("string", "integer", "number", "boolean")


def lint(doc: dict[str, Any]) -> tuple[set[str], list[str]]:
    """(untyped operations, other problems) of the document: every operation's 2xx typed with an example and its
    refusals in the error schema; the /v1 ones also answer 401/422/429/503 (+404 by id) and need an API key."""
    schemas = doc["components"]["schemas"]
    untyped: set[str] = set()
    problems: list[str] = []
    for path, item in doc["paths"].items():
        api = path.startswith("/v1/")
        for method, op in item.items():
            name = f"{method.upper()} {path}"
            responses = op.get("responses", {})
            ok = {s: r for s, r in responses.items() if s.startswith("2")}
            if not ok:
                problems.append(f"{name}: no 2xx answer")
            for status, answer in ok.items():
                content = answer.get("content")
                if status == "204" and not content:
                    continue
                if not content:
                    untyped.add(name)
                    continue
                for media_type, media in content.items():
                    if media_type == "application/json" and not _typed(media.get("schema"), schemas):
                        untyped.add(name)  # no example asked of an answer without a type yet
                    elif "example" not in media and "examples" not in media:
                        problems.append(f"{name}: {status} has no example")
            refusals = {s for s in responses if s[0] in "45"}
            for status in refusals | (ALWAYS | ({"404"} if "{" in path else set()) if api else set()):
                media = (responses.get(status, {}).get("content") or {}).get("application/json", {})
                if media.get("schema", {}).get("$ref") != ERROR_REF or "example" not in media:
                    problems.append(f"{name}: {status} not declared with the error schema and an example")
            if api and op.get("security") != [{"bearerAuth": []}, {"apiKeyHeader": []}]:
                problems.append(f"{name}: security is {op.get('security')}")
    return untyped, problems


async def test_the_document_passes_the_lint(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    async with embedded_app(settings_for(sqlite_url)) as app:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            r = await c.get("/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    validate(doc)  # a valid OpenAPI 3.1 document
    ops = [p for p in doc["paths"] if p.startswith("/v1/")]
    assert len(ops) > 40  # every service's routes are in it
    assert set(doc["components"]["securitySchemes"]) == {"bearerAuth", "apiKeyHeader"}
    error = doc["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"error"} and set(error["properties"]["error"]["enum"]) >= set(
        ERROR_CODES
    )
    assert "Getting started" in doc["info"]["description"] and "`not_found`" in doc["info"]["description"]
    untyped, problems = lint(doc)
    assert not problems, problems
    assert not untyped, f"untyped 2xx answers (give the route a response model): {sorted(untyped)}"


def test_the_lint_flags_what_it_should() -> None:
    """The lint itself: an untyped answer, a missing error and missing security are each found."""
    doc = {
        "components": {"schemas": {"Thing": {"type": "object", "properties": {"id": {"type": "integer"}}}}},
        "paths": {
            "/v1/things/{id}": {
                "get": {
                    "responses": {
                        "200": {
                            "content": {"application/json": {"schema": {"type": "object"}, "example": {}}}
                        }
                    }
                },
                "delete": {"responses": {"204": {"description": "gone"}}},
            },
            "/v1/things": {
                "get": {
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                            }
                        }
                    }
                },
            },
        },
    }
    untyped, problems = lint(doc)
    assert untyped == {"GET /v1/things/{id}"}
    assert any("GET /v1/things: 200 has no example" in p for p in problems)
    assert any("DELETE /v1/things/{id}: 404 not declared" in p for p in problems)
    assert any("GET /v1/things: security" in p for p in problems)
