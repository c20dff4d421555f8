"""Issue #15's "done when": a campaign sent through the embedded system — by the sandbox SES and by moto's SES —
then SES-format Open/Click/Delivery/Bounce/Complaint events (both formats, signed SNS v1 and v2, duplicates and
out-of-order) POSTed to the project's webhook through the gateway, a one-click unsubscribe from the sent mail;
the campaign report through the gateway equals exactly what was fed; on SQLite and Postgres. The sandbox also
reports each capture delivered itself (services/sender/sandbox.py), at the capture's time: with it every reader is
delivered, each at its earliest delivery."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import json
import re
import socket
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest
import sqlalchemy as sa

from shared.models.events import SnsInbox
from shared.models.sender import Message
from shared.models.subscriptions import SubscriptionChange
from tests.gateway.embedded import bootstrap_project, captured_mail, embedded_app
from tests.support.ses_events import ses_document
from tests.support.sns import TOPIC, TestSns, body

PUBLIC = "https://mail.example.org"
KEYS = {"mode": "keys", "access_key_id": "AKIAIOSFODNN7EXAMPLE",
        "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}  # fmt: skip
LINK_A, LINK_B = "https://acme.example/offer", "https://acme.example/blog?id=7"
READERS = [f"reader{i}@example.org" for i in range(5)]


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


async def _until(check: Any, within: float = 30.0) -> Any:  # noqa: ASYNC109
    deadline = time.monotonic() + within
    while True:
        got = await check()
        if got:
            return got
        if time.monotonic() > deadline:
            return got
        await asyncio.sleep(0.2)


def _moto_mail(moto_url: str, to: str, domain: str) -> email.message.EmailMessage:
    data = json.load(urllib.request.urlopen(moto_url + "/moto-api/data.json"))
    raws = [x for x in data["ses"]["RawMessage"] if to in x["destinations"] and x["source"].endswith(domain)]
    assert len(raws) == 1, raws
    return email.message_from_string(raws[0]["raw_data"], policy=email.policy.default)  # type: ignore[return-value]


@pytest.mark.parametrize("ses", ["sandbox", "moto"])
async def test_campaign_report_equals_the_feedback_fed(
    ses: str, db_url: str, settings_for: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:  # fmt: skip
    sns = TestSns()
    monkeypatch.setenv("SESAME_EVENTS_TEST_TRUST_ANCHOR_PEM", str(sns.write_anchor(tmp_path)))
    monkeypatch.setenv("SESAME_EVENTS_ALLOW_TEST_TRUST_ANCHOR", "true")
    monkeypatch.setenv("SESAME_EVENTS_ENGAGEMENT_INTERVAL_SECONDS", "0.2")
    moto_url = request.getfixturevalue("moto_url") if ses == "moto" else None
    if moto_url:
        monkeypatch.setenv("SESAME_SENDER_SES_ENDPOINT_URL", moto_url)
    async with embedded_app(settings_for(db_url, public_url=PUBLIC)) as app:
        events_rt = app.state.embedded_apps["events"].state.runtime
        _, key = await bootstrap_project(app)
        auth = {"Authorization": f"Bearer {key}"}
        transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 5000))
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC) as c:
            domain = ""
            if moto_url:
                domain = f"d{uuid.uuid4().hex[:8]}.example"
                boto3.client("ses", region_name="us-east-1", endpoint_url=moto_url,
                             aws_access_key_id=KEYS["access_key_id"],
                             aws_secret_access_key=KEYS["secret_access_key"]).verify_domain_identity(Domain=domain)  # fmt: skip
                r = await c.put("/v1/ses-account", headers=auth, json={
                    "region": "us-east-1", "credentials": KEYS, "from": f"News <news@{domain}>", "warmup": False})  # fmt: skip
                assert r.status_code == 200, r.text
            r = await c.put("/v1/feedback/endpoint", json={"allowed_topic_arns": [TOPIC]}, headers=auth)
            assert r.status_code == 200, r.text
            hook = f"/webhooks/sns/{r.json()['token']}"
            r = await c.post("/v1/lists", json={"name": "News", "double_optin": False}, headers=auth)
            news = r.json()["id"]
            for addr in READERS:
                r = await c.post("/v1/subscriptions", headers=auth, json={
                    "list_id": news, "email": addr, "status": "active", "consent_source": "test"})  # fmt: skip
                assert r.status_code == 201, r.text
            r = await c.post("/v1/campaigns", headers=auth, json={
                "name": "Spring", "list_ids": [news], "subject": "Spring", "html": "<p>Hi</p>", "send_now": True})  # fmt: skip
            assert r.status_code == 201, r.text
            cid = r.json()["id"]

            async def sent() -> dict[str, Any] | None:
                got = (await c.get(f"/v1/campaigns/{cid}", headers=auth)).json()
                return got if got["status"] == "sent" else None

            campaign = await _until(sent)
            assert campaign, "campaign not sent"
            async with events_rt.sessionmaker() as s:
                rows = (await s.execute(sa.select(Message.id, Message.to_address, Message.ses_message_id)
                                        .where(Message.campaign_id == cid))).all()  # fmt: skip
            msg = {to: (mid, ses_id) for mid, to, ses_id in rows}
            assert set(msg) == set(READERS) and all(ses_id for _, ses_id in msg.values())
            captured: dict[str, dt.datetime] = {}  # the sandbox's own Delivery per reader, as it published it

            async def sandbox_deliveries() -> dict[str, dt.datetime] | None:
                async with events_rt.sessionmaker() as s:
                    bodies = (await s.scalars(sa.select(SnsInbox.body).where(
                        SnsInbox.project_id == pid, SnsInbox.source == "sandbox"))).all()  # fmt: skip
                got: dict[str, dt.datetime] = {}
                for note in map(json.loads, bodies):
                    to = note["mail"]["destination"][0]
                    if to not in READERS:
                        continue
                    assert note["notificationType"] == "Delivery" and to not in got, note
                    d = note["delivery"]
                    assert d["recipients"] == [to], d
                    assert d["smtpResponse"] == "250 2.0.0 captured by the Sesame sandbox", d
                    got[to] = dt.datetime.fromisoformat(d["timestamp"].replace("Z", "+00:00"))
                return got if set(got) == set(READERS) else None

            pid = (await c.get("/v1/project", headers=auth)).json()["id"]
            if not moto_url:
                captured = await _until(sandbox_deliveries) or {}
                assert set(captured) == set(READERS), captured
            start = dt.datetime.fromisoformat(campaign["fanout_at"].replace("Z", "+00:00"))
            base = start.replace(second=0, microsecond=0)
            n = 0

            async def feed(
                i: int, kind: str, minute: int, *, twice: bool = False, **kw: Any
            ) -> dict[str, Any]:
                nonlocal n
                to = READERS[i]
                doc = kw.pop("doc", None) or ses_document(
                    kind, ses_message_id=msg[to][1], to=to, at=base + dt.timedelta(minutes=minute),
                    project_id=pid, message_id=msg[to][0], **kw)  # fmt: skip
                for _ in range(2 if twice else 1):  # twice: SNS re-publishes the same SES event
                    n += 1
                    env = sns.notification(doc, version="1" if n % 2 else "2")
                    r = await c.post(hook, content=body(env), headers={
                        "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification"})  # fmt: skip
                    assert r.status_code == 200, r.text
                return doc

            await feed(0, "delivery", 1)
            late = await feed(0, "open", 3, twice=True)
            await feed(2, "bounce", 1, notification=True)
            await feed(3, "bounce", 1, bounce_type="Transient")
            await asyncio.sleep(1.0)  # let the rollup take the first part: the earlier open arrives after it
            await feed(0, "open", 2)
            await feed(0, "open", 3, doc=late)
            await feed(0, "click", 4, link=LINK_A)
            await feed(0, "click", 5, link=LINK_A, twice=True)
            await feed(0, "click", 70, link=LINK_B)
            await feed(1, "click", 6, link=LINK_A)
            await feed(1, "open", 5)
            await feed(1, "delivery", 2, notification=True)
            await feed(3, "delivery", 3, twice=True)
            await feed(4, "complaint", 65)
            await feed(4, "delivery", 1, notification=True)

            # reader1 unsubscribes with the one-click link of the mail it got
            mail = (await captured_mail(c, key, READERS[1], subject_has="Spring")) if not moto_url else \
                _moto_mail(moto_url, READERS[1], domain)  # fmt: skip
            one_click = re.search(r"<(https?://[^>]+/u/[^>]+)>", str(mail["List-Unsubscribe"])).group(1)  # type: ignore[union-attr]
            r = await c.post(one_click.removeprefix(PUBLIC), content=b"List-Unsubscribe=One-Click",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
            assert r.status_code in (200, 202), r.text

            async def unsubscribes() -> dict[int, dt.datetime] | None:
                # reader1's one-click and reader4's complaint (unsubscribes from every list), both attributed
                async with events_rt.sessionmaker() as s:
                    rows = (await s.execute(sa.select(SubscriptionChange.contact_id, SubscriptionChange.created_at)
                                            .where(SubscriptionChange.campaign_id == cid,
                                                   SubscriptionChange.status == "unsubscribed")
                                            .order_by(SubscriptionChange.id))).all()  # fmt: skip
                first: dict[int, dt.datetime] = {}
                for contact, when in rows:
                    first.setdefault(contact, when)
                return first if len(first) == 2 else None

            unsub = await _until(unsubscribes)
            assert unsub, "the one-click and the complaint's unsubscribe were not both attributed"

            def at(minute: int) -> str:
                return (base + dt.timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ")

            keys = ("delivered", "opened", "clicked", "bounced", "complained", "unsubscribed")
            points: dict[tuple[str, str], dict[str, int]] = {}

            def point(when: str, resolution: str = "minute", **counts: int) -> None:
                p = points.setdefault((when, resolution), dict.fromkeys(keys, 0))
                for k, v in counts.items():
                    p[k] += v

            # fed deliveries: reader0 and reader4 at minute 1, reader1 at 2, reader3 at 3 (twice); reader2 none
            fed = {READERS[0]: base + dt.timedelta(minutes=1), READERS[1]: base + dt.timedelta(minutes=2),
                   READERS[3]: base + dt.timedelta(minutes=3), READERS[4]: base + dt.timedelta(minutes=1)}  # fmt: skip
            first_delivery = {to: min(w for w in (fed.get(to), captured.get(to)) if w) for to in READERS
                              if to in fed or to in captured}  # fmt: skip
            for when in first_delivery.values():
                point(when.replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ"), delivered=1)
            point(at(1), bounced=2)  # reader2 hard, reader3 soft
            point(at(2), opened=1)  # reader0's first open (it arrived late)
            point(at(4), clicked=1)
            point(at(5), opened=1)
            point(at(6), clicked=1)
            hour = (base + dt.timedelta(minutes=65)).replace(minute=0)
            point(hour.strftime("%Y-%m-%dT%H:%M:%SZ"), "hour", complained=1)
            for when in unsub.values():
                u = when.replace(second=0, microsecond=0)
                if u >= start + dt.timedelta(hours=1):
                    point(u.replace(minute=0).strftime("%Y-%m-%dT%H:%M:%SZ"), "hour", unsubscribed=1)
                else:
                    point(u.strftime("%Y-%m-%dT%H:%M:%SZ"), unsubscribed=1)
            delivered = 5 if captured else 4  # the sandbox delivered reader2 too (bounced later, as SES can)
            assert len(first_delivery) == delivered
            expected = {
                "campaign_id": cid, "status": "sent", "started_at": campaign["fanout_at"].replace("+00:00", "Z"),
                "recipients": 5, "sent": 5, "failed": 0, "skipped": 0, "delivered": delivered,
                "bounced": {"hard": 1, "soft": 1}, "complained": 1, "rejected": 0,
                "opened": {"unique": 2, "total": 3}, "clicked": {"unique": 2, "total": 4},
                "links": [{"url": LINK_A, "unique": 2, "total": 3}, {"url": LINK_B, "unique": 1, "total": 1}],
                "unsubscribed": 2, "paused": 0,
                "rates": {"bounce": {"value": 0.2, "warn": 0.02, "pause": 0.04},
                          "complaint": {"value": 0.2, "warn": 0.001, "pause": 0.003},
                          "open": 2 / delivered, "click": 2 / delivered},
                "tracking": {"opens": True, "clicks": True},
                "timeseries": {"points": [{"at": w, "resolution": res, **p} for (w, res), p in sorted(points.items())]},
            }  # fmt: skip

            async def report() -> dict[str, Any] | None:
                r = await c.get(f"/v1/campaigns/{cid}/report", headers=auth)
                assert r.status_code == 200, r.text
                got = r.json()
                got.pop("finished_at")
                return got if got == expected else None

            if not await _until(report):
                r = await c.get(f"/v1/campaigns/{cid}/report", headers=auth)
                got = r.json()
                got.pop("finished_at")
                assert got == expected
            mid0 = msg[READERS[0]][0]
            async with events_rt.sessionmaker() as s:
                contact0 = await s.scalar(sa.select(Message.contact_id).where(Message.id == mid0))
            r = await c.get(f"/v1/contacts/{contact0}/engagement", headers=auth)
            assert r.status_code == 200, r.text
            engagement = r.json()
            last_delivered = dt.datetime.fromisoformat(
                engagement.pop("last_delivered_at").replace("Z", "+00:00")
            )
            assert last_delivered == max(
                w for w in (fed[READERS[0]], captured.get(READERS[0])) if w
            )  # the latest
            assert engagement == {
                "contact_id": contact0, "last_opened_at": at(3),
                "last_clicked_at": at(70), "delivered": 1, "opened": 1, "clicked": 1, "campaigns_received": 1,
            }  # fmt: skip
            assert (await c.get("/v1/campaigns/987654/report", headers=auth)).status_code == 404
            assert (await c.get(f"/v1/campaigns/{cid}/report")).status_code == 401
