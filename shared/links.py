"""The links in mail and pages (confirm, preferences, unsubscribe): one place that builds and reads their tokens.

Token payload keys: p = project id, c = contact id, l = list id (or absent: all lists of the project); in links of
a sent mail also m = the sender's messages.id and k = its campaign id, so an unsubscribe or pause done through the
mail is attributed to them (tokens without m / k, e.g. mail sent before, keep working: no attribution).
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
    message_id: int | None = None
    campaign_id: int | None = None

    @property
    def attribution(self) -> Attribution:
        return Attribution(self.campaign_id, self.message_id)


@dataclass(frozen=True)
class Attribution:
    """The campaign and message a subscription change came from (both None: not from a mail's link)."""

    campaign_id: int | None = None
    message_id: int | None = None


NO_ATTRIBUTION = Attribution()


def make_token(codec: TokenCodec, purpose: str, target: LinkTarget) -> str:
    """A signed token for `purpose` naming the contact (and list)."""
    payload: dict[str, int] = {"p": target.project_id, "c": target.contact_id}
    if target.list_id is not None:
        payload["l"] = target.list_id
    if target.message_id is not None:
        payload["m"] = target.message_id
    if target.campaign_id is not None:
        payload["k"] = target.campaign_id
    return codec.sign(purpose, payload)


def read_token(codec: TokenCodec, purpose: str, token: str, max_age: float | None = None) -> LinkTarget:
    """The target of a token; TokenInvalid / TokenExpired (4xx) when it is not one of ours for `purpose`."""
    from shared.tokens import TokenInvalid

    data = codec.verify(purpose, token, max_age)
    try:
        return LinkTarget(
            int(data["p"]),
            int(data["c"]),
            _opt_int(data, "l"),
            message_id=_opt_int(data, "m"),
            campaign_id=_opt_int(data, "k"),
        )
    except (KeyError, TypeError, ValueError):
        raise TokenInvalid("malformed token") from None


def _opt_int(data: dict[str, object], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    return int(value)  # type: ignore[call-overload]


def confirm_url(public_url: str, codec: TokenCodec, target: LinkTarget) -> str:
    return f"{public_url.rstrip('/')}/confirm/{make_token(codec, CONFIRM, target)}"


def preferences_url(
    public_url: str,
    codec: TokenCodec,
    project_id: int,
    contact_id: int,
    attribution: Attribution = NO_ATTRIBUTION,
) -> str:
    target = LinkTarget(project_id, contact_id, None, attribution.message_id, attribution.campaign_id)
    return f"{public_url.rstrip('/')}/p/{make_token(codec, PREFERENCES, target)}"


def unsubscribe_url(public_url: str, codec: TokenCodec, target: LinkTarget) -> str:
    """The https one-click URL for List-Unsubscribe and the visible unsubscribe link (GET shows, POST acts)."""
    return f"{public_url.rstrip('/')}/u/{make_token(codec, UNSUBSCRIBE, target)}"
