"""How services trust the gateway: a shared internal token, and the project the gateway authenticated.

The gateway checks the API key, then calls a service with `X-Sesame-Internal-Token` and `X-Sesame-Project-Id`.
A service answers 401 to any request without the right internal token, so it can't be reached around the gateway.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from shared.digits import parse_whole
from shared.errors import Unauthorized

INTERNAL_TOKEN_HEADER = "x-sesame-internal-token"
PROJECT_HEADER = "x-sesame-project-id"
# The id of the API key the gateway authenticated (absent for console and internal calls): the source of what the
# request creates, for attribution.
API_KEY_HEADER = "x-sesame-api-key-id"


async def require_internal(request: Request) -> None:
    """Refuse requests that did not come through the gateway (or a trusted internal caller).
    Async on purpose: FastAPI runs a plain `def` dependency in a worker thread, a thread hand-off per request."""
    check_internal(request)


def check_internal(request: Request) -> None:
    """The check itself, for the few plain (non-FastAPI) routes on hot paths."""
    expected = request.app.state.runtime.settings.security.internal_token
    presented = request.headers.get(INTERNAL_TOKEN_HEADER, "")
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        raise Unauthorized("internal token missing or wrong")


async def current_project(request: Request, _: None = Depends(require_internal)) -> int:
    """The project id the gateway authenticated for this request."""
    raw = request.headers.get(PROJECT_HEADER, "")
    project_id = parse_whole(raw)
    if project_id is None:
        raise Unauthorized("no authenticated project")
    return project_id


async def current_api_key(request: Request, _: None = Depends(require_internal)) -> int | None:
    """The id of the API key the request came with through the gateway (None: console or internal caller)."""
    raw = request.headers.get(API_KEY_HEADER, "")
    return parse_whole(raw)


Internal = Depends(require_internal)
ProjectId = Annotated[int, Depends(current_project)]
ApiKeyId = Annotated[int | None, Depends(current_api_key)]
