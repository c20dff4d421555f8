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
    sunset_interval_seconds: float = Field(
        3600.0, gt=0, description="How often lists with a sunset policy pause their disengaged subscribers."
    )
    suppression_csv_max_bytes: int = Field(
        64 * 1024 * 1024, description="Largest CSV body accepted by POST /v1/suppressions/import (bytes)."
    )
    screening: bool = Field(
        True,
        description="Screen every import: role addresses, disposable domains, duplicates and (see below) domains "
        "without MX/A; the list-quality report is kept on the import.",
    )
    screening_hold_risk: float = Field(
        0.10,
        ge=0,
        le=1,
        description="Default hold threshold: an import whose role + disposable + no-MX share is over it is held "
        "until an owner accepts it (a project overrides it with its setting `import_hold_risk`).",
    )
    screening_dns: bool = Field(True, description="Look up each imported domain's MX (then A/AAAA) records.")
    screening_dns_nameservers: list[str] = Field(
        default_factory=list,
        description="Resolvers for the domain checks (`IP` or `IP:port`); empty: the system's.",
    )
    screening_dns_timeout: float = Field(3.0, gt=0, description="Timeout of one domain lookup (seconds).")
    screening_dns_concurrency: int = Field(32, ge=1, le=512, description="Domain lookups at once per import.")
    screening_dns_budget_seconds: float = Field(
        60.0,
        gt=0,
        description="Time one import may spend on domain lookups; domains not answered by then are skipped "
        "(noted in the report, not counted as risky).",
    )
    screening_dns_probe: str = Field(
        "gmail.com",
        description="A domain known to receive mail, asked first: when the resolver denies it (offline or "
        "filtered DNS) the domain checks are skipped with a note instead of calling every domain dead. "
        "Empty: no probe.",
    )
    screening_disposable_file: str | None = Field(
        None,
        description="A file of extra disposable domains (one per line) added to the package's list; refreshed by "
        "`sesame screening update-disposable`.",
    )
