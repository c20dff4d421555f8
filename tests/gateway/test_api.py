"""API routes: key auth before anything is forwarded, routing by prefix, limits, 503, webhook, OpenAPI."""

from __future__ import annotations

import json

from tests.gateway.conftest import add_project_and_key


async def test_missing_invalid_and_revoked_keys_are_401_and_nothing_is_forwarded(
    make_gateway, sqlite_url
) -> None:  # type: ignore[no-untyped-def]
    _, revoked = await add_project_and_key(sqlite_url, revoked=True)
    _, good = await add_project_and_key(sqlite_url)
    async with make_gateway() as h:
        for headers in (
            {},
            {"Authorization": "Bearer nope"},
            {"Authorization": "Bearer ses_0123456789_notarealsecret"},
            {"Authorization": f"Bearer {good}x"},  # right prefix, wrong secret
            {"Authorization": f"Bearer {revoked}"},
            {"X-Api-Key": revoked},
            {"Authorization": f"Basic {good}"},
        ):
            r = await h.client.get("/v1/lists", headers=headers)
            assert r.status_code == 401, headers
            assert r.json()["error"] == "unauthorized"
        assert h.subs.calls == [] and h.events.calls == []


async def test_valid_key_is_forwarded_with_project_and_internal_token(make_gateway, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    pid, key = await add_project_and_key(sqlite_url)
    async with make_gateway() as h:
        r = await h.client.post(
            "/v1/lists?x=1",
            json={"name": "News"},
            headers={
                "Authorization": f"Bearer {key}",
                "X-Sesame-Internal-Token": "spoofed",
                "X-Sesame-Project-Id": "999",
                "Cookie": "a=b",
            },
        )
        assert r.status_code == 200, r.text
        assert r.json() == {"service": "subscriptions", "path": "/v1/lists", "project": str(pid)}
        call = h.subs.calls[-1]
        assert call["query"] == "x=1" and json.loads(call["body"]) == {"name": "News"}
        assert call["headers"]["x-sesame-internal-token"] == h.settings.security.internal_token
        assert call["headers"]["x-sesame-project-id"] == str(pid)
        assert "authorization" not in call["headers"] and "cookie" not in call["headers"]
        r = await h.client.get("/v1/lists", headers={"X-Api-Key": key})
        assert r.status_code == 200


async def test_routing_by_prefix_and_unknown_paths(make_gateway, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    _, key = await add_project_and_key(sqlite_url)
    auth = {"Authorization": f"Bearer {key}"}
    async with make_gateway() as h:
        r = await h.client.get("/v1/reputation", headers=auth)
        assert r.status_code == 200 and h.events.calls[-1]["path"] == "/v1/reputation"
        r = await h.client.get("/v1/listsx", headers=auth)
        assert r.status_code == 404
        r = await h.client.get("/v1/unknown", headers=auth)
        assert r.status_code == 404
        assert (await h.client.get("/v1/unknown")).status_code == 401  # auth first, reveals nothing


async def test_service_down_is_503_with_reason(make_gateway, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    _, key = await add_project_and_key(sqlite_url)
    async with make_gateway() as h:
        r = await h.client.get("/v1/campaigns", headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 503
        assert r.json() == {"error": "unavailable", "detail": "sender is unavailable"}


async def test_service_down_over_http_is_503(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from services.gateway.app import create_app
    from tests.gateway.conftest import gw_settings, running

    _, key = await add_project_and_key(sqlite_url)
    settings = settings_for(sqlite_url)
    settings.services.subscriptions_url = "http://127.0.0.1:1"
    app = create_app(settings=settings, gateway_settings=gw_settings())
    async with running(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            r = await c.get("/v1/lists", headers={"Authorization": f"Bearer {key}"})
            assert r.status_code == 503
            assert r.json() == {"error": "unavailable", "detail": "subscriptions is unavailable"}
            page = await c.get("/p/sometoken")
            assert page.status_code == 503 and "text/html" in page.headers["content-type"]


async def test_failed_auth_is_rate_limited_per_ip(make_gateway, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    _, key = await add_project_and_key(sqlite_url)
    async with make_gateway(auth_failures_per_minute=3) as h:
        codes = [
            (await h.client.get("/v1/lists", headers={"Authorization": "Bearer bad"})).status_code
            for _ in range(5)
        ]
        assert codes == [401, 401, 401, 429, 429]
        # even a valid key waits for the bucket to refill from this address
        r = await h.client.get("/v1/lists", headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 429 and "retry-after" in r.headers


async def test_revocation_takes_effect_after_the_cache(make_gateway, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from shared.db.engine import create_engine
    from shared.models.core import ApiKey
    from shared.settings import Settings

    _, key = await add_project_and_key(sqlite_url)
    async with make_gateway(api_key_cache_seconds=0.0) as h:
        auth = {"Authorization": f"Bearer {key}"}
        assert (await h.client.get("/v1/lists", headers=auth)).status_code == 200
        engine = create_engine(Settings().database.model_copy(update={"url": sqlite_url}))
        async with engine.begin() as conn:
            await conn.execute(sa.update(ApiKey).values(revoked_at=sa.func.now()))
        await engine.dispose()
        assert (await h.client.get("/v1/lists", headers=auth)).status_code == 401


async def test_request_size_limit(make_gateway, sqlite_url) -> None:  # type: ignore[no-untyped-def]
    _, key = await add_project_and_key(sqlite_url)
    async with make_gateway(api_max_body_bytes=100) as h:
        r = await h.client.post("/v1/lists", content=b"x" * 500, headers={"Authorization": f"Bearer {key}"})
        assert r.status_code == 413
        assert h.subs.calls == []


async def test_sns_webhook_forwarded_unchanged(make_gateway, reference_dir) -> None:  # type: ignore[no-untyped-def]
    body = (reference_dir / "samples" / "sns-synthetic-signed-notification-ses-bounce-v2.json").read_bytes()
    headers = {
        "Content-Type": "text/plain; charset=UTF-8",
        "x-amz-sns-message-type": "Notification",
        "x-amz-sns-message-id": "abc",
        "x-amz-sns-topic-arn": "arn:aws:sns:us-east-1:123456789012:ses",
        "User-Agent": "Amazon Simple Notification Service Agent",
    }
    async with make_gateway() as h:
        r = await h.client.post("/webhooks/sns/tok123", content=body, headers=headers)
        assert r.status_code == 200 and r.json() == {"received": "tok123"}
        call = h.events.calls[-1]
        assert call["path"] == "/webhooks/sns/tok123" and call["body"] == body
        for k, v in headers.items():
            assert call["headers"][k.lower()] == v


async def test_sns_webhook_limits_errors_and_headers(make_gateway) -> None:  # type: ignore[no-untyped-def]
    """The webhook's own ASGI path keeps what every route has: size limit before forwarding, 503 with a reason,
    security headers and the request id; anything but a POST to /webhooks/sns/<token> is never forwarded."""
    async with make_gateway(webhook_max_body_bytes=1000) as h:
        r = await h.client.post("/webhooks/sns/tok", content=b"x" * 1001)
        assert r.status_code == 413 and r.json()["error"] == "payload_too_large"

        async def chunked():  # type: ignore[no-untyped-def]
            for _ in range(3):
                yield b"y" * 400

        r = await h.client.post("/webhooks/sns/tok", content=chunked())
        assert r.status_code == 413
        for method, path in (("GET", "/webhooks/sns/tok"), ("POST", "/webhooks/sns/"),
                             ("POST", "/webhooks/sns/a/b"), ("POST", "/webhooks/sns/.."),
                             ("POST", "/webhooks/snsx/tok")):  # fmt: skip
            r = await h.client.request(method, path, content=b"{}")
            assert r.status_code in (404, 405), (method, path, r.status_code)
        assert h.events.calls == []
        r = await h.client.post("/webhooks/sns/tok", content=b"{}", headers={"x-request-id": "rid-1"})
        assert r.status_code == 200 and h.events.calls[-1]["body"] == b"{}"
        assert r.headers["x-request-id"] == "rid-1"
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
    async with make_gateway(drop=("events",)) as h:
        r = await h.client.post("/webhooks/sns/tok", content=b"{}")
        assert r.status_code == 503
        assert r.json() == {"error": "unavailable", "detail": "events is unavailable"}


async def test_one_openapi_document_and_local_docs(make_gateway) -> None:  # type: ignore[no-untyped-def]
    async with make_gateway() as h:
        r = await h.client.get("/openapi.json")
        assert r.status_code == 200
        doc = r.json()
        assert "/api/forms/{list_id}/subscribe" in doc["paths"]
        assert "/v1/lists/{list_id}" in doc["paths"]  # taken from subscriptions
        ref = doc["paths"]["/v1/lists/{list_id}"]["get"]["responses"]["200"]["content"]["application/json"]
        assert ref["schema"]["$ref"].rsplit("/", 1)[1] in doc["components"]["schemas"]
        assert not any(p.startswith("/public/") for p in doc["paths"])
        schemes = doc["components"]["securitySchemes"]
        assert schemes["bearerAuth"]["scheme"] == "bearer" and schemes["apiKeyHeader"]["name"] == "X-Api-Key"
        assert "sender" in doc["info"]["description"]  # not reachable → said so
        docs = await h.client.get("/docs/reference")
        assert docs.status_code == 200 and "/api/forms/{list_id}/subscribe" in docs.text
        assert "cdn" not in docs.text.lower() and "https://" not in docs.text
        ui = await h.client.get("/docs")
        assert ui.status_code == 200 and "/static/swagger-ui/swagger-ui-bundle.js" in ui.text
        assert "https://" not in ui.text and "script-src 'self';" in ui.headers["content-security-policy"]


async def test_distributed_mode_forwards_over_http(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    """The aiohttp path: a stand-in served by a real uvicorn, the gateway pointed at it by URL."""
    import httpx

    from services.gateway.app import create_app
    from tests.gateway.browser import free_port, serve
    from tests.gateway.conftest import gw_settings, running
    from tests.gateway.standins import subscriptions_standin

    pid, key = await add_project_and_key(sqlite_url)
    settings = settings_for(sqlite_url)
    standin, rec = subscriptions_standin(internal_token=settings.security.internal_token)
    port = free_port()
    async with serve(standin, port) as url:
        settings.services.subscriptions_url = url
        app = create_app(settings=settings, gateway_settings=gw_settings())
        async with running(app):
            assert not app.state.gateway.upstreams.embedded
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
                r = await c.get("/v1/lists/5?a=b", headers={"Authorization": f"Bearer {key}"})
                assert r.status_code == 200 and r.json() == {"id": 5, "name": "x"}
                call = rec.calls[-1]
                assert call["query"] == "a=b" and call["headers"]["x-sesame-project-id"] == str(pid)
                r = await c.post("/f/7", data={"email": "a@example.com"})
                assert r.status_code == 303
                r = await c.post(
                    "/u/good",
                    content=b"List-Unsubscribe=One-Click",
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                assert r.status_code == 200


async def test_key_lookup_on_both_dialects(db_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    """The api_keys ⋈ projects lookup on SQLite and the real Postgres: live, revoked, deleted project."""
    import httpx
    import sqlalchemy as sa

    from services.gateway.app import create_app
    from shared.db.engine import create_engine
    from shared.models.core import Project
    from shared.settings import Settings
    from tests.gateway.conftest import gw_settings, running
    from tests.gateway.standins import subscriptions_standin

    pid, key = await add_project_and_key(db_url)
    _, revoked = await add_project_and_key(db_url, revoked=True, name="Old")
    gone_pid, gone = await add_project_and_key(db_url, name="Gone")
    engine = create_engine(Settings().database.model_copy(update={"url": db_url}))
    async with engine.begin() as conn:
        await conn.execute(sa.update(Project).where(Project.id == gone_pid).values(deleted_at=sa.func.now()))
    await engine.dispose()
    settings = settings_for(db_url)
    standin, rec = subscriptions_standin(internal_token=settings.security.internal_token)
    app = create_app(
        settings=settings, upstream_apps={"subscriptions": standin}, gateway_settings=gw_settings()
    )
    async with running(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            r = await c.get("/v1/contacts", headers={"Authorization": f"Bearer {key}"})
            assert r.status_code == 200 and r.json()["project"] == str(pid)
            for bad in (revoked, gone):
                assert (
                    await c.get("/v1/contacts", headers={"Authorization": f"Bearer {bad}"})
                ).status_code == 401
    # only the live key's request was forwarded (then, at shutdown, the report of its use)
    assert [c["path"] for c in rec.calls] == ["/v1/contacts", "/admin/api-keys/last-used"]


async def test_dot_segments_never_reach_another_route_of_a_service(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    """An API key must not reach the services' internal /admin routes through `..` (aiohttp/yarl would
    normalise it away on the way out): such paths are refused, and sent un-normalised anyway."""
    from services.gateway.app import create_app
    from services.gateway.upstream import _asgi_call
    from tests.gateway.browser import free_port, serve
    from tests.gateway.conftest import gw_settings, running
    from tests.gateway.standins import subscriptions_standin

    _, key = await add_project_and_key(sqlite_url)
    settings = settings_for(sqlite_url)
    standin, rec = subscriptions_standin(internal_token=settings.security.internal_token)

    @standin.get("/admin/projects")
    async def admin_projects() -> dict[str, str]:
        return {"secret": "admin"}

    async with serve(standin, free_port()) as url:
        settings.services.subscriptions_url = url
        app = create_app(settings=settings, gateway_settings=gw_settings())
        async with running(app):
            auth = [("authorization", f"Bearer {key}")]
            for path in (
                "/v1/lists/../../admin/projects",
                "/v1/lists/./../../admin/projects",
                "/v1/lists/..\\..\\admin/projects",
                "/v1/lists//..//..//admin/projects",
            ):
                r = await _asgi_call(app, "GET", path, "", auth, b"")
                assert r.status == 404, (path, r.status, r.body)
            r = await _asgi_call(app, "POST", "/webhooks/sns/..", "", [], b"{}")
            assert r.status == 404
            r = await _asgi_call(app, "GET", "/p/..", "", [], b"")
            assert r.status == 400
            r = await _asgi_call(
                app, "GET", "/v1/contacts/a b", "", auth, b""
            )  # ordinary encoding still works
            assert r.status == 200
    # the one /admin call is the gateway's own report of the key's use, at shutdown
    assert [c["path"] for c in rec.calls] == ["/v1/contacts/a b", "/admin/api-keys/last-used"]


async def test_slow_service_is_504_over_http_and_in_process(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    import httpx
    from fastapi import FastAPI

    from services.gateway.app import create_app
    from tests.gateway.browser import free_port, serve
    from tests.gateway.conftest import gw_settings, running

    _, key = await add_project_and_key(sqlite_url)
    slow = FastAPI()

    @slow.get("/v1/lists")
    async def lists() -> dict[str, str]:
        await asyncio.sleep(3)
        return {"late": "yes"}

    settings = settings_for(sqlite_url)
    async with serve(slow, free_port()) as url:
        settings.services.subscriptions_url = url
        for upstream_apps in (None, {"subscriptions": slow}):
            app = create_app(
                settings=settings,
                upstream_apps=upstream_apps,
                gateway_settings=gw_settings(upstream_timeout=0.5),
            )
            async with running(app):
                async with httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://t"
                ) as c:
                    r = await c.get("/v1/lists", headers={"Authorization": f"Bearer {key}"})
                    assert r.status_code == 504, upstream_apps
                    assert r.json() == {
                        "error": "upstream_timeout",
                        "detail": "subscriptions did not answer in time",
                    }
