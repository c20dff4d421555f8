"""The console pages on the API's one contract: `?cursor=` links carrying the API's `next_cursor`, never the
deprecated `before_id` / `before` parameters (so no answer the console reads carries a `Deprecation` header), for
the campaigns list, a campaign's recipients, the outbox and the audit log; old `?before=<id>` links still open the
page they named."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from shared.db.types import utcnow
from shared.email_address import email_hash
from shared.models.console import AuditEntry
from shared.models.sender import Campaign, Message, SandboxMessage


@contextmanager
def upstream_calls(app: Any) -> Iterator[list[tuple[str, dict[str, Any], str | None]]]:
    """Every call the gateway makes to a service meanwhile: (path, query, its answer's Deprecation header)."""
    upstreams = app.state.gateway.upstreams
    real = upstreams.request
    seen: list[tuple[str, dict[str, Any], str | None]] = []

    async def spy(service: str, method: str, path: str, **kw: Any) -> Any:
        resp = await real(service, method, path, **kw)
        seen.append((path, dict(kw.get("query") or {}), resp.header("deprecation")))
        return resp

    upstreams.request = spy
    try:
        yield seen
    finally:
        upstreams.request = real


def _no_legacy_paging(seen: list[tuple[str, dict[str, Any], str | None]]) -> None:
    assert seen
    legacy = [(p, q) for p, q, _ in seen if {"before_id", "before"} & set(q)]
    assert not legacy, f"the console still pages the old way: {legacy}"
    deprecated = [(p, q) for p, q, dep in seen if dep is not None]
    assert not deprecated, f"answers with a Deprecation header: {deprecated}"


def _link(text: str, label: str) -> str:
    """The href of the link labelled `label` (unescaped)."""
    m = re.search(rf'href="([^"]+)"[^>]*>{re.escape(label)}</a>', text)
    assert m, f"no {label!r} link"
    return html.unescape(m.group(1))


async def test_campaigns_list_pages_by_cursor(console_system) -> None:  # type: ignore[no-untyped-def]
    cs = console_system
    pid, admin = cs.project_id, cs.admin
    async with cs.app.state.runtime.sessionmaker() as db:
        rows = [Campaign(project_id=pid, name=f"Issue {i:02d}", created_at=utcnow()) for i in range(55)]
        db.add_all(rows)
        await db.commit()
        ids = [c.id for c in rows]
    with upstream_calls(cs.app) as seen:
        first = await admin.get(f"/admin/p/{pid}/campaigns")
        assert first.status_code == 200
        assert (
            "Issue 54" in first.text
            and ">Issue 04<" not in first.text
            and "Newest campaigns" not in first.text
        )
        older = _link(first.text, "Older campaigns →")
        assert older.startswith(f"/admin/p/{pid}/campaigns?cursor=")
        second = await admin.get(older)
        assert second.status_code == 200
        shown = re.findall(rf'href="/admin/p/{pid}/campaigns/(\d+)"', second.text)
        assert sorted(int(i) for i in shown) == ids[:5]
        assert "Older campaigns" not in second.text and "← Newest campaigns" in second.text
    _no_legacy_paging(seen)
    # A link the console made before (?before=<id>) opens the same page.
    old = await admin.get(f"/admin/p/{pid}/campaigns?before={ids[5]}")
    assert re.findall(rf'href="/admin/p/{pid}/campaigns/(\d+)"', old.text) == shown
    assert (await admin.get(f"/admin/p/{pid}/campaigns?before=abc")).status_code == 200  # ignored


async def test_campaign_recipients_page_by_cursor(console_system) -> None:  # type: ignore[no-untyped-def]
    cs = console_system
    pid, admin = cs.project_id, cs.admin
    now = utcnow()
    async with cs.app.state.runtime.sessionmaker() as db:
        c = Campaign(
            project_id=pid, name="Big", status="sent", fanout_at=now, finished_at=now, created_at=now
        )
        db.add(c)
        await db.flush()
        addresses = [f"r{i:02d}@example.com" for i in range(60)]
        db.add_all(
            Message(project_id=pid, kind="marketing", state="sent", campaign_id=c.id, to_address=a,
                    email_hash=email_hash(a), sent_at=now)
            for a in addresses
        )  # fmt: skip
        await db.commit()
        cid = c.id
    with upstream_calls(cs.app) as seen:
        first = await admin.get(f"/admin/p/{pid}/campaigns/{cid}")
        assert first.status_code == 200
        assert "r59@example.com" in first.text and "r09@example.com" not in first.text
        nxt = _link(first.text, "Next page →")
        assert "cursor=" in nxt and "before" not in nxt
        second = await admin.get(nxt)
        assert second.status_code == 200
        assert [a for a in addresses if a in second.text] == addresses[:10]
        assert "← First page" in second.text and "Next page →" not in second.text
    _no_legacy_paging(seen)


async def test_outbox_and_audit_log_page_by_cursor(console_system) -> None:  # type: ignore[no-untyped-def]
    cs = console_system
    pid, admin = cs.project_id, cs.admin
    async with cs.app.state.runtime.sessionmaker() as db:
        db.add_all(
            SandboxMessage(project_id=pid, ses_message_id=f"pg-{i}", to_address=f"p{i}@example.com",
                           from_address="x@example.com", subject=f"mail {i}", raw="Subject: x\r\n\r\nx",
                           created_at=utcnow())
            for i in range(55)
        )  # fmt: skip
        db.add_all(
            AuditEntry(user_login="admin", project_id=pid, action=f"test.entry{i}", target="x")
            for i in range(105)
        )
        await db.commit()
    with upstream_calls(cs.app) as seen:
        first = await admin.get(f"/admin/p/{pid}/outbox?to=")
        older = _link(first.text, "Older mail")
        assert "cursor=" in older
        second = await admin.get(older)
        assert second.text.count(f'href="/admin/p/{pid}/outbox/') == 5 and "Older mail" not in second.text
    _no_legacy_paging(seen)

    # The audit log is the console's own table: the same links.
    log = await admin.get(f"/admin/p/{pid}/audit")
    entries = re.findall(r"<code>(test\.entry\d+)</code>", log.text)
    assert len(entries) == 100 and entries[0] == "test.entry104"
    older = _link(log.text, "Older entries")
    assert older.startswith("?cursor=")
    rest = await admin.get(f"/admin/p/{pid}/audit{older}")
    more = re.findall(r"<code>(test\.entry\d+)</code>", rest.text)
    assert more[:5] == [f"test.entry{i}" for i in range(4, -1, -1)]
    assert "Older entries" not in rest.text and "← Newest entries" in rest.text
    assert (await admin.get(f"/admin/p/{pid}/audit?cursor=not-ours")).status_code == 200  # the first page
