"""The message bus: one small protocol, an in-process and a RabbitMQ implementation, and the outbox relay."""

from shared.bus.protocol import (
    Bus,
    Envelope,
    Handler,
    MalformedMessage,
    OutgoingMessage,
    PermanentError,
    PublishError,
    QueueSpec,
    TransientError,
)

__all__ = [
    "Bus",
    "Envelope",
    "Handler",
    "MalformedMessage",
    "OutgoingMessage",
    "PermanentError",
    "PublishError",
    "QueueSpec",
    "TransientError",
    "create_bus",
]


def create_bus(settings, *, namespace: str | None = None) -> Bus:  # type: ignore[no-untyped-def]
    """The bus the settings ask for (memory:// or amqp://); `namespace` prefixes every exchange and queue."""
    if settings.is_memory:
        from shared.bus.memory import MemoryBus

        return MemoryBus(settings, namespace=namespace)
    from shared.bus.rabbitmq import RabbitBus

    return RabbitBus(settings, namespace=namespace)
