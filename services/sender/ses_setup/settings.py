"""Settings of the SES-setup part of the sender (prefix SESAME_SES_SETUP_)."""

from __future__ import annotations

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.digits import ascii_digits
from shared.settings import register_settings


@register_settings
class SesSetupSettings(BaseSettings):
    """Connect, feedback guard, suppression sync and the DNS checks of `sesame doctor`."""

    model_config = SettingsConfigDict(
        env_prefix="SESAME_SES_SETUP_", env_file=None, extra="ignore", case_sensitive=False
    )

    ses_endpoint_url: str | None = Field(
        None,
        description="Override the SES v1 endpoint for setup calls (tests: moto). Empty = the sender's / AWS.",
    )
    sesv2_endpoint_url: str | None = Field(
        None,
        description="Override the SESv2 endpoint (tests: the SESv2 stand-in). Empty = the sender's / AWS.",
    )
    sns_endpoint_url: str | None = Field(
        None, description="Override the SNS endpoint (tests: moto). Empty = AWS."
    )
    confirm_timeout: float = Field(
        90.0, description="How long connect waits for SNS to confirm the webhook subscription (seconds)."
    )
    confirm_poll_interval: float = Field(2.0, description="Seconds between subscription-status polls.")
    loop_timeout: float = Field(
        300.0, description="How long the loop proof waits for the three feedback events."
    )
    feedback_stall_hours: float = Field(
        6.0, description="Alert the owner when mail was sent but no feedback arrived for this many hours."
    )
    stall_check_interval: float = Field(600.0, description="Seconds between feedback-stall checks (0 = off).")
    suppression_sync_interval: float = Field(
        3600.0,
        description="Seconds between SES account suppression-list syncs per connected project (0 = off).",
    )
    dns_nameservers: list[str] = Field(
        default_factory=list,
        description="Resolvers for the DNS checks as IP or IP:port (empty = the system resolver).",
    )
    dns_timeout: float = Field(5.0, description="Seconds per DNS lookup.")
    min_volume_for_rates: int = Field(
        200,
        description="Sent mails (last 14 days) below which bounce/complaint rates are reported as too early.",
    )

    @field_validator("dns_nameservers")
    @classmethod
    def _nameservers(cls, v: list[str]) -> list[str]:
        for item in v:
            host, _, port = item.rpartition(":") if item.count(":") == 1 else (item, "", "")
            if port and not ascii_digits(port, max_digits=5):
                raise ValueError(f"bad nameserver {item!r}: expected IP or IP:port")
            if not (host or item):
                raise ValueError("empty nameserver")
        return v
