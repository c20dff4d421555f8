"""One line of the readiness report: an item of AWS's production-access checklist with its verdict and fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Status = Literal["pass", "warn", "fail"]


@dataclass
class CheckResult:
    id: str
    title: str
    status: Status
    detail: str
    fix: str | None = None
    group: str = "general"
    facts: dict[str, Any] = field(default_factory=dict)  # what was measured, for the request draft and the UI

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ReadinessReport:
    project_id: int
    domain: str | None
    region: str | None
    checks: list[CheckResult]
    generated_at: str
    calls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = {"pass": 0, "warn": 0, "fail": 0}
        for c in self.checks:
            out[c.status] += 1
        return out

    @property
    def ready(self) -> bool:
        return self.counts["fail"] == 0

    def get(self, check_id: str) -> CheckResult | None:
        return next((c for c in self.checks if c.id == check_id), None)

    def passed(self, check_id: str) -> bool:
        c = self.get(check_id)
        return c is not None and c.status == "pass"

    def to_dict(self) -> dict[str, Any]:
        return {
            "project_id": self.project_id,
            "domain": self.domain,
            "region": self.region,
            "generated_at": self.generated_at,
            "ready": self.ready,
            "counts": self.counts,
            "checks": [c.to_dict() for c in self.checks],
            "aws_calls": self.calls,
        }

    def render(self) -> str:
        head = f"Sesame readiness report — project {self.project_id}"
        if self.domain:
            head += f", domain {self.domain}"
        if self.region:
            head += f", region {self.region}"
        lines = [head, ""]
        width = max((len(c.title) for c in self.checks), default=10)
        for c in self.checks:
            lines.append(f"{c.status.upper():4}  {c.title:<{width}}  {c.detail}")
            if c.fix and c.status != "pass":
                lines.append(f"{'':4}  {'':<{width}}  fix: {c.fix}")
        n = self.counts
        if not self.ready:
            verdict = "not ready: fix the FAIL lines first"
        elif self.passed("production_access"):
            verdict = "production access granted and every checklist item holds"
        else:
            verdict = "ready to request production access (`sesame doctor --request-draft`)"
        lines += ["", f"{n['pass']} pass, {n['warn']} warn, {n['fail']} fail — {verdict}"]
        return "\n".join(lines)
