"""The links in mail and pages (confirm, preferences, unsubscribe): one place that builds and reads their tokens.

Token payload keys: p = project id, c = contact id, l = list id (or absent: all lists of the project).
Confirm links expire (SESAME_SUBSCRIPTIONS_CONFIRM_TTL_DAYS in the subscriptions service); preference and
unsubscribe links do not (RFC 8058: a one-click link must keep working).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.tokens import TokenCodec

CONFIRM = "confirm"
PREFERENCES = "preferences"
UNSUBSCRIBE = "unsubscribe"


@dataclass(frozen=True)
class LinkTarget:
    project_id: int
    contact_id: int
    list_id: int | None = None


def make_token(codec: TokenCodec, purpose: str, target: LinkTarget) -> str:
    """A signed token for `purpose` naming the contact (and list)."""
    payload: dict[str, int] = {"p": target.project_id, "c": target.contact_id}
    if target.list_id is not None:
        payload["l"] = target.list_id
    return codec.sign(purpose, payload)


def read_token(codec: TokenCodec, purpose: str, token: str, max_age: float | None = None) -> LinkTarget:
    """The target of a token; TokenInvalid / TokenExpired (4xx) when it is not one of ours for `purpose`."""
    from shared.tokens import TokenInvalid

    data = codec.verify(purpose, token, max_age)
    try:
        return LinkTarget(int(data["p"]), int(data["c"]), int(data["l"]) if "l" in data else None)
    except (KeyError, TypeError, ValueError):
        raise TokenInvalid("malformed token") from None


def confirm_url(public_url: str, codec: TokenCodec, target: LinkTarget) -> str:
    return f"{public_url.rstrip('/')}/confirm/{make_token(codec, CONFIRM, target)}"


def preferences_url(public_url: str, codec: TokenCodec, project_id: int, contact_id: int) -> str:
    return f"{public_url.rstrip('/')}/p/{make_token(codec, PREFERENCES, LinkTarget(project_id, contact_id))}"


def unsubscribe_url(public_url: str, codec: TokenCodec, target: LinkTarget) -> str:
    """The https one-click URL for List-Unsubscribe and the visible unsubscribe link (GET shows, POST acts)."""
    return f"{public_url.rstrip('/')}/u/{make_token(codec, UNSUBSCRIBE, target)}"
