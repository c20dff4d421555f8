"""Webhook safety and delivery mechanics: SSRF refusals (literals and resolved names, IPv4/IPv6/mapped forms),
exhausted retries disable the endpoint and mail the owner once, two replicas never make the same attempt."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from services.events.settings import EventsSettings
from services.events.webhooks.delivery import Deliverer, enqueue_event
from services.events.webhooks.safe_http import (
    UnsafeTarget,
    VettingResolver,
    WebhookClient,
    check_url,
    refusal,
)
from shared.models.core import OutboxMessage
from shared.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests.gateway.embedded import bootstrap_project, embedded_app
from tests.support.webhook_receiver import Receiver

PUBLIC = "http://testserver"
LOOP = [ipaddress.ip_network("127.0.0.1/32")]


@pytest.mark.parametrize(
    "addr",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "169.254.1.1", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "198.18.0.1", "::1", "::", "fe80::1", "fc00::1",
        "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:7f00:1::1",
    ],
)  # fmt: skip
def test_private_and_special_addresses_refused(addr: str) -> None:
    assert refusal(ipaddress.ip_address(addr), []) is not None


@pytest.mark.parametrize("addr", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.216.34"])
def test_public_addresses_allowed(addr: str) -> None:
    assert refusal(ipaddress.ip_address(addr), []) is None


def test_url_checks() -> None:
    assert check_url("https://hooks.example.com/x", []) is None
    for bad in ("ftp://example.com/", "http://user:pw@example.com/", "http://127.0.0.1/", "http://[::1]:80/",
                "http://localhost:8080/", "http:///nohost", "http://[::ffff:169.254.169.254]/"):  # fmt: skip
        assert check_url(bad, []) is not None, bad
    assert check_url("http://127.0.0.1:9/", LOOP) is None  # the operator's allow-list
    assert check_url("http://10.0.0.1/", LOOP) is not None


# Hosts that are loopback/private once normalised the way the HTTP client normalises them: IDNA maps unicode digits
# and full-width dots to ASCII (yarl then sees an IP literal and never asks the resolver), inet_aton reads decimal,
# hex, octal and short forms, a trailing dot is the same name.
DISGUISED = [
    "http://①②⑦.0.0.1/", "http://127。0。0。1/", "http://１２７.０.０.１/", "http://ⓛocalhost/", "http://LOCALHOST./",
    "http://a.localhost/", "http://2130706433/", "http://0x7f.1/", "http://0x7f000001/", "http://0177.0.0.1/",
    "http://127.1/", "http://0/", "http://127.0.0.1./", "http://[::ffff:127.0.0.1]/", "http://[0:0:0:0:0:ffff:a00:1]/",
    "http://[fe80::1%25eth0]/", "http://%31%32%37.0.0.1/", "http://a@127.0.0.1/", "http://127.0.0.1:99999/",
    "http://exa\x00mple.com/", "https://h.example.com/\r\nX-Evil: 1", "https://h.example.com/a b", " https://h.example.com/",
    "https://h.example.com/\t", "javascript://example.com/", "file:///etc/passwd", "gopher://example.com/",
]  # fmt: skip


@pytest.mark.parametrize("url", DISGUISED)
def test_disguised_internal_hosts_refused(url: str) -> None:
    assert check_url(url, []) is not None, url


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example.com/x", "https://café.example/x", "http://deadbeef.cafe/", "https://a_b.example.com:8443/x",
     "https://hooks.example.com./x", "https://93.184.216.34/x"],
)  # fmt: skip
def test_ordinary_public_urls_accepted(url: str) -> None:
    assert check_url(url, []) is None, url


async def test_unicode_digit_host_never_reaches_loopback() -> None:
    """`①②⑦.0.0.1` is no IP literal to urlsplit but is 127.0.0.1 to aiohttp, which then skips the resolver."""
    receiver = await Receiver().start()
    try:
        port = receiver.url.split(":")[2].split("/")[0]
        client = WebhookClient([], total_timeout=2)
        for host in ("①②⑦.0.0.1", "127。0。0。1", "2130706433", "127.1"):
            res = await client.post(f"http://{host}:{port}/hooks", b"{}", {})
            assert not res.ok and res.error and res.error.startswith("refused"), (host, res)
        await client.close()
        assert receiver.count == 0
    finally:
        await receiver.stop()


async def test_resolved_names_are_vetted_and_nothing_reaches_a_private_address() -> None:
    receiver = await Receiver().start()
    try:
        with pytest.raises(UnsafeTarget):
            await VettingResolver([]).resolve("localhost", 80)
        assert await VettingResolver(LOOP).resolve("localhost", 80, socket.AF_INET)
        client = WebhookClient([], total_timeout=2)
        port = receiver.url.split(":")[2].split("/")[0]
        urls = [receiver.url, f"http://[::ffff:127.0.0.1]:{port}/hooks"]
        host = socket.gethostname()
        try:
            if all(ipaddress.ip_address(i[4][0]).is_loopback for i in socket.getaddrinfo(host, None)):
                urls.append(f"http://{host}:{port}/hooks")  # a name that resolves to loopback
        except OSError:
            pass
        for url in urls:
            res = await client.post(url, b"{}", {})
            assert not res.ok and res.error and res.error.startswith("refused"), (url, res)
        assert receiver.count == 0
        # No redirects followed: a 3xx is a failure.
        await client.close()
    finally:
        await receiver.stop()


async def _until(check: Any, within: float = 20.0) -> Any:  # noqa: ASYNC109
    deadline = time.monotonic() + within
    while not (got := await check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s")
        await asyncio.sleep(0.1)
    return got


async def test_exhausted_retries_disable_endpoint_and_mail_owner_once(
    db_url: str, settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_RETRY_SCHEDULE_SECONDS", "[0.1, 0.1]")
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_POLL_SECONDS", "0.1")
    receiver = await Receiver(fail_first={"webhook.test": 99}).start()
    try:
        async with embedded_app(settings_for(db_url, public_url=PUBLIC)) as app:
            rt = app.state.embedded_apps["events"].state.runtime
            _pid, key = await bootstrap_project(app)
            auth = {"Authorization": f"Bearer {key}"}
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
                r = await c.post("/v1/webhooks", json={"url": "http://10.0.0.1/x"}, headers=auth)
                assert r.status_code == 400 and r.json()["error"] == "url_refused", r.text
                ep = (await c.post("/v1/webhooks", json={"url": receiver.url}, headers=auth)).json()
                assert (await c.post(f"/v1/webhooks/{ep['id']}/test", headers=auth)).status_code == 202

                async def disabled() -> bool:
                    got = (await c.get(f"/v1/webhooks/{ep['id']}", headers=auth)).json()
                    return not got["enabled"]

                await _until(disabled)
                got = (await c.get(f"/v1/webhooks/{ep['id']}", headers=auth)).json()
                assert "HTTP 500" in got["disabled_reason"]
                assert receiver.count == 3  # first attempt + 2 retries
                d = (await c.get(f"/v1/webhooks/{ep['id']}/deliveries", headers=auth)).json()["data"][0]
                assert (d["status"], d["attempts"], d["last_status_code"]) == ("failed", 3, 500)
                # Disabled: no test, no replay until enabled again; then a replay is one attempt.
                assert (await c.post(f"/v1/webhooks/{ep['id']}/test", headers=auth)).status_code == 409
                r = await c.patch(f"/v1/webhooks/{ep['id']}", json={"enabled": True}, headers=auth)
                assert r.status_code == 200 and r.json()["disabled_reason"] is None
                receiver.fail_first.clear()
                r = await c.post(f"/v1/webhooks/{ep['id']}/deliveries/{d['id']}/replay", headers=auth)
                assert r.status_code == 202, r.text

                async def succeeded() -> bool:
                    one = (await c.get(f"/v1/webhooks/{ep['id']}/deliveries/{d['id']}", headers=auth)).json()
                    return one["status"] == "succeeded"

                await _until(succeeded)
            async with rt.sessionmaker() as s:
                mails = (
                    await s.scalars(
                        sa.select(OutboxMessage).where(OutboxMessage.routing_key == "mail.requested")
                    )
                ).all()
            assert [m.payload["subject"] for m in mails if "webhook" in m.payload["subject"]] == [
                "A webhook endpoint was disabled"
            ]
    finally:
        await receiver.stop()


async def test_two_replicas_never_deliver_one_attempt_twice(
    db_url: str, settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESAME_EVENTS_RUN_WEBHOOK_DELIVERY", "false")
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    receiver = await Receiver().start()
    try:
        async with embedded_app(settings_for(db_url, public_url=PUBLIC)) as app:
            rt = app.state.embedded_apps["events"].state.runtime
            pid, key = await bootstrap_project(app)
            auth = {"Authorization": f"Bearer {key}"}
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
                r = await c.post("/v1/webhooks", json={"url": receiver.url}, headers=auth)
                assert r.status_code == 201, r.text
            settings = EventsSettings(webhook_allow_networks=["127.0.0.1/32"], webhook_batch_size=40)
            async with rt.uow() as s:
                for i in range(300):
                    await enqueue_event(
                        s, settings, pid, "email.sent", f"load-{i}", {"project_id": pid, "i": i}
                    )
            replicas = [Deliverer(rt, settings) for _ in range(3)]

            async def drain(d: Deliverer) -> None:
                while await d.round():
                    pass

            await asyncio.gather(*(drain(d) for d in replicas))
            for d in replicas:
                await d.client.close()
            ids = [r.headers["webhook-id"] for r in receiver.received]
            assert len(ids) == 300 and len(set(ids)) == 300
            async with rt.sessionmaker() as s:
                assert await s.scalar(sa.select(sa.func.count()).select_from(WebhookAttempt)) == 300
                states = (
                    await s.execute(
                        sa.select(WebhookDelivery.status, sa.func.count()).group_by(WebhookDelivery.status)
                    )
                ).all()  # noqa: E501
                assert dict(states) == {"succeeded": 300}
                assert await s.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 1
    finally:
        await receiver.stop()


HOSTILE_ANSWER = 'ok\x00<script>alert("xss")</script>"><img src=x onerror=alert(1)>\x00'


async def _raw_server(answer: bytes) -> tuple[asyncio.Server, str]:
    """A receiver answering these exact bytes (headers aiohttp's server would not write: not UTF-8)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/hooks"


async def test_a_hostile_receivers_answer_is_recorded_and_harms_no_one_else(
    db_url: str, settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A receiver answering NUL bytes (no Postgres text column holds one) and markup, another redirecting to a
    Location that is not UTF-8 (aiohttp hands it over as lone surrogates): their attempts are logged as text, and
    the deliveries sharing their batch — another project's here — are recorded too, once."""
    monkeypatch.setenv("SESAME_EVENTS_RUN_WEBHOOK_DELIVERY", "false")
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    evil, good = await Receiver(answer=HOSTILE_ANSWER).start(), await Receiver().start()
    redirector, redirect_url = await _raw_server(
        b"HTTP/1.1 302 Found\r\nLocation: http://x/\xff\xfe<b>\r\nContent-Length: 2\r\n\r\nhi"
    )
    try:
        async with embedded_app(settings_for(db_url, public_url=PUBLIC)) as app:
            rt = app.state.embedded_apps["events"].state.runtime
            settings = EventsSettings(webhook_allow_networks=["127.0.0.1/32"])
            pids = []
            for name, url in (("Evil", evil.url), ("Redirect", redirect_url), ("Good", good.url)):
                pid, key = await bootstrap_project(app, name)
                async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
                    r = await c.post(
                        "/v1/webhooks", json={"url": url}, headers={"Authorization": f"Bearer {key}"}
                    )
                    assert r.status_code == 201, r.text
                pids.append(pid)
            async with rt.uow() as s:
                for pid in pids:
                    await enqueue_event(s, settings, pid, "email.sent", f"one-{pid}", {"project_id": pid})
            deliverer = Deliverer(rt, settings)
            try:
                assert await deliverer.round() == 3
                assert await deliverer.round() == 0  # recorded: nothing left due, nothing sent again
            finally:
                await deliverer.client.close()
            assert (evil.count, good.count) == (1, 1)
            async with rt.sessionmaker() as s:
                states = dict(
                    (await s.execute(sa.select(WebhookDelivery.project_id, WebhookDelivery.status))).all()
                )
                assert states == {pids[0]: "succeeded", pids[1]: "pending", pids[2]: "succeeded"}, states
                logged = (
                    await s.execute(sa.select(WebhookAttempt.error, WebhookAttempt.response_excerpt))
                ).all()
            text = "".join(f"{e or ''}{x or ''}" for e, x in logged)
            assert "\x00" not in text and '<script>alert("xss")' in text and "redirect to http://x/" in text
            text.encode("utf-8")  # no lone surrogate either
    finally:
        await evil.stop()
        await good.stop()
        redirector.close()


async def test_another_projects_endpoints_and_deliveries_are_not_found_on_any_route(
    db_url: str, settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """IDOR: project B's key on A's endpoint, or B's own endpoint with A's delivery id, is a 404 on every route of
    /v1/webhooks (read, edit, delete, rotate, test, deliveries, replay), and A's endpoint is unchanged."""
    monkeypatch.setenv("SESAME_EVENTS_RUN_WEBHOOK_DELIVERY", "false")
    async with embedded_app(settings_for(db_url, public_url=PUBLIC)) as app:
        _pa, key_a = await bootstrap_project(app, "A")
        _pb, key_b = await bootstrap_project(app, "B")
        a, b = {"Authorization": f"Bearer {key_a}"}, {"Authorization": f"Bearer {key_b}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
            ep = (await c.post("/v1/webhooks", json={"url": "https://hooks.example.com/a"}, headers=a)).json()
            eid = ep["id"]
            did = (await c.post(f"/v1/webhooks/{eid}/test", headers=a)).json()["id"]
            own = (
                await c.post("/v1/webhooks", json={"url": "https://hooks.example.com/b"}, headers=b)
            ).json()["id"]
            routes = [
                ("GET", f"/v1/webhooks/{eid}", None),
                ("PATCH", f"/v1/webhooks/{eid}", {"url": "https://evil.example.com/", "enabled": True}),
                ("POST", f"/v1/webhooks/{eid}/rotate-secret", None),
                ("POST", f"/v1/webhooks/{eid}/test", None),
                ("GET", f"/v1/webhooks/{eid}/deliveries", None),
                ("GET", f"/v1/webhooks/{eid}/deliveries/{did}", None),
                ("POST", f"/v1/webhooks/{eid}/deliveries/{did}/replay", None),
                ("GET", f"/v1/webhooks/{own}/deliveries/{did}", None),
                ("POST", f"/v1/webhooks/{own}/deliveries/{did}/replay", None),
                ("DELETE", f"/v1/webhooks/{eid}", None),
            ]
            for method, path, body in routes:
                r = await c.request(method, path, json=body, headers=b)
                assert r.status_code == 404 and r.json()["error"] == "not_found", (method, path, r.text)
            assert [e["id"] for e in (await c.get("/v1/webhooks", headers=b)).json()["data"]] == [own]
            after = (await c.get(f"/v1/webhooks/{eid}", headers=a)).json()
            assert after == {k: v for k, v in ep.items() if k != "secret"}  # untouched
            assert (await c.get(f"/v1/webhooks/{eid}/deliveries/{did}", headers=a)).json()[
                "status"
            ] == "pending"


async def test_racing_creates_never_pass_the_endpoint_limit(
    db_url: str, settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twelve creates at once against a limit of three: three endpoints, the others 409 webhook_limit."""
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_MAX_ENDPOINTS", "3")
    async with embedded_app(settings_for(db_url, public_url=PUBLIC)) as app:
        _pid, key = await bootstrap_project(app)
        auth = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
            rs = await asyncio.gather(
                *(
                    c.post("/v1/webhooks", json={"url": f"https://h.example.com/{i}"}, headers=auth)
                    for i in range(12)
                )
            )
            codes = sorted(r.status_code for r in rs)
            assert codes == [201] * 3 + [409] * 9, codes
            assert {r.json()["error"] for r in rs if r.status_code == 409} == {"webhook_limit"}
            assert len((await c.get("/v1/webhooks", headers=auth)).json()["data"]) == 3
