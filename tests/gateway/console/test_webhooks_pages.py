"""The console's webhook pages on the embedded system, with a local aiohttp receiver the API is told to allow:
an endpoint added (its secret shown once, and verifying what the receiver gets), edited, tested, its delivery
log and a delivery's attempts, replayed, rotated, disabled, deleted; refusals shown on the form; roles."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook

from services.events.webhooks.catalog import EVENT_TYPES
from services.gateway.console.webhooks_pages import LOG_PAGE
from shared.models.console import AuditEntry
from tests.gateway.console.report_feed import until
from tests.gateway.console.support import ConsoleClient, add_member
from tests.support.webhook_receiver import Receiver

SECRET_RE = re.compile(r"whsec_[A-Za-z0-9+/=]{40,}")


@pytest.fixture
def local_receivers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deliveries may reach 127.0.0.1 (the test receiver), quickly. Asked for before `console_system`."""
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_ALLOW_NETWORKS", '["127.0.0.1/32"]')
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_RETRY_SCHEDULE_SECONDS", "[0.2, 0.2]")
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_POLL_SECONDS", "0.1")


class Api:
    """The project's /v1 API with its key, to check what the console did (and to set things up)."""

    def __init__(self, system: Any) -> None:
        self.c = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=system.app), base_url="http://testserver"
        )
        self.auth = {"Authorization": f"Bearer {system.api_key}"}

    async def __aenter__(self) -> Api:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.c.aclose()

    async def get(self, path: str, **params: Any) -> Any:
        r = await self.c.get(path, headers=self.auth, params=params)
        assert r.status_code == 200, r.text
        return r.json()

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        r = await self.c.post(path, headers=self.auth, json=body)
        assert r.status_code in (201, 202), r.text
        return r.json()


def _text(r: httpx.Response) -> str:
    return html.unescape(r.text)


async def _audit(app: Any) -> list[tuple[str, str]]:
    async with app.state.runtime.sessionmaker() as db:
        rows = (
            await db.execute(sa.select(AuditEntry.action, AuditEntry.target).order_by(AuditEntry.id))
        ).all()
    return [(a, t) for a, t in rows if a.startswith("webhook.")]


