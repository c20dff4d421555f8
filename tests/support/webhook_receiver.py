"""A small aiohttp server that receives webhooks (tests and bench): records every request, can answer 500 or
stall for the first N requests of an event."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str

    @property
    def doc(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Receiver:
    received: list[Received] = field(default_factory=list)
    fail_first: dict[str, int] = field(default_factory=dict)  # event type → answer 500 this many times
    stall_first: dict[str, int] = field(default_factory=dict)  # event type → never answer this many times
    record: bool = True
    answer: str = "ok"  # the 2xx body (a hostile receiver's: markup, NUL bytes…)
    count: int = 0
    url: str = ""
    _runner: web.AppRunner | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.text()
        self.count += 1
        if not self.record:
            return web.Response(text="ok")
        got = Received(request.path, {k.lower(): v for k, v in request.headers.items()}, body)
        self.received.append(got)
        kind = got.doc.get("type", "")
        if self.stall_first.get(kind, 0) > 0:
            self.stall_first[kind] -= 1
            await asyncio.sleep(3600)
        if self.fail_first.get(kind, 0) > 0:
            self.fail_first[kind] -= 1
            return web.Response(status=500, text="boom")
        return web.Response(text=self.answer)

    async def start(self, host: str = "127.0.0.1") -> Receiver:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://{host}:{port}/hooks"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def of_type(self, kind: str) -> list[Received]:
        return [r for r in self.received if r.doc.get("type") == kind]
