"""The response models filter the answers of /v1/project, /v1/api-keys, /v1/lists, /v1/imports and
/v1/subscriptions: each answer still carries every field the routes sent before they were typed (what the
console, the Python client and scripts read), with the same values — a model that drops or renames a field
fails here."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import sqlalchemy as sa

from services.subscriptions.settings import SubscriptionsSettings
from shared.models.subscriptions import ContactImport
from tests.subscriptions.conftest import Svc

PROJECT = {"id", "name", "owner_email", "settings", "created_at"}
KEY = {"id", "name", "prefix", "created_at", "last_used_at", "revoked_at"}
LIST = {
    "id",
    "name",
    "description",
    "double_optin",
    "public",
    "form_settings",
    "sunset_days",
    "sunset_campaigns",
    "created_at",
    "updated_at",
    "counts",
}
IMPORT = {
    "id",
    "list_id",
    "status",
    "consent_source",
    "filename",
    "progress",
    "total_bytes",
    "processed_bytes",
    "rows_processed",
    "rows_imported",
    "contacts_created",
    "subscriptions_created",
    "rows_duplicate",
    "rows_failed",
    "error",
    "quality",
    "hold_reason",
    "decided_by",
    "decided_at",
    "created_at",
    "updated_at",
    "finished_at",
}
QUALITY = {
    "rows",
    "syntax_invalid",
    "duplicate",
    "role",
    "disposable",
    "no_mx",
    "dns",
    "risky_rows",
    "risk_score",
    "hold_threshold",
}
SUBSCRIPTION = {
    "id",
    "list_id",
    "contact_id",
    "email",
    "status",
    "paused_until",
    "consent_source",
    "confirmation_sent_at",
    "confirmed_at",
    "created_at",
    "updated_at",
}
PAGE = {"data", "next_cursor"}


@pytest.fixture
def sub_settings() -> SubscriptionsSettings:
    # screening on, its DNS checks off: the report is made without touching the network
    return SubscriptionsSettings(resend_cooldown_seconds=600, screening_dns=False)


async def test_project_and_key_answers_keep_every_field(svc: Svc) -> None:
    _, h = await svc.project()
    project = (await svc.client.get("/v1/project", headers=h)).json()
    assert set(project) == PROJECT and project["settings"] == {}
    patch = {"owner_email": "owner@Example.com", "settings": {"from_name": "Acme", "service_knob": {"a": 1}}}
    r = await svc.client.patch("/v1/project", json=patch, headers=h)
    assert r.status_code == 200 and set(r.json()) == PROJECT
    # other services' keys are kept as given: the settings stay a free-form object
    assert r.json()["owner_email"] == "owner@example.com"
    assert r.json()["settings"] == {"from_name": "Acme", "service_knob": {"a": 1}}

    created = await svc.client.post("/v1/api-keys", json={"name": "ci"}, headers=h)
    assert created.status_code == 201 and set(created.json()) == KEY | {"key"}
    new = created.json()
    assert new["key"].startswith(f"ses_{new['prefix']}_") and new["revoked_at"] is None
    listed = (await svc.client.get("/v1/api-keys", headers=h)).json()
    assert set(listed) == PAGE and [set(k) for k in listed["data"]] == [KEY, KEY]  # the secret: never again
    revoked = await svc.client.delete(f"/v1/api-keys/{new['id']}", headers=h)
    assert revoked.status_code == 200 and set(revoked.json()) == KEY and revoked.json()["revoked_at"]


async def test_list_answers_keep_every_field_and_leave_unset_settings_out(svc: Svc) -> None:
    _, h = await svc.project()
    body = {
        "name": "News",
        "form_settings": {
            "captcha": {"provider": "turnstile", "site_key": "0x4AAA", "secret": "0x4BBB"},
            "fields": ["first_name", {"name": "city", "label": "City"}, {"name": "zip"}],
            "branding": {"primary_color": "#112233"},
        },
    }
    created = await svc.client.post("/v1/lists", json=body, headers=h)
    assert created.status_code == 201 and set(created.json()) == LIST
    lid = created.json()["id"]
    expected_form = {
        "captcha": {"provider": "turnstile", "site_key": "0x4AAA", "secret_set": True},
        "honeypot": True,
        "fields": ["first_name", {"name": "city", "label": "City"}, {"name": "zip"}],
        "branding": {"primary_color": "#112233"},
    }
    assert created.json()["form_settings"] == expected_form  # as stored: no nulls for what was never set
    assert created.json()["counts"] == {"pending": 0, "active": 0, "paused": 0, "unsubscribed": 0}
    one = (await svc.client.get(f"/v1/lists/{lid}", headers=h)).json()
    assert set(one) == LIST and one["form_settings"] == expected_form
    patched = await svc.client.patch(f"/v1/lists/{lid}", json={"sunset_days": 90}, headers=h)
    assert set(patched.json()) == LIST and patched.json()["sunset_days"] == 90
    listed = (await svc.client.get("/v1/lists", headers=h)).json()
    assert set(listed) == PAGE and [set(x) for x in listed["data"]] == [LIST]
    preview = await svc.client.post(f"/v1/lists/{lid}/confirmation-preview", headers=h)
    assert preview.status_code == 200 and set(preview.json()) == {
        "subject",
        "html",
        "text",
        "locale",
        "custom",
    }
    assert preview.json()["custom"] is False and preview.json()["locale"] == "en"


async def test_subscription_answers_keep_every_field(svc: Svc) -> None:
    _, h = await svc.project()
    lid = await svc.new_list(h)
    created = await svc.client.post(
        "/v1/subscriptions", json={"list_id": lid, "email": "sub@Example.com"}, headers=h
    )
    assert created.status_code == 201 and set(created.json()) == SUBSCRIPTION | {"confirmation_sent"}
    sub = created.json()
    assert (sub["email"], sub["status"], sub["confirmation_sent"]) == ("sub@example.com", "pending", True)
    again = await svc.client.post(
        "/v1/subscriptions", json={"list_id": lid, "email": "sub@example.com"}, headers=h
    )
    assert again.status_code == 200 and set(again.json()) == SUBSCRIPTION | {"confirmation_sent"}
    assert again.json()["confirmation_sent"] is False  # inside the resend cooldown
    resend = await svc.client.post(f"/v1/subscriptions/{sub['id']}/resend-confirmation", headers=h)
    assert resend.status_code == 202 and resend.json() == {"confirmation_sent": False}
    one = (await svc.client.get(f"/v1/subscriptions/{sub['id']}", headers=h)).json()
    assert set(one) == SUBSCRIPTION and one["confirmation_sent_at"] is not None
    patched = await svc.client.patch(
        f"/v1/subscriptions/{sub['id']}", json={"status": "active", "consent_source": "phone call"}, headers=h
    )
    assert patched.status_code == 200 and set(patched.json()) == SUBSCRIPTION
    assert (patched.json()["status"], patched.json()["consent_source"]) == ("active", "phone call")
    listed = (await svc.client.get("/v1/subscriptions", params={"list_id": lid}, headers=h)).json()
    assert set(listed) == PAGE and [set(s) for s in listed["data"]] == [SUBSCRIPTION]
    changes = (await svc.client.get(f"/v1/subscriptions/{sub['id']}/changes", headers=h)).json()
    assert set(changes) == PAGE and [c["status"] for c in changes["data"]] == ["pending", "active"]
    assert changes["data"][1]["previous_status"] == "pending" and "at" in changes["data"][1]


async def test_import_answers_keep_every_field(svc: Svc) -> None:
    _, h = await svc.project()
    lid = await svc.new_list(h)
    csv_text = "email,first_name\nann@example.com,Ann\nnot-an-address,X\ninfo@example.com,Info\n"
    r = await svc.client.post(
        f"/v1/lists/{lid}/imports",
        params={"consent_source": "signup export 2024", "filename": "c.csv"},
        content=csv_text.encode(),
        headers={**h, "content-type": "text/csv"},
    )
    assert r.status_code == 202 and set(r.json()) == IMPORT and r.json()["quality"] is None
    imp: dict[str, Any] = r.json()
    for _ in range(500):
        imp = (await svc.client.get(f"/v1/imports/{imp['id']}", headers=h)).json()
        if imp["status"] != "running":
            break
        await asyncio.sleep(0.02)
    assert set(imp) == IMPORT and imp["status"] in ("completed", "held"), imp
    quality = imp["quality"]
    assert set(quality) == QUALITY
    assert quality["syntax_invalid"] == {"count": 1, "share": round(1 / 3, 4)}
    assert quality["role"]["count"] == 1 and set(quality["disposable"]) == {"count", "share", "top_domains"}
    assert set(quality["dns"]) == {"domains", "checked", "rows_skipped", "note"} and quality["dns"]["note"]
    # a report stored before risky_rows was counted answers with the keys it has (no null, no 500)
    old = {k: v for k, v in quality.items() if k != "risky_rows"}
    async with svc.rt.uow() as session:
        await session.execute(
            sa.update(ContactImport).where(ContactImport.id == imp["id"]).values(screening=old)
        )
    again = (await svc.client.get(f"/v1/imports/{imp['id']}", headers=h)).json()
    assert again["quality"] == old and set(again) == IMPORT
    listed = (await svc.client.get("/v1/imports", params={"list_id": lid}, headers=h)).json()
    assert set(listed) == PAGE and [set(i) for i in listed["data"]] == [IMPORT]
    errors = (await svc.client.get(f"/v1/imports/{imp['id']}/errors", headers=h)).json()
    assert errors["next_cursor"] is None and errors["data"] == [
        {"line": 3, "value": "not-an-address", "reason": errors["data"][0]["reason"]}
    ]