async def test_an_endpoint_from_creation_to_deletion(local_receivers, console_system) -> None:  # type: ignore[no-untyped-def]
    s, admin = console_system, console_system.admin
    base = f"/admin/p/{s.project_id}/webhooks"
    receiver = await Receiver().start()
    try:
        async with Api(s) as api:
            r = await admin.get(base)
            assert r.status_code == 200 and "No endpoints yet" in r.text
            assert f'href="{base}"' in r.text  # in the project's navigation
            r = await admin.get(f"{base}/new")
            assert r.status_code == 200
            for t in EVENT_TYPES:
                assert f'value="{t}"' in r.text, t
            assert 'value="email.*"' in r.text

            # Added: the secret is on the answer, and only there.
            r = await admin.post(
                base,
                {
                    "url": receiver.url,
                    "description": "CRM sync",
                    "scope": "some",
                    "event_types": ["email.bounced", "subscription.*"],
                },
            )
            assert r.status_code == 201, _text(r)[:3000]
            secrets = set(SECRET_RE.findall(r.text))
            assert len(secrets) == 1
            secret = secrets.pop()
            assert "Shown only now" in r.text and 'data-copy="webhook-secret"' in r.text
            assert "standardwebhooks" in r.text
            (ep,) = (await api.get("/v1/webhooks"))["data"]
            eid = ep["id"]
            assert ep["url"] == receiver.url and ep["event_types"] == ["email.bounced", "subscription.*"]
            assert ep["description"] == "CRM sync"
            listing = await admin.get(base)
            assert receiver.url in listing.text and "email.bounced, subscription.*" in listing.text
            assert "enabled" in listing.text and "none yet" in listing.text
            page = await admin.get(f"{base}/{eid}")
            assert page.status_code == 200 and "whsec_" in page.text
            for shown in (listing, page):
                assert secret not in shown.text and not SECRET_RE.search(shown.text)
            # the edit form shows the filter as it is
            assert re.search(r'value="subscription\.\*"[^>]* checked', page.text)

            # Edited: every event, another path.
            r = await admin.post(
                f"{base}/{eid}", {"url": receiver.url + "/v2", "description": "CRM", "scope": "all"}
            )
            assert r.status_code == 303, _text(r)[:3000]
            ep = await api.get(f"/v1/webhooks/{eid}")
            assert (
                ep["url"] == receiver.url + "/v2" and ep["event_types"] == [] and ep["description"] == "CRM"
            )

            # A test event: delivered, signed with the secret shown, in the log with its attempt.
            r = await admin.post(f"{base}/{eid}/test")
            assert r.status_code == 303
            assert "Test event queued" in _text(await admin.get(r.headers["location"]))

            async def delivered() -> Any:
                got = (await api.get(f"/v1/webhooks/{eid}/deliveries"))["data"]
                return got if got and got[0]["status"] == "succeeded" else None

            (d,) = await until(delivered)
            assert d["event_type"] == "webhook.test"
            (got,) = receiver.of_type("webhook.test")
            assert got.path == "/hooks/v2"
            Webhook(secret).verify(got.body, got.headers)
            log = await admin.get(f"{base}/{eid}")
            assert "<code>webhook.test</code>" in log.text and "succeeded" in log.text
            assert f'href="{base}/{eid}/deliveries/{d["id"]}"' in log.text
            assert "No failed deliveries" in (await admin.get(f"{base}/{eid}?status=failed")).text
            assert "<code>webhook.test</code>" in (await admin.get(f"{base}/{eid}?status=succeeded")).text
            detail = await admin.get(f"{base}/{eid}/deliveries/{d['id']}")
            assert detail.status_code == 200
            assert d["event_id"] in detail.text and "HTTP 200" in detail.text
            assert '<pre class="excerpt">ok</pre>' in detail.text and "Replay" in detail.text

            # Replayed: one more attempt, same webhook-id.
            r = await admin.post(f"{base}/{eid}/deliveries/{d['id']}/replay")
            assert r.status_code == 303, _text(r)[:3000]

            async def replayed() -> Any:
                got = await api.get(f"/v1/webhooks/{eid}/deliveries/{d['id']}")
                return got if got["status"] == "succeeded" and got["attempts"] == 2 else None

            assert len((await until(replayed))["attempt_log"]) == 2
            assert [x.headers["webhook-id"] for x in receiver.of_type("webhook.test")] == [d["event_id"]] * 2

            # Rotated: a new secret shown once, the 24 h overlap explained; both secrets sign meanwhile.
            r = await admin.post(f"{base}/{eid}/rotate")
            assert r.status_code == 200, _text(r)[:3000]
            (new_secret,) = set(SECRET_RE.findall(r.text))
            assert new_secret != secret and "24 hours" in r.text
            assert not SECRET_RE.search((await admin.get(f"{base}/{eid}")).text)
            assert "The previous secret also signs until" in (await admin.get(f"{base}/{eid}")).text
            await admin.post(f"{base}/{eid}/test")
            await until(lambda: _count(receiver, 3))
            last = receiver.of_type("webhook.test")[-1]
            Webhook(new_secret).verify(last.body, last.headers)
            Webhook(secret).verify(last.body, last.headers)

            # Disabled: the state shows, the test button goes, a forced test is refused on the page.
            r = await admin.post(f"{base}/{eid}/disable")
            assert r.status_code == 303
            assert (await api.get(f"/v1/webhooks/{eid}"))["enabled"] is False
            page = await admin.get(f"{base}/{eid}")
            assert "disabled" in page.text and f'action="{base}/{eid}/test"' not in page.text
            r = await admin.post(f"{base}/{eid}/test")
            assert r.status_code == 409 and "the endpoint is disabled" in _text(r)
            assert "disabled" in (await admin.get(base)).text
            r = await admin.post(f"{base}/{eid}/enable")
            assert r.status_code == 303 and (await api.get(f"/v1/webhooks/{eid}"))["enabled"] is True

            # Deleted.
            r = await admin.post(f"{base}/{eid}/delete")
            assert r.status_code == 303 and r.headers["location"].startswith(base + "?")
            assert (await api.get("/v1/webhooks"))["data"] == []
            assert (await admin.get(f"{base}/{eid}")).status_code == 404
            actions = [a for a, _ in await _audit(s.app)]
            assert actions == [
                "webhook.created",
                "webhook.updated",
                "webhook.test_sent",
                "webhook.delivery_replayed",
                "webhook.secret_rotated",
                "webhook.test_sent",
                "webhook.disabled",
                "webhook.enabled",
                "webhook.deleted",
            ]
            assert {t for _, t in await _audit(s.app)} == {f"webhook:{eid}"}
    finally:
        await receiver.stop()


