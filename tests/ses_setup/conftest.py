"""Fixtures: moto's server (SES v1 + SNS) and the SESv2 stand-in, fresh state per test."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from services.sender.ses_setup.aws import AwsTarget
from tests.support.sesv2_extras import SesV2Extras

REGION = "eu-west-1"
ACCOUNT = "123456789012"  # moto's default account


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _faithful_notification_attributes() -> None:
    """moto's GetIdentityNotificationAttributes omits the *Topic members and answers for unknown identities;
    real SES returns the topics and only known identities. Patch the in-process backend to match AWS."""
    from moto.ses.models import SESBackend

    def get_identity_notification_attributes(self: Any, identities: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for ident in identities:
            if not self._is_verified_address(ident):
                continue
            cfg = self.sns_topics.get(ident, {})
            attrs: dict[str, Any] = {
                "ForwardingEnabled": cfg.get("feedback_forwarding_enabled", True),
                "HeadersInBounceNotificationsEnabled": False,
                "HeadersInComplaintNotificationsEnabled": False,
                "HeadersInDeliveryNotificationsEnabled": False,
            }
            for kind in ("Bounce", "Complaint", "Delivery"):
                if cfg.get(kind):
                    attrs[f"{kind}Topic"] = cfg[kind]
            out[ident] = attrs
        return out

    SESBackend.get_identity_notification_attributes = get_identity_notification_attributes  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    _faithful_notification_attributes()
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@dataclass
class AwsEnv:
    target: AwsTarget
    moto_url: str
    v2: SesV2Extras

    def boto(self, service: str) -> Any:
        """A plain boto3 client for the manual breakage tests."""
        endpoint = self.v2.url if service == "sesv2" else self.moto_url
        return boto3.client(
            service,
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="AKIDSESAMETEST",
            aws_secret_access_key="test-secret",
        )

    def verify_domain(self, domain: str, configuration_set: str | None = None) -> None:
        self.boto("ses").verify_domain_identity(Domain=domain)
        self.v2.add_identity(domain, configuration_set)


@pytest.fixture
def aws_env(moto_url: str) -> Iterator[AwsEnv]:
    urllib.request.urlopen(
        urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST"), timeout=10
    ).read()
    v2 = SesV2Extras()
    v2.start()
    target = AwsTarget(
        region=REGION,
        access_key_id="AKIDSESAMETEST",
        secret_access_key="test-secret",
        endpoints={"ses": moto_url, "sns": moto_url, "sesv2": v2.url},
    )
    yield AwsEnv(target, moto_url, v2)
    v2.stop()


@pytest.fixture(scope="session")
def _dns_server() -> Iterator[Any]:
    from tests.support.dns_standin import DnsStandin

    server = DnsStandin()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def dns_standin(_dns_server: Any) -> Any:
    """The loopback authoritative DNS stand-in, emptied for this test."""
    _dns_server.clear()
    return _dns_server


DKIM_TOKENS = [
    "vvjuipp74whm76gqoni7qmwwn4w4qusjiainivf6sf",
    "3frqe7jn4obpuxjpwpolz6ipb3k5nvt2nhjpik2oy",
    "wrqplteh7oodxnad7hsl4mixg2uavzneazxv5sxi2",
]  # what moto hands out for every domain


def publish_good_domain(dns: Any, domain: str, region: str = REGION) -> None:
    for t in DKIM_TOKENS:
        dns.set(f"{t}._domainkey.{domain}", "CNAME", f"{t}.dkim.amazonses.com.")
    dns.set(f"mail.{domain}", "MX", f"10 feedback-smtp.{region}.amazonses.com.")
    dns.set(f"mail.{domain}", "TXT", "v=spf1 include:amazonses.com ~all")
    dns.set(f"_dmarc.{domain}", "TXT", f"v=DMARC1; p=quarantine; rua=mailto:dmarc@{domain}")
    dns.set(domain, "TXT", "v=spf1 -all")


@pytest.fixture
async def runtime(db_url: str, settings_for: Any) -> Any:
    """A started Runtime on the migrated test database (both dialects)."""
    from shared.runtime import Runtime

    rt = Runtime(settings_for(db_url))
    await rt.start()
    yield rt
    await rt.stop()


@pytest.fixture
async def sqlite_runtime(sqlite_url: str, settings_for: Any) -> Any:
    """A started Runtime on a migrated SQLite database (for tests whose SQL is covered on both elsewhere)."""
    from shared.runtime import Runtime

    rt = Runtime(settings_for(sqlite_url, public_url="https://sesame.example.test"))
    await rt.start()
    yield rt
    await rt.stop()


async def make_project(
    rt: Any, name: str = "Acme", owner: str | None = "owner@acme.test", **settings: Any
) -> int:
    from shared.models.core import Project

    async with rt.uow() as s:
        p = Project(name=name, owner_email=owner, settings=settings)
        s.add(p)
        await s.flush()
        return int(p.id)


async def wait_for(check: Any, timeout: float = 30.0, interval: float = 0.1) -> Any:  # noqa: ASYNC109
    """Poll an async `check` until it returns something truthy."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = await check()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last: {last!r})")
