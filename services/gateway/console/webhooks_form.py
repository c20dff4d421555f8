"""The webhook endpoint form: the event-type catalogue as grouped checkboxes (every type of a group, `email.*`,
included), read back into the body of POST / PATCH /v1/webhooks, and the API's refusals put next to their field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from services.gateway.bodies import field
from services.gateway.console.project_api import ApiResult

READ_MAX = 10_000  # past any limit of the API, short of the console's body cap

# What a delivery's status means to the person reading the log.
STATUSES = {
    "pending": ("warn", "Waiting for its next attempt"),
    "delivering": ("warn", "Being sent now"),
    "succeeded": ("ok", "Your endpoint answered 2xx"),
    "failed": ("bad", "Every attempt failed; replay it once fixed"),
}


@dataclass
class EventGroup:
    """The types sharing a prefix (`email`), and its wildcard filter (`email.*`: later types of it too)."""

    name: str
    wildcard: str
    types: list[str]


def event_groups(types: list[str]) -> list[EventGroup]:
    groups: dict[str, list[str]] = {}
    for t in types:
        groups.setdefault(t.split(".", 1)[0], []).append(t)
    return [EventGroup(name, f"{name}.*", members) for name, members in groups.items()]


def filter_summary(event_types: list[str]) -> str:
    """`All events`, or the filter as a short phrase (`email.bounced, email.complained +3 more`)."""
    if not event_types:
        return "All events"
    shown = ", ".join(event_types[:3])
    more = len(event_types) - 3
    return f"{shown} +{more} more" if more > 0 else shown


def read_endpoint(form: FormData) -> dict[str, Any]:
    """What the form sent, as the template shows it again: url, description, scope (all | some), event_types."""
    chosen = [v.strip()[:100] for v in form.getlist("event_types") if isinstance(v, str) and v.strip()]
    scope = field(form, "scope", 10)
    return {  # not cut to the API's limits: a longer value is refused there (next to its field), not cut and saved
        "url": field(form, "url", READ_MAX),
        "description": field(form, "description", READ_MAX),
        "scope": scope if scope in ("all", "some") else ("some" if chosen else "all"),
        "event_types": sorted(set(chosen))[:50],
    }


def endpoint_body(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(the API body, field errors found before asking it): "some" with nothing ticked is a mistake, not "all"."""
    errors: dict[str, str] = {}
    if not values["url"]:
        errors["url"] = "The URL your endpoint listens on, e.g. https://example.com/hooks/sesame."
    types = values["event_types"] if values["scope"] == "some" else []
    if values["scope"] == "some" and not types:
        errors["event_types"] = "Tick at least one event type, or choose “All events”."
    elif values["scope"] == "all" and values["event_types"]:
        # both said: which was meant is not ours to guess (console.js keeps them in step in a browser)
        errors["event_types"] = (
            "Types are ticked but “All events” is chosen: choose “Only the types ticked”, or untick them."
        )
    return {"url": values["url"], "description": values["description"], "event_types": types}, errors


def endpoint_values(endpoint: dict[str, Any]) -> dict[str, Any]:
    """An endpoint as the edit form shows it."""
    types = list(endpoint.get("event_types") or [])
    return {
        "url": endpoint.get("url", ""),
        "description": endpoint.get("description", ""),
        "scope": "some" if types else "all",
        "event_types": types,
    }


def refusal_errors(r: ApiResult) -> dict[str, str]:
    """The API's field errors, with a refused URL (SSRF check, `url_refused`) shown at the URL input."""
    errors = dict(r.errors)
    if isinstance(r.data, dict) and r.data.get("error") == "url_refused":
        errors["url"] = r.message
    return errors
