"""RabbitMQ implementation of the bus (aio-pika): robust connections, publisher confirms, quorum queues.

Topology for namespace `ns` (all durable):
- `ns.events` (topic): everything is published here; each queue is bound with its patterns.
- `ns.<name>` (quorum): the work queue; `x-delivery-limit` bounds a message whose consumer keeps dying, and
  the broker then dead-letters it through `ns.dlx`.
- `ns.<name>.retry.<ms>` (classic, one per backoff tier): a failed message's copy waits here (per-message TTL
  with jitter) and expires through `ns.requeue` (direct, key `<name>`) back onto `ns.<name>`.
- `ns.dlx` (direct, key `<name>`) → `ns.<name>.dead`: dead letters, the reason in `x-sesame-dead-reason`.

A delivery's attempt number is our `x-sesame-attempt` header (copies made for retries) plus the quorum queue's
`x-delivery-count` (returns after a consumer died), so both kinds of redelivery count. (Checked on RabbitMQ 3.10,
which counts every return; 4.3 changed quorum queues to count only deliveries judged failed, where a consumer
death may no longer raise the attempt or reach the delivery limit.)

Cost per message is kept at raw aio-pika's: publishes go straight to the confirm channel in windows whose
confirms are awaited together, and a consumer's acks are coalesced into one `multiple` ack per loop turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import aio_pika
import aiormq
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustChannel, AbstractRobustConnection
from aiormq.abc import DeliveredMessage
from pamqp.commands import Basic
from yarl import URL

from shared.bus.backoff import retry_delay
from shared.bus.protocol import (
    ATTEMPT_HEADER,
    DEAD_REASON_HEADER,
    ROUTING_KEY_HEADER,
    Envelope,
    Handler,
    MalformedMessage,
    OutgoingMessage,
    PermanentError,
    PublishError,
    QueueSpec,
    user_headers,
)
from shared.settings import BusSettings

log = logging.getLogger("sesame.bus.rabbitmq")


class _DropTransportErrors(logging.Filter):
    """aiormq logs every failed connect at ERROR; we retry and report it ourselves in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("error when creating transport")


logging.getLogger("aiormq.connection").addFilter(_DropTransportErrors())

PUBLISH_WINDOW = 1000  # messages in flight before waiting for their confirms
PUBLISH_TIMEOUT = 30.0  # seconds a window may wait for its confirms
# Seconds close() lets a consumer's in-flight handlers finish (the app's own shutdown grace comes first).
CLOSE_GRACE = 10.0
_JSON = "application/json"
_PERSISTENT = 2


def _safe_url(url: str) -> str:
    u = URL(url)
    return str(u.with_password("***")) if u.password else str(u)


def _channel_of(msg: AbstractIncomingMessage) -> aiormq.abc.AbstractChannel | None:
    try:
        return msg.channel
    except aiormq.exceptions.ChannelInvalidStateError:
        return None  # closed: nothing can be settled on it any more, the broker redelivers


class _Acks:
    """Coalesces a consumer's acks: one `multiple` ack per loop turn for the settled prefix of delivery tags.

    A multiple ack with tag M settles every outstanding delivery <= M on the channel, so M is only ever below
    the lowest delivery still being handled (or nacked/rejected individually). Deliveries reach the consumer
    callback in tag order, so a delivery not yet registered always has a higher tag than any registered one.
    Acks above a slow message go out one by one, so one slow handler never holds the prefetch window.
    """

    def __init__(self) -> None:
        self._channel: aiormq.abc.AbstractChannel | None = None
        self._unsettled: set[int] = set()
        self._ready: list[int] = []
        self._flushing: asyncio.Task[None] | None = None

    def delivered(self, msg: AbstractIncomingMessage) -> None:
        channel = _channel_of(msg)
        if channel is not self._channel:  # a new channel after a reconnect: tags start again
            self._channel, self._unsettled, self._ready = channel, set(), []
        if msg.delivery_tag is not None:
            self._unsettled.add(msg.delivery_tag)

    def ack(self, msg: AbstractIncomingMessage) -> None:
        if msg.delivery_tag is None or _channel_of(msg) is not self._channel:
            return
        self._ready.append(msg.delivery_tag)
        if self._flushing is None:
            self._flushing = asyncio.ensure_future(self._flush())

    async def settle_alone(self, msg: AbstractIncomingMessage, coro: Any) -> None:
        """A nack/reject goes out by itself; the tag leaves the unsettled set once it is sent."""
        await _settle(coro)
        if _channel_of(msg) is self._channel and msg.delivery_tag is not None:
            self._unsettled.discard(msg.delivery_tag)

    async def _flush(self) -> None:
        try:
            await asyncio.sleep(0)  # let this loop turn's other handlers finish and join the batch
            while self._ready:
                channel, ready = self._channel, self._ready
                self._ready = []
                if channel is None or channel.is_closed:
                    return
                self._unsettled.difference_update(ready)
                floor = min(self._unsettled) if self._unsettled else None
                prefix = [t for t in ready if floor is None or t < floor]
                rest = [t for t in ready if floor is not None and t > floor]
                try:
                    if prefix:
                        await channel.basic_ack(max(prefix), multiple=True)
                    for tag in rest:
                        await channel.basic_ack(tag)
                except Exception as exc:  # noqa: BLE001 - channel lost: the broker redelivers
                    log.debug("could not send acks (channel gone, they will be redelivered): %r", exc)
                    return
        finally:
            self._flushing = None

    async def wait(self) -> None:
        """Until every ack handed over so far has been written."""
        while self._flushing is not None:
            await asyncio.shield(self._flushing)


