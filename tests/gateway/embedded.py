"""The real embedded system (all four apps, in-process upstreams) for gateway end-to-end tests."""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
import json
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import altcha
import httpx
import sqlalchemy as sa

from services.gateway.settings import GatewaySettings
from sesame.embedded import create_embedded_app
from shared.db.engine import create_engine
from shared.settings import Settings

CONFIRM_RE = re.compile(r"https?://[^\s\"<>]+/confirm/[A-Za-z0-9._\-]+")
PREFS_RE = re.compile(r"https?://[^\s\"<>]+/p/[A-Za-z0-9._\-]+")


@asynccontextmanager
async def embedded_app(settings: Settings, **gateway: Any) -> AsyncIterator[Any]:
    base: dict[str, Any] = {"altcha_cost": 50, "altcha_max_counter": 200}
    base.update(gateway)
    settings.gateway = GatewaySettings(**base)  # type: ignore[attr-defined]
    app = create_embedded_app(settings)
    async with app.router.lifespan_context(app):
        yield app


async def bootstrap_project(app: Any, name: str = "Acme", **settings: Any) -> tuple[int, str]:
    """A project and its first API key, as the operator's bootstrap does (subscriptions' admin route)."""
    gw = app.state.gateway
    body: dict[str, Any] = {"name": name, "owner_email": "owner@acme.example"}
    if settings:
        body["settings"] = settings
    resp = await gw.upstreams.request("subscriptions", "POST", "/admin/projects", json_body=body)
    assert resp.status == 201, resp.body
    data = resp.json()
    return int(data["project"]["id"]), str(data["api_key"]["key"])


def solve_altcha(challenge: dict[str, Any]) -> str:
    sol = altcha.solve_challenge(altcha.Challenge.from_dict(challenge))
    assert sol is not None
    return base64.b64encode(json.dumps({"challenge": challenge, "solution": sol.to_dict()}).encode()).decode()


async def captured_mail(
    client: httpx.AsyncClient,
    api_key: str,
    to: str,
    *,
    subject_has: str = "",
    within: float = 20.0,
    after: int = 0,
) -> email.message.EmailMessage:
    """The newest mail the sandbox SES captured for `to` (through the gateway's /v1/sandbox API)."""
    deadline = time.monotonic() + within
    auth = {"Authorization": f"Bearer {api_key}"}
    while True:
        r = await client.get("/v1/sandbox/messages", params={"to": to}, headers=auth)
        assert r.status_code == 200, r.text
        for m in r.json()["messages"]:
            if m["id"] > after and subject_has in (m.get("subject") or ""):
                full = await client.get(f"/v1/sandbox/messages/{m['id']}", headers=auth)
                raw = full.json()["raw"]
                msg = email.message_from_bytes(
                    raw.encode() if isinstance(raw, str) else raw, policy=email.policy.default
                )
                msg["X-Capture-Id"] = str(m["id"])
                return msg  # type: ignore[return-value]
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail to {to} with {subject_has!r} within {within}s")
        await asyncio.sleep(0.2)


def mail_text(msg: email.message.EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


async def subscription_rows(db_url: str, email_addr: str) -> dict[int, tuple[str, Any]]:
    """list_id → (status, paused_until) of the contact's subscriptions, straight from the database."""
    engine = create_engine(Settings().database.model_copy(update={"url": db_url}))
    try:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.text(
                        "SELECT s.list_id, s.status, s.paused_until FROM subscriptions s "
                        "JOIN contacts c ON c.id = s.contact_id WHERE c.email = :e"
                    ),
                    {"e": email_addr},
                )
            ).all()
    finally:
        await engine.dispose()
    return {int(r[0]): (str(r[1]), r[2]) for r in rows}
