"""What the OpenAPI document says of the public signup API (`POST /api/forms/{list_id}/subscribe`): its body, its
answer and every refusal. The route reads the body itself (JSON or a form post, with the form's size cap), so
the body is described here rather than parsed by FastAPI."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class SignupIn(BaseModel):
    """A signup from a custom form (JSON, or the same fields form-encoded)."""

    email: str = Field(examples=["ada@example.com"])
    attributes: dict[str, str] = Field(
        default_factory=dict, description="the list's extra form fields, by name (others are ignored)"
    )
    captcha: str | None = Field(
        None, description="the captcha widget's answer when the list asks for one (ALTCHA payload, token…)"
    )


class SignupAccepted(BaseModel):
    """Taken: a confirmation mail goes out (double opt-in) or the address is subscribed. The same answer for an
    address already on the list, so the API tells nobody who is subscribed."""

    status: Literal["check_inbox"]


def _error(description: str, error: str, detail: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Error"}  # the one error schema of the document (ErrorBody)
    return {
        "description": description,
        "content": {"application/json": {"schema": schema, "example": {"error": error, "detail": detail}}},
    }


SIGNUP_RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {"content": {"application/json": {"example": {"status": "check_inbox"}}}},
    400: _error(
        "The captcha was missing or wrong, or the body is not a JSON object.",
        "captcha_failed",
        "Please complete the captcha.",
    ),
    404: _error(
        "No such form (an unknown, private or deleted list).", "not_found", "This form no longer exists."
    ),
    413: _error("The body is larger than the form's limit.", "payload_too_large", "body too large"),
    422: _error(
        "The address is not a valid email address.", "invalid_email", "Please enter a valid email address."
    ),
    429: _error(
        "Too many signups from this network or for this address; `Retry-After` says when to try again.",
        "too_many_requests",
        "Too many signups from your network. Please try again in a minute.",
    ),
    503: _error("Signups cannot be taken right now; nothing was stored.", "unavailable", "Please try again."),
}

SIGNUP_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": SignupIn.model_json_schema()},
            "application/x-www-form-urlencoded": {"schema": SignupIn.model_json_schema()},
        },
    }
}
