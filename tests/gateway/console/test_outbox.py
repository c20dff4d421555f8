"""Console outbox: a signup's confirmation mail listed and shown (headers, text, links, the HTML in a sandboxed
frame with its own CSP, the .eml), a campaign mail's List-Unsubscribe headers highlighted, hostile HTML
neutralised, malformed MIME shown as far as it can be read, paging and the recipient filter, the real-SES note,
viewers reading everything; and the newcomer's path in a real browser: the confirmation mail, its link, confirmed."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
from datetime import timedelta

import httpx
import pytest
from markupsafe import escape

from services.gateway.console.captured_mail import find_links, frame_document, parse_mail
from services.gateway.console.outbox_pages import FRAME_CSP
from shared.db.types import utcnow
from shared.models.sender import SandboxMessage, SesAccount
from tests.gateway.console.in_browser import console_in_browser, log_in, open_section, shoot
from tests.gateway.console.support import ConsoleClient, add_member
from tests.gateway.embedded import (
    CONFIRM_RE,
    bootstrap_project,
    captured_mail,
    subscription_rows,
)
from tests.gateway.test_browser import UNLABELLED_INPUTS

MAIL_FRAME = "#mail-frame"
HOSTILE_HTML = (
    "<p>Hi</p><script>document.title='owned'</script><img src=x onerror=\"document.title='owned'\">"
    '<a href="javascript:alert(1)">bad</a> <a href="https://example.com/ok">good</a>'
)


def _api(cs) -> tuple[httpx.AsyncClient, dict[str, str]]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=cs.app, client=("198.51.100.60", 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=30), {
        "Authorization": f"Bearer {cs.api_key}"
    }


async def _signup(cs, address: str) -> tuple[int, email.message.EmailMessage]:  # type: ignore[no-untyped-def]
    """A list (double opt-in) and a signup on its hosted form; the confirmation mail as captured."""
    api, auth = _api(cs)
    async with api:
        r = await api.post("/v1/lists", json={"name": "Weekly news"}, headers=auth)
        assert r.status_code == 201, r.text
        lid = int(r.json()["id"])
        r = await api.post(f"/f/{lid}", data={"email": address})
        assert r.status_code == 303, r.text
        mail = await captured_mail(api, cs.api_key, address, subject_has="Confirm")
    return lid, mail


def _capture_id(mail: email.message.EmailMessage) -> int:
    return int(str(mail["X-Capture-Id"]))


async def _store_capture(cs, raw: str, to: str = "odd@example.com", subject: str | None = "odd") -> int:  # type: ignore[no-untyped-def]
    """A capture as the sandbox stores it, with raw MIME no sender would produce."""
    async with cs.app.state.runtime.sessionmaker() as db:
        row = SandboxMessage(
            project_id=cs.project_id,
            ses_message_id=f"odd-{utcnow().timestamp()}-{len(raw)}-{to}",
            to_address=to,
            from_address="x@example.com",
            subject=subject,
            raw=raw,
            created_at=utcnow(),
        )
        db.add(row)
        await db.commit()
        return int(row.id)


async def test_confirmation_mail_shown_with_text_links_frame_and_eml(console_system) -> None:  # type: ignore[no-untyped-def]
    cs = console_system
    pid, admin = cs.project_id, cs.admin
    _, mail = await _signup(cs, "ann@example.com")
    cid = _capture_id(mail)
    confirm = CONFIRM_RE.search(mail.get_body(("plain",)).get_content()).group(0)  # type: ignore[union-attr]

    index = await admin.get(f"/admin/p/{pid}/outbox")
    assert index.status_code == 200
    assert "Sandbox: no mail leaves Sesame" in index.text
    assert "A captured mail counts as delivered" in index.text
    row = re.search(r'<tr>\s*<td class="subject">.*?<td>ann@example.com</td>.*?</tr>', index.text, re.S)
    assert row, index.text
    assert f'href="/admin/p/{pid}/outbox/{cid}">Confirm your subscription to Weekly news</a>' in row.group(0)
    assert ">transactional</span>" in row.group(0)

    view = await admin.get(f"/admin/p/{pid}/outbox/{cid}")
    assert view.status_code == 200
    assert "frame-src 'self'" in view.headers["content-security-policy"]
    text = view.text
    assert "<dt>To</dt><dd>ann@example.com</dd>" in text
    assert "This mail has no List-Unsubscribe header" in text and "transactional mail" in text
    # the confirm link, clickable, and the text part as sent
    assert f'<a href="{escape(confirm)}" rel="noopener noreferrer">{escape(confirm)}</a>' in text
    assert escape(confirm) in re.search(r'<pre class="mail-text">(.*?)</pre>', text, re.S).group(1)  # type: ignore[union-attr]
    # the HTML part only in a sandboxed frame from its own URL
    frame = re.search(r"<iframe[^>]*>", text).group(0)  # type: ignore[union-attr]
    assert f'src="/admin/p/{pid}/outbox/{cid}/html"' in frame
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in frame
    assert "Confirm my subscription" not in text  # the HTML part is not inlined in the page
    # every header, in a table
    for name in ("Feedback-ID", "X-Sesame-Message-Id", "MIME-Version", "Content-Type"):
        assert re.search(rf'<th scope="row">{name}</th>', text, re.I), name

    part = await admin.get(f"/admin/p/{pid}/outbox/{cid}/html")
    assert part.status_code == 200 and part.headers["content-type"].startswith("text/html")
    assert part.headers["content-security-policy"] == FRAME_CSP
    assert part.headers["x-frame-options"] == "SAMEORIGIN"
    assert part.headers["x-content-type-options"] == "nosniff"
    assert '<base target="_blank">' in part.text and "Confirm my subscription" in part.text

    eml = await admin.get(f"/admin/p/{pid}/outbox/{cid}.eml")
    assert eml.status_code == 200
    assert eml.headers["content-type"].startswith("message/rfc822")
    assert eml.headers["content-disposition"] == f'attachment; filename="sesame-mail-{cid}.eml"'
    assert eml.headers["x-content-type-options"] == "nosniff"
    parsed = email.message_from_bytes(eml.content, policy=email.policy.default)
    assert (
        parsed["Subject"] == "Confirm your subscription to Weekly news" and parsed["To"] == "ann@example.com"
    )

    # the filter: exact recipient
    only = await admin.get(f"/admin/p/{pid}/outbox", params={"to": "ann@example.com"})
    assert "Mail to ann@example.com" in only.text and f"/outbox/{cid}" in only.text
    none = await admin.get(f"/admin/p/{pid}/outbox", params={"to": "<b>nobody</b>@example.com"})
    assert "No captured mail to &lt;b&gt;nobody&lt;/b&gt;@example.com" in none.text

    # gone, or another project's: not found
    assert (await admin.get(f"/admin/p/{pid}/outbox/999999")).status_code == 404
    assert (await admin.get(f"/admin/p/{pid}/outbox/999999/html")).status_code == 404
    assert (await admin.get(f"/admin/p/{pid}/outbox/999999.eml")).status_code == 404
    other, _ = await bootstrap_project(cs.app, "Other")
    assert (await admin.get(f"/admin/p/{other}/outbox/{cid}")).status_code == 404
    assert (await admin.get(f"/admin/p/{other}/outbox/{cid}.eml")).status_code == 404


async def test_campaign_mail_shows_list_unsubscribe_one_click(console_system) -> None:  # type: ignore[no-untyped-def]
    cs = console_system
    pid, admin = cs.project_id, cs.admin
    lid, mail = await _signup(cs, "bea@example.com")
    confirm = CONFIRM_RE.search(mail.get_body(("plain",)).get_content()).group(0)  # type: ignore[union-attr]
    api, auth = _api(cs)
    async with api:
        assert (await api.post(confirm.removeprefix("http://testserver"))).status_code == 200
        r = await api.post(
            "/v1/campaigns",
            json={
                "name": "Nov",
                "list_ids": [lid],
                "subject": "November news",
                "html": "<p>Hello</p>",
                "send_now": True,
            },
            headers=auth,
        )
        assert r.status_code == 201, r.text
        campaign = await captured_mail(api, cs.api_key, "bea@example.com", subject_has="November")
    cid = _capture_id(campaign)
    unsub = re.search(r"<(https?://[^>]+)>", str(campaign["List-Unsubscribe"])).group(1)  # type: ignore[union-attr]

    index = await admin.get(f"/admin/p/{pid}/outbox")
    assert '<span class="badge ok">marketing</span>' in index.text
    view = await admin.get(f"/admin/p/{pid}/outbox/{cid}")
    text = view.text
    assert "RFC 8058" in text and "one POST to the https link" in text
    assert f"<li><code>{escape(unsub)}</code></li>" in text
    rows = re.findall(r'<tr class="hl"><th scope="row">([^<]+)</th><td><code>([^<]*)</code>', text)
    assert [n for n, _ in rows] == ["List-Unsubscribe", "List-Unsubscribe-Post"], rows
    assert rows[1][1] == "List-Unsubscribe=One-Click"
    assert f'/admin/p/{pid}/campaigns/{r.json()["id"]}">campaign' in text
    # the unsubscribe link is also in the body's links
    assert "/u/" in " ".join(re.findall(r'<ul class="links">(.*?)</ul>', text, re.S)[-1:])


async def test_hostile_html_is_neutralised(console_system) -> None:  # type: ignore[no-untyped-def]
    cs = console_system
    pid, admin = cs.project_id, cs.admin
    api, auth = _api(cs)
    async with api:
        r = await api.post(
            "/v1/messages",
            json={"to": "eve@example.com", "subject": "<script>alert(1)</script>", "html": HOSTILE_HTML},
            headers=auth,
        )
        assert r.status_code == 202, r.text
        mail = await captured_mail(api, cs.api_key, "eve@example.com")
    cid = _capture_id(mail)
    view = await admin.get(f"/admin/p/{pid}/outbox/{cid}")
    assert view.status_code == 200
    assert (
        "<script>alert(1)</script>" not in view.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in view.text
    )
    assert 'href="javascript:' not in view.text
    assert '<a href="https://example.com/ok" rel="noopener noreferrer">' in view.text
    index = await admin.get(f"/admin/p/{pid}/outbox")
    assert "<script>alert(1)</script>" not in index.text
    # the frame's document is the mail as sent, but its CSP forbids every script and sandboxes it
    part = await admin.get(f"/admin/p/{pid}/outbox/{cid}/html")
    assert "<script>" in part.text and "onerror" in part.text
    csp = part.headers["content-security-policy"]
    assert csp == FRAME_CSP and "script-src" not in csp and "default-src 'none'" in csp
    assert "sandbox allow-popups allow-popups-to-escape-sandbox" in csp and "allow-scripts" not in csp
    assert "allow-same-origin" not in csp


async def test_malformed_mail_renders_what_it_can(console_system) -> None:  # type: ignore[no-untyped-def]
    cs = console_system
    pid, admin = cs.project_id, cs.admin
    samples = {
        "bad charset and base64": (
            "From: =?bogus-charset?Q?Odd?= <x@example.com>\r\nTo: odd@example.com\r\nSubject: =?utf-8?B?####?=\r\n"
            'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="b"\r\n\r\n'
            '--b\r\nContent-Type: text/plain; charset="x-unknown"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
            "!!!not base64!!!\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>still here</p>\r\n"
        ),  # no closing boundary
        "no headers at all": "just some text\nwith https://example.com/x in it",
        "garbage": "\x00\x01\x02: \udcff\r\n\r\n\x00",
        "empty": "",
        "header without value": "Subject\r\nTo:\r\nX: y\r\n\r\nbody",
    }
    for label, raw in samples.items():
        cid = await _store_capture(cs, raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
        for suffix in ("", "/html", ".eml"):
            r = await admin.get(f"/admin/p/{pid}/outbox/{cid}{suffix}")
            assert r.status_code == 200, (label, suffix, r.status_code)
    first = await admin.get(f"/admin/p/{pid}/outbox/{cid - 4}")
    assert "still here" not in first.text  # the HTML stays in its frame
    assert "odd@example.com" in first.text
    frame = await admin.get(f"/admin/p/{pid}/outbox/{cid - 4}/html")
    assert "still here" in frame.text
    plain = await admin.get(f"/admin/p/{pid}/outbox/{cid - 3}")
    assert "just some text" in plain.text and 'href="https://example.com/x"' in plain.text


def test_parse_mail_directly() -> None:
    msg = parse_mail(
        "From: A <a@example.com>\r\nX-Later: 1\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n"
        "List-Unsubscribe: <https://h.example/u/t>, <mailto:u@h.example>\r\n"
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n\r\nsee https://h.example/a)."
    )
    assert [h.name for h in msg.headers][:2] == ["From", "Subject"]  # the main ones first
    assert msg.header("subject") == "Grüße" and msg.one_click
    assert msg.unsubscribe == ["https://h.example/u/t", "mailto:u@h.example"]
    assert [h.name for h in msg.headers if h.highlight] == ["List-Unsubscribe", "List-Unsubscribe-Post"]
    assert msg.links == ["https://h.example/a"] and msg.text and msg.html is None
    assert find_links(
        '<a href="javascript:x">a</a><a href=" https://a.example/ ">b</a><area href="http://b.example">', None
    ) == [
        "https://a.example/",
        "http://b.example",
    ]
    assert frame_document("<!doctype html><html><head><title>t</title>").startswith(
        '<!doctype html><html><head><base target="_blank">'
    )
    assert frame_document("<!DOCTYPE html><p>x") == '<!DOCTYPE html><base target="_blank"><p>x'
    assert frame_document("<p>x") == '<base target="_blank"><p>x'


async def test_paging_and_the_real_ses_note(console_system) -> None:  # type: ignore[no-untyped-def]
    cs = console_system
    pid, admin = cs.project_id, cs.admin
    ids = [
        await _store_capture(cs, f"Subject: n{i}\r\n\r\nx", to=f"p{i}@example.com", subject=f"n{i}")
        for i in range(55)
    ]
    first = await admin.get(f"/admin/p/{pid}/outbox")
    assert first.text.count(f'href="/admin/p/{pid}/outbox/') == 50
    older = re.search(rf'href="(/admin/p/{pid}/outbox\?cursor=[\w=-]+)">Older mail</a>', first.text)
    assert older and f"/outbox/{ids[-1]}" in first.text and f'/outbox/{ids[4]}"' not in first.text
    second = await admin.get(older.group(1))
    assert second.text.count(f'href="/admin/p/{pid}/outbox/') == 5 and "Older mail" not in second.text
    assert ">Newest</a>" in second.text
    assert (await admin.get(f"/admin/p/{pid}/outbox?before=abc")).status_code == 200  # ignored, not a 500
    # a link the console made before the cursor contract still opens the page it named
    old = await admin.get(f"/admin/p/{pid}/outbox?before={ids[5]}")
    assert old.text.count(f'href="/admin/p/{pid}/outbox/') == 5

    # a real SES account: the page says mail is no longer captured
    async with cs.app.state.runtime.sessionmaker() as db:
        db.add(SesAccount(project_id=pid, region="eu-west-1", credential_mode="chain", sent_since_read=0,
                          warmup_enabled=False, warmup_step=0, updated_at=utcnow() - timedelta(seconds=1)))  # fmt: skip
        await db.commit()
    page = await admin.get(f"/admin/p/{pid}/outbox")
    assert "sends through its own SES account" in page.text and "no longer captured here" in page.text


async def test_a_viewer_reads_the_outbox(console_system) -> None:  # type: ignore[no-untyped-def]
    cs = console_system
    pid = cs.project_id
    cid = await _store_capture(cs, "Subject: hi\r\nContent-Type: text/html\r\n\r\n<p>hi</p>", subject="hi")
    await add_member(cs.app, pid, "viv@example.com", "viv's password!", "viewer")
    async with ConsoleClient(cs.app, ip="198.51.100.61") as viv:
        await viv.login("viv@example.com", "viv's password!")
        for path in ("", f"/{cid}", f"/{cid}/html", f"/{cid}.eml"):
            r = await viv.get(f"/admin/p/{pid}/outbox{path}")
            assert r.status_code == 200, (path, r.status_code)
    async with ConsoleClient(cs.app, ip="198.51.100.62") as nobody:
        r = await nobody.get(f"/admin/p/{pid}/outbox/{cid}.eml")
        assert r.status_code == 303 and r.headers["location"].startswith("/admin/login")


@pytest.mark.slow
async def test_outbox_in_a_real_browser(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    """A newcomer signs up, finds the confirmation mail in the outbox, clicks its confirm link on the page and
    confirms; then a campaign's mail; screenshots of the outbox and both mails at 1280 and 390 px."""
    async with console_in_browser(sqlite_url, settings_for) as b:
        page, public, pid, key = b.page, b.public, b.pid, b.api_key
        async with httpx.AsyncClient(base_url=public, timeout=30) as api:
            r = await api.post(
                "/v1/lists", json={"name": "Weekly news"}, headers={"Authorization": f"Bearer {key}"}
            )
            lid = int(r.json()["id"])
            assert (await api.post(f"/f/{lid}", data={"email": "ann@example.com"})).status_code == 303
            mail = await captured_mail(api, key, "ann@example.com", subject_has="Confirm")
        cid = _capture_id(mail)
        await log_in(page, public)

        await page.goto(f"{public}/admin/p/{pid}")
        await open_section(page, "Outbox")
        await page.wait_for_url(f"{public}/admin/p/{pid}/outbox")
        row = page.get_by_role("row", name=re.compile("ann@example.com"))
        assert "transactional" in await row.inner_text()
        assert await page.evaluate(UNLABELLED_INPUTS) == []
        await page.get_by_label("Recipient").fill("ann@example.com")
        await page.get_by_role("button", name="Filter").click()
        await page.wait_for_selector("caption:has-text('Mail to ann@example.com')")
        await shoot(page, "outbox-index", frames=MAIL_FRAME)

        await page.get_by_role("link", name="Confirm your subscription to Weekly news").click()
        await page.wait_for_url(f"{public}/admin/p/{pid}/outbox/{cid}")
        assert (
            await page.get_by_role("heading", level=1).inner_text()
            == "Confirm your subscription to Weekly news"
        )
        frame = page.frame_locator("#mail-frame")
        await frame.get_by_role("link", name="Confirm my subscription").wait_for()
        # the frame cannot run scripts or reach the console's DOM
        assert (
            await page.locator("#mail-frame").get_attribute("sandbox")
            == "allow-popups allow-popups-to-escape-sandbox"
        )
        await shoot(page, "outbox-view", frames=MAIL_FRAME)

        link = page.get_by_role("region", name="Links in this mail").get_by_role(
            "link", name=re.compile(r"\bconfirm\b")
        )
        await link.click()
        await page.wait_for_url(re.compile(r"/confirm/"))
        assert (await subscription_rows(sqlite_url, "ann@example.com"))[lid][0] == "pending"
        await page.get_by_role("button", name="Yes, subscribe me").click()
        await page.wait_for_selector("text=Subscription confirmed")
        assert (await subscription_rows(sqlite_url, "ann@example.com"))[lid][0] == "active"

        # a campaign mail: its List-Unsubscribe headers highlighted and explained
        async with httpx.AsyncClient(base_url=public, timeout=30) as api:
            r = await api.post(
                "/v1/campaigns",
                json={"name": "Nov", "list_ids": [lid], "subject": "November news",
                      "html": "<h1>November</h1><p>Hello</p>", "send_now": True},
                headers={"Authorization": f"Bearer {key}"},
            )  # fmt: skip
            assert r.status_code == 201, r.text
            news = await captured_mail(api, key, "ann@example.com", subject_has="November")
        await page.goto(f"{public}/admin/p/{pid}/outbox/{_capture_id(news)}")
        assert "RFC 8058" in await page.get_by_role("region", name="Unsubscribe headers").inner_text()
        await page.frame_locator("#mail-frame").get_by_role("heading", name="November").wait_for()
        await shoot(page, "outbox-campaign", frames=MAIL_FRAME)
        await asyncio.sleep(0.2)  # let late console messages arrive
    assert not b.problems, b.problems
