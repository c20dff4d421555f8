"""The subscriptions API through the embedded mode's gateway (API key auth, in-process upstream)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from services.subscriptions.projects import create_project
from sesame.embedded import create_embedded_app


async def test_api_through_embedded_gateway(sqlite_url: str, settings_for: Any) -> None:
    app = create_embedded_app(settings_for(sqlite_url))
    async with app.router.lifespan_context(app):
        rt = app.state.embedded_apps["subscriptions"].state.runtime
        async with rt.uow() as session:
            _, _, key = await create_project(session, "Embedded")
            _, _, other_key = await create_project(session, "Other")
        h = {"authorization": f"Bearer {key.key}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as c:
            lid = (await c.post("/v1/lists", json={"name": "L"}, headers=h)).json()["id"]
            r = await c.post("/v1/subscriptions", json={"list_id": lid, "email": "a@example.com"}, headers=h)
            assert r.status_code == 201 and r.json()["status"] == "pending"
            r = await c.post(
                f"/v1/lists/{lid}/imports",
                params={"consent_source": "crm export"},
                content=b"email,name\nb@example.com,B\nbad,X\n",
                headers={**h, "content-type": "text/csv"},
            )
            assert r.status_code == 202, r.text
            for _ in range(200):
                imp = (await c.get(f"/v1/imports/{r.json()['id']}", headers=h)).json()
                if imp["status"] != "running":
                    break
                await asyncio.sleep(0.02)
            assert imp["status"] == "completed" and imp["rows_imported"] == 1 and imp["rows_failed"] == 1
            emails = [x["email"] for x in (await c.get("/v1/contacts", headers=h)).json()["data"]]
            assert emails == ["a@example.com", "b@example.com"]
            oh = {"authorization": f"Bearer {other_key.key}"}
            assert (await c.get(f"/v1/lists/{lid}", headers=oh)).status_code == 404
            assert (await c.get("/v1/lists", headers={"authorization": "Bearer ses_nope"})).status_code == 401
