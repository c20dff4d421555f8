"""docker-compose.yml: valid against the compose specification, and every Sesame command in it is a real command."""

from __future__ import annotations

import re
import subprocess

import pytest
from pydantic import ValidationError

from sesame.cli import build_parser
from sesame.services import SERVICES
from shared.settings import RuntimeSettings, SecuritySettings
from tests.ops.conftest import ROOT, read_env_file, venv_tool

INFRA = {"postgres", "rabbitmq"}


def _sesame_services(compose: dict) -> dict[str, dict]:
    return {name: svc for name, svc in compose["services"].items() if name not in INFRA}


def test_valid_against_the_compose_spec_schema() -> None:
    res = subprocess.run(
        [
            venv_tool("check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            str(ROOT / "docker-compose.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stdout + res.stderr


def test_schema_check_catches_a_broken_file(tmp_path) -> None:  # the validation above can fail
    bad = tmp_path / "docker-compose.yml"
    bad.write_text(
        "services:\n  gateway:\n    image: x\n    ports: {published: 1}\n    restart: sometimes-maybe\n"
    )
    res = subprocess.run(
        [venv_tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode != 0


def test_every_command_parses_as_a_sesame_command(compose: dict) -> None:
    parser = build_parser()
    served = {}
    for name, svc in _sesame_services(compose).items():
        args = parser.parse_args(svc["command"])
        assert args.command in {"migrate", "serve"}, name
        assert callable(args.func)
        if args.command == "serve":
            assert args.service == name, "the compose service is named after the Sesame service it runs"
            assert args.port == 8080, "every container listens on 8080 (the image's health check port)"
            served[name] = svc
        else:
            assert name == "migrate" and args.downgrade is None
    assert set(served) == set(SERVICES), "one compose service per Sesame service"


def test_only_the_gateway_publishes_a_port_and_nothing_pins_a_container_name(compose: dict) -> None:
    for name, svc in compose["services"].items():
        assert "container_name" not in svc, f"{name}: container_name prevents --scale"
        if name != "gateway":
            assert "ports" not in svc, f"{name} must not publish a port"
    assert compose["services"]["gateway"]["ports"]
    sender = compose["services"]["sender"]
    assert "ports" not in sender and "container_name" not in sender and "hostname" not in sender


def test_services_wait_for_healthy_infra_and_a_completed_migration(compose: dict) -> None:
    for name in INFRA:
        svc = compose["services"][name]
        assert svc["healthcheck"]["test"] and svc["volumes"], name
    assert compose["services"]["postgres"]["image"] == "postgres:15"
    assert compose["services"]["rabbitmq"]["image"] == "rabbitmq:3-management"
    migrate = compose["services"]["migrate"]
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert migrate["restart"] == "no"
    for name in SERVICES:
        deps = compose["services"][name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy"
        assert deps["rabbitmq"]["condition"] == "service_healthy"
        assert deps["migrate"]["condition"] == "service_completed_successfully"
        assert compose["services"][name]["env_file"] == ".env"


def _seconds(text: str) -> float:
    m = re.fullmatch(r"(\d+)(s|m)", text)
    assert m, text
    return int(m[1]) * (60 if m[2] == "m" else 1)


def test_stop_grace_covers_the_drain_time(compose: dict) -> None:
    drain = float(read_env_file(ROOT / ".env.example")["SESAME_SHUTDOWN_GRACE_SECONDS"])
    assert drain == RuntimeSettings().shutdown_grace_seconds
    for name in SERVICES:
        assert _seconds(compose["services"][name]["stop_grace_period"]) >= drain + 5


def test_env_example_has_no_usable_secret() -> None:
    env = read_env_file(ROOT / ".env.example")
    assert env["SESAME_ENV"] == "production"
    secrets = {
        k: v
        for k, v in env.items()
        if k.startswith("SESAME_")
        and k
        in {"SESAME_SECRET_KEY", "SESAME_INTERNAL_TOKEN", "SESAME_ENCRYPTION_KEY", "SESAME_ADMIN_PASSWORD"}
    }
    assert len(secrets) == 4
    with pytest.raises(ValidationError) as exc:
        SecuritySettings(
            env="production", **{k.removeprefix("SESAME_").lower(): v for k, v in secrets.items()}
        )
    for name in secrets:
        assert name in str(exc.value)
    # The infrastructure passwords are empty, and the compose file refuses to interpolate an empty value.
    assert env["POSTGRES_PASSWORD"] == "" and env["RABBITMQ_PASSWORD"] == ""
    text = (ROOT / "docker-compose.yml").read_text()
    assert "${POSTGRES_PASSWORD:?" in text and "${RABBITMQ_PASSWORD:?" in text
    assert not re.search(r"PASSWORD(:-|-)[^}]", text), "no default password in docker-compose.yml"


def test_env_example_names_only_real_settings() -> None:
    reference = (ROOT / "docs" / "configuration.md").read_text()
    env = read_env_file(ROOT / ".env.example")
    unknown = [
        k for k in env if k.startswith("SESAME_") and k != "SESAME_IMAGE" and f"`{k}`" not in reference
    ]
    assert not unknown, f"not a Sesame setting: {unknown}"


def test_csv_imports_spool_to_disk_not_the_read_only_root(compose: dict) -> None:
    svc = compose["services"]["subscriptions"]
    spool = svc["environment"]["SESAME_SUBSCRIPTIONS_IMPORT_SPOOL_DIR"]
    assert svc["read_only"] is True and spool not in svc.get("tmpfs", [])
    assert f'VOLUME ["{spool}"]' in (ROOT / "Dockerfile").read_text(), "the spool dir is the image's volume"