async def _count(receiver: Receiver, n: int) -> bool:
    return len(receiver.of_type("webhook.test")) >= n


async def test_refusals_are_shown_on_the_form(console_system) -> None:  # type: ignore[no-untyped-def]
    s, admin = console_system, console_system.admin
    base = f"/admin/p/{s.project_id}/webhooks"
    # The API's SSRF check: its reason at the URL input, what was typed kept.
    for url, why in (("http://127.0.0.1/hook", "loopback"), ("http://169.254.169.254/", "cloud metadata")):
        r = await admin.post(base, {"url": url, "scope": "some", "event_types": ["email.bounced"]})
        assert r.status_code == 400, r.status_code
        text = _text(r)
        assert re.search(rf'<p class="error" id="e-url">url refused: [^<]*{why}', text), text[:4000]
        assert 'id="f-url"' in text and f'value="{url}"' in text and 'aria-invalid="true"' in text
        assert re.search(r'value="email\.bounced"[^>]* checked', text)
        assert not SECRET_RE.search(text)
    # "only these types" with none ticked; a type the catalogue does not have (a forged form).
    r = await admin.post(base, {"url": "https://hooks.example.com/x", "scope": "some"})
    assert r.status_code == 422 and 'id="e-event_types"' in r.text
    r = await admin.post(
        base, {"url": "https://hooks.example.com/x", "scope": "some", "event_types": ["nope"]}
    )
    assert r.status_code == 422 and "unknown event types" in _text(r)
    r = await admin.post(
        base, {"url": "https://hooks.example.com/x", "scope": "all", "event_types": ["email.sent"]}
    )
    assert r.status_code == 422 and "“All events” is chosen" in _text(r)
    r = await admin.post(base, {"url": "", "scope": "all"})
    assert r.status_code == 422 and 'id="e-url"' in r.text
    async with Api(s) as api:
        assert (await api.get("/v1/webhooks"))["data"] == []
        # editing into a refused URL: same, and nothing changed
        ep = await api.post("/v1/webhooks", {"url": "https://hooks.example.com/x"})
        r = await admin.post(f"{base}/{ep['id']}", {"url": "http://10.0.0.1/", "scope": "all"})
        assert r.status_code == 400 and "url refused" in _text(r) and 'value="http://10.0.0.1/"' in r.text
        assert (await api.get(f"/v1/webhooks/{ep['id']}"))["url"] == "https://hooks.example.com/x"
        # an endpoint of nobody (or another project): 404 pages, never a 500
        assert (await admin.get(f"{base}/999999")).status_code == 404
        assert (await admin.post(f"{base}/999999/rotate")).status_code == 404
        assert (await admin.get(f"{base}/{ep['id']}/deliveries/999999")).status_code == 404
        assert (await admin.get(f"{base}/{ep['id']}?status=bogus&cursor=%C2%B2")).status_code == 200
    assert await _audit(s.app) == []


