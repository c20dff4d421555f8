"""API key authentication at the gateway: the key's project, or 401 before anything reaches a service.

Keys are looked up by their prefix in `api_keys` (owned by subscriptions; the gateway only reads it) and cached
in-process for `api_key_cache_seconds`, so a revocation takes effect within that delay on every replica.
Each authenticated use is noted for the key's `last_used_at` (`key_usage.py`; the gateway never writes the table).
Failed attempts are counted per client IP; past the limit the client gets 429 until its bucket refills.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlalchemy as sa
from starlette.requests import Request

from services.gateway.key_usage import KeyUsage
from shared.api_keys import key_matches, parse_prefix
from shared.errors import TooManyRequests, Unauthorized
from shared.models.core import ApiKey, Project
from shared.ratelimit import TokenBuckets
from shared.runtime import Runtime


@dataclass(frozen=True)
class _Entry:
    key_hash: str | None  # None: no such (live) key
    project_id: int | None
    key_id: int | None
    expires: float


@dataclass(frozen=True)
class AuthenticatedKey:
    key_id: int
    project_id: int


def presented_key(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return request.headers.get("x-api-key", "").strip() or None


class ApiKeyAuth:
    def __init__(
        self,
        runtime: Runtime,
        cache_seconds: float,
        failures_per_minute: int,
        usage: KeyUsage | None = None,
    ) -> None:
        self.runtime = runtime
        self.usage = usage  # notes each authenticated key's use (last_used_at)
        self.cache_seconds = cache_seconds
        self._cache: dict[str, _Entry] = {}
        self.failures = TokenBuckets(failures_per_minute, 60.0)

    def forget(self) -> None:
        self._cache.clear()

    async def _lookup(self, prefix: str) -> _Entry:
        now = time.monotonic()
        hit = self._cache.get(prefix)
        if hit is not None and hit.expires > now:
            return hit
        async with self.runtime.sessionmaker() as session:
            row = (
                await session.execute(
                    sa.select(ApiKey.key_hash, ApiKey.project_id, ApiKey.id)
                    .join(Project, Project.id == ApiKey.project_id)
                    .where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None), Project.deleted_at.is_(None))
                )
            ).first()
        entry = (
            _Entry(row[0], row[1], row[2], now + self.cache_seconds)
            if row
            else _Entry(None, None, None, now + self.cache_seconds)
        )
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[prefix] = entry
        return entry

    async def authenticate(self, request: Request, ip: str) -> int:
        """The project id of the presented key; 401 when missing/invalid/revoked, 429 after too many failures."""
        return (await self.authenticate_key(request, ip)).project_id

    async def authenticate_key(self, request: Request, ip: str) -> AuthenticatedKey:
        """The presented key (its id and project), its use noted; errors as `authenticate`."""
        if not self.failures.peek(ip):
            raise TooManyRequests(
                "too many failed authentications", headers={"Retry-After": str(self.failures.retry_after(ip))}
            )
        key = presented_key(request)
        if key is None:
            self.failures.take(ip)
            raise Unauthorized(
                "API key required: Authorization: Bearer ses_…", headers={"WWW-Authenticate": "Bearer"}
            )
        prefix = parse_prefix(key)
        entry = await self._lookup(prefix) if prefix else None
        if entry is None or entry.key_hash is None or not key_matches(key, entry.key_hash):
            self.failures.take(ip)
            raise Unauthorized("invalid or revoked API key", headers={"WWW-Authenticate": "Bearer"})
        assert entry.project_id is not None and entry.key_id is not None
        if self.usage is not None:
            self.usage.record(entry.key_id)
        return AuthenticatedKey(entry.key_id, entry.project_id)
