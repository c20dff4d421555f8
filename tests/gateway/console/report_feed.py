"""Real feedback for a sent campaign, for the console's report tests: SES-format Delivery/Bounce/Open/Click/
Complaint events (tests/support/ses_events.py) signed as SNS v1 and v2 and POSTed to the project's webhook through
the gateway, and a one-click unsubscribe from the captured mail; what the report must then say."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from shared.models.sender import Message
from tests.gateway.embedded import captured_mail
from tests.support.ses_events import ses_document
from tests.support.sns import TOPIC, TestSns, body

LINK_A, LINK_B = "https://acme.example/spring-sale", "https://acme.example/blog/how-we-bake?id=7"
READERS = [f"reader{i}@example.com" for i in range(6)]
# What the page must show once everything below was fed (hard bounces and complaints are of the 6 sent). The
# sandbox reports each of the 6 captures delivered itself (services/sender/sandbox.py): reader4 and reader5 too,
# bounced after (as SES can); the deliveries fed for reader0-3 repeat theirs.
DELIVERED = 6
EXPECTED = {
    "delivered": str(DELIVERED), "bounced": "2", "hard": "1", "soft": "1", "complained": "1", "rejected": "0",
    "opened_unique": "2", "opened_total": "3", "clicked_unique": "2", "clicked_total": "3",
    "unsubscribed": "2", "paused": "0",
}  # fmt: skip


def trust_test_sns(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> TestSns:
    """The events service told (loudly, by settings) to trust a test certificate; the rollup run often."""
    sns = TestSns()
    monkeypatch.setenv("SESAME_EVENTS_TEST_TRUST_ANCHOR_PEM", str(sns.write_anchor(tmp_path)))
    monkeypatch.setenv("SESAME_EVENTS_ALLOW_TEST_TRUST_ANCHOR", "true")
    monkeypatch.setenv("SESAME_EVENTS_ENGAGEMENT_INTERVAL_SECONDS", "0.2")
    return sns


async def until(check: Any, within: float = 40.0) -> Any:  # noqa: ASYNC109
    deadline = time.monotonic() + within
    while True:
        got = await check()
        if got or time.monotonic() > deadline:
            return got
        await asyncio.sleep(0.2)


class Feedback:
    """The project's SNS endpoint and an API client, through the gateway of `app`."""

    def __init__(self, app: Any, api_key: str, sns: TestSns) -> None:
        transport = httpx.ASGITransport(app=app, client=("198.51.100.70", 5000))
        self.c = httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=30)
        self.app, self.sns, self.auth = app, sns, {"Authorization": f"Bearer {api_key}"}
        self.hook, self.n = "", 0

    async def __aenter__(self) -> Feedback:
        r = await self.c.put("/v1/feedback/endpoint", json={"allowed_topic_arns": [TOPIC]}, headers=self.auth)
        assert r.status_code == 200, r.text
        self.hook = f"/webhooks/sns/{r.json()['token']}"
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.c.aclose()

    async def post(self, doc: dict[str, Any]) -> None:
        self.n += 1
        env = self.sns.notification(doc, version="1" if self.n % 2 else "2")
        r = await self.c.post(self.hook, content=body(env), headers={
            "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification"})  # fmt: skip
        assert r.status_code == 200, r.text

    async def feed_campaign(self, cid: int) -> None:
        """The scenario behind EXPECTED, once the campaign is sent to READERS."""
        campaign = (await self.c.get(f"/v1/campaigns/{cid}", headers=self.auth)).json()
        pid = (await self.c.get("/v1/project", headers=self.auth)).json()["id"]
        async with self.app.state.runtime.sessionmaker() as s:
            rows = (await s.execute(sa.select(Message.id, Message.to_address, Message.ses_message_id)
                                    .where(Message.campaign_id == cid))).all()  # fmt: skip
        msg = {to: (mid, ses_id) for mid, to, ses_id in rows}
        assert set(msg) == set(READERS), msg
        base = dt.datetime.fromisoformat(campaign["fanout_at"].replace("Z", "+00:00")).replace(second=0)

        async def feed(i: int, kind: str, minute: int, **kw: Any) -> None:
            to = READERS[i]
            await self.post(ses_document(kind, ses_message_id=msg[to][1], to=to, project_id=pid,
                                         message_id=msg[to][0], at=base + dt.timedelta(minutes=minute), **kw))  # fmt: skip

        for i, minute in ((0, 1), (1, 1), (2, 2), (3, 2)):
            await feed(i, "delivery", minute)
        await feed(4, "bounce", 1)
        await feed(5, "bounce", 1, bounce_type="Transient")
        await feed(0, "open", 2)
        await feed(0, "open", 3)
        await feed(1, "open", 5)
        await feed(0, "click", 4, link=LINK_A)
        await feed(1, "click", 6, link=LINK_A)
        await feed(0, "click", 70, link=LINK_B)
        await feed(3, "complaint", 65)  # unsubscribes reader3, attributed to the campaign
        # reader2 unsubscribes with the one-click link of the mail it got
        mail = await captured_mail(self.c, self.auth["Authorization"][7:], READERS[2], subject_has="Spring")
        one_click = re.search(r"<(https?://[^>]+/u/[^>]+)>", str(mail["List-Unsubscribe"]))
        assert one_click, mail["List-Unsubscribe"]
        r = await self.c.post(re.sub(r"^https?://[^/]+", "", one_click.group(1)), content=b"List-Unsubscribe=One-Click",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert r.status_code in (200, 202), r.text

    async def report_settled(self, cid: int) -> dict[str, Any]:
        """The report API's answer once all of the scenario is counted."""

        async def settled() -> dict[str, Any] | None:
            got = (await self.c.get(f"/v1/campaigns/{cid}/report", headers=self.auth)).json()
            done = (got["delivered"], got["opened"]["total"], got["clicked"]["total"], got["complained"],
                    got["unsubscribed"], got["bounced"]["soft"]) == (DELIVERED, 3, 3, 1, 2, 1)  # fmt: skip
            return got if done else None

        got = await until(settled)
        assert got, (await self.c.get(f"/v1/campaigns/{cid}/report", headers=self.auth)).json()
        return dict(got)
