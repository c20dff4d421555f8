"""Certificate store: the real aiohttp download (size cap, no redirects, server errors, timeout), caching of the
parsed key per URL, pinned files, and a test trust anchor that only an explicit flag enables (loudly)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path

import pytest
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from services.events.certs import CertificateStore, CertificateUnavailable, load_public_key
from services.events.settings import EventsSettings
from services.events.sns_signature import SnsVerificationError
from tests.support.sns import TestSns

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "reference" / "samples"


@pytest.fixture
async def cert_server(sns: TestSns):  # type: ignore[no-untyped-def]
    hits: list[str] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        hits.append(request.path)
        if request.path == "/ok.pem":
            return web.Response(body=sns.cert_pem)
        if request.path == "/huge.pem":
            return web.Response(body=b"A" * 100_000)
        if request.path == "/redirect.pem":
            raise web.HTTPFound("/ok.pem")
        if request.path == "/slow.pem":
            await asyncio.sleep(5)
            return web.Response(body=sns.cert_pem)
        if request.path == "/500.pem":
            return web.Response(status=500)
        return web.Response(status=404)

    app = web.Application()
    app.router.add_get("/{name}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}", hits
    await runner.cleanup()


async def test_download_rules(cert_server, sns: TestSns) -> None:  # type: ignore[no-untyped-def]
    base, hits = cert_server
    store = CertificateStore(EventsSettings(cert_fetch_timeout_seconds=0.5, cert_max_bytes=8192))
    try:
        assert await store._fetch(f"{base}/ok.pem") == sns.cert_pem
        with pytest.raises(SnsVerificationError, match="too large"):
            await store._fetch(f"{base}/huge.pem")
        with pytest.raises(SnsVerificationError, match="302"):
            await store._fetch(f"{base}/redirect.pem")  # redirects are not followed
        with pytest.raises(SnsVerificationError, match="404"):
            await store._fetch(f"{base}/missing.pem")
        with pytest.raises(CertificateUnavailable):
            await store._fetch(f"{base}/500.pem")
        with pytest.raises(CertificateUnavailable):
            await store._fetch(f"{base}/slow.pem")
        assert "/ok.pem" in hits and hits.count("/ok.pem") == 1  # the redirect target was never requested
    finally:
        await store.close()


async def test_key_is_parsed_once_per_url_even_under_concurrency(sns: TestSns) -> None:
    calls: list[str] = []

    async def fetch(url: str) -> bytes:
        calls.append(url)
        await asyncio.sleep(0.05)
        return sns.cert_pem

    store = CertificateStore(EventsSettings(), fetcher=fetch)
    keys = await asyncio.gather(*[store.public_key(sns.cert_url) for _ in range(20)])
    assert calls == [sns.cert_url]
    assert all(k is keys[0] for k in keys)
    await store.public_key(sns.cert_url)
    assert len(calls) == 1


async def test_failed_fetch_is_not_cached(sns: TestSns) -> None:
    attempts = 0

    async def flaky(url: str) -> bytes:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise CertificateUnavailable("down")
        return sns.cert_pem

    store = CertificateStore(EventsSettings(), fetcher=flaky)
    with pytest.raises(CertificateUnavailable):
        await store.public_key(sns.cert_url)
    await store.public_key(sns.cert_url)
    assert attempts == 2


def _cert(cn: str, *, days: int) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now - dt.timedelta(days=400)).not_valid_after(now + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    return cert.public_bytes(serialization.Encoding.PEM)


def test_downloaded_certificates_must_be_valid_sns_certificates() -> None:
    load_public_key(_cert("sns.amazonaws.com", days=30), check_validity=True)
    with pytest.raises(SnsVerificationError, match="expired"):
        load_public_key(_cert("sns.amazonaws.com", days=-1), check_validity=True)
    with pytest.raises(SnsVerificationError, match="Amazon SNS"):
        load_public_key(_cert("evil.example", days=30), check_validity=True)
    with pytest.raises(SnsVerificationError):
        load_public_key(b"not a cert", check_validity=True)
    # the real (expired) AWS certificates load when replayed from pinned files
    for p in SAMPLES.glob("sns-real-signing-cert-*.pem"):
        load_public_key(p.read_bytes(), check_validity=False)


async def test_pinned_directory_is_keyed_by_url_file_name(tmp_path: Path, sns: TestSns) -> None:
    name = sns.cert_url.rsplit("/", 1)[-1]
    (tmp_path / name).write_bytes(sns.cert_pem)

    async def never(url: str) -> bytes:
        raise AssertionError("pinned certificates are not downloaded")

    store = CertificateStore(EventsSettings(pinned_cert_dir=str(tmp_path)), fetcher=never)
    key = await store.public_key(sns.cert_url)
    assert key.public_numbers() == sns.cert.public_key().public_numbers()


async def test_test_anchor_needs_the_explicit_flag(tmp_path: Path, sns: TestSns, caplog) -> None:  # type: ignore[no-untyped-def]
    anchor = sns.write_anchor(tmp_path)
    fetched: list[str] = []

    async def fetch(url: str) -> bytes:
        fetched.append(url)
        raise CertificateUnavailable("no network in this test")

    caplog.set_level(logging.WARNING, logger="sesame.events.certs")
    store = CertificateStore(EventsSettings(test_trust_anchor_pem=str(anchor)), fetcher=fetch)
    assert "IGNORED" in caplog.text
    with pytest.raises(CertificateUnavailable):
        await store.public_key(sns.cert_url)  # without the flag: a normal download is attempted
    assert fetched == [sns.cert_url]

    caplog.clear()
    store = CertificateStore(
        EventsSettings(test_trust_anchor_pem=str(anchor), allow_test_trust_anchor=True), fetcher=fetch
    )
    assert "TEST TRUST ANCHOR ENABLED" in caplog.text
    assert caplog.records[0].levelno == logging.WARNING
    key = await store.public_key(sns.cert_url)
    assert key.public_numbers() == sns.cert.public_key().public_numbers()
    assert fetched == [sns.cert_url]  # nothing more downloaded


def test_anchor_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SESAME_EVENTS_TEST_TRUST_ANCHOR_PEM", str(tmp_path / "a.pem"))
    monkeypatch.setenv("SESAME_EVENTS_ALLOW_TEST_TRUST_ANCHOR", "true")
    monkeypatch.setenv("SESAME_EVENTS_MAX_MESSAGE_AGE_SECONDS", "0")
    s = EventsSettings()
    assert s.allow_test_trust_anchor is True and s.max_message_age_seconds == 0
    assert s.test_trust_anchor_pem == str(tmp_path / "a.pem")
