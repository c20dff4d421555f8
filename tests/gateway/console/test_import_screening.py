"""Console: a held import shows its list-quality report and why it is held; only an owner accepts or rejects it
(audit-logged); the overview page lists the contact sources' bounce and complaint figures."""

from __future__ import annotations

import html

from tests.gateway.console.support import ConsoleClient, add_member
from tests.gateway.console.test_contacts import (
    IMPORT_URL,
    api_client,
    audit_actions,
    csv_file,
    make_list,
    upload,
    wait_import,
)

RISKY = csv_file(
    [["email"], ["info@acme.io"], ["sales@acme.io"], ["ann@acme.io"], ["x@mailinator.com"], ["bob@acme.io"]]
)


async def test_held_import_accept_and_reject_in_the_console(console_system) -> None:  # type: ignore[no-untyped-def]
    pid, admin = console_system.project_id, console_system.admin
    async with api_client(console_system) as api:
        news = await make_list(api, "News")
        r = await upload(admin, pid, news, RISKY)
        assert r.status_code == 303, r.text[:500]
        iid = int(IMPORT_URL.search(r.headers["location"]).group(1))  # type: ignore[union-attr]
        assert (await wait_import(admin, pid, iid))[-1]["status"] == "held"
        page = html.unescape((await admin.get(f"/admin/p/{pid}/imports/{iid}")).text)
        assert (
            "Held: not sendable until an owner decides" in page
            and "over the project's 10.0% threshold" in page
        )
        assert (
            "List quality" in page
            and "mailinator.com (1)" in page
            and "at a disposable domain or at one without MX/A; each row counted once: 3)" in page
        )

        await add_member(console_system.app, pid, "ed@acme.io", "editor-password-123", "editor")
        async with ConsoleClient(console_system.app) as editor:
            await editor.login("ed@acme.io", "editor-password-123")
            assert "Only an owner" in (await editor.get(f"/admin/p/{pid}/imports/{iid}")).text
            r = await editor.post(f"/admin/p/{pid}/imports/{iid}/accept", {})
            assert r.status_code == 403
        assert (await api.get(f"/v1/imports/{iid}")).json()["status"] == "held"

        r = await admin.post(f"/admin/p/{pid}/imports/{iid}/accept", {})
        assert r.status_code == 303, r.text[:300]
        page = html.unescape((await admin.get(r.headers["location"])).text)
        assert "Import accepted" in page and "Accepted by admin" in page
        assert (await admin.post(f"/admin/p/{pid}/imports/{iid}/reject", {})).status_code == 409

        r = await upload(admin, pid, news, RISKY.replace(b"acme.io", b"acme.dev"))
        iid2 = int(IMPORT_URL.search(r.headers["location"]).group(1))  # type: ignore[union-attr]
        assert (await wait_import(admin, pid, iid2))[-1]["status"] == "held"
        r = await admin.post(f"/admin/p/{pid}/imports/{iid2}/reject", {})
        assert r.status_code == 303
        assert "4 subscriptions and 4 contacts removed" in html.unescape(
            (await admin.get(r.headers["location"])).text
        )
        assert ("import.accepted", f"import:{iid}") in await audit_actions(console_system.app)
        assert ("import.rejected", f"import:{iid2}") in await audit_actions(console_system.app)
        assert (await admin.get(f"/admin/p/{pid}")).status_code == 200
