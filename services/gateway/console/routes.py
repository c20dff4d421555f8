"""Every console router, in one list (the gateway's app includes them after the public routes)."""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.console import (
    auth_routes,
    campaigns_pages,
    contacts_pages,
    keys,
    lists_pages,
    members,
    outbox_pages,
    project_routes,
    ses_pages,
    templates_pages,
    webhooks_pages,
)

ROUTERS: list[APIRouter] = [
    auth_routes.router,
    project_routes.router,
    members.router,
    keys.router,
    lists_pages.router,
    contacts_pages.router,
    templates_pages.router,
    campaigns_pages.router,
    outbox_pages.router,
    ses_pages.router,
    webhooks_pages.router,
]
