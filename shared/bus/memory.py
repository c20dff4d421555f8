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
from typing import Any

from shared.bus.backoff import retry_delay
from shared.bus.protocol import (
    DEAD_REASON_HEADER,
    Envelope,
    Handler,
    MalformedMessage,
    OutgoingMessage,
    PermanentError,
    PublishError,
    QueueSpec,
)
from shared.bus.topic import topic_matches
from shared.settings import BusSettings

log = logging.getLogger("sesame.bus.memory")

CLOSE_GRACE = 30.0  # seconds close() lets a consumer's in-flight handlers finish

# One queued delivery: routing key, raw body, the envelope (payload filled in on delivery).
_Item = tuple[str, bytes, Envelope]


@dataclass
class _Queue:
    spec: QueueSpec
    items: asyncio.Queue[_Item]
    dead: list[tuple[Envelope, str, bytes]] = field(default_factory=list)  # envelope, reason, raw body
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
                item = await self._queue.items.get()
            except asyncio.CancelledError:
                self._slots.release()
                raise
            task = asyncio.create_task(self._deliver(item))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)

    async def _deliver(self, item: _Item) -> None:
        try:
            await self._bus._handle(self._queue, self._handler, item)
        finally:
            self._slots.release()

    async def _stop_taking(self) -> None:
        self._stopping = True
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        if self in self._queue.consumers:
            self._queue.consumers.remove(self)

    async def stop(self) -> None:
        """Stop taking new messages and wait for in-flight handlers to finish."""
        await self._stop_taking()
        if self._inflight:
            await asyncio.gather(*list(self._inflight), return_exceptions=True)

    async def abort(self) -> None:
        """Die like a crashed process: in-flight handlers are cancelled and their messages go back, unacked."""
        await self._stop_taking()
        # Let just-dispatched deliveries enter their handler, so that the cancel below requeues them.
        await asyncio.sleep(0)
        for task in list(self._inflight):
            task.cancel()
        if self._inflight:
            await asyncio.gather(*list(self._inflight), return_exceptions=True)


