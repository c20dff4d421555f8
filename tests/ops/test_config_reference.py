"""The configuration reference in docs/ is generated from the settings classes and must never be stale."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from sesame.cli import build_parser
from sesame.config_reference import REGENERATE, render_class
from sesame.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "configuration.md"


_PROBE = """
import json
from sesame.config_reference import env_name, load_all_settings, render
names = [env_name(cls, n, f) for _, cls in load_all_settings() for n, f in cls.model_fields.items()]
print(json.dumps({"text": render(), "names": names}))
"""


@pytest.fixture(scope="module")
def generated() -> dict:
    # A fresh process: the registry then holds exactly what the product's modules register (as the CLI sees it).
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, timeout=180, check=True
    )
    return json.loads(out.stdout)


def test_configuration_reference_is_fresh(generated: dict) -> None:
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert current == generated["text"], (
        f"docs/configuration.md is stale: run `{REGENERATE}` (from the repository root)"
    )


def test_reference_lists_every_field_of_every_registered_class(generated: dict) -> None:
    names = generated["names"]
    assert {
        "SESAME_DATABASE_URL",
        "SESAME_BUS_URL",
        "SESAME_SECRET_KEY",
        "SESAME_SHUTDOWN_GRACE_SECONDS",
    } <= set(names)
    for svc in SERVICES:  # each service that has settings of its own is in the reference
        if importlib.util.find_spec(f"services.{svc}.settings"):
            assert any(n.startswith(f"SESAME_{svc.upper()}_") for n in names), svc
    doc = DOC.read_text(encoding="utf-8")
    missing = [n for n in names if f"| `{n}` |" not in doc]
    assert not missing, f"not in docs/configuration.md: {missing}; run `{REGENERATE}`"


def test_check_mode_detects_a_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    stale = tmp_path / "configuration.md"
    stale.write_text("# old\n")
    check = parser.parse_args(["config", "reference", "--check", str(stale)])
    assert check.func(check) == 1
    assert REGENERATE in capsys.readouterr().err
    write = parser.parse_args(["config", "reference", "--write", str(stale)])
    assert write.func(write) == 0
    assert check.func(check) == 0
    assert stale.read_text().startswith("# Configuration reference")


def test_render_class_shows_types_defaults_and_secrets() -> None:
    class DemoSettings(BaseSettings):
        """Demo | with a pipe."""

        model_config = SettingsConfigDict(env_prefix="SESAME_DEMO_")
        rate: float = Field(1.5, description="per second")
        hosts: list[str] = Field(default_factory=lambda: ["a"], description="hosts")
        token: str = Field("dev-insecure-secret-change-me", description="secret")
        required_thing: int = Field(description="must be set")
        maybe: str | None = Field(None, description="optional")

    text = render_class(DemoSettings)
    assert "Demo \\| with a pipe." in text
    assert "| `SESAME_DEMO_RATE` | float | `1.5` | per second |" in text
    assert '| `SESAME_DEMO_HOSTS` | list of str (JSON) | `["a"]` | hosts |' in text
    assert "refused when `SESAME_ENV=production`" in text and "dev-insecure" not in text
    assert "| `SESAME_DEMO_REQUIRED_THING` | int | **required** |" in text
    assert "| `SESAME_DEMO_MAYBE` | str (optional) | (unset) |" in text
