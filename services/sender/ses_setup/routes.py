"""HTTP routes of the SES setup (part of the sender service: `/v1/ses-account/…` per project, admin for the
dashboard). The operations manage their own short transactions: AWS calls never run inside one."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from services.sender.ses_setup.loop_check import feedback_overview
from services.sender.ses_setup.schemas import (
    ConnectOutcomeOut,
    ConnectStarted,
    FeedbackOverviewOut,
    LoopStarted,
    LoopTestOut,
    ProductionRequestOut,
    ReadinessOut,
    SuppressionSettingsOut,
    SuppressionSyncOut,
)
from services.sender.ses_setup.service import SesSetup
from shared.crypto import EncryptionKeyError
from shared.db.types import utcnow
from shared.errors import Conflict, Unprocessable
from shared.internal_auth import Internal, ProjectId

log = logging.getLogger("sesame.ses_setup.routes")
router = APIRouter(tags=["ses-account"])
admin_router = APIRouter(prefix="/admin", dependencies=[Internal], tags=["ses-account"])

DOMAIN = r"^([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
IDENTITY = r"^([^@\s]{1,64}@)?([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"


def setup_of(request: Request) -> SesSetup:
    svc = getattr(request.app.state, "ses_setup", None)
    if svc is None:
        composer = None
        try:
            from services.sender.core import get_core

            core = get_core(request.app.state.runtime)
            composer, sender = core.composer, core.settings
        except Exception:  # noqa: BLE001 - the sender core is optional here (tests mount the router alone)
            sender = None
        svc = SesSetup(request.app.state.runtime, sender=sender, composer=composer)
        request.app.state.ses_setup = svc
    return svc  # type: ignore[no-any-return]


class ConnectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identity: str | None = Field(None, pattern=IDENTITY, max_length=320)
    mode: Literal["configuration_set", "identity"] | None = None
    configuration_set: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    prove_loop: StrictBool = False
    import_suppressions: StrictBool = True
    dry_run: StrictBool = False
    # false (default): 202 at once, the work runs in the background (it waits for SNS, longer than the
    # gateway's request timeout); poll GET /v1/ses-account/connect. true: answer when done.
    wait: StrictBool = False


class LoopIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    wait_seconds: float = Field(120.0, ge=1, le=600)
    wait: StrictBool = (
        False  # false: 202 at once; the result appears in GET /v1/ses-account/feedback (last_loop)
    )


class SuppressionSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    push: StrictBool


async def _guard(coro: Any) -> Any:
    try:
        return await coro
    except EncryptionKeyError as exc:
        raise Unprocessable(str(exc), error="credentials_unreadable") from None


def _jobs(request: Request) -> dict[str, asyncio.Task[None]]:
    jobs: dict[str, asyncio.Task[None]] | None = getattr(request.app.state, "ses_setup_jobs", None)
    if jobs is None:
        jobs = request.app.state.ses_setup_jobs = {}
    return jobs


def _ensure_idle(request: Request, key: str) -> None:
    """One in-process background job per key: a second start while it runs is a 409."""
    running = _jobs(request).get(key)
    if running is not None and not running.done():
        raise Conflict(f"{key.split(':')[0]} already running for this project", error="already_running")


def _background(request: Request, key: str, job: Callable[[], Awaitable[None]]) -> None:
    _ensure_idle(request, key)
    _jobs(request)[key] = asyncio.create_task(job(), name=f"ses_setup:{key}")


@router.post(
    "/v1/ses-account/connect",
    response_model=ConnectOutcomeOut,
    response_model_exclude_unset=True,
    responses={202: {"model": ConnectStarted, "description": "Started in the background (`wait: false`)."}},
)
async def connect_route(
    body: ConnectIn, project_id: ProjectId, request: Request
) -> dict[str, Any] | JSONResponse:
    """Create or repair the SNS/SES feedback wiring (idempotent); the outcome lists every AWS call it made."""
    svc = setup_of(request)

    async def run() -> dict[str, Any]:
        out = await svc.connect(
            project_id,
            identity=body.identity,
            mode=body.mode,
            configuration_set=body.configuration_set,
            prove_loop=body.prove_loop,
            import_suppressions=body.import_suppressions,
            dry_run=body.dry_run,
        )
        return {"status": "done", "at": utcnow().isoformat(), **out.to_dict(), "text": out.render()}

    if body.wait or body.dry_run:
        return await _guard(run())  # type: ignore[no-any-return]
    _ensure_idle(request, f"connect:{project_id}")
    await _guard(svc.check_connectable(project_id, body.identity))

    async def job() -> None:
        try:
            await run()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the caller polls
            log.exception("background connect of project %s failed", project_id)
            await svc.record_outcome(
                project_id, {"status": "failed", "at": utcnow().isoformat(), "error": str(exc)}
            )

    await svc.record_outcome(project_id, {"status": "running", "started_at": utcnow().isoformat()})
    _background(request, f"connect:{project_id}", job)
    return JSONResponse({"status": "running", "poll": "/v1/ses-account/connect"}, status_code=202)


@router.get("/v1/ses-account/connect", response_model=ConnectOutcomeOut, response_model_exclude_unset=True)
async def connect_status_route(project_id: ProjectId, request: Request) -> dict[str, Any]:
    """The last connect outcome: running, done (with steps and AWS calls) or failed."""
    return await setup_of(request).last_outcome(project_id)


@router.get("/v1/ses-account/readiness", response_model=ReadinessOut)
async def readiness_route(
    project_id: ProjectId, request: Request, domain: str | None = Query(None, pattern=DOMAIN, max_length=253)
) -> dict[str, Any]:
    """The production-access readiness report: one line per checklist item, pass / warn / fail with the fix."""
    report = await _guard(setup_of(request).readiness(project_id, domain))
    return {**report.to_dict(), "text": report.render()}


@router.get("/v1/ses-account/production-request", response_model=ProductionRequestOut)
async def production_request_route(
    project_id: ProjectId, request: Request, domain: str | None = Query(None, pattern=DOMAIN, max_length=253)
) -> dict[str, Any]:
    """A draft for the AWS production-access request, claiming only what the report verified."""
    return await _guard(setup_of(request).request_draft(project_id, domain))  # type: ignore[no-any-return]


@router.post(
    "/v1/ses-account/loop-test",
    response_model=LoopTestOut,
    responses={202: {"model": LoopStarted, "description": "Started in the background (`wait: false`)."}},
)
async def loop_route(body: LoopIn, project_id: ProjectId, request: Request) -> dict[str, Any] | JSONResponse:
    """Send to success@, bounce@ and complaint@ the simulator and wait for the three feedback events."""
    svc = setup_of(request)
    if body.wait:
        result = await svc.prove_loop(project_id, body.wait_seconds)
        return {**result.to_dict(), "text": result.render()}
    _ensure_idle(request, f"loop-test:{project_id}")
    started = await svc.start_loop(project_id)

    async def job() -> None:
        try:
            await svc.finish_loop(started, body.wait_seconds)
        except Exception:  # noqa: BLE001
            log.exception("loop test of project %s failed", project_id)

    _background(request, f"loop-test:{project_id}", job)
    return JSONResponse(
        {"status": "running", "run_id": started.run_id, "poll": "/v1/ses-account/feedback"}, status_code=202
    )


@router.get("/v1/ses-account/feedback", response_model=FeedbackOverviewOut, response_model_exclude_unset=True)
async def feedback_route(project_id: ProjectId, request: Request) -> dict[str, Any]:
    """Last feedback received, volume in the stall window, stall alert state, last loop test."""
    svc = setup_of(request)
    async with svc.rt.uow() as session:
        return await feedback_overview(session, project_id, svc.setup.feedback_stall_hours)


@router.post("/v1/ses-account/suppressions/sync", response_model=SuppressionSyncOut)
async def sync_route(project_id: ProjectId, request: Request) -> dict[str, Any]:
    """Import (and push, where enabled) the SES account-level suppression list now."""
    result = await _guard(setup_of(request).sync_suppressions(project_id))
    return result.summary()  # type: ignore[no-any-return]


@router.put("/v1/ses-account/suppressions/settings", response_model=SuppressionSettingsOut)
async def suppression_settings_route(
    body: SuppressionSettingsIn, project_id: ProjectId, request: Request
) -> dict[str, Any]:
    """`push: true` also writes Sesame's bounce/complaint suppressions to the SES account list."""
    await setup_of(request).set_suppression_push(project_id, body.push)
    return {"push": body.push}


@admin_router.get("/projects/{project_id}/ses-account/readiness")
async def admin_readiness(
    project_id: int, request: Request, domain: str | None = Query(None, pattern=DOMAIN, max_length=253)
) -> dict[str, Any]:
    report = await _guard(setup_of(request).readiness(project_id, domain))
    return {**report.to_dict(), "text": report.render()}


@admin_router.get("/projects/{project_id}/ses-account/feedback")
async def admin_feedback(project_id: int, request: Request) -> dict[str, Any]:
    svc = setup_of(request)
    async with svc.rt.uow() as session:
        return await feedback_overview(session, project_id, svc.setup.feedback_stall_hours)
