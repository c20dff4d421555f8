"""`POST /webhooks/sns/{endpoint_token}`: verify, then confirm / record / store in the inbox and answer fast.

Order matters: nothing is fetched before the envelope parsed, its topic is allow-listed for this endpoint and its
SigningCertURL passed validation; nothing is stored or confirmed before the signature verified.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.events import metrics
from services.events.certs import CertificateUnavailable
from services.events.context import Endpoint, EventsContext
from services.events.inbox import store_fast
from services.events.notify import mail_owner
from services.events.sns_signature import (
    SnsEnvelope,
    SnsVerificationError,
    check_age,
    parse_envelope,
    validate_signing_cert_url,
    validate_subscribe_url,
    verify_signature,
)
from shared.db.types import utcnow
from shared.db.upsert import insert
from shared.digits import ascii_digits
from shared.errors import BadRequest, Forbidden, NotFound, PayloadTooLarge, Unavailable, error_body
from shared.internal_auth import Internal, check_internal
from shared.models.events import SnsEndpoint, SnsSubscription

log = logging.getLogger("sesame.events.webhook")
router = APIRouter(dependencies=[Internal])


def ctx_of(request: Request) -> EventsContext:
    return request.app.state.events  # type: ignore[no-any-return]


async def _read_body(request: Request, cap: int) -> bytes:
    length = request.headers.get("content-length")
    if ascii_digits(length, max_digits=40) and int(length) > cap:
        raise PayloadTooLarge(f"SNS messages are at most {cap} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise PayloadTooLarge(f"SNS messages are at most {cap} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _endpoint(session, ctx: EventsContext, token: str) -> Endpoint:  # type: ignore[no-untyped-def]
    ep = ctx.cached_endpoint(token)
    if ep is not None:
        return ep
    row = (
        await session.execute(
            sa.select(SnsEndpoint.project_id, SnsEndpoint.allowed_topic_arns).where(
                SnsEndpoint.token == token
            )
        )
    ).first()
    if row is None:
        raise NotFound("unknown SNS endpoint")
    return ctx.remember_endpoint(token, row[0], list(row[1] or []))


def _refuse(exc: SnsVerificationError, status: type = BadRequest):  # type: ignore[no-untyped-def]
    return status(exc.detail, error=exc.code)


async def _verify(ctx: EventsContext, body: bytes, ep: Endpoint) -> SnsEnvelope:
    s = ctx.settings
    try:
        env = parse_envelope(body)
    except SnsVerificationError as exc:
        raise _refuse(exc) from None
    if env.topic_arn not in ep.topics:
        raise Forbidden(
            f"topic {env.topic_arn!r} is not allowed for this endpoint", error="topic_not_allowed"
        )
    regions = frozenset(s.allowed_regions) if s.allowed_regions else None
    suffixes = tuple(s.allowed_host_suffixes)
    try:
        cert_url = validate_signing_cert_url(env.signing_cert_url, suffixes=suffixes, regions=regions)
        check_age(
            env,
            now=datetime.now(UTC),
            max_age_seconds=s.max_message_age_seconds,
            skew_seconds=s.clock_skew_seconds,
        )
    except SnsVerificationError as exc:
        raise _refuse(exc) from None
    try:
        key = await ctx.certs.public_key(cert_url)
    except CertificateUnavailable as exc:
        raise Unavailable(str(exc), error="certificate_unavailable") from None
    except SnsVerificationError as exc:
        raise _refuse(exc) from None
    try:
        verify_signature(env, key)
    except SnsVerificationError as exc:
        raise _refuse(exc, Forbidden) from None
    return env


async def _record_subscription(
    session, project_id: int, env: SnsEnvelope, status: str, detail: str | None
) -> None:  # type: ignore[no-untyped-def]
    values = {"status": status, "last_message_id": env.message_id, "detail": detail, "updated_at": utcnow()}
    stmt = insert(SnsSubscription.__table__, session).values(
        project_id=project_id, topic_arn=env.topic_arn, **values
    )
    await session.execute(stmt.on_conflict_do_update(index_elements=["project_id", "topic_arn"], set_=values))


async def sns_webhook(request: Request) -> JSONResponse:
    """The hot path of feedback: a plain Starlette route (no dependency solving, no request model), internal
    token checked by hand; errors are SesameErrors answered by the app's handlers like everywhere else."""
    check_internal(request)
    endpoint_token: str = request.path_params["endpoint_token"]
    ctx = ctx_of(request)
    rt = request.app.state.runtime
    body = await _read_body(request, ctx.settings.webhook_max_body_bytes)
    if len(endpoint_token) > 64:
        raise NotFound("unknown SNS endpoint")
    ep = ctx.cached_endpoint(endpoint_token)
    if ep is None:
        async with rt.sessionmaker() as lookup:
            ep = await _endpoint(lookup, ctx, endpoint_token)
    try:
        env = await _verify(ctx, body, ep)
    except (BadRequest, Forbidden, PayloadTooLarge) as exc:
        metrics.WEBHOOK.labels("refused").inc()
        log.warning("refused SNS message for project %s: %s %s", ep.project_id, exc.error, exc.detail)
        raise

    # Verified: from here on one short unit of work (no network I/O inside it except the confirmation GET).
    if env.type == "Notification":
        try:
            doc = json.loads(env.message)
            ok = isinstance(doc, dict) and isinstance(doc.get("eventType", doc.get("notificationType")), str)
        except ValueError:
            ok = False
        inbox_id = await store_fast(
            rt,
            ctx,
            project_id=ep.project_id,
            source="sns",
            message_id=env.message_id,
            body=env.message,
            topic_arn=env.topic_arn,
            status="received" if ok else "rejected",
            error=None if ok else "Message is not SES JSON",
        )
        if not ok:
            metrics.WEBHOOK.labels("not_ses_feedback").inc()
            # Authentic but not SES feedback: kept (rejected) for the operator, refused so it is visible.
            log.warning("SNS message %s on %s is not SES feedback", env.message_id, env.topic_arn)
            return JSONResponse(error_body("not_ses_feedback", "Message is not an SES notification"), 422)
        if inbox_id is not None:
            ctx.wake.set()
        metrics.WEBHOOK.labels("accepted" if inbox_id is not None else "duplicate").inc()
        return JSONResponse({"status": "accepted" if inbox_id is not None else "duplicate"})

    if env.type == "SubscriptionConfirmation":
        s = ctx.settings
        try:
            url = validate_subscribe_url(
                env.subscribe_url or "",
                env.topic_arn,
                suffixes=tuple(s.allowed_host_suffixes),
                regions=frozenset(s.allowed_regions) if s.allowed_regions else None,
            )
        except SnsVerificationError as exc:
            log.warning("refused SubscribeURL for %s: %s", env.topic_arn, exc)
            raise _refuse(exc) from None
        try:
            await ctx.confirm(url)
        except Exception as exc:  # noqa: BLE001 - any failure: recorded, SNS may resend
            log.warning("confirming %s failed: %r", env.topic_arn, exc)
            async with rt.uow() as session:
                await _record_subscription(session, ep.project_id, env, "confirm_failed", repr(exc)[:500])
            return JSONResponse(error_body("confirm_failed", "could not confirm the subscription"), 502)
        async with rt.uow() as session:
            await _record_subscription(session, ep.project_id, env, "confirmed", None)
        metrics.WEBHOOK.labels("subscription_confirmed").inc()
        log.info("confirmed SNS subscription of project %s to %s", ep.project_id, env.topic_arn)
        return JSONResponse({"status": "confirmed"})

    # UnsubscribeConfirmation: feedback stopped flowing; never visit SubscribeURL automatically.
    async with rt.uow() as session:
        await _record_subscription(session, ep.project_id, env, "unsubscribed", None)
        await mail_owner(
            session,
            ep.project_id,
            subject="Sesame no longer receives SES feedback for a topic",
            text=(
                f"The SNS subscription of topic {env.topic_arn} to your Sesame endpoint was removed. Bounces "
                "and complaints from it no longer reach Sesame, so it cannot protect your SES account. "
                "Subscribe the endpoint again in the SNS console."
            ),
            key=f"unsubscribed:{ep.project_id}:{env.message_id}",
        )
    metrics.WEBHOOK.labels("unsubscribe_recorded").inc()
    log.warning("SNS topic %s unsubscribed from project %s", env.topic_arn, ep.project_id)
    return JSONResponse({"status": "recorded"})


router.add_route("/webhooks/sns/{endpoint_token}", sns_webhook, methods=["POST"], include_in_schema=False)
