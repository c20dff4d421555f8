"""Settings shared by every service: one pydantic-settings class per concern, all under the SESAME_ prefix.

Service-specific settings live beside their service and register themselves with `register_settings` so the
generated configuration reference (docs/configuration.md) lists every setting of every service.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal, TypeVar

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-insecure-secret-change-me"
DEV_ENCRYPTION_KEY = "ZGV2LWluc2VjdXJlLWtleS1jaGFuZ2UtbWUtMTIzNDU="  # urlsafe base64 of 32 bytes, dev only

_REGISTRY: list[type[BaseSettings]] = []
S = TypeVar("S", bound=type[BaseSettings])


def register_settings(cls: S) -> S:
    """Record a settings class so the configuration reference documents it."""
    if cls not in _REGISTRY:
        _REGISTRY.append(cls)
    return cls


def registered_settings() -> list[type[BaseSettings]]:
    """All settings classes registered so far, in registration order."""
    return list(_REGISTRY)


def _config(prefix: str) -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, env_file=None, extra="ignore", case_sensitive=False)


@register_settings
class RuntimeSettings(BaseSettings):
    """Where and how this process runs."""

    model_config = _config("SESAME_")

    env: Literal["development", "test", "production"] = Field(
        "development", description="development allows the built-in dev secrets; production refuses them."
    )
    log_level: str = Field("INFO", description="Python log level name.")
    log_json: bool | None = Field(
        None,
        description="true: one JSON object per log line; false: one readable text line per record; "
        "unset: text when stderr is a terminal, JSON otherwise.",
    )
    host: str = Field("127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(8025, description="Port of `sesame run`; each `sesame serve` service has its own default.")
    public_url: str = Field(
        "http://127.0.0.1:8025",
        description="External base URL of the gateway, used in links inside mail (confirm, unsubscribe). "
        "Unset, `sesame run` uses its own address: http://HOST:PORT (http://localhost:PORT when bound to 0.0.0.0).",
    )
    shutdown_grace_seconds: float = Field(
        20.0, description="How long in-flight work may take to finish after a stop signal."
    )
    max_body_bytes: int = Field(1_048_576, description="Largest request body accepted by any service.")


@register_settings
class DatabaseSettings(BaseSettings):
    """The one database (Postgres in production, SQLite embedded)."""

    model_config = _config("SESAME_DATABASE_")

    url: str = Field(
        "sqlite+aiosqlite:///./data/sesame.db",
        description="SQLAlchemy URL: postgresql+asyncpg://user@host/db or sqlite+aiosqlite:///path.",
    )
    pool_size: int = Field(
        10, description="Postgres connections per process: up to twice this many are opened under load, and kept."
    )
    direct_pool_size: int = Field(
        4,
        ge=1,
        description="Postgres connections per process of the hot paths' own pool (SNS webhook insert, first signup; "
        "opened on first use).",
    )
    echo: bool = Field(False, description="Log every SQL statement.")

    @field_validator("url")
    @classmethod
    def _async_driver(cls, v: str) -> str:
        if v.startswith("postgres://") or v.startswith("postgresql://"):
            v = "postgresql+asyncpg://" + v.split("://", 1)[1]
        if v.startswith("sqlite://") and not v.startswith("sqlite+aiosqlite://"):
            v = "sqlite+aiosqlite://" + v.split("://", 1)[1]
        if not (v.startswith("postgresql+asyncpg://") or v.startswith("sqlite+aiosqlite://")):
            raise ValueError("database url must be postgresql+asyncpg://… or sqlite+aiosqlite://…")
        return v


@register_settings
class BusSettings(BaseSettings):
    """The message bus: in-process (embedded) or RabbitMQ."""

    model_config = _config("SESAME_BUS_")

    url: str = Field("memory://", description="memory:// for the in-process bus, amqp://user:pass@host/vhost for RabbitMQ.")
    exchange: str = Field("sesame", description="Name prefix of the exchanges and queues.")
    prefetch: int = Field(100, description="Unacked messages a consumer may hold.")
    max_attempts: int = Field(5, description="Deliveries of one message before it is dead-lettered.")
    retry_delays: list[float] = Field(
        default_factory=lambda: [1.0, 5.0, 30.0, 120.0],
        description="Backoff before each retry after a transient failure (seconds, jitter added).",
    )
    connect_timeout: float = Field(30.0, description="How long startup keeps retrying the broker connection.")
    memory_queue_size: int = Field(10_000, description="Bound of each in-process queue.")

    @field_validator("url")
    @classmethod
    def _scheme(cls, v: str) -> str:
        if not (v.startswith("memory://") or v.startswith("amqp://") or v.startswith("amqps://")):
            raise ValueError("bus url must be memory:// or amqp(s)://…")
        return v

    @property
    def is_memory(self) -> bool:
        return self.url.startswith("memory://")


@register_settings
class SecuritySettings(BaseSettings):
    """Secrets. The development defaults are refused when SESAME_ENV=production."""

    model_config = _config("SESAME_")

    secret_key: str = Field(DEV_SECRET, description="Signs tokens in links (confirm, preferences, unsubscribe).")
    internal_token: str = Field(
        DEV_SECRET + "-internal", description="Shared secret the gateway presents to the other services."
    )
    encryption_key: str = Field(
        DEV_ENCRYPTION_KEY,
        description="Fernet key encrypting stored secrets: SES credentials and webhook signing secrets "
        "(urlsafe base64, 32 bytes).",
    )
    admin_password: str = Field("admin", description="Password of the ops dashboard (user `admin`).")
    env: str = Field("development", description="(same as SESAME_ENV)")

    @model_validator(mode="after")
    def _refuse_dev_secrets(self) -> SecuritySettings:
        if self.env == "production":
            weak = [
                name
                for name, value in (
                    ("SESAME_SECRET_KEY", self.secret_key),
                    ("SESAME_INTERNAL_TOKEN", self.internal_token),
                    ("SESAME_ENCRYPTION_KEY", self.encryption_key),
                    ("SESAME_ADMIN_PASSWORD", self.admin_password),
                )
                if value in (DEV_SECRET, DEV_SECRET + "-internal", DEV_ENCRYPTION_KEY, "admin") or len(value) < 16
            ]
            if weak:
                raise ValueError(f"development defaults or short secrets refused in production: {', '.join(weak)}")
        return self


@register_settings
class ServiceUrls(BaseSettings):
    """Where the gateway finds the other services in the distributed mode."""

    model_config = _config("SESAME_")

    subscriptions_url: str = Field("http://127.0.0.1:8101", description="Base URL of the subscriptions service.")
    events_url: str = Field("http://127.0.0.1:8102", description="Base URL of the events service.")
    sender_url: str = Field("http://127.0.0.1:8103", description="Base URL of the sender service.")


SERVICE_PORTS = {"gateway": 8100, "subscriptions": 8101, "events": 8102, "sender": 8103}


class Settings:
    """The common settings of one process, read once from the environment."""

    def __init__(self) -> None:
        self.runtime = RuntimeSettings()
        self.database = DatabaseSettings()
        self.bus = BusSettings()
        self.security = SecuritySettings()
        self.services = ServiceUrls()


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (tests build their own `Settings()` instead)."""
    return Settings()
