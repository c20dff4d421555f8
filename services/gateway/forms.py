"""Signup forms: hosted page, embeddable snippet, JSON endpoint — one signup path with the same protections.

Order of checks for every signup: honeypot (a filled one gets the normal answer and nothing happens), rate limit
per client IP, captcha (per the list's form settings), email syntax, rate limit per email address, then the
subscriptions service (which always does double opt-in and answers the same whatever the address's state).

`form_settings` keys read here (set through the subscriptions API on the list):
  captcha: {"provider": "none|altcha|turnstile|hcaptcha|recaptcha", "site_key": "…", "secret": "…"}
  honeypot: true (default) renders and checks the hidden field
  fields: ["first_name", …] or [{"name": "first_name", "label": "First name"}] (stored as contact attributes)
  title, intro, button_label: texts of the form; redirect_url: where to go after signup (allowed hosts only)
  branding: overrides of the project's branding (name, logo_url, primary_color, background_color, text_color)
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from services.gateway.bodies import field, read_form, read_json
from services.gateway.captcha import (
    PROVIDER_ORIGINS,
    PROVIDER_SCRIPTS,
    RESPONSE_FIELDS,
    CaptchaConfig,
    CaptchaFailed,
)
from services.gateway.form_api_schema import SIGNUP_BODY, SIGNUP_RESPONSES, SignupAccepted
from services.gateway.i18n import N_, gettext, use_locale
from services.gateway.rendering import error_page, render
from services.gateway.security import Branding, host_allowed, new_nonce, safe_redirect
from services.gateway.state import Gateway, gateway
from shared.digits import ascii_digits
from shared.email_address import InvalidEmail, normalize_email
from shared.errors import NotFound, SesameError, TooManyRequests
from shared.locales import DEFAULT_LOCALE, shipped_locale

log = logging.getLogger("sesame.gateway.forms")
router = APIRouter()

HONEYPOT = "hp_comment"
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")  # as the subscriptions API validates them


@dataclass(frozen=True)
class FormConfig:
    list_id: int
    list: dict[str, Any]
    project: dict[str, Any]
    settings: dict[str, Any]
    captcha: CaptchaConfig
    branding: Branding
    fields: list[dict[str, str]]

    @property
    def honeypot(self) -> bool:
        return self.settings.get("honeypot", True) is not False

    @property
    def allowed_hosts(self) -> list[str]:
        hosts = self.project.get("allowed_redirect_hosts") or []
        return [h for h in hosts if isinstance(h, str)]


def _fields(raw: Any) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            continue
        name = str(item.get("name") or "")
        if not _FIELD_NAME.match(name) or name in ("email", HONEYPOT):
            continue
        label = str(item.get("label") or name.replace("_", " ").capitalize())[:100]
        out.append({"name": name, "label": label})
    return out[:10]


async def load_form(gw: Gateway, list_id: int) -> FormConfig:
    """The list's form settings, remembered for a few seconds (the signup hot path reads them)."""
    key = f"form:{list_id}"
    hit = gw.cached(key)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    cfg = await fetch_form(gw, list_id)
    gw.remember(key, cfg, gw.config.form_config_cache_seconds)
    return cfg


async def fetch_form(gw: Gateway, list_id: int) -> FormConfig:
    """The list's form settings as stored now (the console shows them right after a change)."""
    resp = await gw.upstreams.request("subscriptions", "GET", f"/public/lists/{list_id}/form")
    if resp.status == 404:
        raise NotFound("no such form")
    if not resp.ok:
        log.warning("form settings of list %s: upstream answered %s", list_id, resp.status)
        raise SesameError("the form is not available right now", error="unavailable")
    data = resp.json() or {}
    fs = data.get("form_settings") or {}
    return FormConfig(
        list_id=list_id,
        list=data.get("list") or {},
        project=data.get("project") or {},
        settings=fs if isinstance(fs, dict) else {},
        captcha=CaptchaConfig.from_form_settings(fs if isinstance(fs, dict) else {}),
        branding=Branding.from_project(
            data.get("project"), (fs or {}).get("branding") if isinstance(fs, dict) else None
        ),
        fields=_fields(fs.get("fields") if isinstance(fs, dict) else None),
    )