async def test_roles(console_system) -> None:  # type: ignore[no-untyped-def]
    """A viewer reads (no secret, no forms) and is refused every change; an editor may test and replay only."""
    s = console_system
    base = f"/admin/p/{s.project_id}/webhooks"
    async with Api(s) as api:
        ep = await api.post(
            "/v1/webhooks", {"url": "https://hooks.example.com/x", "event_types": ["email.*"]}
        )
        eid = ep["id"]
        d = await api.post(f"/v1/webhooks/{eid}/test", {})
    await add_member(s.app, s.project_id, "vera@example.com", "vera's password", "viewer")
    await add_member(s.app, s.project_id, "eddie@example.com", "eddie's password", "editor")
    changes = [base, f"{base}/{eid}", f"{base}/{eid}/enable", f"{base}/{eid}/disable", f"{base}/{eid}/rotate",
               f"{base}/{eid}/delete"]  # fmt: skip
    operational = [f"{base}/{eid}/test", f"{base}/{eid}/deliveries/{d['id']}/replay"]
    async with ConsoleClient(s.app, ip="198.51.100.40") as vera:
        await vera.login("vera@example.com", "vera's password")
        for path in (base, f"{base}/{eid}", f"{base}/{eid}/deliveries/{d['id']}"):
            r = await vera.get(path)
            assert r.status_code == 200, path
            assert 'method="post" action="/admin/p' not in r.text, path
        assert "email.*" in (await vera.get(base)).text
        assert (await vera.get(f"{base}/new")).status_code == 403
        for path in changes + operational:
            r = await vera.post(path, {"url": "https://evil.example.com/", "scope": "all"})
            assert r.status_code == 403, path
    async with ConsoleClient(s.app, ip="198.51.100.41") as eddie:
        await eddie.login("eddie@example.com", "eddie's password")
        page = await eddie.get(f"{base}/{eid}")
        assert f'action="{base}/{eid}/test"' in page.text and f'action="{base}/{eid}/rotate"' not in page.text
        for path in changes:
            r = await eddie.post(path, {"url": "https://evil.example.com/", "scope": "all"})
            assert r.status_code == 403, path
        r = await eddie.post(f"{base}/{eid}/test")
        assert r.status_code == 303
    async with Api(s) as api:
        after = await api.get(f"/v1/webhooks/{eid}")
        assert after["url"] == "https://hooks.example.com/x" and after["enabled"] is True
    assert [a for a, _ in await _audit(s.app)] == ["webhook.test_sent"]


@pytest.fixture
def many_test_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """More test events per endpoint and minute than the default 10 (the log needs more than a page of them)."""
    monkeypatch.setenv("SESAME_EVENTS_WEBHOOK_TESTS_PER_MINUTE", str(LOG_PAGE * 2))


async def test_the_delivery_log_pages_newest_first(many_test_events, console_system) -> None:  # type: ignore[no-untyped-def]
    s, admin = console_system, console_system.admin
    async with Api(s) as api:
        ep = await api.post("/v1/webhooks", {"url": "https://hooks.example.com/x"})
        ids = [(await api.post(f"/v1/webhooks/{ep['id']}/test", {}))["id"] for _ in range(LOG_PAGE + 3)]
    base = f"/admin/p/{s.project_id}/webhooks/{ep['id']}"
    link = re.compile(rf'href="{base}/deliveries/(\d+)"')
    first = await admin.get(base)
    assert [int(i) for i in link.findall(first.text)] == ids[::-1][:LOG_PAGE]
    older = re.search(r'href="([^"]+)">Older deliveries', first.text)
    assert older and "Newest</a>" not in first.text
    second = await admin.get(html.unescape(older.group(1)))
    assert [int(i) for i in link.findall(second.text)] == ids[::-1][LOG_PAGE:]
    assert "Older deliveries" not in second.text and "Newest</a>" in second.text
    # a cursor the API never gave: a 4xx page, not a 500
    assert (await admin.get(f"{base}?cursor=bm90LWEtY3Vyc29y")).status_code == 400


async def test_a_failing_endpoint_is_disabled_and_says_why(local_receivers, console_system) -> None:  # type: ignore[no-untyped-def]
    """Retries exhausted (three attempts here): the endpoint shows disabled with the reason, the delivery its
    failed attempts with the receiver's answer, and replay waits until the endpoint is enabled again."""
    s, admin = console_system, console_system.admin
    base = f"/admin/p/{s.project_id}/webhooks"
    receiver = await Receiver(fail_first={"webhook.test": 100}).start()
    try:
        async with Api(s) as api:
            ep = await api.post("/v1/webhooks", {"url": receiver.url})
            eid = ep["id"]
            r = await admin.post(f"{base}/{eid}/test")
            assert r.status_code == 303

            async def disabled() -> Any:
                got = await api.get(f"/v1/webhooks/{eid}")
                return got if not got["enabled"] else None

            reason = (await until(disabled))["disabled_reason"]
            assert reason and "failed 3 times" in reason
            for path in (base, f"{base}/{eid}"):
                text = _text(await admin.get(path))
                assert "disabled" in text and reason in text, path
            (d,) = (await api.get(f"/v1/webhooks/{eid}/deliveries", status="failed"))["data"]
            detail = await admin.get(f"{base}/{eid}/deliveries/{d['id']}")
            assert detail.text.count('<pre class="excerpt">boom</pre>') == 3 and "HTTP 500" in detail.text
            assert f'action="{base}/{eid}/deliveries/{d["id"]}/replay"' not in detail.text
            assert "enable it to replay" in detail.text
            r = await admin.post(f"{base}/{eid}/deliveries/{d['id']}/replay")
            assert r.status_code == 409 and "enable it first" in _text(r)
            # enabled again: the reason goes, the replay is offered and makes one more attempt
            assert (await admin.post(f"{base}/{eid}/enable")).status_code == 303
            assert reason not in _text(await admin.get(f"{base}/{eid}"))
            detail = await admin.get(f"{base}/{eid}/deliveries/{d['id']}")
            assert f'action="{base}/{eid}/deliveries/{d["id"]}/replay"' in detail.text
            assert (await admin.post(f"{base}/{eid}/deliveries/{d['id']}/replay")).status_code == 303

            async def attempted() -> Any:
                got = await api.get(f"/v1/webhooks/{eid}/deliveries/{d['id']}")
                return got if got["status"] == "failed" and got["attempts"] == 4 else None

            assert await until(attempted)
            assert (await api.get(f"/v1/webhooks/{eid}"))["enabled"] is True  # a replay does not disable
    finally:
        await receiver.stop()


