"""Settings of the subscriptions service (prefix SESAME_SUBSCRIPTIONS_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.settings import register_settings


@register_settings
class SubscriptionsSettings(BaseSettings):
    """Double opt-in, pagination and bulk import knobs of the subscriptions service."""

    model_config = SettingsConfigDict(
        env_prefix="SESAME_SUBSCRIPTIONS_", env_file=None, extra="ignore", case_sensitive=False
    )

    confirm_ttl_days: float = Field(7.0, gt=0, description="How long a confirmation link stays valid (days).")
    resend_cooldown_seconds: float = Field(
        600.0,
        ge=0,
        description="Minimum time between two confirmation mails to the same pending subscription.",
    )
    page_size_max: int = Field(500, ge=1, description="Largest `limit` of a paginated listing.")
    import_max_bytes: int = Field(
        512 * 1024 * 1024, description="Largest CSV body accepted by POST /v1/lists/{id}/imports (bytes)."
    )
    import_batch_rows: int = Field(
        5000, ge=100, le=10000, description="Rows inserted per batch by an import."
    )
    import_spool_dir: str | None = Field(
        None,
        description="Where uploaded CSV files wait while they are imported (default: the system temp dir).",
    )
    import_parallel_batches: int = Field(
        2,
        ge=1,
        le=8,
        description="Batches of one import written at once on Postgres (each on its own connection).",
    )
    import_max_errors: int = Field(
        100_000, description="Bad rows recorded per import; beyond this they are only counted."
    )
    resume_interval_seconds: float = Field(
        60.0,
        gt=0,
        description="How often paused subscriptions whose pause has ended are flipped back to active.",
    )
    suppression_csv_max_bytes: int = Field(
        64 * 1024 * 1024, description="Largest CSV body accepted by POST /v1/suppressions/import (bytes)."
    )