class SignupRefused(Exception):
    def __init__(self, status: int, error: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.headers = status, error, message, headers


def _storable(text: str) -> str:
    """An optional field's text without what no database column can hold (NUL, a lone surrogate from JSON's
    `\\ud800`): trimmed like its length, rather than the whole signup refused for an invisible character."""
    return text.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")


async def signup(
    gw: Gateway, cfg: FormConfig, ip: str, values: dict[str, Any], captcha_response: str | None
) -> bool:
    """Run the protections and forward; True when forwarded, False when the honeypot swallowed it."""
    if cfg.honeypot and values.get(HONEYPOT):
        log.info("honeypot filled on list %s from %s: dropped", cfg.list_id, ip)
        gw.signup_ip.take(ip)
        return False
    if not gw.signup_ip.take(ip):
        raise SignupRefused(
            429,
            "too_many_requests",
            N_("Too many signups from your network. Please try again in a minute."),
            {"Retry-After": str(gw.signup_ip.retry_after(ip))},
        )
    try:
        await gw.captcha.verify(cfg.captcha, captcha_response, ip)
    except CaptchaFailed as exc:
        raise SignupRefused(400, "captcha_failed", str(exc)) from None
    raw_email = values.get("email")
    try:
        email = normalize_email(raw_email if isinstance(raw_email, str) else "")
    except InvalidEmail:
        raise SignupRefused(422, "invalid_email", N_("Please enter a valid email address.")) from None
    if not gw.signup_email.take(email.lower()):
        raise SignupRefused(
            429,
            "too_many_requests",
            N_("Too many signups for this address. Please check your inbox or try later."),
            {"Retry-After": str(gw.signup_email.retry_after(email.lower()))},
        )
    attributes = {}
    for f in cfg.fields:
        v = values.get(f["name"])
        if isinstance(v, str) and (v := _storable(v).strip()[:200]):
            attributes[f["name"]] = v
    resp = await gw.upstreams.request(
        "subscriptions",
        "POST",
        f"/public/lists/{cfg.list_id}/subscribe",
        json_body={"email": email, "attributes": attributes, "source": "form"},
    )
    if resp.status == 422:
        raise SignupRefused(422, "invalid_email", N_("Please enter a valid email address."))
    if resp.status == 404:
        raise SignupRefused(404, "not_found", N_("This form no longer exists."))
    if resp.status == 429:
        raise SignupRefused(429, "too_many_requests", N_("Please check your inbox or try again later."))
    if not resp.ok:
        log.warning("subscribe on list %s: upstream answered %s", cfg.list_id, resp.status)
        raise SignupRefused(
            503, "unavailable", N_("We could not take your signup right now. Please try again.")
        )
    return True


def _captcha_context(cfg: FormConfig) -> dict[str, Any]:
    p = cfg.captcha.provider
    return {
        "captcha": p,
        "site_key": cfg.captcha.site_key,
        "provider_script": PROVIDER_SCRIPTS.get(p),
    }


def _page_csp(cfg: FormConfig) -> dict[str, str]:
    origin = PROVIDER_ORIGINS.get(cfg.captcha.provider, "")
    redirect = safe_redirect(cfg.settings.get("redirect_url"), cfg.allowed_hosts)
    form_action = ""
    if redirect:
        parts = urlsplit(redirect)
        form_action = f"{parts.scheme}://{parts.netloc}"
    return {"extra_script": origin, "extra_frame": origin, "form_action": form_action}


def _form_page(
    request: Request,
    cfg: FormConfig,
    *,
    error: str | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    use_locale(request, cfg.settings.get("locale"))
    return render(
        request,
        "form.html",
        {"cfg": cfg, "error": error, "values": values or {}, "honeypot": HONEYPOT, **_captcha_context(cfg)},
        status=status,
        branding=cfg.branding,
        frameable=True,
        **_page_csp(cfg),
    )


def _list_id(raw: str) -> int:
    if not ascii_digits(raw):
        raise NotFound("no such form")
    return int(raw)


@router.api_route("/f/{list_id}", methods=["GET", "HEAD"], include_in_schema=False)
async def form_page(request: Request, list_id: str) -> Response:
    gw = gateway(request)
    try:
        cfg = await load_form(gw, _list_id(list_id))
    except NotFound:
        return error_page(
            request, 404, N_("Form not found"), N_("This signup form does not exist (any more).")
        )
    return _form_page(request, cfg)


async def form_post(request: Request) -> Response:
    """The signup hot path: a plain Starlette route (no dependency solving: FastAPI's request handler cost more
    than the route's own checks). Errors raised here are answered by the app's handlers as everywhere else."""
    gw = gateway(request)
    try:
        cfg = await load_form(gw, _list_id(request.path_params["list_id"]))
    except NotFound:
        return error_page(
            request, 404, N_("Form not found"), N_("This signup form does not exist (any more).")
        )
    form = await read_form(request, gw.config.form_max_body_bytes)
    values = {k: field(form, k, 400) for k in ["email", HONEYPOT, *(f["name"] for f in cfg.fields)]}
    captcha_field = RESPONSE_FIELDS.get(cfg.captcha.provider, "captcha")
    try:
        forwarded = await signup(
            gw, cfg, gw.client_ip(request), values, field(form, captcha_field, 8192) or None
        )
    except SignupRefused as exc:
        use_locale(request, cfg.settings.get("locale"))
        resp = _form_page(request, cfg, error=gettext(request, exc.message), values=values, status=exc.status)
        resp.headers.update(exc.headers or {})
        return resp
    redirect = safe_redirect(field(form, "redirect_to", 2000), cfg.allowed_hosts) or safe_redirect(
        cfg.settings.get("redirect_url"), cfg.allowed_hosts
    )
    if not forwarded:
        log.debug("honeypot: answering as if accepted")
    if redirect:
        return RedirectResponse(redirect, status_code=303)
    return RedirectResponse(f"/f/{cfg.list_id}/thanks", status_code=303)


router.add_route("/f/{list_id}", form_post, methods=["POST"], include_in_schema=False)


@router.api_route("/f/{list_id}/thanks", methods=["GET", "HEAD"], include_in_schema=False)
async def form_thanks(request: Request, list_id: str) -> Response:
    gw = gateway(request)
    try:
        cfg = await load_form(gw, _list_id(list_id))
    except NotFound:
        return error_page(
            request, 404, N_("Form not found"), N_("This signup form does not exist (any more).")
        )
    use_locale(request, cfg.settings.get("locale"))
    return render(request, "check_inbox.html", {"cfg": cfg}, branding=cfg.branding, frameable=True)


@router.api_route("/f/{list_id}/embed", methods=["GET", "HEAD"], include_in_schema=False)
async def form_embed(request: Request, list_id: str) -> Response:
    """An HTML snippet to paste into another site (a plain form posting to the hosted form's URL)."""
    gw = gateway(request)
    try:
        cfg = await load_form(gw, _list_id(list_id))
    except NotFound:
        return error_page(
            request, 404, N_("Form not found"), N_("This signup form does not exist (any more).")
        )
    use_locale(request, cfg.settings.get("locale"))
    return render(
        request, "embed.html", _embed_context(cfg), branding=cfg.branding, frameable=True, **_page_csp(cfg)
    )


def _embed_context(cfg: FormConfig) -> dict[str, Any]:
    return {"cfg": cfg, "honeypot": HONEYPOT, **_captcha_context(cfg)}


def embed_snippet(gw: Gateway, cfg: FormConfig) -> str:
    """The HTML snippet GET /f/{id}/embed answers, as text (the console shows it for copying)."""
    ctx = {"brand": cfg.branding, "nonce": new_nonce(), "public_url": gw.public_url, **_embed_context(cfg)}
    env = gw.templates_for(shipped_locale(cfg.settings.get("locale")) or DEFAULT_LOCALE)
    return env.get_template("embed.html").render(ctx)


@router.get("/altcha/challenge", include_in_schema=False)
async def altcha_challenge(request: Request) -> Response:
    gw = gateway(request)
    ip = gw.client_ip(request)
    if not gw.page_posts.take(ip):
        raise TooManyRequests(
            "too many challenges", headers={"Retry-After": str(gw.page_posts.retry_after(ip))}
        )
    # Public and credential-free: the embedded snippet's widget fetches it from other sites.
    return JSONResponse(
        gw.captcha.altcha_challenge(),
        headers={"cache-control": "no-store", "access-control-allow-origin": "*"},
    )


def _cors(request: Request, cfg: FormConfig) -> dict[str, str]:
    origin = request.headers.get("origin")
    if not origin:
        return {}
    try:
        parts = urlsplit(origin)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return {}
    if host and host_allowed(host, port, cfg.allowed_hosts):
        return {
            "access-control-allow-origin": origin,
            "access-control-allow-methods": "POST",
            "access-control-allow-headers": "content-type",
            "access-control-max-age": "600",
            "vary": "Origin",
        }
    return {}


@router.options("/api/forms/{list_id}/subscribe", include_in_schema=False)
async def api_subscribe_preflight(request: Request, list_id: str) -> Response:
    cfg = await load_form(gateway(request), _list_id(list_id))
    return Response(status_code=204, headers=_cors(request, cfg))


@router.post(
    "/api/forms/{list_id}/subscribe",
    status_code=202,
    tags=["forms"],
    operation_id="subscribe_with_form",
    response_model=SignupAccepted,
    responses=SIGNUP_RESPONSES,
    openapi_extra=SIGNUP_BODY,
)
async def api_subscribe(request: Request, list_id: str) -> Response:
    """JSON signup for custom forms: `{email, attributes?, captcha}` — the same captcha and limits as the form."""
    gw = gateway(request)
    cfg = await load_form(gw, _list_id(list_id))
    cors = _cors(request, cfg)
    ctype = request.headers.get("content-type", "").lower()
    if ctype.startswith("application/json"):
        data = await read_json(request, gw.config.form_max_body_bytes)
        attrs = data.get("attributes") if isinstance(data.get("attributes"), dict) else {}
    else:
        # a form post carries the list's fields by name, as the hosted form does (a form cannot nest a map)
        data = dict((await read_form(request, gw.config.form_max_body_bytes)).items())
        attrs = data
    values: dict[str, Any] = {k: v for k, v in attrs.items() if isinstance(v, str)}
    values["email"] = data.get("email") if isinstance(data.get("email"), str) else ""
    values[HONEYPOT] = data.get(HONEYPOT) if isinstance(data.get(HONEYPOT), str) else ""
    captcha = data.get("captcha") or data.get(RESPONSE_FIELDS.get(cfg.captcha.provider, "captcha"))
    try:
        await signup(gw, cfg, gw.client_ip(request), values, captcha if isinstance(captcha, str) else None)
    except SignupRefused as exc:
        return JSONResponse(
            {"error": exc.error, "detail": exc.message}, exc.status, headers={**cors, **(exc.headers or {})}
        )
    return JSONResponse({"status": "check_inbox"}, 202, headers=cors)
