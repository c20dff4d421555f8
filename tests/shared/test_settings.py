"""Settings: production refuses the development secrets; database and bus URLs are validated and normalised."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from sesame.commands._common import load_settings
from shared.settings import (
    DEV_ENCRYPTION_KEY,
    DEV_SECRET,
    BusSettings,
    DatabaseSettings,
    SecuritySettings,
    Settings,
)

ROOT = Path(__file__).resolve().parents[2]
STRONG = {
    "secret_key": "s" * 40,
    "internal_token": "i" * 40,
    "encryption_key": "Zm9vYmFyYmF6cXV4cXV1eHh5enp5eHd2dXRzcnFwb24=",
    "admin_password": "correct horse battery staple",
}
SECRET_ENV = ("SESAME_SECRET_KEY", "SESAME_INTERNAL_TOKEN", "SESAME_ENCRYPTION_KEY", "SESAME_ADMIN_PASSWORD")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("SESAME_"):
            monkeypatch.delenv(name)


@pytest.mark.parametrize("env", ["development", "test"])
def test_dev_defaults_allowed_outside_production(env: str) -> None:
    s = SecuritySettings(env=env)
    assert s.secret_key == DEV_SECRET and s.encryption_key == DEV_ENCRYPTION_KEY


def test_production_refuses_every_dev_default() -> None:
    with pytest.raises(ValidationError) as info:
        SecuritySettings(env="production")
    message = str(info.value)
    for name in SECRET_ENV:
        assert name in message


@pytest.mark.parametrize("weak_field", list(STRONG))
def test_production_refuses_one_weak_secret(weak_field: str) -> None:
    with pytest.raises(ValidationError) as info:
        SecuritySettings(env="production", **{**STRONG, weak_field: "short"})
    message = str(info.value)
    assert f"SESAME_{weak_field.upper()}" in message
    others = [f"SESAME_{f.upper()}" for f in STRONG if f != weak_field]
    assert not any(o in message for o in others)


def test_production_refuses_the_dev_secret_even_when_long_enough() -> None:
    with pytest.raises(ValidationError, match="SESAME_INTERNAL_TOKEN"):
        SecuritySettings(env="production", **{**STRONG, "internal_token": DEV_SECRET + "-internal"})


def test_production_accepts_real_secrets() -> None:
    s = SecuritySettings(env="production", **STRONG)
    assert s.secret_key == STRONG["secret_key"]


def test_production_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESAME_ENV", "production")
    with pytest.raises(ValueError, match="refused in production"):
        load_settings()
    for field, value in STRONG.items():
        monkeypatch.setenv(f"SESAME_{field.upper()}", value)
    settings = load_settings()
    assert (
        settings.runtime.env == "production" and settings.security.admin_password == STRONG["admin_password"]
    )


def test_cli_refuses_production_with_dev_secrets_in_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESAME_")}
    env.update(SESAME_ENV="production", PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-m", "sesame", "serve", "gateway", "--port", "1"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        timeout=60,
    )
    err = proc.stderr.decode()
    assert proc.returncode != 0
    assert "Traceback" not in err
    [line] = [x for x in err.splitlines() if x.strip()]
    assert line.startswith("sesame: error: ") and "refused in production" in line


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/sesame", "postgresql+asyncpg://u:p@db:5432/sesame"),
        ("postgresql://u@db/sesame", "postgresql+asyncpg://u@db/sesame"),
        ("postgresql+asyncpg://u@db/sesame", "postgresql+asyncpg://u@db/sesame"),
        ("sqlite:///./data/x.db", "sqlite+aiosqlite:///./data/x.db"),
        ("sqlite+aiosqlite:////abs/x.db", "sqlite+aiosqlite:////abs/x.db"),
    ],
)
def test_database_url_normalised_to_async_drivers(given: str, expected: str) -> None:
    assert DatabaseSettings(url=given).url == expected


@pytest.mark.parametrize(
    "bad",
    ["mysql://root@localhost/x", "postgresql+psycopg2://u@db/x", "sqlite+pysqlite:///x.db", "", "db.sqlite"],
)
def test_database_url_refuses_other_schemes(bad: str) -> None:
    with pytest.raises(ValidationError, match="database url must be"):
        DatabaseSettings(url=bad)


def test_database_default_is_a_local_sqlite_file() -> None:
    assert DatabaseSettings().url == "sqlite+aiosqlite:///./data/sesame.db"


@pytest.mark.parametrize(
    ("url", "memory"),
    [
        ("memory://", True),
        ("amqp://guest:guest@127.0.0.1:5672/", False),
        ("amqps://u:p@mq.example/vh", False),
    ],
)
def test_bus_url_schemes(url: str, memory: bool) -> None:
    assert BusSettings(url=url).is_memory is memory


@pytest.mark.parametrize("bad", ["redis://localhost", "kafka://b:9092", "http://rabbit:15672", ""])
def test_bus_url_refuses_other_schemes(bad: str) -> None:
    with pytest.raises(ValidationError, match="bus url must be"):
        BusSettings(url=bad)


def test_bus_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESAME_BUS_URL", "amqp://guest:guest@127.0.0.1/vh")
    monkeypatch.setenv("SESAME_BUS_RETRY_DELAYS", "[0.5, 2]")
    monkeypatch.setenv("SESAME_BUS_CONNECT_TIMEOUT", "2")
    s = Settings().bus
    assert s.url.endswith("/vh") and s.retry_delays == [0.5, 2.0] and s.connect_timeout == 2.0
    assert not s.is_memory


def test_bad_value_in_the_environment_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESAME_BUS_URL", "nats://localhost")
    with pytest.raises(ValueError) as info:
        load_settings()
    assert "\n" not in str(info.value) and "bus url must be" in str(info.value)
