"""/v1/webhooks: a project's endpoints (secret shown on create and rotation), their delivery log, replay, test."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.events.webhooks import catalog
from services.events.webhooks.delivery import enqueue_event
from services.events.webhooks.safe_http import check_url, parse_networks
from services.events.webhooks.signing import new_secret
from shared.crypto import EncryptionKeyError, encrypt
from shared.db.types import utcnow
from shared.db.upsert import dialect_name
from shared.errors import BadRequest, Conflict, NotFound, TooManyRequests, Unavailable
from shared.internal_auth import ProjectId
from shared.models.core import Project
from shared.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from shared.pagination import PAGE_LIMIT_DEFAULT, CursorQuery, LimitQuery, decode_cursor, next_page
from shared.runtime import Runtime
from shared.service_app import DbSession, RuntimeDep

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _settings(request: Request) -> Any:
    return request.app.state.events.settings


def _wake(request: Request) -> None:
    d = request.app.state.events.webhooks
    if d is not None:
        d.wake()


def _filters(v: list[str]) -> list[str]:
    bad = [f for f in v if not catalog.valid_filter(f)]
    if bad:
        raise ValueError(f"unknown event types: {bad[:5]} (see GET /v1/webhooks/event-types)")
    return sorted(set(v))


class EndpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(max_length=2000, examples=["https://example.com/hooks/sesame"])
    event_types: list[str] = Field(default_factory=list, max_length=50, description="Empty: every type.")
    description: str = Field("", max_length=500)
    enabled: bool = True
    _types = field_validator("event_types")(classmethod(lambda cls, v: _filters(v)))


class EndpointPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = Field(None, max_length=2000)
    event_types: list[str] | None = Field(None, max_length=50)
    description: str | None = Field(None, max_length=500)
    enabled: bool | None = None

    @field_validator("event_types")
    @classmethod
    def _types(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else _filters(v)


class EndpointOut(BaseModel):
    id: int
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


class EndpointWithSecret(EndpointOut):
    secret: str = Field(description="whsec_…: shown only now; verify signatures with it (Standard Webhooks).")


class EndpointPage(BaseModel):
    data: list[EndpointOut]
    next_cursor: str | None


class EventTypes(BaseModel):
    data: list[str]
    next_cursor: str | None = None


class AttemptOut(BaseModel):
    attempt: int
    ok: bool
    status_code: int | None
    latency_ms: int
    error: str | None
    response_excerpt: str | None
    at: datetime


class DeliveryOut(BaseModel):
    id: int
    endpoint_id: int
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_latency_ms: int | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime


class DeliveryDetail(DeliveryOut):
    body: str
    attempt_log: list[AttemptOut]


class DeliveryPage(BaseModel):
    data: list[DeliveryOut]
    next_cursor: str | None


def _endpoint_out(e: WebhookEndpoint, *, secret: str | None = None) -> dict[str, Any]:
    out = {c: getattr(e, c) for c in EndpointOut.model_fields}
    out["event_types"] = list(e.event_types or [])
    if secret is not None:
        out["secret"] = secret
    return out


def _new_secret(rt: Runtime) -> tuple[str, str]:
    """A fresh signing secret and its encrypted form (only the latter is stored)."""
    secret = new_secret()
    try:
        return secret, encrypt(rt.settings.security.encryption_key, secret)
    except EncryptionKeyError as exc:
        raise Unavailable(str(exc), error="encryption_key_invalid") from None


def _delivery_out(d: WebhookDelivery) -> dict[str, Any]:
    out = {c: getattr(d, c) for c in DeliveryOut.model_fields}
    if d.status in ("succeeded", "failed"):
        out["next_attempt_at"] = None
    return out


def _check_url(request: Request, url: str) -> str:
    why = check_url(url, parse_networks(_settings(request).webhook_allow_networks))
    if why:
        raise BadRequest(f"url refused: {why}", error="url_refused")
    return url


async def _endpoint(session: Any, project_id: int, endpoint_id: int) -> WebhookEndpoint:
    row = await session.get(WebhookEndpoint, endpoint_id)
    if row is None or row.project_id != project_id:
        raise NotFound("no such webhook endpoint")
    return row


@router.get("/event-types", response_model=EventTypes)
async def event_types(project_id: ProjectId) -> dict[str, Any]:
    """Every event type an endpoint can subscribe to (a filter may also be `prefix.*`)."""
    return {"data": list(catalog.EVENT_TYPES), "next_cursor": None}


@router.get("", response_model=EndpointPage)
async def list_endpoints(
    project_id: ProjectId,
    session: DbSession,
    cursor: CursorQuery = None,
    limit: LimitQuery = PAGE_LIMIT_DEFAULT,
) -> dict[str, Any]:
    after = decode_cursor(cursor)
    q = sa.select(WebhookEndpoint).where(WebhookEndpoint.project_id == project_id)
    if after is not None:
        q = q.where(WebhookEndpoint.id > after)
    rows = (await session.scalars(q.order_by(WebhookEndpoint.id).limit(limit + 1))).all()
    _, next_cursor = next_page([r.id for r in rows], limit)
    return {"data": [_endpoint_out(r) for r in rows[:limit]], "next_cursor": next_cursor}


@router.post("", response_model=EndpointWithSecret, status_code=201)
async def create_endpoint(
    body: EndpointIn, project_id: ProjectId, session: DbSession, request: Request, rt: RuntimeDep
) -> dict[str, Any]:
    """A new endpoint; the answer carries its signing secret, shown this once."""
    _check_url(request, body.url)
    # Creates of one project one at a time (its row locked on Postgres), so racing ones cannot pass the limit together.
    lock = sa.select(Project.id).where(Project.id == project_id)
    if dialect_name(session) == "postgresql":
        lock = lock.with_for_update()
    await session.execute(lock)
    count = await session.scalar(
        sa.select(sa.func.count())
        .select_from(WebhookEndpoint)
        .where(WebhookEndpoint.project_id == project_id)
    )
    if int(count or 0) >= _settings(request).webhook_max_endpoints:
        raise Conflict("too many webhook endpoints for this project", error="webhook_limit")
    secret, secret_enc = _new_secret(rt)
    now = utcnow()
    row = WebhookEndpoint(
        project_id=project_id,
        url=body.url,
        description=body.description,
        event_types=body.event_types,
        enabled=body.enabled,
        secret_enc=secret_enc,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return _endpoint_out(row, secret=secret)


@router.get("/{endpoint_id}", response_model=EndpointOut)
async def get_endpoint(endpoint_id: RowId, project_id: ProjectId, session: DbSession) -> dict[str, Any]:
    return _endpoint_out(await _endpoint(session, project_id, endpoint_id))


@router.patch("/{endpoint_id}", response_model=EndpointOut)
async def patch_endpoint(
    endpoint_id: RowId, body: EndpointPatch, project_id: ProjectId, session: DbSession, request: Request
) -> dict[str, Any]:
    row = await _endpoint(session, project_id, endpoint_id)
    if body.url is not None:
        row.url = _check_url(request, body.url)
    if body.event_types is not None:
        row.event_types = body.event_types
    if body.description is not None:
        row.description = body.description
    if body.enabled is not None:
        row.enabled = body.enabled
        if body.enabled:
            row.disabled_reason = None
    row.updated_at = utcnow()
    return _endpoint_out(row)


@router.delete("/{endpoint_id}", status_code=204, response_class=Response)
async def delete_endpoint(endpoint_id: RowId, project_id: ProjectId, session: DbSession) -> Response:
    await session.delete(await _endpoint(session, project_id, endpoint_id))
    return Response(status_code=204)


@router.post("/{endpoint_id}/rotate-secret", response_model=EndpointWithSecret)
async def rotate_secret(
    endpoint_id: RowId, project_id: ProjectId, session: DbSession, request: Request, rt: RuntimeDep
) -> dict[str, Any]:
    """A new secret (shown this once); the old one keeps signing beside it for the overlap window (24 h)."""
    row = await _endpoint(session, project_id, endpoint_id)
    secret, secret_enc = _new_secret(rt)
    now = utcnow()
    row.previous_secret_enc = row.secret_enc  # moved as it is: no need to read it
    row.previous_secret_expires_at = now + timedelta(hours=_settings(request).webhook_secret_overlap_hours)
    row.secret_enc = secret_enc
    row.updated_at = now
    return _endpoint_out(row, secret=secret)


@router.post("/{endpoint_id}/test", response_model=DeliveryOut, status_code=202)
async def send_test(
    endpoint_id: RowId, project_id: ProjectId, session: DbSession, request: Request
) -> dict[str, Any]:
    """Queue a `webhook.test` event to this endpoint (even if its filter does not list it); at most
    `webhook_tests_per_minute` per endpoint, then 429 with Retry-After."""
    row = await _endpoint(session, project_id, endpoint_id)
    if not row.enabled:
        raise Conflict("the endpoint is disabled", error="webhook_disabled")
    limiter = request.app.state.events.webhook_tests
    if not limiter.take(str(row.id)):
        raise TooManyRequests(
            f"at most {_settings(request).webhook_tests_per_minute} test events per endpoint per minute",
            headers={"Retry-After": str(limiter.retry_after(str(row.id)))},
        )
    source = f"test:{uuid.uuid4().hex}"
    await enqueue_event(
        session,
        _settings(request),
        project_id,
        catalog.TEST_EVENT,
        source,
        {"project_id": project_id, "endpoint_id": row.id, "message": "A test event from Sesame."},
        endpoint_id=row.id,
    )
    delivery = (
        await session.scalars(
            sa.select(WebhookDelivery).where(
                WebhookDelivery.endpoint_id == row.id, WebhookDelivery.event_id == catalog.event_id(source)
            )
        )
    ).one()
    _wake(request)
    return _delivery_out(delivery)


@router.get("/{endpoint_id}/deliveries", response_model=DeliveryPage)
async def list_deliveries(
    endpoint_id: RowId,
    project_id: ProjectId,
    session: DbSession,
    status: str | None = Query(None, pattern="^(pending|delivering|succeeded|failed)$"),
    cursor: CursorQuery = None,
    limit: LimitQuery = PAGE_LIMIT_DEFAULT,
) -> dict[str, Any]:
    """The endpoint's deliveries, newest first."""
    await _endpoint(session, project_id, endpoint_id)
    before = decode_cursor(cursor)
    q = sa.select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if status:
        q = q.where(WebhookDelivery.status == status)
    if before is not None:
        q = q.where(WebhookDelivery.id < before)
    rows = (await session.scalars(q.order_by(WebhookDelivery.id.desc()).limit(limit + 1))).all()
    _, next_cursor = next_page([r.id for r in rows], limit)
    return {"data": [_delivery_out(r) for r in rows[:limit]], "next_cursor": next_cursor}


