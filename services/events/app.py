"""The events service's app: the SNS webhook, feedback processing, reputation and the guard."""

from __future__ import annotations

import asyncio
from functools import partial

from fastapi import FastAPI

from services.events import attribution
from services.events.api import admin, v1
from services.events.certs import Fetcher
from services.events.consumers import SANDBOX_QUEUE, SENT_QUEUE, sandbox_handler, sent_handler
from services.events.context import Confirmer, EventsContext
from services.events.digest import digest_loop
from services.events.engagement import engagement_loop
from services.events.erasure import ERASURE_QUEUE, contact_erased_handler
from services.events.inbox import INBOX_QUEUE, dispatcher_loop, inbox_handler
from services.events.report import router as report_router
from services.events.settings import EventsSettings
from services.events.webhook import router as webhook_router
from services.events.webhooks.api import router as webhooks_router
from services.events.webhooks.catalog import WEBHOOK_QUEUE
from services.events.webhooks.consumer import webhook_handler
from services.events.webhooks.delivery import Deliverer
from shared.runtime import Runtime
from shared.service_app import ServiceSpec, build_app
from shared.settings import Settings


async def _deliver_webhooks(ctx: EventsContext, rt: Runtime) -> None:
    ctx.webhooks = Deliverer(rt, ctx.settings)
    try:
        await ctx.webhooks.run()
    finally:
        ctx.webhooks = None


async def _hold_resources(ctx: EventsContext, _rt: Runtime) -> None:
    """Lives as long as the app; closes the HTTP client of the certificate store on shutdown."""
    try:
        await asyncio.Event().wait()
    finally:
        await ctx.close()


def service_spec(ctx: EventsContext | None = None, *, process_inbox: bool = True) -> ServiceSpec:
    ctx = ctx or EventsContext.build()
    consumers = [
        (SANDBOX_QUEUE, sandbox_handler(ctx)),
        (SENT_QUEUE, sent_handler),
        (ERASURE_QUEUE, contact_erased_handler),
        (WEBHOOK_QUEUE, webhook_handler(ctx.settings, lambda _rt: ctx.webhooks)),
    ]
    tasks = [partial(_hold_resources, ctx), partial(digest_loop, ctx=ctx)]
    if ctx.settings.run_webhook_delivery:
        tasks.append(partial(_deliver_webhooks, ctx))
    if process_inbox:
        consumers.insert(0, (INBOX_QUEUE, inbox_handler(ctx)))
        tasks.append(lambda rt: dispatcher_loop(rt, ctx))
        tasks.append(partial(engagement_loop, ctx=ctx))
    return ServiceSpec(
        name="events",
        routers=[webhook_router, v1, report_router, webhooks_router, admin, attribution.v1, attribution.admin],
        consumers=consumers,
        tasks=tasks,
    )


def create_app(
    *,
    settings: Settings | None = None,
    runtime: Runtime | None = None,
    events_settings: EventsSettings | None = None,
    cert_fetcher: Fetcher | None = None,
    confirmer: Confirmer | None = None,
    process_inbox: bool | None = None,
) -> FastAPI:
    """`cert_fetcher` / `confirmer` replace the network calls (tests); `process_inbox=False` only ingests."""
    ctx = EventsContext.build(events_settings, cert_fetcher=cert_fetcher, confirmer=confirmer)
    if process_inbox is None:
        process_inbox = ctx.settings.process_inbox
    app = build_app(service_spec(ctx, process_inbox=process_inbox), settings=settings, runtime=runtime)
    app.state.events = ctx
    return app
