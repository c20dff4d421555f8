"""Gateway settings (SESAME_GATEWAY_…): upstream limits, captcha providers, rate limits, dashboard session."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import register_settings


@register_settings
class GatewaySettings(BaseSettings):
    """The public gateway: forwarding, forms, captcha and abuse limits."""

    model_config = SettingsConfigDict(
        env_prefix="SESAME_GATEWAY_", env_file=None, extra="ignore", case_sensitive=False
    )

    upstream_timeout: float = Field(15.0, description="Seconds a forwarded request may take before 504.")
    upstream_connect_timeout: float = Field(3.0, description="Seconds to connect to a service before 503.")
    upstream_pool_size: int = Field(100, description="Open connections kept per service (distributed mode).")
    api_max_body_bytes: int = Field(1_048_576, description="Largest request body forwarded on /v1 routes.")
    form_max_body_bytes: int = Field(16_384, description="Largest signup form / public page POST body.")
    webhook_max_body_bytes: int = Field(
        262_144, description="Largest SNS webhook body (SNS sends at most 256 KB)."
    )

    api_key_cache_seconds: float = Field(
        10.0, description="How long a looked-up API key is trusted without re-reading (revocation delay)."
    )
    api_key_usage_flush_seconds: float = Field(
        30.0,
        gt=0,
        description="How often the API keys' last use (`last_used_at`) is written; also written at shutdown.",
    )
    auth_failures_per_minute: int = Field(
        20, description="Failed API authentications per client IP per minute."
    )
    form_config_cache_seconds: float = Field(5.0, description="How long a list's form settings are cached.")

    signup_per_ip_per_minute: int = Field(
        10, description="Signup attempts per client IP per minute (burst = same)."
    )
    signup_per_email_per_hour: int = Field(3, description="Signup attempts per email address per hour.")
    page_posts_per_ip_per_minute: int = Field(
        60, description="Confirm / preference / unsubscribe POSTs per IP per minute."
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Peer addresses whose X-Forwarded-For is believed (the load balancer); empty: use the peer.",
    )

    altcha_hmac_key: str = Field(
        "",
        description="HMAC key signing ALTCHA challenges; empty: derived from SESAME_SECRET_KEY (same on every replica).",
    )
    altcha_algorithm: str = Field(
        "PBKDF2/SHA-256", description="ALTCHA key derivation (widget supports PBKDF2/SHA-*)."
    )
    altcha_cost: int = Field(1000, description="ALTCHA KDF iterations per attempt.")
    altcha_max_counter: int = Field(
        2000, description="Highest counter the client may need to reach (work factor)."
    )
    altcha_expire_seconds: int = Field(
        600, description="How long an ALTCHA challenge can be solved and used."
    )

    turnstile_secret: str = Field("", description="Cloudflare Turnstile secret key.")
    turnstile_verify_url: str = Field(
        "https://challenges.cloudflare.com/turnstile/v0/siteverify", description="Turnstile siteverify URL."
    )
    hcaptcha_secret: str = Field("", description="hCaptcha secret key.")
    hcaptcha_verify_url: str = Field(
        "https://api.hcaptcha.com/siteverify", description="hCaptcha siteverify URL."
    )
    recaptcha_secret: str = Field("", description="reCAPTCHA secret key.")
    recaptcha_verify_url: str = Field(
        "https://www.google.com/recaptcha/api/siteverify", description="reCAPTCHA siteverify URL."
    )
    recaptcha_min_score: float = Field(0.5, description="Lowest reCAPTCHA v3 score accepted.")
    captcha_verify_timeout: float = Field(5.0, description="Seconds to wait for a captcha provider's answer.")

    admin_session_hours: float = Field(12.0, description="Longest lifetime of a console login (hours).")
    console_idle_minutes: float = Field(
        120.0, description="A console login ends after this many minutes without a request."
    )
    console_invitation_days: float = Field(7.0, description="How long a console invitation link stays valid.")
    cookie_secure: bool | None = Field(
        None, description="Mark cookies Secure (default: when SESAME_PUBLIC_URL is https)."
    )
    openapi_cache_seconds: float = Field(60.0, description="How long the merged OpenAPI document is cached.")
