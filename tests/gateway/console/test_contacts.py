"""Console contacts and imports: search and pagination, add (with the API's errors next to the fields), one
contact's subscriptions / change log / suppression / messages and the changes made there, CSV import with its
progress and per-line error report, export, GDPR erasure; viewers change nothing; oversized uploads refused."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import re
import time
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from services.gateway.console import contacts_pages, imports_pages
from shared.models.console import AuditEntry
from tests.gateway.console.in_browser import console_in_browser, log_in, shoot
from tests.gateway.console.support import ConsoleClient, add_member

CONTACT_URL = re.compile(r"/admin/p/\d+/contacts/(\d+)")
IMPORT_URL = re.compile(r"/admin/p/\d+/imports/(\d+)")
SOON = (date.today() + timedelta(days=30)).isoformat()


def api_client(system: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=system.app),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {system.api_key}"},
        timeout=30,
    )


async def make_list(api: httpx.AsyncClient, name: str, double_optin: bool = False) -> int:
    r = await api.post("/v1/lists", json={"name": name, "double_optin": double_optin})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def subscribe(
    api: httpx.AsyncClient, list_id: int, email: str, consent: str, **attributes: Any
) -> httpx.Response:
    """An active subscription (consent stated), through the API."""
    body: dict[str, Any] = {"list_id": list_id, "email": email, "status": "active", "consent_source": consent}
    if attributes:
        body["attributes"] = attributes
    return await api.post("/v1/subscriptions", json=body)


async def contacts(api: httpx.AsyncClient, **query: Any) -> list[dict[str, Any]]:
    r = await api.get("/v1/contacts", params={"limit": 500, **query})
    assert r.status_code == 200, r.text
    return r.json()["data"]  # type: ignore[no-any-return]


async def audit_actions(app: Any) -> list[tuple[str, str]]:
    async with app.state.runtime.sessionmaker() as db:
        rows = (await db.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))).all()
    return [(r.action, r.target) for r in rows]


async def wait_import(client: ConsoleClient, pid: int, iid: int, within: float = 30) -> list[dict[str, Any]]:
    """The progress JSON as the page's poller sees it, until it says done."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + within
    while True:
        r = await client.get(f"/admin/p/{pid}/imports/{iid}.json")
        assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
        seen.append(r.json())
        if seen[-1]["done"]:
            return seen
        assert time.monotonic() < deadline, seen[-1]
        await asyncio.sleep(0.05)


