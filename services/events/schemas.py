"""What the events service's /v1 routes answer, as pydantic models (typed OpenAPI document and client)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.pagination import Page


class EventOut(BaseModel):
    id: int
    type: str = Field(
        description="send | reject | bounce | complaint | delivery | delivery_delay | open | click | …"
    )
    email: str | None = Field(description="null once the contact was erased", examples=["ada@example.com"])
    ses_message_id: str | None
    message_id: int | None
    bounce_type: str | None = Field(examples=["Permanent"])
    bounce_subtype: str | None
    feedback_type: str | None
    suppressed: bool | None
    soft_bounce: bool | None
    counted: bool | None
    diagnostic: str | None
    detail: dict | list | str | None = Field(description="the notification's own details, as SES sent them")
    occurred_at: str
    received_at: str


class EventPage(Page[EventOut]):
    events: list[EventOut] | None = Field(None, deprecated=True, description="old name of `data`")
    next_before: int | None = Field(None, deprecated=True, description="old paging: use `next_cursor`")
