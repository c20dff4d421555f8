"""Transactional API: send one message now (template or raw content), idempotent by `Idempotency-Key`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator

from services.sender.api.common import CoreDep, message_json
from services.sender.api.schemas import MessageOut, MessagePage, legacy_page
from services.sender.consumers import insert_transactional
from services.sender.mime import HeaderRefused, check_header_name, encode_address
from services.sender.templating import validate_parts
from shared.db.types import utcnow
from shared.email_address import normalize_email
from shared.errors import BadRequest, NotFound, Unprocessable
from shared.internal_auth import ProjectId
from shared.models.sender import Message, Template
from shared.pagination import PAGE_LIMIT_DEFAULT, CursorQuery, LimitQuery, next_page, start_id
from shared.service_app import DbSession
from shared.suppression import address_hash

router = APIRouter(prefix="/v1/messages", tags=["messages"])


class SendRequest(BaseModel):
    to: str = Field(max_length=320)
    template_id: int | None = None
    variables: dict[str, Any] = Field(default_factory=dict)
    subject: str | None = Field(None, max_length=2000)
    html: str | None = Field(None, max_length=2_000_000)
    text: str | None = Field(None, max_length=2_000_000)
    from_address: str | None = Field(None, alias="from", max_length=400)
    headers: dict[str, str] = Field(default_factory=dict, max_length=15)
    contact_id: int | None = None
    # Transactional mail is never tracked unless asked (SES open pixel / link rewriting, services/sender/tracking.py)
    track_opens: bool = False
    track_clicks: bool = False

    model_config = {"populate_by_name": True}

    @field_validator("headers")
    @classmethod
    def _headers(cls, v: dict[str, str]) -> dict[str, str]:
        reserved = {
            "from",
            "to",
            "subject",
            "date",
            "mime-version",
            "content-type",
            "content-transfer-encoding",
            "list-unsubscribe",
            "list-unsubscribe-post",
            "feedback-id",
            "x-sesame-message-id",
        }
        for name, value in v.items():
            try:
                check_header_name(name)
            except HeaderRefused as exc:
                raise ValueError(str(exc)) from None
            if name.lower() in reserved:
                raise ValueError(f"header {name} is set by Sesame")
            if len(value) > 995 or any(c in value for c in "\r\n\x00"):
                raise ValueError(f"header {name}: value too long or has line breaks")
        return v


@router.post(
    "",
    status_code=202,
    response_model=MessageOut,
    responses={
        200: {"model": MessageOut, "description": "the same Idempotency-Key again: the message it made"}
    },
)
async def send_message(
    body: SendRequest,
    session: DbSession,
    project_id: ProjectId,
    core: CoreDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> JSONResponse:
    to = normalize_email(body.to)
    if body.template_id is not None:
        if body.subject or body.html or body.text:
            raise BadRequest("give either template_id or subject/html/text, not both")
        tpl = (
            await session.execute(
                sa.select(Template.id).where(
                    Template.id == body.template_id,
                    Template.project_id == project_id,
                    Template.deleted_at.is_(None),
                )
            )
        ).scalar()
        if tpl is None:
            raise NotFound("template not found")
    else:
        if not body.subject or not (body.html or body.text):
            raise Unprocessable("subject and html or text are required without a template")
        validate_parts(body.subject, body.html, body.text)  # raw content is sent as is; this bounds its size
    if body.from_address:
        try:
            encode_address(body.from_address)
        except HeaderRefused as exc:
            raise Unprocessable(str(exc)) from None
    if idempotency_key is not None and not idempotency_key.strip():
        raise BadRequest("Idempotency-Key is empty")
    now = utcnow()
    mid, created = await insert_transactional(
        session,
        {
            "project_id": project_id,
            "kind": "transactional",
            "state": "queued",
            "contact_id": body.contact_id,
            "template_id": body.template_id,
            "to_address": to,
            "email_hash": address_hash(to),
            "subject": body.subject,
            "html": body.html,
            "text": body.text,
            "from_address": body.from_address,
            "data": {
                "variables": body.variables,
                "headers": body.headers,
                **({"track_opens": True} if body.track_opens else {}),
                **({"track_clicks": True} if body.track_clicks else {}),
            },
            "idempotency_key": f"api:{idempotency_key}" if idempotency_key else None,
            "attempts": 0,
            "send_after": now,
            "created_at": now,
            "updated_at": now,
        },
    )
    row = (await session.execute(sa.select(Message).where(Message.id == mid))).scalar_one()
    if created:
        core.dispatcher.notify()
    return JSONResponse(message_json(row), status_code=202 if created else 200)


@router.get("/{message_id}", response_model=MessageOut)
async def get_message(message_id: int, session: DbSession, project_id: ProjectId) -> dict[str, Any]:
    row = (
        await session.execute(
            sa.select(Message).where(Message.id == message_id, Message.project_id == project_id)
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("message not found")
    return message_json(row)


@router.get("", response_model=MessagePage)
async def list_messages(
    session: DbSession,
    project_id: ProjectId,
    response: Response,
    state: str | None = None,
    campaign_id: int | None = None,
    to: Annotated[
        str | None, Query(max_length=320, description="recipient address, any spelling (matched by hash)")
    ] = None,
    contact_id: Annotated[int | None, Query(description="messages linked to this contact")] = None,
    feedback: Annotated[
        Literal["delivered", "bounced", "complained", "rejected"] | None,
        Query(description="the strongest feedback SES reported for the message"),
    ] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = PAGE_LIMIT_DEFAULT,
    before_id: Annotated[int | None, Query(deprecated=True, description="old paging: use cursor")] = None,
) -> dict[str, Any]:
    """Newest first; filters combine. `to` finds every message to that address (campaign and transactional);
    `contact_id` only those linked to the contact (campaign mail, and transactional mail sent with it)."""
    q = sa.select(Message).where(Message.project_id == project_id)
    if state:
        q = q.where(Message.state == state)
    if campaign_id is not None:
        q = q.where(Message.campaign_id == campaign_id)
    if to is not None:
        # Stored as address_hash(to_address) on every path (API, mail.requested, fan-out from contacts).
        q = q.where(Message.email_hash == address_hash(to))
    if contact_id is not None:
        q = q.where(Message.contact_id == contact_id)
    if feedback is not None:
        q = q.where(Message.feedback == feedback)
    start = start_id(response, cursor, before_id)
    if start is not None:
        q = q.where(Message.id < start)
    rows = (await session.execute(q.order_by(Message.id.desc()).limit(limit + 1))).scalars().all()
    next_id, next_cursor = next_page([r.id for r in rows], limit)
    return legacy_page([message_json(r) for r in rows[:limit]], next_id, next_cursor, "messages")