def csv_file(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode()


IMPORT_CSV = csv_file(
    [
        ["email", "name", "city"],
        ["ann@example.com", "Ann", "Oslo"],
        ["not-an-address", "Nobody", ""],  # line 3: refused
        ["bob@example.com", '=HYPERLINK("http://evil.example","click")', "Rome"],  # a formula cell
        ["ANN@example.com", "Ann again", ""],  # the same address: one contact
        ["<script>alert(1)</script>", "x", ""],  # line 6: refused, shown escaped
        ["cy@example.com", "Cy", "Lima"],
    ]
)


async def upload(
    client: ConsoleClient, pid: int, list_id: int | str, data: bytes, **fields: str
) -> httpx.Response:
    form = {"list_id": str(list_id), "consent_source": "signed up at the counter", **fields}
    return await client.post(
        f"/admin/p/{pid}/imports", form, files={"file": ("people.csv", data, "text/csv")}
    )


# --- index: search, pages, add ---------------------------------------------------------------------------------
async def test_add_search_and_page_through_contacts(console_system, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    pid, admin = console_system.project_id, console_system.admin
    async with api_client(console_system) as api:
        news = await make_list(api, "News", double_optin=True)
        r = await admin.post(f"/admin/p/{pid}/contacts", {"email": "zoe@example.com"})
        assert r.status_code == 303
        cid = int(CONTACT_URL.search(r.headers["location"]).group(1))  # type: ignore[union-attr]
        page = await admin.get(r.headers["location"])
        assert page.status_code == 200 and "zoe@example.com" in page.text and "Contact added." in page.text
        # with a double opt-in list: pending, confirmation mail sent
        r = await admin.post(f"/admin/p/{pid}/contacts", {"email": "yan@example.com", "list_id": str(news)})
        assert r.status_code == 303
        page = await admin.get(r.headers["location"])
        assert "waiting for the confirmation" in page.text and "pending" in page.text
        # with consent: active at once
        r = await admin.post(
            f"/admin/p/{pid}/contacts",
            {"email": "xia@example.com", "list_id": str(news), "consent_source": "asked at the fair"},
        )
        assert r.status_code == 303
        xia = int(CONTACT_URL.search(r.headers["location"]).group(1))  # type: ignore[union-attr]
        subs = (await api.get("/v1/subscriptions", params={"contact_id": xia})).json()["data"]
        assert [(s["list_id"], s["status"], s["consent_source"]) for s in subs] == [
            (news, "active", "asked at the fair")
        ]

        index = await admin.get(f"/admin/p/{pid}/contacts")
        assert all(e in index.text for e in ("zoe@example.com", "yan@example.com", "xia@example.com"))
        found = await admin.get(f"/admin/p/{pid}/contacts", params={"q": "zoe"})
        assert "zoe@example.com" in found.text and "yan@example.com" not in found.text
        assert f'href="/admin/p/{pid}/contacts/{cid}"' in found.text
        none = await admin.get(f"/admin/p/{pid}/contacts", params={"q": "nobody-here"})
        assert "No contact matches" in none.text

        # cursor pagination, the search kept on the next page
        monkeypatch.setattr(contacts_pages, "PAGE_SIZE", 2)
        first = await admin.get(f"/admin/p/{pid}/contacts", params={"q": "@example.com"})
        nxt = re.search(r'href="\?([^"]+)" rel="next"', first.text)
        assert nxt and "q=%40example.com" in nxt.group(1)
        second = await admin.get(f"/admin/p/{pid}/contacts?" + html.unescape(nxt.group(1)))
        assert second.status_code == 200 and "xia@example.com" in second.text
        assert "zoe@example.com" not in second.text and 'rel="next"' not in second.text
        bad = await admin.get(f"/admin/p/{pid}/contacts", params={"cursor": "garbage"})
        assert bad.status_code == 200 and "cursor is not valid" in bad.text
    assert ("contact.created", f"contact:{cid}") in await audit_actions(console_system.app)


async def test_add_contact_refusals_show_next_to_the_field_and_write_nothing(console_system) -> None:  # type: ignore[no-untyped-def]
    pid, admin = console_system.project_id, console_system.admin
    async with api_client(console_system) as api:
        news = await make_list(api, "News")
        r = await admin.post(f"/admin/p/{pid}/contacts", {"email": "not an address"})
        assert r.status_code == 422 and 'id="e-email"' in r.text and 'value="not an address"' in r.text
        r = await admin.post(
            f"/admin/p/{pid}/contacts", {"email": "a@example.com", "consent_source": "no list given"}
        )
        assert r.status_code == 422 and 'id="e-consent_source"' in r.text
        r = await admin.post(
            f"/admin/p/{pid}/contacts",
            {"email": "a@example.com", "list_id": str(news), "consent_source": "x"},
        )
        assert r.status_code == 422 and 'id="e-consent_source"' in r.text  # the API's min length
        r = await admin.post(f"/admin/p/{pid}/contacts", {"email": "a@example.com", "list_id": "999999"})
        assert r.status_code == 404 and 'id="e-list_id"' in r.text
        assert await contacts(api) == []  # nothing half-written
        r = await admin.post(f"/admin/p/{pid}/contacts", {"email": "a@example.com"})
        assert r.status_code == 303
        cid = int(CONTACT_URL.search(r.headers["location"]).group(1))  # type: ignore[union-attr]
        r = await admin.post(f"/admin/p/{pid}/contacts", {"email": "A@example.com"})
        assert r.status_code == 409 and 'id="e-email"' in r.text and "exists" in r.text
        assert f'href="/admin/p/{pid}/contacts/{cid}">Open the existing contact' in r.text
        r = await admin.post(f"/admin/p/{pid}/contacts", {"email": "<b>x</b>@example.com"})
        assert r.status_code == 422 and "<b>x</b>" not in r.text and "&lt;b&gt;x&lt;/b&gt;" in r.text
        assert len(await contacts(api)) == 1


# --- one contact ------------------------------------------------------------------------------------------------
async def test_contact_page_shows_subscriptions_changes_suppression_and_messages(console_system) -> None:  # type: ignore[no-untyped-def]
    pid, admin = console_system.project_id, console_system.admin
    async with api_client(console_system) as api:
        news, offers = await make_list(api, "News"), await make_list(api, "Offers")
        r = await subscribe(api, news, "dee@example.com", "web form", first_name="Dee", score=7)
        assert r.status_code == 201, r.text
        cid = r.json()["contact_id"]
        r = await api.post(
            "/v1/messages",
            json={"to": "dee@example.com", "subject": "Receipt", "text": "Thanks", "contact_id": cid},
        )
        assert r.status_code == 202, r.text
        mid = r.json()["id"]
        other = await api.post("/v1/messages", json={"to": "else@example.com", "subject": "S", "text": "T"})
        r = await api.post("/v1/suppressions", json={"email": "dee@example.com", "reason": "complaint"})
        assert r.status_code == 201, r.text
        sup = r.json()["id"]

        url = f"/admin/p/{pid}/contacts/{cid}"
        page = await admin.get(url)
        assert page.status_code == 200
        text = page.text
        assert "dee@example.com" in text and "first_name" in text and "Dee" in text
        assert "News" in text and "web form" in text and "active" in text
        assert "new → active" in text and "api" in text  # the change log
        assert "suppressed" in text and "complaint" in text
        assert f"#{mid}" in text and f"#{other.json()['id']}<" not in text
        assert "Erase contact" in text and "Remove suppression" in text

        # pause: a bad date is refused next to its field, then a good one
        sub = (await api.get("/v1/subscriptions", params={"contact_id": cid})).json()["data"][0]["id"]
        r = await admin.post(f"{url}/subscriptions/{sub}", {"action": "pause", f"paused_until-{sub}": "soon"})
        assert r.status_code == 422 and f'id="e-paused_until-{sub}"' in r.text and "<details open>" in r.text
        r = await admin.post(
            f"{url}/subscriptions/{sub}", {"action": "pause", f"paused_until-{sub}": "2001-01-01"}
        )
        assert r.status_code == 422 and f'id="e-paused_until-{sub}"' in r.text and "future" in r.text
        r = await admin.post(f"{url}/subscriptions/{sub}", {"action": "pause", f"paused_until-{sub}": SOON})
        assert r.status_code == 303
        assert (await api.get(f"/v1/subscriptions/{sub}")).json()["status"] == "paused"
        r = await admin.post(f"{url}/subscriptions/{sub}", {"action": "unsubscribe"})
        assert r.status_code == 303
        # resubscribing needs the consent, from the API's rule, shown next to the field
        r = await admin.post(f"{url}/subscriptions/{sub}", {"action": "reactivate"})
        assert r.status_code == 422 and f'id="e-consent_source-{sub}"' in r.text
        assert (await api.get(f"/v1/subscriptions/{sub}")).json()["status"] == "unsubscribed"
        r = await admin.post(
            f"{url}/subscriptions/{sub}", {"action": "reactivate", f"consent_source-{sub}": "called us"}
        )
        assert r.status_code == 303
        assert (await api.get(f"/v1/subscriptions/{sub}")).json()["status"] == "active"
        # add to another list; a subscription of another contact is not reachable from this page
        r = await admin.post(f"{url}/subscribe", {"list_id": str(offers), "consent_source": "phone call"})
        assert r.status_code == 303
        r = await api.post("/v1/subscriptions", json={"list_id": news, "email": "eve@example.com"})
        assert (
            await admin.post(f"{url}/subscriptions/{r.json()['id']}", {"action": "unsubscribe"})
        ).status_code == 404
        assert (await api.get(f"/v1/subscriptions/{r.json()['id']}")).json()["status"] != "unsubscribed"

        # suppression removal needs a reason (the API's rule)
        r = await admin.post(f"{url}/suppression/{sup}/remove", {"why": ""})
        assert r.status_code == 422 and 'id="e-why"' in r.text
        r = await admin.post(f"{url}/suppression/{sup}/remove", {"why": "confirmed by phone"})
        assert r.status_code == 303
        removals = (await api.get("/v1/suppressions/removals")).json()["data"]
        assert [(x["removed_by"], x["why"]) for x in removals] == [("admin", "confirmed by phone")]

        page = (await admin.get(url)).text
        assert "not suppressed" in page and "Offers" in page and "paused → unsubscribed" in page
        assert "unsubscribed → active" in page and "called us" in page
    actions = [a for a, _ in await audit_actions(console_system.app)]
    assert actions.count("subscription.changed") == 3 and "suppression.removed" in actions
    assert "subscription.created" in actions


async def test_unknown_contact_is_404(console_system) -> None:  # type: ignore[no-untyped-def]
    pid, admin = console_system.project_id, console_system.admin
    assert (await admin.get(f"/admin/p/{pid}/contacts/999999")).status_code == 404
    assert (await admin.get(f"/admin/p/{pid}/imports/999999")).status_code == 404
    assert (await admin.get(f"/admin/p/{pid}/imports/999999.json")).status_code == 404


# --- import, export, erasure -----------------------------------------------------------------------------------
async def test_import_progress_error_report_export_and_erasure(console_system) -> None:  # type: ignore[no-untyped-def]
    pid, admin = console_system.project_id, console_system.admin
    async with api_client(console_system) as api:
        news = await make_list(api, "News")
        index = await admin.get(f"/admin/p/{pid}/imports")
        assert index.status_code == 200 and 'enctype="multipart/form-data"' in index.text
        # the CSRF input comes before the file input (checked before the file is read)
        assert index.text.index('name="csrf"', index.text.index('id="import-form"')) < index.text.index(
            'name="file"'
        )

        r = await upload(admin, pid, news, IMPORT_CSV)
        assert r.status_code == 303, r.text[:500]
        iid = int(IMPORT_URL.search(r.headers["location"]).group(1))  # type: ignore[union-attr]
        seen = await wait_import(admin, pid, iid)
        last = seen[-1]
        assert last["status"] == "completed" and last["processed"] == last["total"] == len(IMPORT_CSV)
        assert (last["rows"], last["imported"], last["created"], last["duplicates"], last["failed"]) == (
            6,
            3,
            3,
            1,
            2,
        )
        page = await admin.get(r.headers["location"])
        assert page.status_code == 200 and "Import started." in page.text
        assert 'value="' + str(len(IMPORT_CSV)) + '"' in page.text and "100</span> %" in page.text
        report = page.text[page.text.index("Refused lines</h2>") :]
        assert re.search(r'<td class="num">3</td><td class="wrap"><code>not-an-address</code>', report)
        assert re.search(r'<td class="num">6</td>', report)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report and "<script>alert" not in page.text
        assert "data-poll" not in page.text  # done: nothing left to follow
        listing = await admin.get(f"/admin/p/{pid}/imports")
        assert f'href="/admin/p/{pid}/imports/{iid}"' in listing.text and "people.csv" in listing.text

        # the contact page escapes the formula cell like everything else
        bob = (await contacts(api, email="bob@example.com"))[0]
        assert bob["attributes"]["name"].startswith("=HYPERLINK")
        page = await admin.get(f"/admin/p/{pid}/contacts/{bob['id']}")
        assert "=HYPERLINK(&#34;http://evil.example&#34;" in page.text
        assert "import " in page.text  # change log: source import

        # export: every imported contact, the formula cell defused
        r = await admin.get(f"/admin/p/{pid}/contacts/export.csv")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"] and r.headers["cache-control"] == "no-store"
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert sorted(x["email"] for x in rows) == ["ann@example.com", "bob@example.com", "cy@example.com"]
        assert next(x for x in rows if x["email"] == "bob@example.com")["name"].startswith("'=HYPERLINK")
        r = await admin.get(f"/admin/p/{pid}/contacts/export.csv", params={"list_id": news})
        assert r.status_code == 200 and "status" in r.text.splitlines()[0]
        assert (
            await admin.get(f"/admin/p/{pid}/contacts/export.csv", params={"list_id": 999999})
        ).status_code == 404

        # erasure: confirmation required, then the address is gone from the page, the API and the export
        ann = (await contacts(api, email="ann@example.com"))[0]
        url = f"/admin/p/{pid}/contacts/{ann['id']}"
        r = await admin.post(f"{url}/erase", {})
        assert r.status_code == 422 and 'id="e-confirm"' in r.text
        assert (await api.get(f"/v1/contacts/{ann['id']}")).json()["email"] == "ann@example.com"
        r = await admin.post(f"{url}/erase", {"confirm": "on"})
        assert r.status_code == 303
        page = await admin.get(r.headers["location"])
        assert page.status_code == 200 and "Contact erased." in page.text
        assert "ann@example.com" not in page.text.lower() and "Erased contact #" in page.text
        assert "Erase contact" not in page.text and "Oslo" not in page.text
        gone = (await api.get(f"/v1/contacts/{ann['id']}")).json()
        assert gone["email"] is None and gone["attributes"] == {} and gone["erased_at"]
        assert {s["status"] for s in gone["subscriptions"]} == {"unsubscribed"}
        rows = list(
            csv.DictReader(io.StringIO((await admin.get(f"/admin/p/{pid}/contacts/export.csv")).text))
        )
        assert sorted(x["email"] for x in rows) == ["bob@example.com", "cy@example.com"]
        index = await admin.get(f"/admin/p/{pid}/contacts")
        assert "ann@example.com" not in index.text
        index = await admin.get(f"/admin/p/{pid}/contacts", params={"erased": "on"})
        assert f"Contact #{ann['id']}" in index.text and "erased" in index.text
    actions = await audit_actions(console_system.app)
    assert ("import.started", f"import:{iid}") in actions and (
        "contact.erased",
        f"contact:{ann['id']}",
    ) in actions
    assert ("contacts.exported", "contacts") in actions


async def test_import_refusals_next_to_the_field(console_system) -> None:  # type: ignore[no-untyped-def]
    pid, admin = console_system.project_id, console_system.admin
    async with api_client(console_system) as api:
        news = await make_list(api, "News")
        r = await upload(admin, pid, "", IMPORT_CSV)
        assert r.status_code == 422 and 'id="e-list_id"' in r.text
        r = await upload(admin, pid, news, IMPORT_CSV, consent_source="")
        assert r.status_code == 422 and 'id="e-consent_source"' in r.text
        r = await upload(admin, pid, news, IMPORT_CSV, consent_source="ok")  # the API wants 3 characters
        assert r.status_code == 422 and 'id="e-consent_source"' in r.text and 'value="ok"' in r.text
        r = await upload(admin, pid, news, b"")
        assert r.status_code == 422 and 'id="e-file"' in r.text
        r = await upload(admin, pid, 999999, IMPORT_CSV)
        assert r.status_code == 404 and 'id="e-list_id"' in r.text
        assert (await api.get("/v1/imports")).json()["data"] == []
        # a file without an `email` column: the import runs and fails with the reason shown
        r = await upload(admin, pid, news, b"name\nAnn\n")
        assert r.status_code == 303
        iid = int(IMPORT_URL.search(r.headers["location"]).group(1))  # type: ignore[union-attr]
        assert (await wait_import(admin, pid, iid))[-1]["status"] == "failed"
        page = await admin.get(f"/admin/p/{pid}/imports/{iid}")
        assert "no `email` column" in page.text and "failed" in page.text


async def test_upload_checks_csrf_before_the_file_and_refuses_oversized_files(
    console_system, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    pid, admin = console_system.project_id, console_system.admin
    async with api_client(console_system) as api:
        news = await make_list(api, "News")
        files = {"file": ("people.csv", IMPORT_CSV, "text/csv")}
        form = {"list_id": str(news), "consent_source": "signed up"}
        r = await admin.http.post(f"/admin/p/{pid}/imports", data=form, files=files)  # no token
        assert r.status_code == 403
        r = await admin.http.post(f"/admin/p/{pid}/imports", data={**form, "csrf": "0" * 64}, files=files)
        assert r.status_code == 403
        # the token after the file: refused when the file starts
        body = (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
            + IMPORT_CSV
            + b'\r\n--b\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n'
            + admin.csrf.encode()
            + b"\r\n--b--\r\n"
        )
        r = await admin.http.post(
            f"/admin/p/{pid}/imports",
            content=body,
            headers={"content-type": "multipart/form-data; boundary=b"},
        )
        assert r.status_code == 403
        r = await admin.post(f"/admin/p/{pid}/imports", {"list_id": str(news)})  # urlencoded: no file
        assert r.status_code == 400

        monkeypatch.setattr(imports_pages, "UPLOAD_LIMIT", 1000)
        big = csv_file([["email"]] + [[f"p{i}@example.com"] for i in range(200)])
        r = await upload(admin, pid, news, big)
        assert r.status_code == 413 and 'id="e-file"' in r.text and "Nothing was imported" in r.text

        # without a Content-Length (chunked), refused while it streams
        async def chunks():  # type: ignore[no-untyped-def]
            head = f'--b\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{admin.csrf}\r\n'
            yield head.encode()
            yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
            for _ in range(10):
                yield big[:500]
            yield b"\r\n--b--\r\n"

        r = await admin.http.post(
            f"/admin/p/{pid}/imports",
            content=chunks(),
            headers={"content-type": "multipart/form-data; boundary=b"},
        )
        assert r.status_code == 413
        assert (await api.get("/v1/imports")).json()["data"] == []
        assert await contacts(api) == []


# --- viewers ---------------------------------------------------------------------------------------------------
async def test_viewer_sees_but_changes_nothing(console_system) -> None:  # type: ignore[no-untyped-def]
    app, pid = console_system.app, console_system.project_id
    async with api_client(console_system) as api:
        news = await make_list(api, "News")
        r = await subscribe(api, news, "dee@example.com", "web form")
        cid, sub = r.json()["contact_id"], r.json()["id"]
        sup = (await api.post("/v1/suppressions", json={"email": "dee@example.com"})).json()["id"]
        r = await upload(console_system.admin, pid, news, IMPORT_CSV)
        iid = int(IMPORT_URL.search(r.headers["location"]).group(1))  # type: ignore[union-attr]
        await wait_import(console_system.admin, pid, iid)
        before = (await contacts(api), (await api.get("/v1/imports")).json(), await audit_actions(app))

        await add_member(app, pid, "viv@example.com", "viewer password 1", "viewer")
        async with ConsoleClient(app, ip="198.51.100.40") as viewer:
            await viewer.login("viv@example.com", "viewer password 1")
            for path in (
                f"/admin/p/{pid}/contacts",
                f"/admin/p/{pid}/contacts/{cid}",
                f"/admin/p/{pid}/imports",
                f"/admin/p/{pid}/imports/{iid}",
                f"/admin/p/{pid}/imports/{iid}.json",
            ):
                r = await viewer.get(path)
                assert r.status_code == 200, path
                assert '<form method="post" action="/admin/p/' not in r.text.replace(
                    'action="/admin/logout"', ""
                ), path
            page = (await viewer.get(f"/admin/p/{pid}/contacts")).text
            assert "Export CSV" not in page and "Add a contact" not in page
            assert (await viewer.get(f"/admin/p/{pid}/contacts/export.csv")).status_code == 403
            posts = [
                (f"/admin/p/{pid}/contacts", {"email": "new@example.com"}),
                (f"/admin/p/{pid}/contacts/{cid}/subscribe", {"list_id": str(news)}),
                (f"/admin/p/{pid}/contacts/{cid}/subscriptions/{sub}", {"action": "unsubscribe"}),
                (f"/admin/p/{pid}/contacts/{cid}/suppression/{sup}/remove", {"why": "because"}),
                (f"/admin/p/{pid}/contacts/{cid}/erase", {"confirm": "on"}),
                (f"/admin/p/{pid}/imports", {"list_id": str(news), "consent_source": "signed up"}),
            ]
            for path, data in posts:
                r = await viewer.post(path, data)
                assert r.status_code == 403, (path, r.status_code)
                r = await viewer.post(path, data, files={"file": ("a.csv", IMPORT_CSV, "text/csv")})
                assert r.status_code == 403, (path, r.status_code)
        after = (await contacts(api), (await api.get("/v1/imports")).json(), await audit_actions(app))
        assert after == before
        assert (await api.get(f"/v1/subscriptions/{sub}")).json()["status"] == "active"
        assert (await api.get(f"/v1/suppressions/{sup}")).status_code == 200


@pytest.mark.parametrize("role", ["editor"])
async def test_editor_may_change_contacts_and_export(console_system, role: str) -> None:  # type: ignore[no-untyped-def]
    app, pid = console_system.app, console_system.project_id
    await add_member(app, pid, "ed@example.com", "editor password 1", role)
    async with ConsoleClient(app, ip="198.51.100.41") as editor:
        await editor.login("ed@example.com", "editor password 1")
        r = await editor.post(f"/admin/p/{pid}/contacts", {"email": "ed-added@example.com"})
        assert r.status_code == 303
        r = await editor.get(f"/admin/p/{pid}/contacts/export.csv")
        assert r.status_code == 200 and "ed-added@example.com" in r.text


# --- in a real browser -----------------------------------------------------------------------------------------
UNLABELLED = """() => [...document.querySelectorAll('main input, main select, main textarea')]
  .filter(el => el.type !== 'hidden')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)"""


async def _shoot(page: Any, name: str) -> None:
    """Every input labelled, no id twice; screenshots at 1280×900 and 390×844."""
    await shoot(page, name, widths=((1280, 900), (390, 844)), unlabelled=UNLABELLED, duplicate_ids=True)


@pytest.mark.slow
async def test_contacts_and_import_in_a_real_browser(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    # Enough lines that the progress bar is seen moving (the import runs at ~20k lines/s on SQLite).
    rows = [["email", "name"]] + [[f"person{i}@example.com", f"Person {i}"] for i in range(20_000)]
    rows += [["not-an-address", "Bad"], ["person7@example.com", "Dup"], ["carl@example.com", "=SUM(1+1)"]]
    big_csv = csv_file(rows)
    async with console_in_browser(sqlite_url, settings_for) as b:
        page, public, pid, key = b.page, b.public, b.pid, b.api_key
        auth = {"Authorization": f"Bearer {key}"}
        async with httpx.AsyncClient(base_url=public, headers=auth, timeout=30) as api:
            news = await make_list(api, "Weekly news")
            r = await subscribe(
                api, news, "dana@example.com", "signed up at the shop", first_name="Dana", plan="gold"
            )
            dana = r.json()["contact_id"]
            await api.post(
                "/v1/messages",
                json={"to": "dana@example.com", "subject": "Receipt", "text": "Thanks", "contact_id": dana},
            )
            for email in ("abe@example.com", "bea@example.org", "cyd@example.net"):
                await api.post("/v1/contacts", json={"email": email, "attributes": {"source": "fair"}})

        await log_in(page, public)

        # search
        await page.goto(f"{public}/admin/p/{pid}/contacts")
        await page.get_by_role("link", name="abe@example.com").wait_for()
        await _shoot(page, "contacts-index")
        await page.get_by_label("Search by address").fill("dana")
        await page.get_by_role("button", name="Search").click()
        await page.get_by_role("link", name="dana@example.com").wait_for()
        assert await page.get_by_role("link", name="abe@example.com").count() == 0

        # one contact
        await page.get_by_role("link", name="dana@example.com").click()
        await page.get_by_role("heading", name="dana@example.com").wait_for()
        main = page.locator("main")
        assert "signed up at the shop" in await main.inner_text()
        assert "gold" in await main.inner_text() and "not suppressed" in await main.inner_text()
        assert await page.locator("#h-messages + .table-wrap tbody tr").count() == 1
        await page.get_by_text("Change Weekly news").click()  # opens the subscription's actions
        await page.get_by_label("Pause Weekly news until").wait_for()
        await _shoot(page, "contacts-view")

        # import through the file input, watch it to the end
        await page.goto(f"{public}/admin/p/{pid}/contacts")
        await page.get_by_role("link", name="CSV imports").click()
        await page.get_by_role("heading", name="CSV imports").wait_for()
        await _shoot(page, "imports-index")
        await page.get_by_label("List", exact=True).select_option(str(news))
        await page.get_by_label("Consent").fill("newsletter box ticked at checkout")
        await page.get_by_label("CSV file").set_input_files(
            files=[{"name": "customers.csv", "mimeType": "text/csv", "buffer": big_csv}]
        )
        await page.get_by_role("button", name="Start import").click()
        await page.get_by_role("heading", name="Progress").wait_for()
        await page.wait_for_function(
            "() => { const p = document.querySelector('progress'); return p && p.max > 1 && p.value === p.max; }",
            timeout=60_000,
        )
        await page.get_by_role("heading", name="Refused lines").wait_for(timeout=60_000)
        text = await page.locator("main").inner_text()
        assert "completed" in text and "100 %" in text
        report = page.locator("#h-errors ~ .table-wrap tbody tr")
        assert await report.count() == 1
        assert (await report.first.inner_text()).split("\t")[:2] == [str(len(rows) - 2), "not-an-address"]
        await _shoot(page, "imports-progress")
    assert not b.problems, b.problems