class MemoryBus:
    """The `Bus` protocol in process memory (see protocol.py for the semantics both buses share)."""

    def __init__(
        self, settings: BusSettings, *, namespace: str | None = None, publish_timeout: float = 5.0
    ) -> None:
        self.settings = settings
        self.namespace = namespace or settings.exchange
        self.publish_timeout = publish_timeout
        self._queues: dict[str, _Queue] = {}
        self._timers: set[asyncio.Task[None]] = set()
        self._started = False

    async def start(self) -> None:
        self._started = True

    async def close(self) -> None:
        """Stop all consumers gracefully (in-flight handlers finish); pending retries are dropped."""
        self._started = False
        for q in list(self._queues.values()):
            for c in list(q.consumers):
                try:
                    await asyncio.wait_for(c.stop(), CLOSE_GRACE)
                except TimeoutError:
                    await c.abort()
        for t in list(self._timers):
            t.cancel()

    async def ping(self) -> None:
        if not self._started:
            raise ConnectionError("in-process bus is not started")

    async def declare(self, spec: QueueSpec) -> None:
        if spec.name not in self._queues:
            size = self.settings.memory_queue_size
            if spec.max_length:
                size = min(size, spec.max_length)
            self._queues[spec.name] = _Queue(spec, asyncio.Queue(maxsize=size))

    async def publish(self, message: OutgoingMessage) -> None:
        await self.publish_many([message])

    async def publish_many(self, messages: Sequence[OutgoingMessage]) -> None:
        """Store each message in every queue it routes to (order kept); a full queue raises PublishError."""
        self._require_started()
        for m in messages:
            body = m.encoded()
            mid = m.message_id or uuid.uuid4().hex
            for q in self._routes(m.routing_key):
                env = Envelope(mid, m.routing_key, {}, dict(m.headers), 1)
                await self._put(q, (m.routing_key, body, env))

    async def publish_raw(self, routing_key: str, body: bytes) -> None:
        """Test hook: publish bytes that may not be JSON (poison messages)."""
        self._require_started()
        for q in self._routes(routing_key):
            await self._put(q, (routing_key, body, Envelope(uuid.uuid4().hex, routing_key, {}, {}, 1)))

    def _require_started(self) -> None:
        if not self._started:
            raise PublishError("the in-process bus is not started (or already closed)")

    def _routes(self, routing_key: str) -> list[_Queue]:
        return [
            q for q in self._queues.values() if any(topic_matches(p, routing_key) for p in q.spec.bindings)
        ]

    async def _put(self, q: _Queue, item: _Item) -> None:
        if not q.items.full():
            q.items.put_nowait(item)
            return
        try:
            await asyncio.wait_for(q.items.put(item), self.publish_timeout)
        except TimeoutError:
            raise PublishError(f"queue {q.spec.name} is full ({q.items.maxsize} messages)") from None

    async def consume(self, spec: QueueSpec, handler: Handler) -> _MemoryConsumer:
        await self.declare(spec)
        q = self._queues[spec.name]
        consumer = _MemoryConsumer(self, q, handler)
        q.consumers.append(consumer)
        return consumer

    def _max_attempts(self, q: _Queue) -> int:
        return q.spec.max_attempts or self.settings.max_attempts

    async def _handle(self, q: _Queue, handler: Handler, item: _Item) -> None:
        routing_key, body, env = item
        try:
            payload = json.loads(body)
            if not isinstance(payload, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            raw = Envelope(
                env.message_id,
                routing_key,
                {"_raw": body.decode("utf-8", "replace")},
                env.headers,
                env.attempt,
            )
            self._dead(q, raw, body, f"malformed: {exc}")
            return
        env = Envelope(env.message_id, routing_key, payload, env.headers, env.attempt)
        try:
            await handler(env)
        except PermanentError as exc:
            kind = "malformed" if isinstance(exc, MalformedMessage) else "permanent"
            self._dead(q, env, body, f"{kind}: {exc!r}")
        except asyncio.CancelledError:
            # The consumer died mid-message: like a lost connection, the message goes back, counted as a
            # delivery; a message that keeps killing its consumer is bounded like a quorum queue's limit.
            nxt = Envelope(env.message_id, routing_key, {}, env.headers, env.attempt + 1)
            if env.attempt >= self._max_attempts(q):
                self._dead(q, env, body, f"gave up after {env.attempt} deliveries without an ack")
            else:
                self._requeue_now(q, (routing_key, body, nxt))
            raise
        except Exception as exc:  # noqa: BLE001 - every other failure is treated as transient
            if env.attempt >= self._max_attempts(q):
                self._dead(q, env, body, f"gave up after {env.attempt} attempts: {exc!r}")
                return
            delay = retry_delay(self.settings.retry_delays, env.attempt)
            log.info("retrying %s on %s in %.2fs: %r", env.message_id, q.spec.name, delay, exc)
            nxt = Envelope(env.message_id, routing_key, {}, env.headers, env.attempt + 1)
            timer = asyncio.create_task(self._requeue_later(q, (routing_key, body, nxt), delay))
            self._timers.add(timer)
            timer.add_done_callback(self._timers.discard)

    def _requeue_now(self, q: _Queue, item: _Item) -> None:
        try:
            q.items.put_nowait(item)
        except asyncio.QueueFull:
            # Never drop a message the queue already accepted: wait for room in the background.
            timer = asyncio.get_running_loop().create_task(q.items.put(item))
            self._timers.add(timer)  # type: ignore[arg-type]
            timer.add_done_callback(self._timers.discard)  # type: ignore[arg-type]

    async def _requeue_later(self, q: _Queue, item: _Item, delay: float) -> None:
        await asyncio.sleep(delay)
        await q.items.put(item)

    def _dead(self, q: _Queue, env: Envelope, body: bytes, reason: str) -> None:
        log.warning("dead-lettered %s from %s: %s", env.message_id, q.spec.name, reason)
        q.dead.append((env, reason, body))

    async def queue_depth(self, name: str) -> int:
        q = self._queues.get(name)
        return q.items.qsize() if q else 0

    async def dead_letters(self, name: str, *, limit: int = 1000) -> list[Envelope]:
        q = self._queues.get(name)
        if not q:
            return []
        return [_with_reason(env, reason) for env, reason, _ in q.dead[:limit]]

    async def replay_dead_letters(self, name: str) -> int:
        q = self._queues.get(name)
        if not q:
            return 0
        dead, q.dead = q.dead, []
        for i, (env, _, body) in enumerate(dead):
            try:
                await self._put(
                    q, (env.routing_key, body, Envelope(env.message_id, env.routing_key, {}, env.headers, 1))
                )
            except PublishError:
                q.dead[:0] = dead[i:]  # keep what could not be replayed
                raise
        return len(dead)


def _with_reason(env: Envelope, reason: str) -> Envelope:
    headers: dict[str, Any] = {**env.headers, DEAD_REASON_HEADER: reason}
    return Envelope(env.message_id, env.routing_key, env.payload, headers, env.attempt)
