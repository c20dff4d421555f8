"""Pieces the sender's routers share."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from services.sender.core import SenderCore, get_core
from services.sender.mime import HeaderRefused, encode_address, has_line_break
from shared.models.sender import Message


async def _core(request: Request) -> SenderCore:
    return get_core(request.app.state.runtime)


CoreDep = Annotated[SenderCore, Depends(_core)]


def iso(dt: Any) -> str | None:
    return dt.isoformat() if dt is not None else None


def message_json(m: Message | Any) -> dict[str, Any]:
    return {
        "id": m.id,
        "kind": m.kind,
        "state": m.state,
        "to": m.to_address,
        "campaign_id": m.campaign_id,
        "contact_id": m.contact_id,
        "template_id": m.template_id,
        "attempts": m.attempts,
        "last_error": m.last_error,
        "ses_message_id": m.ses_message_id,
        "feedback": m.feedback,
        "send_after": iso(m.send_after),
        "sent_at": iso(m.sent_at),
        "created_at": iso(m.created_at),
    }


def checked_address(v: str | None) -> str | None:
    """A request model's address field, refused as a ValueError (a 422 naming the field, so a form can show it
    next to the input) when it cannot be a mail header."""
    if v:
        if has_line_break(v):  # 'x\r\nBcc: a@b.c' would be sent as 'a@b.c': refused, not reinterpreted
            raise ValueError("an address cannot hold a line break or NUL")
        try:
            encode_address(v)
        except HeaderRefused as exc:
            raise ValueError(str(exc)) from None
    return v
