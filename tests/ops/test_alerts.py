"""deploy/prometheus/alerts.yml: well-formed rules on documented metrics, checked and unit-tested with promtool."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from tests.ops.conftest import ROOT
from tests.ops.test_metrics import documented

RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
UNIT_TESTS = ROOT / "tests" / "ops" / "promtool" / "alerts_test.yml"
REQUIRED = {
    "SesameGuardStateChanged": "guard crossings",
    "SesameQuotaExhausted": "quota exhaustion",
    "SesameQuotaNearlyExhausted": "quota exhaustion",
    "SesameDeadLetters": "dead-lettered messages",
    "SesameFeedbackStalled": "stalled feedback",
}


def _rules() -> list[dict]:
    doc = yaml.safe_load(RULES.read_text())
    assert set(doc) == {"groups"}
    rules = []
    for group in doc["groups"]:
        assert set(group) == {"name", "rules"} and group["rules"], group.get("name")
        rules += group["rules"]
    return rules


def test_structure_and_required_alerts() -> None:
    rules = _rules()
    names = [r["alert"] for r in rules]
    assert len(names) == len(set(names)), "alert names are unique"
    assert set(REQUIRED) <= set(names)
    for r in rules:
        assert set(r) <= {"alert", "expr", "for", "labels", "annotations"}, r["alert"]
        assert isinstance(r["expr"], str) and r["expr"].strip()
        if "for" in r:
            assert re.fullmatch(r"\d+[smh]", r["for"]), r["for"]
        assert r["labels"]["severity"] in {"info", "warning", "critical"}
        assert r["annotations"]["summary"] and r["annotations"]["description"]


def test_rules_use_only_documented_sesame_metrics() -> None:
    known = set(documented())
    for r in _rules():
        expr = re.sub(r'"[^"]*"', '""', r["expr"])  # label values are not metric names
        for name in re.findall(r"\bsesame_[a-z0-9_]+", expr):
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            assert name in known or base in known, f"{r['alert']}: {name} is not in docs/metrics.md"


def test_every_required_alert_has_a_unit_test() -> None:
    tested = set(re.findall(r"alertname: (\w+)", UNIT_TESTS.read_text()))
    assert set(REQUIRED) <= tested


@pytest.fixture(scope="module")
def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.skip(
            "promtool not installed (Debian: apt-get install prometheus); the structural tests still ran"
        )
    return path


def test_promtool_check_rules(promtool: str) -> None:
    res = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"SUCCESS: {len(_rules())} rules found" in res.stdout


def test_promtool_unit_tests_fire_and_stay_quiet_as_expected(promtool: str) -> None:
    res = subprocess.run(
        [promtool, "test", "rules", str(UNIT_TESTS)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=UNIT_TESTS.parent,
    )
    assert res.returncode == 0, res.stdout + res.stderr
