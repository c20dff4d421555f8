"""Fixtures of the system suite: the SES stand-in, systems in both modes, leftovers of dead runs reaped first."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.system.harness import DistributedSystem, EmbeddedSystem, Infra
from tests.system.private_infra import reap_leftovers
from tests.system.ses_faults import FaultySes

# Settings of the systems under test. Limits meant for the open internet are raised where a scenario plays many
# subscribers from one loopback address; the guard's minimum volume is lowered so a spike shows in tens of mails.
SYSTEM_ENV = {
    "SESAME_GATEWAY_SIGNUP_PER_IP_PER_MINUTE": "10000",
    "SESAME_GATEWAY_SIGNUP_PER_EMAIL_PER_HOUR": "100",
    "SESAME_GATEWAY_PAGE_POSTS_PER_IP_PER_MINUTE": "10000",
    "SESAME_GATEWAY_TRUSTED_PROXIES": '["127.0.0.1"]',
    "SESAME_EVENTS_MIN_VOLUME": "20",
    "SESAME_SENDER_WARMUP_ENABLED": "false",
    "SESAME_SENDER_SWEEP_INTERVAL": "1",
    # SESAME_SENDER_STALE_SENDING_SECONDS stays at its default (120 s): shorter windows reclaim rows that a live but
    # CPU-starved replica is still about to send, which duplicates mail (seen with 15 s and 40 s on this machine).
    "SESAME_SENDER_CLAIM_LEASE_SECONDS": "15",
    "SESAME_SENDER_RETRY_BASE_SECONDS": "0.5",
    "SESAME_SENDER_RETRY_MAX_SECONDS": "5",
    "SESAME_SENDER_THROTTLE_BACKOFF_SECONDS": "0.3",
    "SESAME_SENDER_SES_TIMEOUT": "3",
    "SESAME_SENDER_QUOTA_REFRESH_SECONDS": "5",
    "SESAME_SENDER_DISPATCH_INTERVAL": "0.1",
}


@pytest.fixture(scope="session", autouse=True)
def _reap_dead_runs() -> Iterator[None]:
    """Private instances and processes whose test run died are torn down before anything starts."""
    reap_leftovers()
    yield


@pytest.fixture(scope="module")
def ses() -> Iterator[FaultySes]:
    s = FaultySes().start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
async def distributed(ses: FaultySes) -> AsyncIterator[DistributedSystem]:
    """Four services as separate processes (two sender replicas) on the machine's Postgres and RabbitMQ."""
    infra = await Infra.shared()
    system = DistributedSystem(infra, ses_url=ses.url, sender_replicas=2, env=SYSTEM_ENV)
    try:
        await system.start()
        yield system
    finally:
        await system.stop()
        await infra.close()


@pytest.fixture(scope="module")
async def embedded(ses: FaultySes) -> AsyncIterator[EmbeddedSystem]:
    """`sesame run` on a tmp SQLite file with the in-process bus."""
    system = EmbeddedSystem(ses_url=ses.url, env=SYSTEM_ENV)
    try:
        await system.start()
        yield system
    finally:
        await system.stop()
