"""Captcha checks for the public forms: ALTCHA (self-hosted proof of work) or a provider's siteverify endpoint.

ALTCHA challenges are made in deterministic mode: the gateway picks the counter, derives the key once and signs
it (`keySignature`), so verifying a solution is two HMACs, not a key derivation — cheap enough for thousands of
posts per second. A solved challenge is accepted once: its nonce is remembered until the challenge expires
(in-process, like the rate limits; replicas each hold their own set, and the challenge's short expiry bounds
what a replay across replicas can do).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import aiohttp
import altcha

from services.gateway.i18n import N_
from services.gateway.settings import GatewaySettings

log = logging.getLogger("sesame.gateway.captcha")

PROVIDERS = ("none", "altcha", "turnstile", "hcaptcha", "recaptcha")
# The form field each provider's widget fills in (the JSON endpoint also accepts `captcha`).
RESPONSE_FIELDS = {
    "altcha": "altcha",
    "turnstile": "cf-turnstile-response",
    "hcaptcha": "h-captcha-response",
    "recaptcha": "g-recaptcha-response",
}
# Scripts and frames a provider's widget needs (added to that page's CSP only).
PROVIDER_ORIGINS = {
    "turnstile": "https://challenges.cloudflare.com",
    "hcaptcha": "https://hcaptcha.com https://*.hcaptcha.com",
    "recaptcha": "https://www.google.com https://www.gstatic.com",
}
PROVIDER_SCRIPTS = {
    "turnstile": "https://challenges.cloudflare.com/turnstile/v0/api.js",
    "hcaptcha": "https://js.hcaptcha.com/1/api.js",
    "recaptcha": "https://www.google.com/recaptcha/api.js",
}


@dataclass(frozen=True)
class CaptchaConfig:
    provider: str = "none"
    site_key: str = ""
    secret: str = ""  # the form's own provider secret (subscriptions stores it); else the gateway setting

    @classmethod
    def from_form_settings(cls, form_settings: dict[str, Any] | None) -> CaptchaConfig:
        raw = (form_settings or {}).get("captcha")
        if isinstance(raw, str):
            raw = {"provider": raw}
        if not isinstance(raw, dict):
            return cls()
        provider = str(raw.get("provider") or "none").lower()
        if provider not in PROVIDERS:
            # An unknown provider must not silently turn the captcha off.
            log.warning("unknown captcha provider %r: using altcha", provider)
            provider = "altcha"
        return cls(provider, str(raw.get("site_key") or ""), str(raw.get("secret") or ""))


class CaptchaFailed(Exception):
    """The captcha answer is missing or wrong (reason is safe to show)."""


class _SeenNonces:
    def __init__(self, max_items: int = 200_000) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self.max_items = max_items

    def first_use(self, nonce: str, expires_at: float) -> bool:
        now = time.time()
        while self._seen:
            oldest, exp = next(iter(self._seen.items()))
            if exp >= now and len(self._seen) < self.max_items:
                break
            self._seen.popitem(last=False)
        if nonce in self._seen:
            return False
        self._seen[nonce] = expires_at
        return True


class CaptchaVerifier:
    def __init__(self, settings: GatewaySettings, secret_key: str = "") -> None:
        self.settings = settings
        # Every replica must sign and check with the same key: an explicit one, or one derived from the secret key.
        self.hmac_key = (
            settings.altcha_hmac_key
            or hmac.new(secret_key.encode(), b"sesame.altcha", hashlib.sha256).hexdigest()
        )
        self._seen = _SeenNonces()
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # --- ALTCHA -------------------------------------------------------------------------------------------
    def altcha_challenge(self) -> dict[str, Any]:
        s = self.settings
        challenge = altcha.create_challenge(
            s.altcha_algorithm,
            s.altcha_cost,
            counter=secrets.randbelow(max(1, s.altcha_max_counter)) + 1,
            expires_at=int(time.time()) + s.altcha_expire_seconds,
            hmac_secret=self.hmac_key,
            hmac_key_secret=self.hmac_key + ":key",
        )
        return challenge.to_dict()

    def verify_altcha(self, payload: str) -> None:
        if not payload or len(payload) > 4096:
            raise CaptchaFailed(N_("Please complete the captcha."))
        try:
            result = altcha.verify_solution(payload, self.hmac_key, hmac_key_secret=self.hmac_key + ":key")
        except Exception:  # noqa: BLE001 - malformed payloads of any shape
            raise CaptchaFailed(N_("The captcha answer is not valid.")) from None
        if result.expired:
            raise CaptchaFailed(N_("The captcha expired, please try again."))
        if not result.verified:
            raise CaptchaFailed(N_("The captcha answer is not valid."))
        try:
            params = json.loads(base64.b64decode(payload))["challenge"]["parameters"]
            nonce, expires = str(params["nonce"]), float(params.get("expiresAt") or time.time() + 600)
        except (ValueError, KeyError, TypeError):
            raise CaptchaFailed(N_("The captcha answer is not valid.")) from None
        if not self._seen.first_use(nonce, expires):
            raise CaptchaFailed(N_("This captcha answer was already used, please try again."))

    # --- providers with a siteverify endpoint ---------------------------------------------------------------
    async def _siteverify(self, config: CaptchaConfig, response: str, remote_ip: str | None) -> None:
        s = self.settings
        provider, site_key = config.provider, config.site_key
        secret = (
            config.secret
            or {
                "turnstile": s.turnstile_secret,
                "hcaptcha": s.hcaptcha_secret,
                "recaptcha": s.recaptcha_secret,
            }[provider]
        )
        url = {
            "turnstile": s.turnstile_verify_url,
            "hcaptcha": s.hcaptcha_verify_url,
            "recaptcha": s.recaptcha_verify_url,
        }[provider]
        if not secret:
            log.error(
                "%s is configured on a form but SESAME_GATEWAY_%s_SECRET is empty", provider, provider.upper()
            )
            raise CaptchaFailed(N_("The captcha is not available right now."))
        if not response or len(response) > 8192:
            raise CaptchaFailed(N_("Please complete the captcha."))
        form = {"secret": secret, "response": response}
        if remote_ip:
            form["remoteip"] = remote_ip
        if provider == "hcaptcha" and site_key:
            form["sitekey"] = site_key
        if self._session is None:
            self._session = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
        try:
            async with self._session.post(
                url, data=form, timeout=aiohttp.ClientTimeout(total=s.captcha_verify_timeout)
            ) as resp:
                body = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            log.warning("%s siteverify failed: %r", provider, exc)
            raise CaptchaFailed(N_("The captcha could not be checked, please try again.")) from None
        if not isinstance(body, dict) or body.get("success") is not True:
            codes = body.get("error-codes") if isinstance(body, dict) else None
            log.info("%s refused the captcha: %s", provider, codes)
            raise CaptchaFailed(N_("The captcha was not accepted, please try again."))
        score = body.get("score")
        if provider == "recaptcha" and isinstance(score, (int, float)) and score < s.recaptcha_min_score:
            raise CaptchaFailed(N_("The captcha was not accepted, please try again."))

    async def verify(self, config: CaptchaConfig, response: str | None, remote_ip: str | None) -> None:
        """Raise CaptchaFailed unless `response` answers the form's captcha."""
        if config.provider == "none":
            return
        if config.provider == "altcha":
            # PBKDF2 re-derivation is never needed (keySignature), so this is cheap enough for the loop.
            self.verify_altcha(response or "")
            return
        await self._siteverify(config, response or "", remote_ip)
