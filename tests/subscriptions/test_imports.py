"""Bulk CSV import: bad rows reported with line numbers, good rows in, progress visible, re-run idempotent."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
import sqlalchemy as sa

from services.subscriptions.settings import SubscriptionsSettings
from shared.models.subscriptions import Contact, Subscription, SubscriptionChange
from tests.subscriptions.conftest import Svc


@pytest.fixture
def sub_settings() -> SubscriptionsSettings:
    return SubscriptionsSettings(import_batch_rows=5000)


async def _run(
    svc: Svc, h: dict[str, str], lid: int, body: bytes, consent: str = "newsletter signup export 2024"
) -> dict[str, Any]:
    r = await svc.client.post(
        f"/v1/lists/{lid}/imports",
        params={"consent_source": consent, "filename": "contacts.csv"},
        content=body,
        headers={**h, "content-type": "text/csv"},
    )
    assert r.status_code == 202, r.text
    iid = r.json()["id"]
    seen_progress = []
    for _ in range(3000):
        imp = (await svc.client.get(f"/v1/imports/{iid}", headers=h)).json()
        seen_progress.append(imp["rows_processed"])
        if imp["status"] != "running":
            imp["_progress_seen"] = seen_progress
            return imp
        await asyncio.sleep(0.02)
    raise AssertionError("import did not finish")


async def test_import_small_with_bad_rows(svc: Svc) -> None:
    pid, h = await svc.project()
    lid = await svc.new_list(h)
    # an address that unsubscribed before stays unsubscribed; a pending one is left alone
    r = await svc.client.post(
        "/v1/subscriptions",
        json={"list_id": lid, "email": "left@example.com", "status": "active", "consent_source": "crm"},
        headers=h,
    )
    await svc.client.patch(f"/v1/subscriptions/{r.json()['id']}", json={"status": "unsubscribed"}, headers=h)
    csv_text = (
        "Email,first_name,city\n"
        "ann@example.com,Ann,Paris\n"  # line 2
        "not-an-email,X,Y\n"  # 3: invalid
        "ANN@example.com,Ann2,\n"  # 4: duplicate of line 2 (case)
        ",nobody,\n"  # 5: empty
        "bob@example.com,Bob\n"  # 6: wrong field count
        '"carl@example.com","Carl ""the"" man","Zürich"\n'  # 7
        "left@example.com,Left,\n"  # 8
        "dave@localhost,D,\n"  # 9: invalid
        "\n"
        "eve@example.com,,\n"  # 11
    )
    imp = await _run(svc, h, lid, csv_text.encode())
    assert imp["status"] == "completed", imp
    assert (imp["rows_processed"], imp["rows_imported"], imp["rows_failed"], imp["rows_duplicate"]) == (
        9,
        4,
        4,
        1,
    )
    assert imp["contacts_created"] == 3 and imp["subscriptions_created"] == 3 and imp["progress"] == 1.0
    errors = (await svc.client.get(f"/v1/imports/{imp['id']}/errors", headers=h)).json()["data"]
    assert [e["line"] for e in errors] == [3, 5, 6, 9]
    assert "expected 3 fields" in errors[2]["reason"]
    carl = (await svc.client.get("/v1/contacts", params={"email": "carl@example.com"}, headers=h)).json()[
        "data"
    ][0]
    assert carl["attributes"] == {"first_name": 'Carl "the" man', "city": "Zürich"}
    subs = {
        s["email"]: s
        for s in (await svc.client.get("/v1/subscriptions", params={"list_id": lid}, headers=h)).json()[
            "data"
        ]
    }
    assert subs["left@example.com"]["status"] == "unsubscribed"
    assert (
        subs["ann@example.com"]["status"] == "active"
        and subs["ann@example.com"]["consent_source"] == "newsletter signup export 2024"
    )
    changes = (
        await svc.client.get(f"/v1/subscriptions/{subs['eve@example.com']['id']}/changes", headers=h)
    ).json()["data"]
    assert [(c["status"], c["source"]) for c in changes] == [("active", "import")]

    # re-run: nothing new; changed attributes are merged
    again = await _run(svc, h, lid, csv_text.replace("Paris", "Lyon").encode())
    assert (
        again["status"] == "completed"
        and again["contacts_created"] == 0
        and again["subscriptions_created"] == 0
    )
    ann = (await svc.client.get("/v1/contacts", params={"email": "ann@example.com"}, headers=h)).json()[
        "data"
    ][0]
    assert ann["attributes"] == {"first_name": "Ann", "city": "Lyon"}
    async with svc.rt.uow() as s:
        assert (
            await s.scalar(sa.select(sa.func.count()).select_from(Contact).where(Contact.project_id == pid))
            == 4
        )
        assert (
            await s.scalar(
                sa.select(sa.func.count())
                .select_from(SubscriptionChange)
                .where(SubscriptionChange.source == "import")
            )
            == 3
        )
    await svc.settle()
    imported = [e for e in svc.events if e.routing_key == "subscription.imported"]
    assert sorted(c for e in imported for c in e.payload["contact_ids"]) == sorted(
        [ann["id"], carl["id"], subs["eve@example.com"]["contact_id"]]
    )


async def test_import_refusals(svc: Svc) -> None:
    _, h = await svc.project()
    lid = await svc.new_list(h)
    _, oh = await svc.project("Other")
    body = b"email\na@example.com\n"
    r = await svc.client.post(f"/v1/lists/{lid}/imports", content=body, headers=h)
    assert r.status_code == 422 and r.json()["error"] == "consent_source_required"
    r = await svc.client.post(
        f"/v1/lists/{lid}/imports", params={"consent_source": "crm"}, content=body, headers=oh
    )
    assert r.status_code == 404
    r = await svc.client.post(
        f"/v1/lists/{lid}/imports", params={"consent_source": "crm"}, content=b"", headers=h
    )
    assert r.status_code == 400
    imp = await _run(svc, h, lid, b"name,city\nx,y\n")
    assert imp["status"] == "failed" and "email" in imp["error"]
    assert (await svc.client.get(f"/v1/imports/{imp['id']}", headers=oh)).status_code == 404
    big = svc.app.state.sub_settings.import_max_bytes
    svc.app.state.sub_settings.import_max_bytes = 10
    try:
        r = await svc.client.post(
            f"/v1/lists/{lid}/imports", params={"consent_source": "crm"}, content=body * 3, headers=h
        )
        assert r.status_code == 413
    finally:
        svc.app.state.sub_settings.import_max_bytes = big


@pytest.mark.slow
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_import_100k_rows_postgres(svc: Svc) -> None:
    pid, h = await svc.project()
    lid = await svc.new_list(h)
    rng = random.Random(7)
    lines = ["email,first_name,plan"]
    bad_lines = []
    for i in range(100_000):
        if i % 997 == 0:
            lines.append(f"broken-{i}@@example.com,B{i},x")
            bad_lines.append(len(lines))
        else:
            lines.append(
                f"user{i}@{rng.choice(['example.com', 'Example.org', 'mail.example.net'])},U{i},{i % 3}"
            )
    body = ("\n".join(lines) + "\n").encode()
    assert len(body) > 1_048_576  # bigger than the global body limit: this route has its own
    imp = await _run(svc, h, lid, body)
    assert imp["status"] == "completed", imp
    assert imp["rows_processed"] == 100_000 and imp["rows_failed"] == len(bad_lines)
    assert (
        imp["rows_imported"]
        == 100_000 - len(bad_lines)
        == imp["contacts_created"]
        == imp["subscriptions_created"]
    )
    assert any(0 < p < 100_000 for p in imp["_progress_seen"]), "progress was never visible mid-import"
    errs, cursor = [], None
    while True:
        page = (
            await svc.client.get(
                f"/v1/imports/{imp['id']}/errors",
                params={"limit": 500, **({"cursor": cursor} if cursor else {})},
                headers=h,
            )
        ).json()
        errs += [e["line"] for e in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert errs == bad_lines
    async with svc.rt.uow() as s:
        assert (
            await s.scalar(
                sa.select(sa.func.count())
                .select_from(Subscription)
                .where(Subscription.list_id == lid, Subscription.status == "active")
            )
            == imp["rows_imported"]
        )


async def test_import_many_batches_with_repeats(svc: Svc) -> None:
    """Small batches written concurrently (Postgres), addresses repeated across batches in other spellings."""
    pid, h = await svc.project()
    lid = await svc.new_list(h)
    svc.app.state.sub_settings.import_batch_rows = 100
    rows = ["email,n"]
    for i in range(3000):
        j = i if i % 10 else i // 7  # every tenth row repeats an earlier address
        rows.append(f"{'U' if i % 2 else 'u'}ser{j}@Example.com,{i}")
    body = ("\n".join(rows) + "\n").encode()
    first = await _run(svc, h, lid, body)
    unique = len({(i if i % 10 else i // 7) for i in range(3000)})
    assert first["status"] == "completed", first
    assert first["contacts_created"] == unique == first["subscriptions_created"]
    second = await _run(svc, h, lid, body)
    assert (
        second["status"] == "completed"
        and second["contacts_created"] == 0
        and second["subscriptions_created"] == 0
    )
    async with svc.rt.uow() as s:
        n = await s.scalar(sa.select(sa.func.count()).select_from(Contact).where(Contact.project_id == pid))
        assert n == unique


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_import_stopped_by_shutdown_is_marked_failed(
    db_url: str, settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import httpx

    import services.subscriptions.import_runner as runner_mod
    from services.subscriptions.app import create_app
    from shared.db.engine import create_engine
    from shared.models.subscriptions import ContactImport
    from shared.settings import DatabaseSettings
    from tests.subscriptions.conftest import INTERNAL

    release = threading.Event()

    class Stuck(runner_mod.CsvBatches):
        def next_batch(self):  # type: ignore[no-untyped-def]
            release.wait(10)
            return None

    monkeypatch.setattr(runner_mod, "CsvBatches", Stuck)
    settings = settings_for(db_url)
    settings.security.internal_token = INTERNAL
    app = create_app(settings=settings)
    try:
        async with app.router.lifespan_context(app):
            c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s")
            base = {"x-sesame-internal-token": INTERNAL}
            pid = (await c.post("/admin/projects", json={"name": "P"}, headers=base)).json()["project"]["id"]
            h = {**base, "x-sesame-project-id": str(pid)}
            lid = (await c.post("/v1/lists", json={"name": "L"}, headers=h)).json()["id"]
            r = await c.post(
                f"/v1/lists/{lid}/imports",
                params={"consent_source": "crm"},
                content=b"email\na@example.com\n",
                headers=h,
            )
            assert r.status_code == 202 and r.json()["status"] == "running"
            await asyncio.sleep(0.2)
    finally:
        release.set()
    engine = create_engine(DatabaseSettings(url=db_url))
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(sa.select(ContactImport.status, ContactImport.error))).one()
    finally:
        await engine.dispose()
    assert row.status == "failed" and "interrupted" in (row.error or "")
