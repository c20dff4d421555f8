"""Graceful shutdown of a sender mid-campaign loses nothing: SIGTERM (what `docker compose stop` and Kubernetes
send) lets the replica finish its in-flight batch and exit by itself within the grace period; the campaign then
completes with every recipient mailed exactly once.

Reuses the system suite's harness (tests/system/): separate `sesame serve` processes on the real Postgres and
RabbitMQ, the SES stand-in counting every accepted mail.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import time

import pytest

from tests.ops.conftest import ROOT
from tests.system.conftest import SYSTEM_ENV
from tests.system.harness import DistributedSystem, Infra
from tests.system.ses_faults import FaultySes
from tests.system.test_faults import audit, feedback_flowing, prepared_run, start_campaign, wait_sent_at_least

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.timeout(720)]
RECIPIENTS = 1200
GRACE = 20.0  # SESAME_SHUTDOWN_GRACE_SECONDS (the default; Compose and Kubernetes allow 30 s before SIGKILL)


async def test_sender_sigterm_mid_campaign_loses_nothing() -> None:
    ses = FaultySes(max_send_rate=150.0).start()
    infra = await Infra.shared()
    system = DistributedSystem(
        infra, ses_url=ses.url, sender_replicas=2,
        env={
            **SYSTEM_ENV,
            "SESAME_SHUTDOWN_GRACE_SECONDS": str(GRACE),
            # The production leases: a graceful stop must not lean on crash recovery (the system suite's
            # shortened leases would let the survivor re-send rows the stopping replica is still finishing).
            "SESAME_SENDER_STALE_SENDING_SECONDS": "120",
            "SESAME_SENDER_CLAIM_LEASE_SECONDS": "120",
        },
    )  # fmt: skip
    try:
        await system.start()
        run = await prepared_run(system, ses, RECIPIENTS)
        async with feedback_flowing(system, ses, run):
            await start_campaign(run, "sigterm")
            await wait_sent_at_least(run, ses, 300, within=180)
            # senders[0] also answers the gateway's API calls; stop the pure queue worker.
            victim = system.senders[1]
            started = time.monotonic()
            await asyncio.to_thread(victim.stop, GRACE + 10)  # SIGTERM; SIGKILL only if it overstays
            took = time.monotonic() - started
            assert victim.proc is not None
            rc = victim.proc.returncode
            assert rc in (0, -signal.SIGTERM), f"sender did not exit by itself (rc {rc}):\n{victim.tail()}"
            assert took < GRACE + 5, f"shutdown took {took:.1f}s"
            assert "Application shutdown complete" in victim.tail(400), victim.tail()
            sent_at_stop = run.sent(ses)
            # The other replica carries on alone, then the stopped one rejoins (a rolling restart).
            await wait_sent_at_least(run, ses, min(RECIPIENTS, sent_at_stop + 200), within=180)
            victim.start()
            await victim.wait_ready(90)
            report = await audit(run, ses, label="sigterm", within=300)
        assert report["states"] == {"sent": RECIPIENTS}, report
        assert report["duplicates"] == 0
    finally:
        await system.stop()
        # Keep the processes' logs for a post-mortem (test-artifacts/ is git-ignored).
        keep = ROOT / "test-artifacts" / "ops" / "sigterm"
        shutil.rmtree(keep, ignore_errors=True)
        shutil.copytree(system.run_dir, keep, dirs_exist_ok=True)
        await infra.close()
        ses.stop()
