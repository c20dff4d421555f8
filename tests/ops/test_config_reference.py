"""The configuration reference in docs/ is generated from the settings classes and must never be stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from sesame.config_reference import REGENERATE, render_class

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "configuration.md"


def _generate() -> str:
    # A fresh process: the registry then holds exactly what the product's modules register.
    out = subprocess.run(
        [sys.executable, "-m", "sesame", "config", "reference"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return out.stdout


def test_configuration_reference_is_fresh() -> None:
    expected = _generate()
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    assert current == expected, (
        f"docs/configuration.md is stale: run `{REGENERATE}` (from the repository root)"
    )


def test_reference_lists_every_field_of_every_registered_class() -> None:
    code = (
        "from sesame.config_reference import load_all_settings, env_name\n"
        "for _, cls in load_all_settings():\n"
        "    for n, f in cls.model_fields.items(): print(env_name(cls, n, f))\n"
    )
    names = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    ).stdout.split()
    doc = DOC.read_text(encoding="utf-8")
    assert {
        "SESAME_DATABASE_URL",
        "SESAME_BUS_URL",
        "SESAME_SECRET_KEY",
        "SESAME_SHUTDOWN_GRACE_SECONDS",
    } <= set(names)
    missing = [n for n in names if f"| `{n}` |" not in doc]
    assert not missing, f"not in docs/configuration.md: {missing}; run `{REGENERATE}`"


def test_check_mode_detects_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "configuration.md"
    stale.write_text("# old\n")
    cmd = [sys.executable, "-m", "sesame", "config", "reference", "--check", str(stale)]
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 1 and REGENERATE in res.stderr
    write = [sys.executable, "-m", "sesame", "config", "reference", "--write", str(stale)]
    subprocess.run(write, cwd=ROOT, check=True, capture_output=True, timeout=120)
    assert subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=120).returncode == 0


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