async def _delivery(session: Any, project_id: int, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    d = await session.get(WebhookDelivery, delivery_id)
    if d is None or d.project_id != project_id or d.endpoint_id != endpoint_id:
        raise NotFound("no such delivery")
    return d


@router.get("/{endpoint_id}/deliveries/{delivery_id}", response_model=DeliveryDetail)
async def get_delivery(
    endpoint_id: RowId, delivery_id: RowId, project_id: ProjectId, session: DbSession
) -> dict[str, Any]:
    """One delivery with its body and every attempt (status code, latency, error)."""
    d = await _delivery(session, project_id, endpoint_id, delivery_id)
    attempts = (
        await session.scalars(
            sa.select(WebhookAttempt).where(WebhookAttempt.delivery_id == d.id).order_by(WebhookAttempt.id)
        )
    ).all()
    out = _delivery_out(d)
    out["body"] = d.body
    out["attempt_log"] = [{c: getattr(a, c) for c in AttemptOut.model_fields} for a in attempts]
    return out


@router.post("/{endpoint_id}/deliveries/{delivery_id}/replay", response_model=DeliveryOut, status_code=202)
async def replay_delivery(
    endpoint_id: RowId, delivery_id: RowId, project_id: ProjectId, session: DbSession, request: Request
) -> dict[str, Any]:
    """Attempt a finished delivery once more now (same webhook-id and body; no automatic retries after it)."""
    d = await _delivery(session, project_id, endpoint_id, delivery_id)
    ep = await _endpoint(session, project_id, endpoint_id)
    if not ep.enabled:
        raise Conflict("the endpoint is disabled: enable it first", error="webhook_disabled")
    now = utcnow()
    r = await session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id == d.id, WebhookDelivery.status.in_(("succeeded", "failed")))
        .values(status="pending", manual=True, next_attempt_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if not r.rowcount:
        raise Conflict("the delivery is still pending or in flight", error="delivery_in_progress")
    await session.refresh(d)
    _wake(request)
    return _delivery_out(d)
