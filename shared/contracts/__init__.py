"""Message contracts on the bus: versioned pydantic models, one module per publishing domain.

Every contract has a ROUTING_KEY and a `v` (schema version). Consumers validate with `parse`; a payload that
does not validate is a MalformedMessage (dead-lettered, never retried).
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.bus.protocol import MalformedMessage, OutgoingMessage

C = TypeVar("C", bound="Contract")


class Contract(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    ROUTING_KEY: ClassVar[str] = ""
    v: int = 1

    def payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def payload_json(self) -> str:
        """`payload()` as JSON text, serialised by pydantic itself (for a jsonb parameter)."""
        return self.model_dump_json()

    def message(self, message_id: str | None = None, routing_key: str | None = None) -> OutgoingMessage:
        return OutgoingMessage(routing_key or self.ROUTING_KEY, self.payload(), message_id)

    @classmethod
    def parse(cls: type[C], payload: dict[str, Any]) -> C:
        """Validate a consumed payload; raises MalformedMessage (→ dead letter) when it does not fit."""
        try:
            return cls.model_validate(payload)
        except ValidationError as exc:
            raise MalformedMessage(f"{cls.__name__}: {exc.error_count()} invalid field(s): {exc.errors()[0]['msg']}") from exc
