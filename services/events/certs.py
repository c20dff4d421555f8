"""Signing certificates: fetched over https from validated SNS hosts (aiohttp), pinned from files, or a test
anchor; parsed once and cached per URL as a public key (RSA verify is cheap, certificate parsing is not)."""

from __future__ import annotations

import asyncio
import logging
import os
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from services.events.settings import EventsSettings
from services.events.sns_signature import SnsVerificationError

log = logging.getLogger("sesame.events.certs")

Fetcher = Callable[[str], Awaitable[bytes]]


class CertificateUnavailable(Exception):
    """The certificate could not be fetched now (network, timeout, server error): SNS should retry."""


def load_public_key(pem: bytes, *, check_validity: bool, now: datetime | None = None) -> rsa.RSAPublicKey:
    """The RSA public key of a PEM certificate (optionally refusing expired / not yet valid ones)."""
    try:
        cert = x509.load_pem_x509_certificate(pem)
    except ValueError:
        raise SnsVerificationError(
            "bad_certificate", "signing certificate is not a PEM X.509 certificate"
        ) from None
    if check_validity:
        now = now or datetime.now(UTC)
        if not (cert.not_valid_before_utc <= now <= cert.not_valid_after_utc):
            raise SnsVerificationError("bad_certificate", "signing certificate is expired or not yet valid")
        cns = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
        if not any(isinstance(cn, str) and cn.startswith("sns.") and ".amazonaws.com" in cn for cn in cns):
            raise SnsVerificationError("bad_certificate", "signing certificate is not issued for Amazon SNS")
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise SnsVerificationError("bad_certificate", "signing certificate does not hold an RSA key")
    return key


class CertificateStore:
    """Public keys by (already validated) SigningCertURL."""

    def __init__(self, settings: EventsSettings, *, fetcher: Fetcher | None = None) -> None:
        self._settings = settings
        self._fetcher = fetcher
        self._cache: OrderedDict[str, rsa.RSAPublicKey] = OrderedDict()
        self._inflight: dict[str, asyncio.Future[rsa.RSAPublicKey]] = {}
        self._session: aiohttp.ClientSession | None = None
        self._anchor: rsa.RSAPublicKey | None = None
        self.fetches = 0
        if settings.test_trust_anchor_pem:
            if not settings.allow_test_trust_anchor:
                log.error(
                    "SESAME_EVENTS_TEST_TRUST_ANCHOR_PEM is set but SESAME_EVENTS_ALLOW_TEST_TRUST_ANCHOR is not: "
                    "the test trust anchor is IGNORED"
                )
            else:
                pem = Path(settings.test_trust_anchor_pem).read_bytes()
                self._anchor = load_public_key(pem, check_validity=False)
                log.warning(
                    "!!! SNS TEST TRUST ANCHOR ENABLED (%s): messages signed by a NON-AWS key are accepted. "
                    "Never enable this in production. !!!",
                    settings.test_trust_anchor_pem,
                )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def public_key(self, url: str) -> rsa.RSAPublicKey:
        """The key for a validated cert URL: cache → pinned file → test anchor → https download."""
        key = self._cache.get(url)
        if key is not None:
            self._cache.move_to_end(url)
            return key
        pending = self._inflight.get(url)
        if pending is not None:
            return await asyncio.shield(pending)
        fut: asyncio.Future[rsa.RSAPublicKey] = asyncio.get_running_loop().create_future()
        self._inflight[url] = fut
        try:
            key = await self._load(url)
            self._cache[url] = key
            while len(self._cache) > self._settings.cert_cache_size:
                self._cache.popitem(last=False)
            fut.set_result(key)
            return key
        except BaseException as exc:
            fut.set_exception(exc)
            fut.exception()  # mark retrieved when nobody else waits
            raise
        finally:
            self._inflight.pop(url, None)

    async def _load(self, url: str) -> rsa.RSAPublicKey:
        pinned = self._pinned_path(url)
        if pinned is not None:
            return load_public_key(pinned.read_bytes(), check_validity=False)
        if self._anchor is not None:
            return self._anchor
        self.fetches += 1
        pem = await self._fetch(url)
        return load_public_key(pem, check_validity=True)

    def _pinned_path(self, url: str) -> Path | None:
        directory = self._settings.pinned_cert_dir
        if not directory:
            return None
        name = url.rsplit("/", 1)[-1]
        if not name.endswith(".pem") or os.sep in name or name.startswith("."):
            return None
        path = Path(directory) / name
        return path if path.is_file() else None

    async def _fetch(self, url: str) -> bytes:
        if self._fetcher is not None:
            return await self._fetcher(url)
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._settings.cert_fetch_timeout_seconds)
            )
        cap = self._settings.cert_max_bytes
        try:
            async with self._session.get(url, allow_redirects=False) as resp:
                if resp.status != 200:
                    if resp.status >= 500:
                        raise CertificateUnavailable(f"certificate server answered {resp.status}")
                    raise SnsVerificationError("bad_certificate", f"certificate URL answered {resp.status}")
                data = await resp.content.read(cap + 1)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise CertificateUnavailable(f"certificate download failed: {exc.__class__.__name__}") from exc
        if len(data) > cap:
            raise SnsVerificationError("bad_certificate", "signing certificate is too large")
        return data


async def fetch_subscribe_url(url: str, *, timeout_seconds: float) -> None:
    """GET a validated SubscribeURL (no redirects, body ignored); raises on anything but 200."""
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout_seconds)) as session,
        session.get(url, allow_redirects=False) as resp,
    ):
        await resp.content.read(65_536)
        if resp.status != 200:
            raise RuntimeError(f"ConfirmSubscription answered {resp.status}")
