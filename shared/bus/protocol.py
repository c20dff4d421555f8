"""The bus contract that both implementations honour (and that tests/bus/ checks against both).

Semantics:
- `publish` returns only once the message is safely stored by the broker (publisher confirm); otherwise
  it raises `PublishError`.
- Every queue is bound to the topic exchange with AMQP topic patterns (`*` one word, `#` zero or more).
- A handler that returns normally acks the message.
- `TransientError` (and any unexpected exception) → redelivered after a backoff from `BusSettings.retry_delays`
  (with jitter), `Envelope.attempt` incremented; after `max_attempts` deliveries → dead-lettered.
- `PermanentError` → dead-lettered at once, never retried.
- A body that is not a JSON object, or a handler raising `MalformedMessage` → dead-lettered at once.
- A consumer that dies without acking → the broker redelivers the message to another consumer.
- A consumer that keeps dying on the same message is bounded too: after `max_attempts` deliveries the
  message is dead-lettered (RabbitMQ: the quorum queue's delivery limit).
- Dead-lettered messages are kept in the queue's dead-letter store with the reason (header
  `x-sesame-dead-reason` of the envelopes `dead_letters` returns); `replay_dead_letters` puts them back on the
  queue as first attempts.
- A queue with `max_length` refuses publishes once full: the publish raises `PublishError`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

# Headers the buses use for their own bookkeeping (never part of `Envelope.headers` for a handler).
ATTEMPT_HEADER = "x-sesame-attempt"
ROUTING_KEY_HEADER = "x-sesame-routing-key"
DEAD_REASON_HEADER = "x-sesame-dead-reason"
_BROKER_HEADERS = frozenset(
    {ATTEMPT_HEADER, ROUTING_KEY_HEADER, DEAD_REASON_HEADER, "x-delivery-count", "x-death"}
)


def user_headers(headers: dict[str, Any]) -> dict[str, Any]:
    """The headers the publisher set, without the buses' and the broker's bookkeeping."""
    return {
        k: v
        for k, v in headers.items()
        if k not in _BROKER_HEADERS and not k.startswith(("x-first-death-", "x-last-death-"))
    }


class TransientError(Exception):
    """A failure that may pass: retry later with backoff."""


class PermanentError(Exception):
    """A failure that retrying cannot fix: dead-letter, never loop."""


class MalformedMessage(PermanentError):
    """The message itself cannot be understood."""


class PublishError(Exception):
    """The broker did not confirm a publish."""


@dataclass(frozen=True)
class OutgoingMessage:
    routing_key: str
    payload: dict[str, Any]
    message_id: str | None = None
    headers: dict[str, Any] = field(default_factory=dict)
    # The payload already serialised as a JSON object: the outbox relay passes the text it stored through
    # rather than decoding and encoding it again. When set, it is sent as is and `payload` is not read.
    body: bytes | None = None

    def encoded(self) -> bytes:
        """The message body as sent: `body`, or `payload` as compact JSON."""
        if self.body is not None:
            return self.body
        return json.dumps(self.payload, separators=(",", ":"), default=str).encode()


@dataclass(frozen=True)
class Envelope:
    """One delivery of a message to a handler."""

    message_id: str
    routing_key: str
    payload: dict[str, Any]
    headers: dict[str, Any]
    attempt: int  # 1 for the first delivery


Handler = Callable[[Envelope], Awaitable[None]]


@dataclass(frozen=True)
class QueueSpec:
    """A durable work/event queue bound to the topic exchange."""

    name: str
    bindings: Sequence[str]
    prefetch: int | None = None  # default from BusSettings
    max_attempts: int | None = None  # default from BusSettings
    max_length: int | None = None  # bound on ready messages; a publish into a full queue fails (PublishError)


class Consumer(Protocol):
    async def stop(self) -> None:
        """Stop taking new messages and wait for in-flight handlers to finish."""

    async def abort(self) -> None:
        """Die like a crashed process (fault injection in tests): in-flight handlers are cancelled, nothing is
        acked, and their messages are redelivered (the delivery counts as an attempt)."""


class Bus(Protocol):
    async def start(self) -> None:
        """Connect (retrying until BusSettings.connect_timeout) and declare the exchanges."""

    async def close(self) -> None:
        """Stop all consumers gracefully, then disconnect."""

    async def ping(self) -> None:
        """Raise if the broker is unreachable."""

    async def declare(self, spec: QueueSpec) -> None:
        """Declare a queue, its bindings, its retry and dead-letter plumbing (idempotent)."""

    async def publish(self, message: OutgoingMessage) -> None:
        """Publish one message and wait for the broker's confirm."""

    async def publish_many(self, messages: Sequence[OutgoingMessage]) -> None:
        """Publish a batch, all confirmed before returning (order kept)."""

    async def consume(self, spec: QueueSpec, handler: Handler) -> Consumer:
        """Declare `spec` and deliver its messages to `handler` with the semantics above."""

    async def queue_depth(self, name: str) -> int:
        """Messages ready in a queue (not counting dead letters)."""

    async def dead_letters(self, name: str) -> list[Envelope]:
        """Dead-lettered messages of a queue (for operators), without removing them."""

    async def replay_dead_letters(self, name: str) -> int:
        """Move a queue's dead letters back onto it; returns how many."""
