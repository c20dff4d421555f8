"""Subscriber pages: confirm (GET shows, POST confirms), preference center, unsubscribe + RFC 8058 one-click.

Nothing changes state on GET (link scanners and prefetchers fetch every URL in a mail). The token in the URL is
the credential: pages need no cookie or login, and the one-click POST carries nothing else (RFC 8058 §3.1).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from services.gateway.bodies import field, read_form
from services.gateway.i18n import N_, gettext, use_locale
from services.gateway.rendering import error_page, render
from services.gateway.security import Branding
from services.gateway.state import Gateway, gateway
from services.gateway.upstream import UpstreamResponse
from shared.digits import ascii_digits

log = logging.getLogger("sesame.gateway.pages")
router = APIRouter()

_TOKEN_MAX = 2048
PREF_ACTIONS = ("pause", "unsubscribe", "unsubscribe_all", "resubscribe")
# Why the subscriptions service refused a preference change, in the subscriber's words (its own detail is English).
_REFUSALS = {
    "not_subscribed": N_("Only a list you receive can be paused."),
    "until_out_of_range": N_("Please pick a date in the future, at most a year from now, to pause until."),
    "until_required": N_("Please pick a date in the future, at most a year from now, to pause until."),
    "not_found": N_("This list is no longer available."),  # the token is valid: what is gone is the list
    "list_id_required": N_("Please choose a list."),
}


def _token_ok(token: str) -> bool:
    return (
        0 < len(token) <= _TOKEN_MAX
        and not token.startswith(".")
        and all(c.isalnum() or c in "-_." for c in token)
    )


def _safe_token(value: Any) -> str | None:
    """A token from an upstream answer that may go into a link of ours, else None."""
    return value if isinstance(value, str) and _token_ok(value) else None


def _pause_choices() -> list[tuple[int, str]]:
    """The "pause instead" choices of the unsubscribe page: 30 or 90 days (dates the preference POST accepts)."""
    return [(days, (date.today() + timedelta(days=days)).isoformat()) for days in (30, 90)]


def _brand(data: Any) -> Branding:
    return Branding.from_project(data.get("project") if isinstance(data, dict) else None)


def _bad_link(request: Request) -> Response:
    return error_page(
        request,
        400,
        N_("This link is not valid"),
        N_(
            "The link may be incomplete or mistyped. Please use the link from the email exactly as it was sent."
        ),
    )


def _unavailable(request: Request) -> Response:
    return error_page(
        request,
        503,
        N_("Please try again in a moment"),
        N_("We could not complete this right now. Nothing was changed."),
    )


def _limited(request: Request, gw: Gateway) -> Response | None:
    ip = gw.client_ip(request)
    if gw.page_posts.take(ip):
        return None
    resp = error_page(request, 429, N_("Too many requests"), N_("Please wait a minute and try again."))
    resp.headers["retry-after"] = str(gw.page_posts.retry_after(ip))
    return resp


def _upstream_error(request: Request, resp: UpstreamResponse) -> Response:
    if resp.status in (400, 404, 422):
        return _bad_link(request)
    if resp.status == 410:
        return error_page(
            request, 410, N_("This link has expired"), N_("Please use the link from a more recent email.")
        )
    return _unavailable(request)


# --- confirm -----------------------------------------------------------------------------------------------
@router.api_route("/confirm/{token}", methods=["GET", "HEAD"], include_in_schema=False)
async def confirm_page(request: Request, token: str) -> Response:
    """Names the list and the sender before the button; an invalid link says so and offers no button.

    Reads the link's state (GET /public/confirm/{token}) and changes nothing: link scanners fetch it too."""
    gw = gateway(request)
    if not _token_ok(token):
        return _bad_link(request)
    resp = await gw.upstreams.request("subscriptions", "GET", f"/public/confirm/{token}")
    data = resp.json() if resp.status < 500 else None
    if not resp.ok or not isinstance(data, dict):
        return _upstream_error(request, resp)
    brand, lst = _brand(data), data.get("list") or {}
    use_locale(request, lst.get("locale"))
    if data.get("expired"):
        return render(request, "expired.html", {"token": token, "list": lst}, status=410, branding=brand)
    if data.get("status") in ("active", "paused"):
        ctx = {"result": "already_confirmed", "list": lst, "preferences_token": None}
        return render(request, "confirmed.html", ctx, branding=brand)
    if data.get("status") == "unsubscribed":
        return _left_list(request, brand)
    return render(request, "confirm.html", {"token": token, "list": lst}, branding=brand)


def _left_list(request: Request, branding: Branding | None = None) -> Response:
    return error_page(
        request,
        409,
        N_("You left this list"),
        N_("You left this list after this link was sent. To join again, please sign up through the form."),
        branding=branding,
    )


