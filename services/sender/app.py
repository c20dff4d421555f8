"""The sender service's app: its routes, bus consumers and background loops."""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import FastAPI

from services.sender.api import admin, campaigns, messages, sandbox, ses_account, templates
from services.sender.consumers import (
    FEEDBACK_QUEUE,
    MAIL_QUEUE,
    STATE_QUEUE,
    feedback_handler,
    mail_requested_handler,
    project_state_handler,
)
from services.sender.core import ensure_core, get_core
from services.sender.erasure import ERASURE_QUEUE, contact_erased_handler
from services.sender.ses_setup import routes as ses_setup_routes
from services.sender.ses_setup.service import feedback_stall_task, suppression_sync_task
from services.sender.settings import SenderSettings
from services.sender.worker import MK_QUEUE, TX_QUEUE
from shared.runtime import Runtime
from shared.service_app import ServiceSpec, build_app
from shared.settings import Settings


def service_spec(sender_settings: SenderSettings | None = None) -> ServiceSpec:
    async def start(rt: Runtime) -> None:
        ensure_core(rt, sender_settings)

    async def dispatch(rt: Runtime) -> None:
        await get_core(rt).dispatcher.run()

    async def sweep(rt: Runtime) -> None:
        try:
            await get_core(rt).dispatcher.run_sweep()
        finally:
            with contextlib.suppress(Exception):
                await asyncio.shield(get_core(rt).close())

    return ServiceSpec(
        name="sender",
        routers=[
            messages.router,
            templates.router,
            campaigns.router,
            ses_account.router,
            sandbox.router,
            admin.router,
            ses_setup_routes.router,
            ses_setup_routes.admin_router,
        ],
        consumers=[
            (TX_QUEUE, lambda rt: get_core(rt).worker.handle),
            (MK_QUEUE, lambda rt: get_core(rt).worker.handle),
            (MAIL_QUEUE, lambda rt: mail_requested_handler(rt, get_core(rt).dispatcher.notify)),
            (STATE_QUEUE, lambda rt: project_state_handler(rt, get_core(rt).accounts.invalidate)),
            (FEEDBACK_QUEUE, feedback_handler),
            (ERASURE_QUEUE, lambda rt: contact_erased_handler(rt, get_core(rt).settings)),
        ],
        tasks=[dispatch, sweep, feedback_stall_task, suppression_sync_task],
        on_startup=[start],
    )


def create_app(
    *,
    settings: Settings | None = None,
    runtime: Runtime | None = None,
    sender_settings: SenderSettings | None = None,
) -> FastAPI:
    return build_app(service_spec(sender_settings), settings=settings, runtime=runtime)
