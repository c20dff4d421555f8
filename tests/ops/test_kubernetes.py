"""deploy/: builds with kustomize, validates offline against a pinned Kubernetes schema, and means what it says."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from sesame.cli import build_parser
from sesame.services import SERVICES
from shared.settings import SecuritySettings
from tests.ops.conftest import ROOT, venv_tool

KUBECTL = "/usr/bin/kubectl"
K8S_VERSION = "1.32.0"  # pinned: the schema kubernetes-validate ships for this release
OVERLAY = ROOT / "deploy" / "overlays" / "example"
PRESTOP_MARGIN = 5


def _kustomize(path: Path) -> str:
    res = subprocess.run([KUBECTL, "kustomize", str(path)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("k8s") / "example.yaml"
    out.write_text(_kustomize(OVERLAY))
    return out


@pytest.fixture(scope="module")
def docs(rendered: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(rendered.read_text()) if d]


def _kind(docs: list[dict], kind: str) -> list[dict]:
    return [d for d in docs if d["kind"] == kind]


def _component(d: dict) -> str:
    return d["metadata"]["labels"]["app.kubernetes.io/component"]


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            venv_tool("kubernetes-validate"),
            "--kubernetes-version",
            K8S_VERSION,
            "--strict",
            "--no-warn",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_base_builds_on_its_own() -> None:
    assert "kind: Deployment" in _kustomize(ROOT / "deploy" / "base")


def test_validates_strictly_against_the_pinned_schema(rendered: Path) -> None:
    res = _validate(rendered)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "passed" in res.stdout


def test_strict_validation_rejects_unknown_fields(docs: list[dict], tmp_path: Path) -> None:
    bad = [dict(d) for d in _kind(docs, "Deployment")[:1]]
    bad[0]["spec"] = {**bad[0]["spec"], "replicaz": 3}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump_all(bad))
    assert _validate(path).returncode != 0


def test_every_container_runs_a_sesame_command_of_the_suite(docs: list[dict]) -> None:
    parser = build_parser()
    deployments = {_component(d): d for d in _kind(docs, "Deployment")}
    assert set(deployments) == set(SERVICES)
    for svc, dep in deployments.items():
        (container,) = dep["spec"]["template"]["spec"]["containers"]
        assert container["command"] == ["sesame"]
        args = parser.parse_args(container["args"])
        assert args.command == "serve" and args.service == svc and args.port == 8080
        assert container["image"] == "registry.example.com/sesame:0.1.0"
    (job,) = _kind(docs, "Job")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert parser.parse_args(container["args"]).command == "migrate"
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"


def test_probes_resources_security_and_graceful_termination(docs: list[dict]) -> None:
    (config,) = _kind(docs, "ConfigMap")
    drain = float(config["data"]["SESAME_SHUTDOWN_GRACE_SECONDS"])
    for dep in _kind(docs, "Deployment"):
        pod = dep["spec"]["template"]["spec"]
        (c,) = pod["containers"]
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        for part in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(c["resources"][part]), (dep["metadata"]["name"], part)
        prestop = c["lifecycle"]["preStop"]["exec"]["command"]
        assert prestop[0] == "sleep"
        assert pod["terminationGracePeriodSeconds"] >= int(prestop[1]) + drain + PRESTOP_MARGIN
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
        assert c["securityContext"]["readOnlyRootFilesystem"] is True
        assert c["securityContext"]["allowPrivilegeEscalation"] is False
        assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
        assert pod["automountServiceAccountToken"] is False
        refs = {next(iter(e.values()))["name"] for e in c["envFrom"]}
        names = {d["metadata"]["name"] for d in docs if d["kind"] in ("ConfigMap", "Secret")}
        assert refs <= names, "envFrom points at the generated ConfigMap and Secret"


def test_only_the_gateway_is_exposed(docs: list[dict]) -> None:
    for svc in _kind(docs, "Service"):
        assert svc["spec"]["type"] == "ClusterIP"
    (ingress,) = _kind(docs, "Ingress")
    backends = {p["backend"]["service"]["name"] for r in ingress["spec"]["rules"] for p in r["http"]["paths"]}
    assert backends == {"sesame-gateway"}
    assert ingress["spec"]["tls"]


def _selects(selector: dict, labels: dict) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        assert expr["operator"] == "In"
        if labels.get(expr["key"]) not in expr["values"]:
            return False
    return True


def _allowed(policies: list[dict], source: dict | None, target: dict) -> bool:
    """Whether ingress from `source` (pod labels in this namespace; None = outside) reaches `target` pods."""
    applying = [p for p in policies if _selects(p["spec"]["podSelector"], target)]
    if not applying:
        return True
    for p in applying:
        for rule in p["spec"].get("ingress", []):
            peers = rule.get("from")
            if not peers:
                return True
            for peer in peers:
                if source is not None and "podSelector" in peer and "namespaceSelector" not in peer:
                    if _selects(peer["podSelector"], source):
                        return True
    return False


def test_network_policies_let_only_the_gateway_receive_outside_traffic(docs: list[dict]) -> None:
    policies = _kind(docs, "NetworkPolicy")
    pod = {s: {"app.kubernetes.io/name": "sesame", "app.kubernetes.io/component": s} for s in SERVICES}
    assert _allowed(policies, None, pod["gateway"])
    for svc in ("subscriptions", "events", "sender"):
        assert not _allowed(policies, None, pod[svc]), f"{svc} reachable from outside"
        assert _allowed(policies, pod["gateway"], pod[svc]), f"gateway cannot reach {svc}"
        for other in ("subscriptions", "events", "sender"):
            if other != svc:
                assert not _allowed(policies, pod[other], pod[svc]), f"{other} reaches {svc}"
        assert not _allowed(policies, {"app": "intruder"}, pod[svc])


def test_disruption_budgets_and_sender_autoscaling(docs: list[dict]) -> None:
    assert {_component(p) for p in _kind(docs, "PodDisruptionBudget")} == set(SERVICES)
    (hpa,) = _kind(docs, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "sesame-sender",
    }
    assert hpa["spec"]["minReplicas"] >= 2
    (sender,) = [d for d in _kind(docs, "Deployment") if _component(d) == "sender"]
    assert "replicas" not in sender["spec"], "the HPA owns the sender's replica count"


def test_example_secret_holds_only_refused_placeholders(docs: list[dict]) -> None:
    (secret,) = _kind(docs, "Secret")
    data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert {"SESAME_DATABASE_URL", "SESAME_BUS_URL"} <= set(data), "Postgres and RabbitMQ are external"
    secrets = {k.removeprefix("SESAME_").lower(): v for k, v in data.items() if not k.endswith("_URL")}
    assert set(secrets) == {"secret_key", "internal_token", "encryption_key", "admin_password"}
    with pytest.raises(ValidationError):
        SecuritySettings(env="production", **secrets)
    assert all("change-me" in v for v in data.values())
    assert not [d for d in docs if d["kind"] in ("StatefulSet",)], "no hand-rolled Postgres or RabbitMQ"


def test_configured_names_are_real_settings(docs: list[dict]) -> None:
    reference = (ROOT / "docs" / "configuration.md").read_text()
    keys = set(_kind(docs, "ConfigMap")[0]["data"]) | set(_kind(docs, "Secret")[0]["data"])
    unknown = [k for k in keys if f"`{k}`" not in reference]
    assert not unknown, unknown
    urls = {
        k: v
        for k, v in _kind(docs, "ConfigMap")[0]["data"].items()
        if k.endswith("_URL") and "example" not in v
    }
    services = {s["metadata"]["name"] for s in _kind(docs, "Service")}
    for value in urls.values():
        assert value.split("//")[1].split(":")[0] in services, f"{value} names no Service"


def test_pre_upgrade_phase_holds_everything_the_migration_job_needs(docs: list[dict]) -> None:
    # `kubectl apply -l sesame/apply-phase=pre-upgrade` must be able to run the Job before the Deployments roll.
    phase = [d for d in docs if d["metadata"].get("labels", {}).get("sesame/apply-phase") == "pre-upgrade"]
    kinds = {d["kind"]: d["metadata"]["name"] for d in phase}
    assert set(kinds) == {"Namespace", "ServiceAccount", "ConfigMap", "Secret", "Job"}
    pod = next(d for d in phase if d["kind"] == "Job")["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == kinds["ServiceAccount"]
    refs = {next(iter(e.values()))["name"] for e in pod["containers"][0]["envFrom"]}
    assert refs == {kinds["ConfigMap"], kinds["Secret"]}


def test_csv_imports_spool_to_a_sized_volume(docs: list[dict]) -> None:
    (config,) = _kind(docs, "ConfigMap")
    spool = config["data"]["SESAME_SUBSCRIPTIONS_IMPORT_SPOOL_DIR"]
    (dep,) = [d for d in _kind(docs, "Deployment") if _component(d) == "subscriptions"]
    pod = dep["spec"]["template"]["spec"]
    mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["mountPath"] == spool)
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    assert volume["emptyDir"]["sizeLimit"] == "1Gi"