XSS = '<script>alert("xss")</script>'
XSS_ATTR = '"><img src=x onerror=alert(1)>'
RAW = ("<script>alert(", "<img src=x onerror", "onerror=alert(1)>")


async def test_hostile_text_is_shown_escaped_on_every_webhook_page(local_receivers, console_system) -> None:  # type: ignore[no-untyped-def]
    """An endpoint's description and URL, the receiver's answer (a hostile receiver answers markup and NUL bytes),
    an event's payload pretty-printed, a redirect's Location in the error: text on every page, never markup."""
    from services.events.settings import EventsSettings
    from services.events.webhooks.delivery import enqueue_event

    s, admin = console_system, console_system.admin
    base = f"/admin/p/{s.project_id}/webhooks"
    receiver = await Receiver(answer=f"\x00{XSS}{XSS_ATTR}").start()
    try:
        async with Api(s) as api:
            ep = await api.post(
                "/v1/webhooks",
                {"url": f'{receiver.url}?q="><script>alert(1)</script>', "description": XSS + XSS_ATTR},
            )
            eid = ep["id"]
            rt = s.app.state.embedded_apps["events"].state.runtime
            async with rt.uow() as db:
                data = {
                    "project_id": s.project_id,
                    "email": f"{XSS}@example.com",
                    "attributes": {"n": XSS_ATTR},
                }
                await enqueue_event(db, EventsSettings(), s.project_id, "email.sent", "xss-1", data)

            async def delivered() -> Any:
                got = (await api.get(f"/v1/webhooks/{eid}/deliveries", status="succeeded"))["data"]
                return got or None

            (d,) = await until(delivered)
            pages = {
                "list": await admin.get(base),
                "endpoint": await admin.get(f"{base}/{eid}"),
                "delivery": await admin.get(f"{base}/{eid}/deliveries/{d['id']}"),
            }
            for name, r in pages.items():
                assert r.status_code == 200, name
                for marker in RAW:
                    assert marker not in r.text, (name, marker)
                assert "&lt;script&gt;alert(" in r.text, name  # shown, as text
            detail = pages["delivery"].text
            # the receiver's answer (NUL replaced), and the payload pretty-printed: as text
            assert '<pre class="excerpt">\ufffd&lt;script&gt;' in detail
            assert "&lt;/script&gt;@example.com" in detail and "&lt;img src=x onerror=alert(1)&gt;" in detail
    finally:
        await receiver.stop()


async def test_an_over_long_url_or_description_is_refused_not_cut(console_system) -> None:  # type: ignore[no-untyped-def]
    s, admin = console_system, console_system.admin
    base = f"/admin/p/{s.project_id}/webhooks"
    for field, value in (("url", "https://hooks.example.com/" + "a" * 2100), ("description", "d" * 600)):
        body = {"url": "https://hooks.example.com/x", "scope": "all", field: value}
        r = await admin.post(base, body)
        assert r.status_code == 422 and f'id="e-{field}"' in r.text, (field, r.status_code)
    async with Api(s) as api:
        assert (await api.get("/v1/webhooks"))["data"] == []