class _RabbitConsumer:
    """One consumer: its own channel (prefetch), handler tasks tracked so `stop` can wait for them."""

    def __init__(self, bus: RabbitBus, spec: QueueSpec, handler: Handler) -> None:
        self._bus = bus
        self.spec = spec
        self._handler = handler
        self._max_attempts = spec.max_attempts or bus.settings.max_attempts
        self._inflight: set[asyncio.Task[None]] = set()
        self._stopping = False
        self._channel: AbstractRobustChannel | None = None
        self._queue: Any = None
        self._tag: str | None = None
        self.acks = _Acks()

    async def start(self, connection: AbstractRobustConnection) -> None:
        self._channel = await connection.channel(publisher_confirms=False)
        await self._channel.set_qos(prefetch_count=self.spec.prefetch or self._bus.settings.prefetch)
        self._queue = await self._channel.declare_queue(
            self._bus.queue_name(self.spec.name), durable=True, arguments=self._bus.queue_arguments(self.spec)
        )
        self._tag = await self._queue.consume(self._on_message, no_ack=False)

    async def _on_message(self, msg: AbstractIncomingMessage) -> None:
        self.acks.delivered(msg)
        if self._stopping:
            return  # left unacked: the broker returns it when the channel closes
        # The handler runs in our own task: a connection loss cancels aio-pika's delivery tasks, and a handler
        # that already called out (SES, the database) should finish and record what it did.
        task = asyncio.create_task(self._bus._handle(self, msg))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)

    async def stop(self) -> None:
        """Stop taking messages, let in-flight handlers finish, then close the channel."""
        self._stopping = True
        if self._queue is not None and self._tag is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._queue.cancel(self._tag), 5)
        if self._inflight:
            await asyncio.gather(*list(self._inflight), return_exceptions=True)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.acks.wait(), 5)
        await self._close_channel()
        self._bus._consumers.discard(self)

    async def abort(self) -> None:
        """Die like a crashed process: the channel goes away unacked, in-flight handlers are cancelled."""
        self._stopping = True
        await self._close_channel()
        for task in list(self._inflight):
            task.cancel()
        if self._inflight:
            await asyncio.gather(*list(self._inflight), return_exceptions=True)
        self._bus._consumers.discard(self)

    async def _close_channel(self) -> None:
        if self._channel is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._channel.close(), 5)


