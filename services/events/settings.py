"""Settings of the events service (prefix SESAME_EVENTS_)."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.guard_thresholds import DEFAULTS as GUARD_DEFAULTS
from shared.settings import register_settings

# Seconds a webhook claim must still have, beyond the POST's total timeout, for the attempt to start.
CLAIM_MARGIN_SECONDS = 5.0


@register_settings
class EventsSettings(BaseSettings):
    """SNS webhook verification, feedback policy defaults, reputation and guard defaults."""

    model_config = SettingsConfigDict(
        env_prefix="SESAME_EVENTS_", env_file=None, extra="ignore", case_sensitive=False
    )

    # --- SNS verification
    max_message_age_seconds: float = Field(
        3600,
        description="Refuse SNS messages older than this (SNS stops retrying after 1 h). 0 disables (replays).",
    )
    clock_skew_seconds: float = Field(300, description="Allowed clock difference with SNS.")
    allowed_regions: list[str] = Field(
        default_factory=list,
        description="If set, only SNS hosts of these regions are trusted for certificates and confirmations.",
    )
    allowed_host_suffixes: list[str] = Field(
        default_factory=lambda: ["amazonaws.com", "amazonaws.com.cn"],
        description="DNS suffixes of trusted SNS hosts (sns.<region>.<suffix>).",
    )
    cert_fetch_timeout_seconds: float = Field(5.0, description="Timeout of one signing-certificate download.")
    cert_max_bytes: int = Field(16_384, description="Largest signing certificate accepted.")
    cert_cache_size: int = Field(256, description="Signing certificates (parsed public keys) kept in memory.")
    pinned_cert_dir: str | None = Field(
        None,
        description="Directory of pinned PEM certificates for air-gapped installs: a file named like the URL's "
        "last path segment (SimpleNotificationService-<hash>.pem) is used instead of downloading it.",
    )
    test_trust_anchor_pem: str | None = Field(
        None,
        description="TESTS ONLY: a PEM certificate trusted for every valid SNS cert URL (needs the flag below).",
    )
    allow_test_trust_anchor: bool = Field(
        False, description="TESTS ONLY: enable test_trust_anchor_pem. Logged as a warning at startup."
    )
    subscribe_timeout_seconds: float = Field(
        10.0, description="Timeout of the SubscribeURL confirmation request."
    )
    webhook_max_body_bytes: int = Field(
        262_144, description="Largest SNS POST body accepted (SNS caps at 256 KB)."
    )
    endpoint_cache_seconds: float = Field(
        5.0, description="How long endpoint token → project lookups are cached."
    )

    # --- inbox processing
    process_inbox: bool = Field(
        True,
        description="Run the inbox dispatcher and processing consumer in this process (false: a webhook-only "
        "replica; another replica processes).",
    )
    inbox_batch_size: int = Field(100, description="Inbox rows dispatched per bus message.")
    inbox_redispatch_seconds: float = Field(
        300, description="A received row not processed this long after dispatch is dispatched again."
    )
    inbox_max_attempts: int = Field(8, description="Processing attempts before an inbox row stays failed.")

    # --- policy defaults (per project overridable)
    soft_bounce_threshold: int = Field(
        3, description="Soft bounces within the window that suppress an address."
    )
    soft_bounce_window_days: int = Field(7, description="Window of the soft-bounce count.")

    # --- reputation / guard defaults
    min_volume: int = Field(
        200, description="Sent messages in a window before its rates are meaningful (and the guard may act)."
    )
    warn_bounce_rate: float = Field(
        GUARD_DEFAULTS["warn_bounce_rate"], description="Bounce rate that warns the owner."
    )
    warn_complaint_rate: float = Field(
        GUARD_DEFAULTS["warn_complaint_rate"], description="Complaint rate that warns the owner."
    )
    pause_bounce_rate: float = Field(
        GUARD_DEFAULTS["pause_bounce_rate"], description="Bounce rate that pauses marketing sends."
    )
    pause_complaint_rate: float = Field(
        GUARD_DEFAULTS["pause_complaint_rate"], description="Complaint rate that pauses marketing sends."
    )
    digest_interval_seconds: float = Field(60, description="How often the digest loop looks for due digests.")
    engagement_interval_seconds: float = Field(
        2.0, description="Pause of the engagement rollup (campaign/contact figures) once it has caught up."
    )
    engagement_batch_size: int = Field(2000, ge=1, le=10_000, description="Feedback rows per rollup batch.")

    # --- outbound webhooks
    webhook_retry_schedule_seconds: list[float] = Field(
        default_factory=lambda: [5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 72000],
        description="Delay before each retry of a failed webhook delivery (±20 % jitter); after the last one "
        "(≈ 3 days in all) the delivery fails, the endpoint is disabled and the owner is mailed.",
    )
    webhook_allow_networks: list[str] = Field(
        default_factory=list,
        description="CIDR ranges webhooks may reach although private/loopback/link-local/reserved (e.g. "
        "127.0.0.1/32 for tests or an internal receiver). Logged as a warning at startup.",
    )
    webhook_connect_timeout_seconds: float = Field(5.0, description="Connect timeout of one webhook POST.")
    webhook_timeout_seconds: float = Field(10.0, description="Total timeout of one webhook POST.")
    webhook_max_payload_bytes: int = Field(
        262_144, description="Largest webhook body sent; a bigger event is recorded as failed, not sent."
    )
    webhook_response_read_bytes: int = Field(
        4096, description="Bytes of a receiver's response read (kept as an excerpt in the delivery log)."
    )
    webhook_concurrency: int = Field(32, description="Webhook POSTs in flight per process.")
    webhook_batch_size: int = Field(100, ge=1, description="Due deliveries claimed per round.")
    webhook_endpoint_concurrency: int | None = Field(
        None,
        ge=1,
        description="POSTs in flight to one endpoint per process. A claim takes each due endpoint's first this "
        "many deliveries before any endpoint's next ones, and skips an endpoint with this many claimed and still "
        "waiting here, so one endpoint's backlog or stalled receiver cannot hold everyone's slots. Unset: "
        "webhook_concurrency // 4 (at least 1).",
    )
    webhook_tests_per_minute: int = Field(
        10, ge=1, description="POST /v1/webhooks/{id}/test per endpoint per minute (per process); then 429."
    )
    webhook_poll_seconds: float = Field(1.0, description="How often the delivery loop looks for due deliveries.")
    webhook_claim_seconds: float = Field(
        60,
        description="A claimed delivery not finished this long (a crashed replica) is due again. Must be at "
        "least webhook_timeout_seconds + 10: an attempt starts only while its claim has the timeout + 5 s left (it "
        "is recorded before the claim expires and another replica sends the delivery again); a claimed delivery "
        "that waited longer for a free slot is released, due again.",
    )
    webhook_secret_overlap_hours: float = Field(
        24, description="After a secret rotation the old secret keeps signing (beside the new one) this long."
    )
    webhook_max_endpoints: int = Field(20, description="Webhook endpoints per project.")
    run_webhook_delivery: bool = Field(
        True, description="Run the webhook delivery loop in this process."
    )

    @model_validator(mode="after")
    def _claim_outlives_an_attempt(self) -> EventsSettings:
        # An attempt starts only while its claim has the total timeout + CLAIM_MARGIN_SECONDS left (its outcome is
        # recorded before another replica may take the row over and send it again); a claim must leave a row that
        # long again to wait for a free slot, or little would ever start.
        least = self.webhook_timeout_seconds + 2 * CLAIM_MARGIN_SECONDS
        if self.webhook_claim_seconds < least:
            raise ValueError(
                f"webhook_claim_seconds ({self.webhook_claim_seconds}) must be at least webhook_timeout_seconds "
                f"({self.webhook_timeout_seconds}) + {2 * CLAIM_MARGIN_SECONDS:g}"
            )
        return self

    @property
    def webhook_endpoint_limit(self) -> int:
        """POSTs in flight to one endpoint per process (the claim's fairness slice)."""
        return self.webhook_endpoint_concurrency or max(1, self.webhook_concurrency // 4)
