"""Schemathesis against the gateway's merged OpenAPI document, with a real API key: no input gives a 5xx, and
every documented response matches its schema. Bounded (examples per operation, overall time) to finish in about
two minutes on this machine."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator

import pytest

from tests.hostile.conftest import HOSTILE_ENV
from tests.system.flows import bootstrap
from tests.system.harness import DistributedSystem, Infra
from tests.system.ses_faults import FaultySes

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]
# schemathesis's CLI, with `ast.parse` serialised: with --workers 2, hypothesis describes strategies' lambdas by
# parsing their source in both threads at once, and CPython 3.11's AST validator keeps its recursion depth per
# interpreter, not per thread ("SystemError: AST constructor recursion depth mismatch" — a runtime error of the
# tool, not a finding about the API).
SCHEMATHESIS_MAIN = (
    "import ast, sys, threading\n"
    "_parse, _lock = ast.parse, threading.Lock()\n"
    "def _locked(*a, **k):\n"
    "    with _lock:\n"
    "        return _parse(*a, **k)\n"
    "ast.parse = _locked\n"
    "from schemathesis.cli import schemathesis\n"
    "sys.argv[0] = 'schemathesis'\n"
    "sys.exit(schemathesis())\n"
)


@pytest.fixture(scope="module")
async def fuzz_system(ses: FaultySes) -> AsyncIterator[DistributedSystem]:
    """The fuzzer sends requests without the key on purpose (coverage phase); the per-client lockout after failed
    authentications is the brute-force test's subject, not this one's, so it is lifted here."""
    infra = await Infra.shared()
    env = {
        **HOSTILE_ENV,
        "SESAME_GATEWAY_AUTH_FAILURES_PER_MINUTE": "1000000",
        "SESAME_GATEWAY_SIGNUP_PER_IP_PER_MINUTE": "1000000",
        "SESAME_GATEWAY_SIGNUP_PER_EMAIL_PER_HOUR": "1000000",
    }
    system = DistributedSystem(infra, ses_url=ses.url, sender_replicas=1, env=env)
    try:
        await system.start()
        yield system
    finally:
        await system.stop()
        await infra.close()


async def test_no_5xx_and_responses_match_the_schema(fuzz_system: DistributedSystem, ses: FaultySes) -> None:
    hostile_system = fuzz_system
    b = await bootstrap(hostile_system, ses, name="fuzzed")
    await b.create_list("fuzz target")  # something to find, so the happy paths run too
    report = hostile_system.run_dir / "schemathesis-junit.xml"
    argv = [
        sys.executable, "-c", SCHEMATHESIS_MAIN, "run", f"{hostile_system.gateway_url}/openapi.json",
        "--header", f"Authorization: Bearer {b.key}",
        "--checks", "not_a_server_error,response_schema_conformance,content_type_conformance",
        "--max-examples", os.environ.get("SESAME_FUZZ_EXAMPLES", "12"),
        "--max-time", os.environ.get("SESAME_FUZZ_SECONDS", "150"),
        "--phases", "examples,coverage,fuzzing",
        "--workers", "2",
        "--seed", "20261128",
        "--request-timeout", "20",
        "--generation-database", "none",
        "--no-shrink",
        "--continue-on-failure",
        # Revoking the key under test would only turn the rest of the run into 401s.
        # The SES-wiring routes call AWS APIs the system's SES stand-in does not implement (SES v1 XML, the SESv2
        # suppression list): there they answer 502 with the AWS error, by design. tests/ses_setup/ covers them
        # against moto and their own stand-ins.
        "--exclude-path-regex",
        r"^/v1/api-keys/\{[^}]+\}$|^/v1/ses-account/(readiness|production-request|suppressions/sync|loop-test|connect)$",
        "--report", "junit", "--report-junit-path", str(report),
        "--no-color",
    ]  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        *argv,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "NO_COLOR": "1"},
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 380)
    text = out.decode(errors="replace")
    (hostile_system.run_dir / "schemathesis.txt").write_text(text)
    assert "operations" in text.lower() or "api operations" in text.lower(), text[-3000:]
    assert proc.returncode == 0, text[-6000:]