class RabbitBus:
    """The `Bus` protocol on RabbitMQ (see the module docstring for the topology)."""

    def __init__(self, settings: BusSettings, *, namespace: str | None = None) -> None:
        self.settings = settings
        self.namespace = namespace or settings.exchange
        self.events_exchange = f"{self.namespace}.events"
        self.dlx_exchange = f"{self.namespace}.dlx"
        self.requeue_exchange = f"{self.namespace}.requeue"
        self._pub_conn: AbstractRobustConnection | None = None
        self._sub_conn: AbstractRobustConnection | None = None
        self._pub_channel: AbstractRobustChannel | None = None
        self._consumers: set[_RabbitConsumer] = set()
        self._declared: dict[str, QueueSpec] = {}
        self._declare_lock = asyncio.Lock()
        self._closed = False

    # -- names and arguments -------------------------------------------------------------------------------

    def queue_name(self, name: str) -> str:
        return f"{self.namespace}.{name}"

    def dead_queue_name(self, name: str) -> str:
        return f"{self.namespace}.{name}.dead"

    def retry_queue_name(self, name: str, delay: float) -> str:
        return f"{self.namespace}.{name}.retry.{int(round(delay * 1000))}"

    def queue_arguments(self, spec: QueueSpec) -> dict[str, Any]:
        """The main queue's arguments (must be identical wherever it is declared)."""
        max_attempts = spec.max_attempts or self.settings.max_attempts
        args: dict[str, Any] = {
            "x-queue-type": "quorum",
            "x-dead-letter-exchange": self.dlx_exchange,
            "x-dead-letter-routing-key": spec.name,
            # The broker dead-letters after `limit + 1` deliveries that ended without an ack.
            "x-delivery-limit": max(0, max_attempts - 1),
        }
        if spec.max_length:
            args["x-max-length"] = spec.max_length
            args["x-overflow"] = "reject-publish"
        return args

    # -- lifecycle ----------------------------------------------------------------------------------------

    async def _connect(self, role: str) -> AbstractRobustConnection:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.settings.connect_timeout
        delay = 0.2
        while True:
            remaining = deadline - loop.time()
            try:
                return await aio_pika.connect_robust(
                    self.settings.url,
                    timeout=max(1.0, min(10.0, remaining)),
                    reconnect_interval=1,
                    client_properties={"connection_name": f"sesame {self.namespace} {role}"},
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - retried, then one clear error
                left = deadline - loop.time()
                if left <= 0:  # tried for the whole connect timeout (the last wait is cut to fit it)
                    reason = str(exc) or type(exc).__name__
                    raise ConnectionError(
                        f"RabbitMQ unreachable at {_safe_url(self.settings.url)} "
                        f"after {self.settings.connect_timeout:g}s: {reason}"
                    ) from None
                log.debug("RabbitMQ not reachable yet (%s), retrying", exc)
                await asyncio.sleep(min(delay, left))
                delay = min(delay * 2, 2.0)

    async def start(self) -> None:
        """Connect (publisher and consumer connections) and declare the exchanges."""
        if self._pub_conn is not None:
            return
        self._closed = False
        self._pub_conn = await self._connect("publisher")
        try:
            self._sub_conn = await self._connect("consumer")
            self._pub_channel = await self._pub_conn.channel(publisher_confirms=True, on_return_raises=True)
            await self._pub_channel.declare_exchange(
                self.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True
            )
            await self._pub_channel.declare_exchange(
                self.dlx_exchange, aio_pika.ExchangeType.DIRECT, durable=True
            )
            await self._pub_channel.declare_exchange(
                self.requeue_exchange, aio_pika.ExchangeType.DIRECT, durable=True
            )
        except BaseException:
            await self._close_connections()
            raise

    async def close(self) -> None:
        """Stop every consumer (in-flight handlers finish), then disconnect — all consumers together under one
        deadline, so a sluggish broker cannot stretch a process's stop to consumers × timeouts."""
        self._closed = True
        consumers = list(self._consumers)
        if consumers:
            _, busy = await asyncio.wait(
                [asyncio.ensure_future(c.stop()) for c in consumers], timeout=CLOSE_GRACE
            )
            if busy:
                for task in busy:
                    task.cancel()
                stuck = [c for c in consumers if c in self._consumers]
                for consumer in stuck:
                    log.warning(
                        "consumer of %s still busy after %gs; aborting it", consumer.spec.name, CLOSE_GRACE
                    )
                # together, like the stops: one by one, a slow broker made each abort's channel close wait in
                # turn (5 s each) and a sender with six consumers overran its stop budget
                await asyncio.gather(*(c.abort() for c in stuck), return_exceptions=True)
        await self._close_connections()

    async def _close_connections(self) -> None:
        conns = [c for c in (self._sub_conn, self._pub_conn) if c is not None]
        if conns:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    asyncio.gather(*(c.close() for c in conns), return_exceptions=True), 10
                )
        self._pub_conn = self._sub_conn = None
        self._pub_channel = None
        self._declared.clear()

    async def ping(self) -> None:
        for conn in (self._pub_conn, self._sub_conn):
            if self._closed or conn is None or conn.is_closed or not conn.connected.is_set():
                raise ConnectionError("RabbitMQ connection is down")

    # -- topology -----------------------------------------------------------------------------------------

    async def declare(self, spec: QueueSpec) -> None:
        """Main quorum queue + bindings, dead-letter queue, retry tiers (idempotent; once per process)."""
        known = self._declared.get(spec.name)
        if known == spec:
            return
        async with self._declare_lock:
            channel = self._require_channel()
            events = await channel.get_exchange(self.events_exchange, ensure=False)
            dlx = await channel.get_exchange(self.dlx_exchange, ensure=False)
            requeue = await channel.get_exchange(self.requeue_exchange, ensure=False)
            dead = await channel.declare_queue(self.dead_queue_name(spec.name), durable=True)
            await dead.bind(dlx, spec.name)
            main = await channel.declare_queue(
                self.queue_name(spec.name), durable=True, arguments=self.queue_arguments(spec)
            )
            for pattern in spec.bindings:
                await main.bind(events, pattern)
            await main.bind(requeue, spec.name)
            for delay in sorted(set(self.settings.retry_delays)):
                if delay <= 0:
                    continue
                ttl_ms = int(round(delay * 1000))
                await channel.declare_queue(
                    self.retry_queue_name(spec.name, delay),
                    durable=True,
                    arguments={
                        "x-queue-type": "classic",
                        # Upper bound; each copy carries its own jittered expiration below it.
                        "x-message-ttl": int(ttl_ms * 1.25) + 1,
                        "x-dead-letter-exchange": self.requeue_exchange,
                        "x-dead-letter-routing-key": spec.name,
                    },
                )
            self._declared[spec.name] = spec

    def _require_channel(self) -> AbstractRobustChannel:
        if self._closed or self._pub_channel is None:
            raise PublishError("the RabbitMQ bus is not started (or already closed)")
        return self._pub_channel

    @contextlib.asynccontextmanager
    async def _raw_channel(self, *, confirms: bool = False) -> AsyncIterator[aiormq.abc.AbstractChannel]:
        """A plain (non-robust) channel for one operator action; a 404 on it harms nothing else."""
        if self._pub_conn is None or self._closed:
            raise ConnectionError("the RabbitMQ bus is not started")
        await asyncio.wait_for(self._pub_conn.ready(), PUBLISH_TIMEOUT)
        transport = self._pub_conn.transport
        if transport is None:
            raise ConnectionError("RabbitMQ connection is down")
        channel = await transport.connection.channel(publisher_confirms=confirms, timeout=10)
        try:
            yield channel
        finally:
            with contextlib.suppress(Exception):
                await channel.close()

    # -- publishing ---------------------------------------------------------------------------------------

    async def _underlay(self) -> aiormq.abc.AbstractChannel:
        channel = self._require_channel()
        try:
            async with asyncio.timeout(PUBLISH_TIMEOUT):
                await channel.ready()
                return await channel.get_underlay_channel()
        except TimeoutError:
            raise PublishError(f"RabbitMQ not reachable within {PUBLISH_TIMEOUT:g}s") from None
        except aiormq.exceptions.AMQPError as exc:
            raise PublishError(f"RabbitMQ channel unavailable: {exc!r}") from exc

    async def publish(self, message: OutgoingMessage) -> None:
        """Publish one message and wait for the broker's confirm."""
        await self.publish_many([message])

    async def publish_many(self, messages: Sequence[OutgoingMessage]) -> None:
        """Publish in windows of PUBLISH_WINDOW; each window's confirms are awaited together (order kept)."""
        if not messages:
            return
        for start in range(0, len(messages), PUBLISH_WINDOW):
            window = messages[start : start + PUBLISH_WINDOW]
            await self._publish_window(
                [
                    (
                        self.events_exchange,
                        m.routing_key,
                        m.encoded(),
                        Basic.Properties(
                            content_type=_JSON,
                            delivery_mode=_PERSISTENT,
                            message_id=m.message_id or uuid.uuid4().hex,
                            headers=dict(m.headers) if m.headers else None,
                        ),
                        False,
                    )
                    for m in window
                ]
            )

    async def publish_raw(self, routing_key: str, body: bytes) -> None:
        """Test hook: publish bytes that may not be JSON (poison messages)."""
        props = Basic.Properties(delivery_mode=_PERSISTENT, message_id=uuid.uuid4().hex)
        await self._publish_window([(self.events_exchange, routing_key, body, props, False)])

    async def _publish_window(self, items: list[tuple[str, str, bytes, Basic.Properties, bool]]) -> None:
        channel = await self._underlay()
        tasks = [
            asyncio.ensure_future(
                channel.basic_publish(
                    body, exchange=exchange, routing_key=rk, properties=props, mandatory=mandatory, wait=False
                )  # type: ignore[call-arg]  # aiormq's Channel has `wait`; its abstract base does not
            )
            for exchange, rk, body, props, mandatory in items
        ]
        try:
            async with asyncio.timeout(PUBLISH_TIMEOUT):
                results = await asyncio.gather(*tasks, return_exceptions=True)
        except TimeoutError:
            for t in tasks:
                t.cancel()
            raise PublishError(f"no publisher confirm within {PUBLISH_TIMEOUT:g}s") from None
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            raise PublishError(
                f"{len(failed)} of {len(items)} messages not confirmed: {failed[0]!r}"
            ) from failed[0]

    # -- consuming ----------------------------------------------------------------------------------------

    async def consume(self, spec: QueueSpec, handler: Handler) -> _RabbitConsumer:
        """Declare `spec` and deliver its messages to `handler` (see protocol.py for the semantics)."""
        await self.declare(spec)
        if self._sub_conn is None:
            raise ConnectionError("the RabbitMQ bus is not started")
        consumer = _RabbitConsumer(self, spec, handler)
        await consumer.start(self._sub_conn)
        self._consumers.add(consumer)
        return consumer

    async def _handle(self, consumer: _RabbitConsumer, msg: AbstractIncomingMessage) -> None:
        raw_headers = dict(msg.headers or {})
        headers = user_headers(raw_headers)
        attempt = _as_int(raw_headers.get(ATTEMPT_HEADER), 1) + _as_int(
            raw_headers.get("x-delivery-count"), 0
        )
        routing_key = str(raw_headers.get(ROUTING_KEY_HEADER) or msg.routing_key or "")
        message_id = msg.message_id or uuid.uuid4().hex
        try:
            payload = json.loads(msg.body)
            if not isinstance(payload, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            await self._dead_letter(consumer, msg, routing_key, headers, attempt, f"malformed: {exc}")
            return
        env = Envelope(message_id, routing_key, payload, headers, attempt)
        try:
            await consumer._handler(env)
        except asyncio.CancelledError:
            raise  # the consumer died: no ack, the broker redelivers
        except PermanentError as exc:
            kind = "malformed" if isinstance(exc, MalformedMessage) else "permanent"
            await self._dead_letter(consumer, msg, routing_key, headers, attempt, f"{kind}: {exc!r}")
        except Exception as exc:  # noqa: BLE001 - everything else is transient
            if attempt >= consumer._max_attempts:
                reason = f"gave up after {attempt} attempts: {exc!r}"
                await self._dead_letter(consumer, msg, routing_key, headers, attempt, reason)
            else:
                await self._retry_later(consumer, msg, routing_key, headers, attempt, exc)
        else:
            consumer.acks.ack(msg)

    async def _retry_later(
        self,
        consumer: _RabbitConsumer,
        msg: AbstractIncomingMessage,
        routing_key: str,
        headers: dict[str, Any],
        attempt: int,
        exc: BaseException,
    ) -> None:
        name = consumer.spec.name
        delays = self.settings.retry_delays
        delay = retry_delay(delays, attempt)
        base = delays[min(attempt - 1, len(delays) - 1)] if delays else 0.0
        props = Basic.Properties(
            content_type=msg.content_type,
            delivery_mode=_PERSISTENT,
            message_id=msg.message_id,
            headers={**headers, ROUTING_KEY_HEADER: routing_key, ATTEMPT_HEADER: attempt + 1},
        )
        if base > 0:
            props.expiration = str(max(1, int(delay * 1000)))
            target = ("", self.retry_queue_name(name, base))
        else:
            target = (self.requeue_exchange, name)
        log.info("retrying %s on %s in %.2fs (attempt %d): %r", msg.message_id, name, delay, attempt, exc)
        try:
            await self._publish_window([(target[0], target[1], msg.body, props, True)])
        except Exception as pub_exc:  # noqa: BLE001 - could not park the copy: let the broker redeliver
            log.warning("could not schedule retry of %s: %r; requeueing", msg.message_id, pub_exc)
            await consumer.acks.settle_alone(msg, msg.nack(requeue=True))
            return
        consumer.acks.ack(msg)

    async def _dead_letter(
        self,
        consumer: _RabbitConsumer,
        msg: AbstractIncomingMessage,
        routing_key: str,
        headers: dict[str, Any],
        attempt: int,
        reason: str,
    ) -> None:
        name = consumer.spec.name
        log.warning("dead-lettered %s from %s: %s", msg.message_id, name, reason)
        props = Basic.Properties(
            content_type=msg.content_type,
            delivery_mode=_PERSISTENT,
            message_id=msg.message_id,
            headers={
                **headers,
                ROUTING_KEY_HEADER: routing_key,
                ATTEMPT_HEADER: attempt,
                DEAD_REASON_HEADER: reason[:1000],
            },
        )
        try:
            await self._publish_window([(self.dlx_exchange, name, msg.body, props, True)])
        except Exception as pub_exc:  # noqa: BLE001 - the broker's own dead-lettering keeps the message
            log.warning("could not store dead letter %s: %r; rejecting to the DLX", msg.message_id, pub_exc)
            await consumer.acks.settle_alone(msg, msg.reject(requeue=False))
            return
        consumer.acks.ack(msg)

    # -- operators ----------------------------------------------------------------------------------------

    async def queue_depth(self, name: str) -> int:
        """Messages ready in `ns.<name>` (0 if it does not exist)."""
        async with self._raw_channel() as channel:
            try:
                ok = await channel.queue_declare(self.queue_name(name), passive=True)
            except aiormq.exceptions.ChannelNotFoundEntity:
                return 0
            return int(ok.message_count or 0)

    async def dead_letters(self, name: str, *, limit: int = 1000) -> list[Envelope]:
        """Peek at up to `limit` dead letters: fetched unacked, then returned by closing the channel."""
        out: list[Envelope] = []
        async with self._raw_channel() as channel:
            for _ in range(limit):
                try:
                    got = await channel.basic_get(self.dead_queue_name(name), no_ack=False)
                except aiormq.exceptions.ChannelNotFoundEntity:
                    break
                if not isinstance(got.delivery, Basic.GetOk):
                    break
                out.append(_dead_envelope(got))
        return out

    async def replay_dead_letters(self, name: str) -> int:
        """Move the dead letters present now back onto `ns.<name>` as first attempts; returns how many."""
        moved = 0
        async with self._raw_channel(confirms=True) as channel:
            try:
                ok = await channel.queue_declare(self.dead_queue_name(name), passive=True)
            except aiormq.exceptions.ChannelNotFoundEntity:
                return 0
            for _ in range(int(ok.message_count or 0)):
                got = await channel.basic_get(self.dead_queue_name(name), no_ack=False)
                if not isinstance(got.delivery, Basic.GetOk):
                    break
                props = got.header.properties
                raw = dict(props.headers or {})
                headers = user_headers(raw)
                headers[ROUTING_KEY_HEADER] = _text(raw.get(ROUTING_KEY_HEADER) or got.routing_key)
                headers[ATTEMPT_HEADER] = 1
                new_props = Basic.Properties(
                    content_type=props.content_type,
                    delivery_mode=_PERSISTENT,
                    message_id=props.message_id,
                    headers=headers,
                )
                try:
                    await channel.basic_publish(
                        got.body,
                        exchange=self.requeue_exchange,
                        routing_key=name,
                        properties=new_props,
                        mandatory=True,
                    )
                except aiormq.exceptions.AMQPError as exc:
                    raise PublishError(f"replay of {props.message_id} not confirmed: {exc!r}") from exc
                await channel.basic_ack(got.delivery_tag or 0)
                moved += 1
        return moved


def _dead_envelope(got: DeliveredMessage) -> Envelope:
    props = got.header.properties
    raw = dict(props.headers or {})
    headers = user_headers(raw)
    reason = raw.get(DEAD_REASON_HEADER) or "broker: " + _text(raw.get("x-first-death-reason", "unknown"))
    headers[DEAD_REASON_HEADER] = _text(reason)
    try:
        payload = json.loads(got.body)
        if not isinstance(payload, dict):
            raise ValueError
    except ValueError:
        payload = {"_raw": got.body.decode("utf-8", "replace")}
    attempt = _as_int(raw.get(ATTEMPT_HEADER), 1)
    if "x-first-death-reason" in raw:  # dead-lettered by the broker (delivery limit): count its deliveries
        attempt += _as_int(raw.get("x-delivery-count"), 0)
    routing_key = _text(raw.get(ROUTING_KEY_HEADER) or got.routing_key)
    return Envelope(props.message_id or "", routing_key, payload, headers, attempt)


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def _as_int(value: Any, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except (TypeError, ValueError):
        return default


async def _settle(coro: Any) -> None:
    """Ack/nack/reject; after a lost channel it cannot be sent, and the broker redelivers instead."""
    try:
        await coro
    except Exception as exc:  # noqa: BLE001
        log.debug("could not settle a delivery (channel gone, it will be redelivered): %r", exc)
