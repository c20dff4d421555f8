"""Settings of the sender service (prefix SESAME_SENDER_)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import register_settings


@register_settings
class SenderSettings(BaseSettings):
    """The send queue, SES access, rate control, warm-up and the sandbox SES."""

    model_config = SettingsConfigDict(
        env_prefix="SESAME_SENDER_", env_file=None, extra="ignore", case_sensitive=False
    )

    ses_endpoint_url: str | None = Field(
        None, description="Override the SES endpoint (tests: moto server or the SES stand-in). Empty = AWS."
    )
    ses_client: Literal["aiohttp", "aiobotocore"] = Field(
        "aiohttp",
        description="How SendEmail is called: signed aiohttp requests (fast) or aiobotocore (reference).",
    )
    ses_timeout: float = Field(20.0, description="Timeout of one SES call (seconds).")
    ses_concurrency: int = Field(64, description="Concurrent SES calls per sender process.")
    quota_refresh_seconds: float = Field(
        60.0, description="How often the quota is re-read from SES while sending."
    )

    dispatch_interval: float = Field(0.2, description="Seconds between dispatcher polls when idle.")
    dispatch_batch: int = Field(1000, description="Rows claimed per dispatcher round.")
    work_batch: int = Field(
        100,
        description="Message ids carried by one work message on the bus (each batch costs a few queries and a "
        "bus message: 25 → 100 saves ≈ 0.2 ms of CPU per mail across sender and Postgres).",
    )
    max_queued_batches: int = Field(
        20,
        description="Marketing work messages allowed waiting on the bus before the dispatcher stops claiming.",
    )
    claim_lease_seconds: float = Field(
        120.0, description="A claimed row whose work message never arrived is claimed again after this."
    )
    stale_sending_seconds: float = Field(
        120.0,
        description="A row in `sending` this long is no longer in a live sender's hands (it died between the SES "
        "call and recording it, or the call got no answer) and is reconciled: evidence first (feedback linked to "
        "it → sent). Keep it above a live sender's slot wait plus SES call plus a slow commit on a loaded host.",
    )
    ambiguous_margin_seconds: float = Field(
        120.0,
        description="Such a row without evidence is queued again once the events service processed feedback for "
        "mail of the same project sent after it at least this long ago (its own would have arrived too). Covers "
        "feedback arriving out of order; raise it when Send events are not published and receivers greylist.",
    )
    ambiguous_max_wait_seconds: float = Field(
        900.0,
        description="Longest such a row waits for evidence (counted from its `sending_at`) before "
        "`ambiguous_policy` decides: feedback delayed or not wired, or no later mail to compare with.",
    )
    ambiguous_policy: Literal["resend", "fail"] = Field(
        "resend",
        description="A mail whose acceptance by SES stays unknown (its sender died mid-call or SES gave no "
        "answer) and that found no evidence within `ambiguous_max_wait_seconds`: resend (at-least-once) or fail "
        "with the reason (at-most-once). See services/sender/README.md.",
    )
    sweep_interval: float = Field(5.0, description="Seconds between recovery sweeps (stale claims / sends).")

    max_attempts: int = Field(5, description="Network / 5xx failures of one message before it fails.")
    retry_base_seconds: float = Field(2.0, description="First backoff after a transient SES failure.")
    retry_max_seconds: float = Field(300.0, description="Largest backoff after a transient SES failure.")
    throttle_backoff_seconds: float = Field(1.0, description="Backoff after SES throttling (jitter added).")

    rate_safety: float = Field(
        1.0, description="Extra factor (≤ 1) on the send rate the shared bucket hands out."
    )
    rate_jitter_seconds: float = Field(
        0.025,
        description="Lateness of a request behind its send slot that the bucket's spacing absorbs while keeping "
        "every one-second window at or under the SES max send rate.",
    )
    rate_horizon_seconds: float = Field(
        0.5, description="How far ahead a sender may reserve send slots from the shared bucket."
    )
    quota_delay_seconds: float = Field(
        900.0, description="Longest wait before mail past the 24-hour quota is tried again."
    )

    warmup_enabled: bool = Field(True, description="New SES accounts ramp their daily marketing volume up.")
    warmup_schedule: list[int] = Field(
        default_factory=lambda: [500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000],
        description="Daily marketing volume per warm-up step; the last step ends warm-up.",
    )
    canary_percent: float = Field(
        0.05,
        gt=0,
        le=1,
        description="Share of a campaign sent first as its canary sample (random), before the rest is released.",
    )
    canary_min: int = Field(
        200,
        ge=1,
        description="Smallest canary sample. A campaign whose sample would be all of it (no more recipients "
        "than this) has no canary: it is sent at once, as a sample would be.",
    )
    canary_max: int = Field(2000, ge=1, description="Largest canary sample.")
    canary_window_seconds: int = Field(
        1800,
        ge=0,
        description="Feedback window after the canary's last send before its bounce and complaint rates are "
        "judged (a project's `canary_window_seconds` setting and a campaign's own override it).",
    )
    canary_lookback_days: int = Field(
        7,
        ge=1,
        description="`canary: auto` holds campaigns larger than the most mail the project sent in one day "
        "over this many days.",
    )

    sandbox_max_send_rate: float = Field(50.0, description="Max send rate of the local sandbox SES.")
    sandbox_max_24h: float = Field(50000.0, description="24-hour quota of the local sandbox SES.")
    sandbox_keep: int = Field(5000, description="Captured sandbox messages kept per project.")

    unsubscribe_mailto: str | None = Field(
        None, description="Address for the mailto: List-Unsubscribe alternative (empty: https only)."
    )
    feedback_id_sender: str = Field("sesame", description="Sender id part of the Feedback-ID header.")
    default_from: str = Field(
        "Sesame <no-reply@sesame.invalid>", description="From address when none is set."
    )
