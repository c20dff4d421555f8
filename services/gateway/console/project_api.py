"""The console calls the services' own /v1 APIs as the project (internal token + project id), never their tables:
one set of rules whether a change comes from a backend with an API key or from a person in the browser.

A 4xx answer becomes messages for the form (next to the field the API named); a service that is down becomes a
503 page (or a form message) saying nothing was changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.gateway.api import service_for
from services.gateway.console.access import ConsoleProblem
from services.gateway.state import Gateway
from services.gateway.upstream import UpstreamResponse, UpstreamTimeout, UpstreamUnavailable

UNAVAILABLE = "The service is unavailable right now. Nothing was changed; try again in a moment."


@dataclass
class ApiResult:
    status: int
    data: Any
    raw: UpstreamResponse | None = None
    errors: dict[str, str] = field(default_factory=dict)  # form field → message
    message: str = ""  # what applies to the whole form

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def page_status(self) -> int:
        """The status of the console page that shows this refusal: the API's 4xx, else 503 (it failed)."""
        return self.status if 400 <= self.status < 500 else 503


def _loc_name(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) if parts else ""


def explain(status: int, body: Any) -> tuple[dict[str, str], str]:
    """(field errors, general message) from the services' `{"error", "detail"}` answers."""
    if status >= 500 or status == 0:
        return {}, UNAVAILABLE
    if not isinstance(body, dict):
        return {}, f"The request was refused ({status})."
    detail = body.get("detail")
    errors: dict[str, str] = {}
    if isinstance(detail, list):
        general = []
        for item in detail:
            if not isinstance(item, dict):
                continue
            name = _loc_name(list(item.get("loc") or []))
            msg = str(item.get("msg") or "invalid value")
            if name:
                errors.setdefault(name, msg)
                # a nested field (form_settings.captcha.provider) is also shown at its top-level input
                errors.setdefault(name.split(".")[0], msg)
            else:
                general.append(msg)
        return errors, "; ".join(general) or ("Check the highlighted fields." if errors else "")
    if isinstance(detail, dict):
        f = detail.get("field")
        msg = str(detail.get("message") or detail.get("msg") or body.get("error") or "refused")
        if isinstance(f, str):
            return {f: msg}, msg
        return {}, msg
    if isinstance(detail, str) and detail:
        return {}, detail
    return {}, str(body.get("error") or f"refused ({status})").replace("_", " ")


class ProjectApi:
    """The project's API, as its own backend would call it."""

    def __init__(self, gw: Gateway, project_id: int) -> None:
        self.gw, self.project_id = gw, project_id

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        query: dict[str, Any] | None = None,
        body: bytes = b"",
        headers: list[tuple[str, str]] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> ApiResult:
        service = service_for(path)
        if service is None:
            raise ConsoleProblem(404, "No such page", f"No API route {path}.")
        q = {k: v for k, v in (query or {}).items() if v is not None and v != ""}
        try:
            resp = await self.gw.upstreams.request(
                service,
                method,
                path,
                query=q,
                json_body=json,
                body=body,
                headers=headers or (),
                project_id=self.project_id,
                timeout=timeout,
            )
        except (UpstreamUnavailable, UpstreamTimeout):
            return ApiResult(503, None, None, {}, UNAVAILABLE)
        data = resp.json() if resp.body else None
        result = ApiResult(resp.status, data, resp)
        if not result.ok:
            result.errors, result.message = explain(resp.status, data)
        return result

    async def get(self, path: str, **query: Any) -> ApiResult:
        return await self.call("GET", path, query=query)

    async def need(self, path: str, **query: Any) -> Any:
        """GET that must succeed: its JSON, or a 404 / 503 page."""
        r = await self.get(path, **query)
        if r.status == 404:
            raise ConsoleProblem(404, "Not found", r.message or "This item does not exist.")
        if not r.ok:
            raise ConsoleProblem(
                503 if r.status >= 500 else r.status, "Not available", r.message or UNAVAILABLE
            )
        return r.data
