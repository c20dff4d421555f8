"""In-process bus for the embedded mode and unit tests: bounded queues, same retry / dead-letter semantics.

Messages live only in memory, so the embedded mode recovers work from the database (the outbox and each
service's own state sweep), exactly as the distributed mode does after a broker loss.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from shared.bus.backoff import retry_delay
from shared.bus.protocol import Envelope, Handler, MalformedMessage, OutgoingMessage, PermanentError, QueueSpec
from shared.bus.topic import topic_matches
from shared.settings import BusSettings

log = logging.getLogger("sesame.bus.memory")


@dataclass
class _Queue:
    spec: QueueSpec
    items: asyncio.Queue[tuple[str, bytes, Envelope]]
    dead: list[tuple[Envelope, str]] = field(default_factory=list)
    consumers: list[_MemoryConsumer] = field(default_factory=list)


class _MemoryConsumer:
    def __init__(self, bus: MemoryBus, queue: _Queue, handler: Handler) -> None:
        self._bus = bus
        self._queue = queue
        self._handler = handler
        prefetch = queue.spec.prefetch or bus.settings.prefetch
        self._slots = asyncio.Semaphore(prefetch)
        self._inflight: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=f"memory-consumer:{queue.spec.name}")

    async def _run(self) -> None:
        while not self._stopping:
            await self._slots.acquire()
            try:
                rk, body, env = await self._queue.items.get()
            except asyncio.CancelledError:
                self._slots.release()
                raise
            task = asyncio.create_task(self._deliver(rk, body, env))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)

    async def _deliver(self, rk: str, body: bytes, env: Envelope) -> None:
        try:
            await self._bus._handle(self._queue, self._handler, body, env)
        finally:
            self._slots.release()

    async def stop(self) -> None:
        self._stopping = True
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        if self._inflight:
            await asyncio.gather(*list(self._inflight), return_exceptions=True)
        if self in self._queue.consumers:
            self._queue.consumers.remove(self)


class MemoryBus:
    def __init__(self, settings: BusSettings, *, namespace: str | None = None) -> None:
        self.settings = settings
        self.namespace = namespace or settings.exchange
        self._queues: dict[str, _Queue] = {}
        self._timers: set[asyncio.Task[None]] = set()
        self._started = False

    async def start(self) -> None:
        self._started = True

    async def close(self) -> None:
        for q in list(self._queues.values()):
            for c in list(q.consumers):
                await c.stop()
        for t in list(self._timers):
            t.cancel()
        self._started = False

    async def ping(self) -> None:
        if not self._started:
            raise ConnectionError("in-process bus is not started")

    async def declare(self, spec: QueueSpec) -> None:
        if spec.name not in self._queues:
            self._queues[spec.name] = _Queue(spec, asyncio.Queue(maxsize=self.settings.memory_queue_size))

    async def publish(self, message: OutgoingMessage) -> None:
        await self.publish_many([message])

    async def publish_many(self, messages: Sequence[OutgoingMessage]) -> None:
        for m in messages:
            body = json.dumps(m.payload, separators=(",", ":")).encode()
            mid = m.message_id or uuid.uuid4().hex
            for q in self._queues.values():
                if any(topic_matches(p, m.routing_key) for p in q.spec.bindings):
                    env = Envelope(mid, m.routing_key, m.payload, dict(m.headers), 1)
                    await q.items.put((m.routing_key, body, env))

    async def publish_raw(self, routing_key: str, body: bytes) -> None:
        """Test hook: publish bytes that may not be JSON (poison messages)."""
        for q in self._queues.values():
            if any(topic_matches(p, routing_key) for p in q.spec.bindings):
                await q.items.put((routing_key, body, Envelope(uuid.uuid4().hex, routing_key, {}, {}, 1)))

    async def consume(self, spec: QueueSpec, handler: Handler) -> _MemoryConsumer:
        await self.declare(spec)
        q = self._queues[spec.name]
        consumer = _MemoryConsumer(self, q, handler)
        q.consumers.append(consumer)
        return consumer

    async def _handle(self, q: _Queue, handler: Handler, body: bytes, env: Envelope) -> None:
        try:
            payload = json.loads(body)
            if not isinstance(payload, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            self._dead(q, env, f"malformed: {exc}")
            return
        env = Envelope(env.message_id, env.routing_key, payload, env.headers, env.attempt)
        try:
            await handler(env)
        except (MalformedMessage, PermanentError) as exc:
            self._dead(q, env, f"permanent: {exc!r}")
        except asyncio.CancelledError:
            # The consumer stopped mid-message: like a dead connection, the message goes back.
            q.items.put_nowait((env.routing_key, body, env))
            raise
        except Exception as exc:  # noqa: BLE001 - every other failure is treated as transient
            max_attempts = q.spec.max_attempts or self.settings.max_attempts
            if env.attempt >= max_attempts:
                self._dead(q, env, f"gave up after {env.attempt} attempts: {exc!r}")
                return
            delay = retry_delay(self.settings.retry_delays, env.attempt)
            log.info("retrying %s on %s in %.2fs: %r", env.message_id, q.spec.name, delay, exc)
            nxt = Envelope(env.message_id, env.routing_key, env.payload, env.headers, env.attempt + 1)
            timer = asyncio.create_task(self._requeue_later(q, body, nxt, delay))
            self._timers.add(timer)
            timer.add_done_callback(self._timers.discard)

    async def _requeue_later(self, q: _Queue, body: bytes, env: Envelope, delay: float) -> None:
        await asyncio.sleep(delay)
        await q.items.put((env.routing_key, body, env))

    def _dead(self, q: _Queue, env: Envelope, reason: str) -> None:
        log.warning("dead-lettered %s from %s: %s", env.message_id, q.spec.name, reason)
        q.dead.append((env, reason))

    async def queue_depth(self, name: str) -> int:
        q = self._queues.get(name)
        return q.items.qsize() if q else 0

    async def dead_letters(self, name: str) -> list[Envelope]:
        q = self._queues.get(name)
        return [env for env, _ in q.dead] if q else []

    async def replay_dead_letters(self, name: str) -> int:
        q = self._queues.get(name)
        if not q:
            return 0
        dead, q.dead = q.dead, []
        for env, _ in dead:
            body = json.dumps(env.payload).encode()
            await q.items.put((env.routing_key, body, Envelope(env.message_id, env.routing_key, env.payload, env.headers, 1)))
        return len(dead)
