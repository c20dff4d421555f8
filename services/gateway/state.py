"""What the gateway keeps for its lifetime: settings, upstream client, captcha, auth, limits, templates, caches."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.gateway.api_auth import ApiKeyAuth
from services.gateway.captcha import CaptchaVerifier
from services.gateway.i18n import translations
from services.gateway.security import client_ip
from services.gateway.settings import GatewaySettings
from services.gateway.upstream import Upstreams
from shared.ratelimit import TokenBuckets
from shared.settings import Settings

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"


def make_templates(locale: str = "en") -> Environment:
    """The templates' environment; `locale` installs that catalogue for `{% trans %}` (public pages)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html", "svg"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return env


@dataclass
class Gateway:
    settings: Settings
    config: GatewaySettings
    upstreams: Upstreams
    captcha: CaptchaVerifier
    templates: Environment = field(default_factory=make_templates)
    auth: ApiKeyAuth | None = None
    signup_ip: TokenBuckets = field(init=False)
    signup_email: TokenBuckets = field(init=False)
    page_posts: TokenBuckets = field(init=False)
    admin_login: TokenBuckets = field(init=False)
    admin_login_account: TokenBuckets = field(init=False)
    _cache: dict[str, tuple[float, Any]] = field(default_factory=dict)
    _localized: dict[str, Environment] = field(default_factory=dict)

    def __post_init__(self) -> None:
        c = self.config
        self.signup_ip = TokenBuckets(c.signup_per_ip_per_minute, 60.0)
        self.signup_email = TokenBuckets(c.signup_per_email_per_hour, 3600.0)
        self.page_posts = TokenBuckets(c.page_posts_per_ip_per_minute, 60.0)
        self.admin_login = TokenBuckets(10, 600.0)  # failed console logins per client IP
        self.admin_login_account = TokenBuckets(10, 600.0)  # … and per login name, whatever the IP

    def templates_for(self, locale: str) -> Environment:
        """The environment of a locale (built once: each keeps its compiled templates)."""
        if locale == "en":
            return self.templates
        env = self._localized.get(locale)
        if env is None:
            env = self._localized[locale] = make_templates(locale)
        return env

    def client_ip(self, request: Request) -> str:
        return client_ip(request, self.config.trusted_proxies)

    @property
    def public_url(self) -> str:
        return self.settings.runtime.public_url.rstrip("/")

    @property
    def cookie_secure(self) -> bool:
        if self.config.cookie_secure is not None:
            return self.config.cookie_secure
        return self.public_url.startswith("https://")

    def cached(self, key: str) -> Any | None:
        hit = self._cache.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        return None

    def remember(self, key: str, value: Any, seconds: float) -> None:
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key] = (time.monotonic() + seconds, value)

    def forget(self, prefix: str = "") -> None:
        for k in [k for k in self._cache if k.startswith(prefix)]:
            del self._cache[k]


def gateway(request: Request) -> Gateway:
    return request.app.state.gateway  # type: ignore[no-any-return]
