"""Helpers for the operations tests: repository paths and the tools installed in the venv."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def venv_tool(name: str) -> str:
    """A tool shipped by a test dependency (check-jsonschema, hadolint, kubernetes-validate)."""
    path = VENV_BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    assert found, f"{name} is missing: install the test extra (scripts/bootstrap --test)"
    return found


@pytest.fixture(scope="session")
def compose() -> dict:
    """docker-compose.yml as data (YAML merge keys resolved)."""
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a dotenv file (comments and blanks skipped)."""
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"not KEY=VALUE: {line!r}"
        out[key.strip()] = value.strip()
    return out
