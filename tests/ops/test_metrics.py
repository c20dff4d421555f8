"""docs/metrics.md is the metrics contract: each service's /metrics exposes exactly the documented sesame_ metrics."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sesame.services import SERVICES
from tests.ops.conftest import ROOT

DOC = ROOT / "docs" / "metrics.md"
ROW = re.compile(r"^\| `(sesame_[a-z0-9_]+)` \| (\w+) \| ([^|]+) \| ([^|]+) \|")


def documented() -> dict[str, dict[str, object]]:
    """{name: {type, labels, services}} from the table in docs/metrics.md."""
    out: dict[str, dict[str, object]] = {}
    for line in DOC.read_text().splitlines():
        m = ROW.match(line)
        if not m:
            continue
        name, kind, labels, services = m.groups()
        assert name not in out, f"{name} documented twice"
        out[name] = {
            "type": kind,
            "labels": re.findall(r"`([a-z_]+)`", labels),
            "services": set(SERVICES)
            if services.strip() == "all"
            else {s.strip() for s in services.split(",")},
        }
    return out


def _probe(which: str, db_file: Path) -> dict[str, dict[str, object]]:
    res = subprocess.run(
        [sys.executable, "-m", "tests.ops.metrics_probe", which, f"sqlite+aiosqlite:///{db_file}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert res.returncode == 0, res.stderr[-3000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def exposed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict[str, object]]]:
    from shared.migrate import upgrade

    base = tmp_path_factory.mktemp("metrics")
    template = base / "template.db"
    upgrade(f"sqlite+aiosqlite:///{template}")
    targets = [*SERVICES, "embedded"]
    files = {t: base / f"{t}.db" for t in targets}
    for f in files.values():
        shutil.copy(template, f)
    with ThreadPoolExecutor(max_workers=len(targets)) as pool:
        results = dict(zip(targets, pool.map(lambda t: _probe(t, files[t]), targets), strict=True))
    return results


def test_the_table_covers_what_the_issue_asks_for() -> None:
    names = " ".join(documented())
    for topic in ("sent", "failed", "delayed", "suppressed", "queue_depth", "quota", "http", "bus"):
        assert topic in names, f"no metric documented for {topic}"


def test_embedded_metrics_match_the_table_exactly(exposed) -> None:  # type: ignore[no-untyped-def]
    doc = documented()
    got = exposed["embedded"]
    assert sorted(set(got) - set(doc)) == [], "exposed but not documented in docs/metrics.md"
    assert sorted(set(doc) - set(got)) == [], "documented in docs/metrics.md but not exposed"
    for name, spec in doc.items():
        assert got[name]["type"] == spec["type"], name
        assert got[name]["labels"] == spec["labels"], f"{name}: labels {got[name]['labels']} (in this order)"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_exposes_its_documented_metrics(exposed, service: str) -> None:  # type: ignore[no-untyped-def]
    mine = {n for n, spec in documented().items() if service in spec["services"]}  # type: ignore[operator]
    got = set(exposed[service])
    assert sorted(mine - got) == [], f"{service} does not expose these documented metrics"
    assert sorted(got - mine) == [], f"{service} exposes these, docs/metrics.md does not attribute them to it"
