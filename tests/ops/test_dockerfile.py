"""The image: hadolint-clean, multi-stage, non-root, health-checked, and every pinned dependency really pinned."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib

from setuptools import find_namespace_packages

from tests.ops.conftest import ROOT, venv_tool

DOCKERFILE = ROOT / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_hadolint_reports_nothing() -> None:
    res = subprocess.run(
        [venv_tool("hadolint"), "--format", "json", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    findings = json.loads(res.stdout or "[]")
    errors = [f for f in findings if f["level"] == "error"]
    assert not errors, errors
    # Warnings too: the file is clean today, keep it so (ignores are inline and explained).
    assert not findings, findings
    assert res.returncode == 0


def test_multi_stage_non_root_with_healthcheck_and_sesame_entrypoint() -> None:
    ins = _instructions()
    froms = [rest for word, rest in ins if word == "FROM"]
    assert len(froms) == 2 and froms[0].endswith("AS builder")
    base = next(rest for word, rest in ins if word == "ARG" and rest.startswith("PYTHON_IMAGE="))
    assert base.split("=", 1)[1].startswith("python:3.11-slim")
    final = ins[[i for i, (w, _) in enumerate(ins) if w == "FROM"][1] :]
    runs = " ".join(rest for word, rest in final if word == "RUN")
    assert "apt-get" not in runs and "build-essential" not in runs, "no build tools in the final stage"
    assert "-c constraints.txt" in " ".join(rest for word, rest in ins if word == "RUN"), (
        "dependencies pinned"
    )
    user = [rest for word, rest in final if word == "USER"]
    assert user and user[-1].split(":")[0] not in ("0", "root")
    assert json.loads(next(rest for word, rest in final if word == "ENTRYPOINT")) == ["sesame"]
    assert json.loads(next(rest for word, rest in final if word == "CMD")) == ["run"]
    health = next(rest for word, rest in final if word == "HEALTHCHECK")
    assert "/healthz" in health and "curl" not in health
    assert any(word == "EXPOSE" and rest == "8080" for word, rest in final)


def test_healthcheck_command_is_valid_python() -> None:
    health = next(rest for word, rest in _instructions() if word == "HEALTHCHECK")
    argv = json.loads(health[health.index("CMD") + 3 :])
    assert argv[:2] == ["python", "-c"]
    compile(argv[2], "<healthcheck>", "exec")


def test_every_dependency_is_pinned_by_constraints() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = {
        re.split(r"[=<>\[ ]", line, maxsplit=1)[0].lower().replace("_", "-")
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line
    }
    unpinned = [
        d for d in deps if re.split(r"[=<>\[ ,]", d, maxsplit=1)[0].lower().replace("_", "-") not in pins
    ]
    assert not unpinned, f"add exact versions to constraints.txt for {unpinned}"


def test_dockerignore_keeps_what_the_build_copies() -> None:
    lines = [ln.strip() for ln in (ROOT / ".dockerignore").read_text().splitlines()]
    assert "**" in lines, "deny by default so no .env, .venv or data reaches the build context"
    copied = [rest.split()[:-1] for word, rest in _instructions() if word == "COPY" and "--from" not in rest]
    for sources in copied:
        for src in sources:
            assert f"!{src}" in lines or f"!{src}/" in lines, f"{src} is copied but excluded by .dockerignore"


def test_the_wheel_carries_migrations_and_every_service() -> None:
    # setuptools (pyproject, namespaces on) packages these: the image installs the wheel, not the checkout.
    pkgs = set(find_namespace_packages(where=str(ROOT), include=["sesame*", "shared*", "services*"]))
    for needed in ("shared.migrations", "shared.migrations.versions", "sesame.commands"):
        assert needed in pkgs
    for svc in ("subscriptions", "events", "sender", "gateway"):
        assert f"services.{svc}" in pkgs


def test_package_data_patterns_cover_every_data_file() -> None:
    # The image installs the wheel: a template or static file outside these patterns would be missing there.
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["*"]
    suffixes = {p.removeprefix("*") for p in patterns}
    files = subprocess.run(
        ["git", "ls-files", "sesame", "shared", "services"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    missing = [f for f in files if not f.endswith((".py", ".md")) and not f.endswith(tuple(suffixes))]
    assert not missing, f"add their suffixes to [tool.setuptools.package-data] in pyproject.toml: {missing}"