@router.post("/confirm/{token}", include_in_schema=False)
async def confirm_post(request: Request, token: str) -> Response:
    gw = gateway(request)
    if not _token_ok(token):
        return _bad_link(request)
    if (limited := _limited(request, gw)) is not None:
        return limited
    await read_form(request, gw.config.form_max_body_bytes)
    resp = await gw.upstreams.request("subscriptions", "POST", "/public/confirm", json_body={"token": token})
    data = resp.json() if resp.status < 500 else None
    if isinstance(data, dict) and isinstance(data.get("list"), dict):
        use_locale(request, data["list"].get("locale"))
    if resp.ok and isinstance(data, dict):
        return render(
            request,
            "confirmed.html",
            {
                "result": data.get("result"),
                "list": data.get("list") or {},
                "preferences_token": _safe_token(data.get("preferences_token")),
            },
            branding=_brand(data),
        )
    if resp.status in (409, 410):
        # The answer names no list: read the link (as the GET does) to brand and word the page.
        view = await gw.upstreams.request("subscriptions", "GET", f"/public/confirm/{token}")
        info = view.json() if view.ok else None
        info = info if isinstance(info, dict) else {}
        lst = info.get("list") if isinstance(info.get("list"), dict) else {}
        use_locale(request, lst.get("locale"))
        if resp.status == 409:
            return _left_list(request, _brand(info))
        return render(
            request, "expired.html", {"token": token, "list": lst}, status=410, branding=_brand(info)
        )
    return _upstream_error(request, resp)


@router.post("/confirm/{token}/resend", include_in_schema=False)
async def confirm_resend(request: Request, token: str) -> Response:
    gw = gateway(request)
    if not _token_ok(token):
        return _bad_link(request)
    if (limited := _limited(request, gw)) is not None:
        return limited
    await read_form(request, gw.config.form_max_body_bytes)
    resp = await gw.upstreams.request(
        "subscriptions", "POST", "/public/confirm/resend", json_body={"token": token}
    )
    if resp.ok:
        data = resp.json()
        if isinstance(data, dict) and isinstance(data.get("list"), dict):
            use_locale(request, data["list"].get("locale"))
        return render(request, "check_inbox.html", {"cfg": None, "resent": True}, branding=_brand(data))
    if resp.status == 429:
        return error_page(
            request,
            429,
            N_("Please check your inbox"),
            N_(
                "We sent you a confirmation link a short while ago. Please wait a few minutes before asking again."
            ),
        )
    return _upstream_error(request, resp)


