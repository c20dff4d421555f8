"""The hostile-input suite runs against the real distributed system with its production-like limits."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.system.harness import DistributedSystem, Infra
from tests.system.private_infra import reap_leftovers
from tests.system.ses_faults import FaultySes

ADMIN_PASSWORD = "hostile-admin-password-0123"

# Default abuse limits of the gateway are kept. The gateway trusts X-Forwarded-For from loopback only (the test
# plays the load balancer), so each attack comes from its own client address and cannot lock out the others.
HOSTILE_ENV = {
    "SESAME_GATEWAY_TRUSTED_PROXIES": '["127.0.0.1"]',
    "SESAME_ADMIN_PASSWORD": ADMIN_PASSWORD,
    "SESAME_SENDER_WARMUP_ENABLED": "false",
    "SESAME_SENDER_DISPATCH_INTERVAL": "0.1",
}


@pytest.fixture(scope="session", autouse=True)
def _reap_dead_runs() -> Iterator[None]:
    reap_leftovers()
    yield


@pytest.fixture(scope="module")
def ses() -> Iterator[FaultySes]:
    s = FaultySes().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
async def hostile_system(ses: FaultySes) -> AsyncIterator[DistributedSystem]:
    infra = await Infra.shared()
    system = DistributedSystem(infra, ses_url=ses.url, sender_replicas=1, env=HOSTILE_ENV)
    try:
        await system.start()
        yield system
    finally:
        await system.stop()
        await infra.close()
