"""Unsubscribes and pauses attributed to the campaign and the message whose mail they came from, through the real
gateway pages and one-click endpoint (embedded mode): the links in a sent campaign carry the message and campaign,
`subscription_changes` records them and the published `subscription.*` message carries them; a complaint from the
sandbox's simulator is attributed too; a token made before (no message / campaign) still works, unattributed."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import date, timedelta
from typing import Any

import httpx
import sqlalchemy as sa

from shared.links import PREFERENCES, UNSUBSCRIBE, LinkTarget, make_token
from shared.models.core import OutboxMessage
from shared.models.subscriptions import SubscriptionChange
from tests.gateway.embedded import PREFS_RE, bootstrap_project, captured_mail, embedded_app

PUBLIC = "http://testserver"
ONE_CLICK, LINK, PAUSE, OLD = "one@example.com", "link@example.com", "pause@example.com", "old@example.com"
COMPLAINT = "complaint@simulator.amazonses.com"
UNSUB_RE = re.compile(r"https?://[^\s\"<>]+/u/[A-Za-z0-9._\-]+")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


async def _until(check: Any, within: float = 30.0) -> Any:  # noqa: ASYNC109
    deadline = time.monotonic() + within
    while True:
        got = await check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {got!r}")
        await asyncio.sleep(0.1)


async def test_unsubscribe_pause_and_complaint_are_attributed_to_campaign_and_message(
    db_url, settings_for
) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(db_url, public_url=PUBLIC)
    async with embedded_app(settings) as app:
        rt = app.state.embedded_apps["subscriptions"].state.runtime
        pid, key = await bootstrap_project(app)
        auth = {"Authorization": f"Bearer {key}"}
        transport = httpx.ASGITransport(app=app, client=("198.51.100.8", 5000))
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC) as c:
            r = await c.post("/v1/lists", json={"name": "News", "double_optin": False}, headers=auth)
            assert r.status_code == 201, r.text
            news = r.json()["id"]
            contacts: dict[str, int] = {}
            for addr in (ONE_CLICK, LINK, PAUSE, OLD, COMPLAINT):
                r = await c.post(
                    "/v1/subscriptions",
                    json={"list_id": news, "email": addr, "status": "active", "consent_source": "test"},
                    headers=auth,
                )
                assert r.status_code == 201, r.text
                assert r.json()["status"] == "active"
                contacts[addr] = r.json()["contact_id"]

            r = await c.post(
                "/v1/campaigns",
                json={"name": "Dec", "list_ids": [news], "subject": "December", "html": "<p>Hi</p>",
                      "send_now": True},
                headers=auth,
            )  # fmt: skip
            assert r.status_code == 201, r.text
            campaign_id = r.json()["id"]
            mails = {
                a: await captured_mail(c, key, a, subject_has="December") for a in (ONE_CLICK, LINK, PAUSE)
            }
            message_ids = {a: int(str(m["X-Sesame-Message-Id"])) for a, m in mails.items()}

            # 1. the List-Unsubscribe one-click POST (RFC 8058), as a mailbox provider sends it
            header = str(mails[ONE_CLICK]["List-Unsubscribe"])
            one_click = re.search(r"<(https?://[^>]+/u/[^>]+)>", header).group(1).removeprefix(PUBLIC)  # type: ignore[union-attr]
            r = await c.post(one_click, content=b"List-Unsubscribe=One-Click", headers=FORM)
            assert r.status_code == 200, (header, mails[ONE_CLICK].as_string()[:3000])

            # 2. the visible unsubscribe link in the body: the page, then its button
            body = mails[LINK].get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
            link = UNSUB_RE.search(body).group(0).removeprefix(PUBLIC)  # type: ignore[union-attr]
            assert (await c.get(link)).status_code == 200
            r = await c.post(link, data={"confirm": "yes"})
            assert r.status_code == 200, r.text

            # 3. the preferences page reached from the mail: pause the list
            body = mails[PAUSE].get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
            prefs = PREFS_RE.search(body).group(0).removeprefix(PUBLIC)  # type: ignore[union-attr]
            until = (date.today() + timedelta(days=30)).isoformat()
            r = await c.post(prefs, data={"action": "pause", "list_id": str(news), "until": until})
            assert r.status_code == 200, r.text

            # 4. a token made before links carried the message (no m / k): still works, nothing attributed
            old = make_token(rt.tokens, UNSUBSCRIBE, LinkTarget(pid, contacts[OLD], news))
            r = await c.post(f"/u/{old}", content=b"List-Unsubscribe=One-Click", headers=FORM)
            assert r.status_code == 200, r.text
            old_prefs = make_token(rt.tokens, PREFERENCES, LinkTarget(pid, contacts[OLD]))
            assert (await c.get(f"/p/{old_prefs}")).status_code == 200

        async def changes() -> dict[int, list[tuple[Any, ...]]]:
            async with rt.sessionmaker() as s:
                rows = (
                    await s.execute(
                        sa.select(
                            SubscriptionChange.contact_id,
                            SubscriptionChange.status,
                            SubscriptionChange.source,
                            SubscriptionChange.campaign_id,
                            SubscriptionChange.message_id,
                        )
                        .where(
                            SubscriptionChange.project_id == pid,
                            SubscriptionChange.previous_status.is_not(None),
                        )
                        .order_by(SubscriptionChange.id)
                    )
                ).all()
            out: dict[int, list[tuple[Any, ...]]] = {}
            for row in rows:
                out.setdefault(row[0], []).append(tuple(row[1:]))
            return out

        # 5. the complaint the simulator sends back unsubscribes that contact, attributed to its message
        got = await _until(lambda: _has(changes, contacts[COMPLAINT]))
        async with rt.sessionmaker() as s:
            complained_msg = await s.scalar(
                sa.text("SELECT id FROM messages WHERE to_address = :a AND campaign_id = :c"),
                {"a": COMPLAINT, "c": campaign_id},
            )
        assert got[contacts[COMPLAINT]] == [("unsubscribed", "complaint", campaign_id, complained_msg)]
        assert got[contacts[ONE_CLICK]] == [
            ("unsubscribed", "one_click", campaign_id, message_ids[ONE_CLICK])
        ]
        assert got[contacts[LINK]] == [("unsubscribed", "link", campaign_id, message_ids[LINK])]
        assert got[contacts[PAUSE]] == [("paused", "preferences", campaign_id, message_ids[PAUSE])]
        assert got[contacts[OLD]] == [("unsubscribed", "one_click", None, None)]

        # the published contract carries them
        async with rt.sessionmaker() as s:
            payloads = (
                await s.scalars(
                    sa.select(OutboxMessage.payload).where(OutboxMessage.routing_key.like("subscription.%"))
                )
            ).all()
        published = {
            (p["contact_id"], p["status"]): (p.get("campaign_id"), p.get("message_id"))
            for p in payloads
            if p.get("project_id") == pid and p.get("previous_status") is not None
        }
        assert published[(contacts[ONE_CLICK], "unsubscribed")] == (campaign_id, message_ids[ONE_CLICK])
        assert published[(contacts[PAUSE], "paused")] == (campaign_id, message_ids[PAUSE])
        assert published[(contacts[COMPLAINT], "unsubscribed")] == (campaign_id, complained_msg)
        assert published[(contacts[OLD], "unsubscribed")] == (None, None)


async def _has(changes: Any, contact_id: int) -> dict[int, list[tuple[Any, ...]]] | None:
    got = await changes()
    return got if contact_id in got else None