# --- preference center -------------------------------------------------------------------------------------
def _prefs_page(
    request: Request,
    token: str,
    data: dict[str, Any],
    notice: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    lists = [lst for lst in (data.get("lists") or []) if isinstance(lst, dict)]
    # The lists the contact receives decide the language when they agree (else all the lists shown, when they
    # agree); else the browser's.
    theirs = {lst.get("locale") for lst in lists if lst.get("status") in ("active", "pending", "paused")}
    shown = {lst.get("locale") for lst in lists}
    for locales in (theirs, shown):
        if len(locales) == 1:
            use_locale(request, *locales)
            break
    notice = gettext(request, notice) if notice else None
    error = gettext(request, error) if error else None
    return render(
        request,
        "preferences.html",
        {
            "token": token,
            "email": data.get("email") or "",
            "lists": lists,
            "notice": notice,
            "error": error,
            "today": date.today().isoformat(),
            "any_active": any(lst.get("status") in ("active", "pending", "paused") for lst in lists),
        },
        status=status,
        branding=_brand(data),
    )


@router.api_route("/p/{token}", methods=["GET", "HEAD"], include_in_schema=False)
async def preferences_page(request: Request, token: str) -> Response:
    gw = gateway(request)
    if not _token_ok(token):
        return _bad_link(request)
    resp = await gw.upstreams.request("subscriptions", "GET", f"/public/preferences/{token}")
    data = resp.json()
    if not resp.ok or not isinstance(data, dict):
        return _upstream_error(request, resp)
    return _prefs_page(request, token, data)


def _parse_until(raw: str) -> str | None:
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    if day <= date.today() or day > date.today() + timedelta(days=365):
        return None
    return datetime(day.year, day.month, day.day, tzinfo=UTC).isoformat()


@router.post("/p/{token}", include_in_schema=False)
async def preferences_post(request: Request, token: str) -> Response:
    gw = gateway(request)
    if not _token_ok(token):
        return _bad_link(request)
    if (limited := _limited(request, gw)) is not None:
        return limited
    form = await read_form(request, gw.config.form_max_body_bytes)
    action = field(form, "action", 40)
    list_id = field(form, "list_id", 20)
    body: dict[str, Any] = {"action": action}
    error = None
    if action not in PREF_ACTIONS:
        error = N_("Please choose what to change.")
    elif action != "unsubscribe_all":
        if not ascii_digits(list_id):
            error = N_("Please choose a list.")
        else:
            body["list_id"] = int(list_id)
    if action == "pause" and error is None:
        until = _parse_until(field(form, "until", 20))
        if until is None:
            error = N_("Please pick a date in the future, at most a year from now, to pause until.")
        else:
            body["until"] = until
    if error is not None:
        cur = await gw.upstreams.request("subscriptions", "GET", f"/public/preferences/{token}")
        data = cur.json()
        if not cur.ok or not isinstance(data, dict):
            return _upstream_error(request, cur)
        return _prefs_page(request, token, data, error=error, status=422)
    resp = await gw.upstreams.request("subscriptions", "POST", f"/public/preferences/{token}", json_body=body)
    data = resp.json()
    if (
        resp.status in (404, 409, 422)
        and isinstance(data, dict)
        and data.get("error") not in ("invalid_token", "validation_error")
    ):
        # The change was refused (not subscribed, list gone, date out of range): show why, change nothing.
        cur = await gw.upstreams.request("subscriptions", "GET", f"/public/preferences/{token}")
        current = cur.json()
        if cur.ok and isinstance(current, dict):
            detail = _REFUSALS.get(str(data.get("error")), N_("This change is not possible."))
            return _prefs_page(request, token, current, error=detail, status=resp.status)
    if not resp.ok or not isinstance(data, dict):
        return _upstream_error(request, resp)
    notice = {
        "pause": N_("Paused. You will not get mail from this list until the date you chose."),
        "unsubscribe": N_("You left the list."),
        "unsubscribe_all": N_("You left every list. You will get no more mail from us."),
        "resubscribe": N_("Almost there: we sent you an email to confirm that you want to re-join."),
    }[action]
    return _prefs_page(request, token, data, notice=notice)


# --- unsubscribe -------------------------------------------------------------------------------------------
@router.api_route("/u/{token}", methods=["GET", "HEAD"], include_in_schema=False)
async def unsubscribe_page(request: Request, token: str) -> Response:
    """Shows what will happen and a button; never changes anything."""
    gw = gateway(request)
    if not _token_ok(token):
        return _bad_link(request)
    resp = await gw.upstreams.request("subscriptions", "GET", f"/public/unsubscribe/{token}")
    data = resp.json()
    if not resp.ok or not isinstance(data, dict):
        return _upstream_error(request, resp)
    use_locale(request, (data.get("list") or {}).get("locale"))
    return render(
        request,
        "unsubscribe.html",
        {
            "token": token,
            "email": data.get("email") or "",
            "list": data.get("list"),
            "status": data.get("status"),
            "preferences_token": _safe_token(data.get("preferences_token")),
            "pause_choices": _pause_choices(),
        },
        branding=_brand(data),
    )


@router.post("/u/{token}", include_in_schema=False)
async def unsubscribe_post(request: Request, token: str) -> Response:
    """RFC 8058 one-click (body `List-Unsubscribe=One-Click`) and the page's button: unsubscribe at once.

    No cookie, login or CSRF token; 200 without a redirect; idempotent. A body we don't recognise is treated as
    one-click too (clients differ), and logged.
    """
    gw = gateway(request)
    form = await read_form(request, gw.config.form_max_body_bytes)
    one_click = field(form, "List-Unsubscribe", 40)
    from_button = field(form, "confirm", 10) == "yes" and not one_click
    if not from_button and one_click != "One-Click":
        log.info(
            "unsubscribe POST without List-Unsubscribe=One-Click (content-type %r): treated as one-click",
            request.headers.get("content-type"),
        )
    if not _token_ok(token):
        return _bad_link(request) if from_button else PlainTextResponse("invalid unsubscribe link", 400)
    source = "link" if from_button else "one_click"
    resp = await gw.upstreams.request(
        "subscriptions", "POST", f"/public/unsubscribe/{token}", json_body={"source": source}
    )
    data = resp.json()
    if from_button:
        if not resp.ok or not isinstance(data, dict):
            return _upstream_error(request, resp)
        use_locale(request, (data.get("list") or {}).get("locale"))
        return render(
            request,
            "unsubscribed.html",
            {
                "token": token,
                "email": data.get("email") or "",
                "list": data.get("list"),
                "preferences_token": _safe_token(data.get("preferences_token")),
            },
            branding=_brand(data),
        )
    if resp.ok:
        return PlainTextResponse("You have been unsubscribed.\n", 200, headers={"cache-control": "no-store"})
    if resp.status in (400, 404, 422):
        return PlainTextResponse("invalid unsubscribe link\n", 400)
    return PlainTextResponse("temporarily unavailable, please retry\n", 503, headers={"retry-after": "60"})
