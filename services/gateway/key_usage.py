"""When each API key was last used: noted in memory per authenticated request, written in one call at most every
`api_key_usage_flush_seconds` (and at shutdown) to the subscriptions service, which owns `api_keys`.

The gateway never writes `api_keys` itself. A flush that fails keeps its keys for the next one (the service keeps
the later time, so a repeated or reordered report is harmless). At most MAX_KEYS keys wait at a time: past that,
uses of further keys are not noted until the next successful flush (the next use after it is).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime

from services.gateway.upstream import Upstreams, UpstreamTimeout, UpstreamUnavailable

log = logging.getLogger("sesame.gateway.key_usage")

MAX_KEYS = 10_000  # the subscriptions route's limit per call too
PATH = "/admin/api-keys/last-used"
_REFUSED = {400, 413, 422}
SHUTDOWN_TIMEOUT = 3.0  # seconds the last flush may hold up a stopping gateway


class KeyUsage:
    def __init__(self, upstreams: Upstreams, interval: float) -> None:
        self.upstreams = upstreams
        self.interval = interval
        self._used: dict[int, float] = {}  # key id → epoch seconds of its latest use
        self._lock = asyncio.Lock()
        self._dropped = 0

    def record(self, key_id: int) -> None:
        """Note a use of the key now (called on every authenticated request: no I/O)."""
        used = self._used
        if key_id in used or len(used) < MAX_KEYS:
            used[key_id] = time.time()
        else:
            self._dropped += 1

    @property
    def pending(self) -> dict[int, float]:
        return dict(self._used)

    async def flush(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109 - passed to the upstream call
        """Send what was noted since the last successful flush; False (keys kept) when the service refused it."""
        async with self._lock:
            if not self._used:
                return True
            batch, self._used = self._used, {}
            body = {"used": {str(k): datetime.fromtimestamp(t, UTC).isoformat() for k, t in batch.items()}}
            ok, why = False, ""
            try:
                resp = await self.upstreams.request(
                    "subscriptions", "POST", PATH, json_body=body, timeout=timeout
                )
                ok, why = resp.ok, f"status {resp.status}"
                if resp.status in _REFUSED:  # the report itself is wrong: sending it again cannot help
                    log.error("API key usage refused (%s): %s", why, resp.body[:500])
                    return False
            except (UpstreamUnavailable, UpstreamTimeout) as exc:
                why = str(exc.detail)
            except BaseException:
                self._keep(batch)  # cancelled mid-call: nothing noted is lost
                raise
            if not ok:
                self._keep(batch)
                log.warning("API key usage not recorded (%s); %d keys kept for the next try", why, len(batch))
            elif self._dropped:
                log.warning(
                    "%d uses of API keys were not noted (over %d keys waiting)", self._dropped, MAX_KEYS
                )
                self._dropped = 0
            return ok

    def _keep(self, batch: dict[int, float]) -> None:
        """Put a batch that was not recorded back, merged with what came in meanwhile (the later time wins)."""
        for key_id, t in batch.items():
            if key_id in self._used:
                self._used[key_id] = max(self._used[key_id], t)
            elif len(self._used) < MAX_KEYS:
                self._used[key_id] = t
            else:
                self._dropped += 1

    async def run(self) -> None:
        """Flush every `interval` seconds until cancelled."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.flush()
            except Exception:  # noqa: BLE001 - the loop outlives any one failure
                log.exception("API key usage flush failed")

    async def close(self, task: asyncio.Task[None] | None) -> None:
        """Stop the loop and write what is left (the shutdown flush)."""
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        try:
            await self.flush(timeout=SHUTDOWN_TIMEOUT)
        except Exception:  # noqa: BLE001 - shutting down: say it, don't fail the shutdown
            log.exception("API key usage flush at shutdown failed")
