"""Bounces attributed to the contact's source, end to end in the embedded mode (SQLite and Postgres): an import
seeded with bounce@simulator addresses and clean API-added contacts get one campaign; the sandbox SES produces real
bounce feedback through the events pipeline; GET /v1/reputation/sources names the import and flags it."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from tests.gateway.console.support import ADMIN_PASSWORD, ConsoleClient
from tests.gateway.embedded import bootstrap_project, embedded_app

PUBLIC = "http://testserver"


async def _until(check: Any, within: float = 60.0) -> Any:  # noqa: ASYNC109
    deadline = time.monotonic() + within
    while True:
        got = await check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {got!r}")
        await asyncio.sleep(0.2)


async def test_bounces_are_attributed_to_the_bad_import(db_url: str, settings_for: Any) -> None:
    settings = settings_for(db_url, public_url=PUBLIC)
    settings.security.admin_password = ADMIN_PASSWORD
    async with embedded_app(settings) as app:
        pid, key = await bootstrap_project(app)
        auth = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC) as c:
            lid = (await c.post("/v1/lists", json={"name": "News"}, headers=auth)).json()["id"]
            rows = [f"bounce+b{i}@simulator.amazonses.com" for i in range(4)]
            rows += [f"success+s{i}@simulator.amazonses.com" for i in range(4)]
            r = await c.post(
                f"/v1/lists/{lid}/imports",
                params={"consent_source": "bought at a fair", "filename": "fair.csv"},
                content=("email\n" + "\n".join(rows) + "\n").encode(),
                headers={**auth, "content-type": "text/csv"},
            )
            assert r.status_code == 202, r.text
            iid = r.json()["id"]

            async def finished() -> dict[str, Any] | None:
                imp = (await c.get(f"/v1/imports/{iid}", headers=auth)).json()
                return imp if imp["status"] != "running" else None

            imp = await _until(finished)
            assert imp["quality"]["rows"] == 8, imp
            if imp["status"] == "held":  # only where live DNS calls the simulator domain dead
                r = await c.post(f"/v1/imports/{iid}/accept", headers=auth)
                assert r.status_code == 200, r.text
            for i in range(4):
                r = await c.post(
                    "/v1/subscriptions",
                    json={"list_id": lid, "email": f"success+api{i}@simulator.amazonses.com",
                          "status": "active", "consent_source": "checkout opt-in"},
                    headers=auth,
                )  # fmt: skip
                assert r.status_code == 201, r.text
            r = await c.post(
                "/v1/campaigns",
                json={"name": "June", "list_ids": [lid], "subject": "News", "html": "<p>Hi</p>",
                      "send_now": True},
                headers=auth,
            )  # fmt: skip
            assert r.status_code == 201, r.text

            async def report() -> dict[str, Any] | None:
                r = await c.get("/v1/reputation/sources", headers=auth)
                assert r.status_code == 200, r.text
                by = {s["source"]: s for s in r.json()["sources"]}
                done = by.get("import", {}).get("bounces") == 4 and by.get("api", {}).get("sent") == 4
                return r.json() if done else None

            out = await _until(report)
            first, api = out["sources"][0], next(s for s in out["sources"] if s["source"] == "api")
            assert (
                first["source"] == "import"
                and first["import_id"] == iid
                and first["label"] == f"import {iid} (fair.csv)"
            )
            assert (first["sent"], first["bounces"], first["bounce_rate"]) == (8, 4, 0.5)
            assert (
                first["flagged"] and "bounce rate 50.0% over the warn threshold" in first["flag_reasons"][0]
            )
            assert (api["sent"], api["bounces"], api["flagged"]) == (4, 0, False)
            assert api["list_id"] == lid and api["api_key_id"] is not None
            assert api["label"] == f"api key “{api['api_key_name']}” on list News"
            assert first["api_key_id"] == api["api_key_id"]  # the import was started with the same key

        # the console's overview names the import and flags it
        async with ConsoleClient(app) as admin:
            await admin.login()
            page = (await admin.get(f"/admin/p/{pid}")).text
        assert "Bounces and complaints by contact source" in page
        row = page[page.index(f"import {iid} (fair.csv)") :]
        assert "over threshold" in row[: row.index("</tr>")]
