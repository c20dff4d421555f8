"""Console SES: the readiness report as a checklist (each check, its meaning and its fix, DNS records copyable) on
the embedded system; connect refused next to the field with nothing stored (bad region, key shapes, From, keys SES
refuses); connect, feedback wiring, suppression sync and disconnect against moto (SES v1 + SNS), the SESv2
stand-in and the loopback DNS stand-in; the loop test in the sandbox; owners only, viewers read."""

from __future__ import annotations

import asyncio
import html
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from markupsafe import escape

from services.gateway.console.ses_pages import router
from services.gateway.upstream import UpstreamUnavailable
from shared.models.console import AuditEntry
from tests.gateway.console.in_browser import console_in_browser, drop_refused, log_in, open_section, shoot
from tests.gateway.console.support import ConsoleClient, add_member
from tests.gateway.test_browser import UNLABELLED_INPUTS
from tests.ses_setup.conftest import (  # noqa: F401 - the fixtures are used through request.getfixturevalue
    REGION,
    AwsEnv,
    _dns_server,
    aws_env,
    dns_standin,
    moto_url,
    publish_good_domain,
    wait_for,
)
from tests.support.ses_standin import SesStandin

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
GOOD = {
    "credentials_mode": "keys",
    "access_key_id": "AKIDSESAMETEST00",
    "secret_access_key": SECRET,
    "region": REGION,
    "from": "News <news@good.test>",
    "configuration_set": "",
    "warmup": "on",
}
POSTS = sorted(r.path.replace("{pid}", "PID") for r in router.routes if "POST" in getattr(r, "methods", ()))


def _api(cs) -> tuple[httpx.AsyncClient, dict[str, str]]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=cs.app, client=("198.51.100.70", 5000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=60), {
        "Authorization": f"Bearer {cs.api_key}"
    }


async def _get(cs, path: str, **params: Any) -> httpx.Response:  # type: ignore[no-untyped-def]
    api, auth = _api(cs)
    async with api:
        return await api.get(path, params=params, headers=auth)


async def _actions(app) -> list[str]:  # type: ignore[no-untyped-def]
    async with app.state.runtime.sessionmaker() as db:
        return [a.action for a in (await db.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))).all()]


def _error_of(page: str, name: str) -> str:
    m = re.search(rf'<p class="error" id="e-{name}">([^<]*)</p>', page)
    assert m, f"no error next to {name}"
    return html.unescape(m.group(1))


@pytest.fixture
async def standin() -> AsyncIterator[SesStandin]:
    s = SesStandin()
    await s.start()
    yield s
    await s.stop()


@dataclass
class SesEnv:
    aws: AwsEnv
    dns: Any


@pytest.fixture
def ses_env(monkeypatch: pytest.MonkeyPatch, standin: SesStandin, request: pytest.FixtureRequest) -> SesEnv:
    """Sends and quota reads go to the SES stand-in; the setup's SES/SNS calls to moto and the SESv2 stand-in,
    its DNS checks to the loopback DNS stand-in (the ses_setup tests' fixtures)."""
    aws, dns = request.getfixturevalue("aws_env"), request.getfixturevalue("dns_standin")
    for k, v in {
        "SESAME_SENDER_SES_ENDPOINT_URL": standin.url,
        "SESAME_SES_SETUP_SES_ENDPOINT_URL": aws.moto_url,
        "SESAME_SES_SETUP_SNS_ENDPOINT_URL": aws.moto_url,
        "SESAME_SES_SETUP_SESV2_ENDPOINT_URL": aws.v2.url,
        "SESAME_SES_SETUP_DNS_NAMESERVERS": json.dumps([dns.nameserver]),
        "SESAME_SES_SETUP_DNS_TIMEOUT": "2",
        "SESAME_SES_SETUP_CONFIRM_TIMEOUT": "5",
        "SESAME_SES_SETUP_CONFIRM_POLL_INTERVAL": "0.05",
    }.items():
        monkeypatch.setenv(k, v)
    return SesEnv(aws, dns)


@pytest.fixture
async def ses_system(ses_env: SesEnv, console_system):  # type: ignore[no-untyped-def]
    """The console's embedded system built after ses_env (the sender reads its settings at startup)."""
    return console_system


async def test_readiness_checklist_in_the_sandbox(console_system) -> None:  # type: ignore[no-untyped-def]
    cs = console_system
    pid, admin = cs.project_id, cs.admin
    r = await admin.get(f"/admin/p/{pid}/ses")
    assert r.status_code == 200, r.text[:2000]
    page = r.text
    assert '<span class="badge warn">Sandbox</span>' in page and f'href="/admin/p/{pid}/outbox"' in page
    report = (await _get(cs, "/v1/ses-account/readiness")).json()
    assert report["checks"]
    items = re.findall(r'<li class="check (pass|warn|fail)">(.*?)</li>\n', page, re.S)
    assert len(items) == len(report["checks"])
    shown = {
        html.unescape(re.search(r"<strong>(.*?)</strong>", body).group(1)): (st, body) for st, body in items
    }  # type: ignore[union-attr]
    for c in report["checks"]:
        status, body = shown[c["title"]]
        assert status == c["status"], c
        assert f">{c['status'].upper()}</span>" in body
        assert escape(c["detail"]) in body, c
        if c["fix"] and c["status"] != "pass":
            assert f'<span class="fix-label">Fix:</span> {escape(c["fix"])}</p>' in body, c
    # what each check means, and where the console does the fix
    assert "SES only sends from a domain" in page
    assert '<a href="#connect">Connect the SES account below</a>' in page
    assert '<a href="#loop">Run the loop test below</a>' in page
    # the production-access draft, copyable
    draft = (await _get(cs, "/v1/ses-account/production-request")).json()
    assert f'<textarea id="draft-text" rows="14" readonly>{escape(draft["text"])}</textarea>' in page
    assert 'data-copy="draft-text"' in page
    # a domain the API refuses: its reason next to the field
    bad = await admin.get(f"/admin/p/{pid}/ses", params={"domain": "-bad-"})
    assert bad.status_code == 422 and "pattern" in _error_of(bad.text, "domain")
    # the owner's forms
    for action in ("connect", "loop-test"):
        assert f'action="/admin/p/{pid}/ses/{action}"' in page


async def test_loop_test_in_the_sandbox(console_system) -> None:  # type: ignore[no-untyped-def]
    cs = console_system
    pid, admin = cs.project_id, cs.admin
    r = await admin.post(f"/admin/p/{pid}/ses/loop-test")
    assert r.status_code == 303 and r.headers["location"].startswith(f"/admin/p/{pid}/ses?flash=")
    again = await admin.post(f"/admin/p/{pid}/ses/loop-test")
    assert again.status_code == 409 and "already running" in again.text
    running = (await admin.get(f"/admin/p/{pid}/ses")).text
    # polling while it runs (the sandbox may already have answered all three)
    assert f'data-poll="/admin/p/{pid}/ses/status.json"' in running or 'badge ok">passed<' in running

    async def finished() -> Any:
        s = (await admin.get(f"/admin/p/{pid}/ses/status.json")).json()
        return s if s["done"] else None

    status = await wait_for(finished, timeout=60)
    assert status["loop"] == "done"
    page = (await admin.get(f"/admin/p/{pid}/ses")).text
    assert '<span class="badge ok">passed</span>' in page
    assert page.count('<span class="badge ok">received</span>') == 3
    assert "data-poll" not in page
    # the three simulator mails are in the outbox
    outbox = (await admin.get(f"/admin/p/{pid}/outbox")).text
    assert outbox.count("simulator: ") == 3
    assert (await _actions(cs.app)).count("ses.loop_test_started") == 1


async def test_connect_refusals_shown_next_to_the_field_nothing_stored(
    ses_system, standin: SesStandin
) -> None:  # type: ignore[no-untyped-def]
    cs = ses_system
    pid, admin = cs.project_id, cs.admin
    cases = [
        ({"region": "Europe (Ireland)"}, "region", "pattern"),
        ({"access_key_id": "short"}, "access_key_id", "at least 16"),
        ({"access_key_id": "akid lowercase with spaces"}, "access_key_id", "pattern"),
        ({"secret_access_key": ""}, "secret_access_key", "required"),
        ({"from": "not an address"}, "from", "not an address"),
        ({"configuration_set": "no spaces allowed"}, "configuration_set", "pattern"),
    ]
    for change, name, words in cases:
        r = await admin.post(f"/admin/p/{pid}/ses/connect", {**GOOD, **change})
        assert r.status_code == 422, (change, r.status_code)
        assert words in _error_of(r.text, name), (change, _error_of(r.text, name))
        assert f'id="f-{name}"' in r.text and 'aria-invalid="true"' in r.text
        assert SECRET not in r.text  # the secret is never sent back
        assert 'value="AKIDSESAMETEST00"' in r.text or "access_key_id" in change  # the rest kept as typed
    standin.state.credentials_valid = False
    r = await admin.post(f"/admin/p/{pid}/ses/connect", {**GOOD})
    assert r.status_code == 422
    assert "SES refused these keys" in _error_of(r.text, "access_key_id")
    assert "security token" in _error_of(r.text, "access_key_id")
    assert SECRET not in r.text
    assert (await _get(cs, "/v1/ses-account")).status_code == 404  # nothing stored
    assert "ses.connected" not in await _actions(cs.app)


async def test_connect_wire_sync_readiness_disconnect_against_moto(ses_env: SesEnv, ses_system) -> None:  # type: ignore[no-untyped-def]
    cs, env, dns = ses_system, ses_env.aws, ses_env.dns
    pid, admin = cs.project_id, cs.admin
    env.verify_domain("good.test")
    publish_good_domain(dns, "good.test")
    env.v2.suppress("gone@example.net", "BOUNCE")

    before = await admin.get(f"/admin/p/{pid}/ses")
    assert "Connect an SES account first." in before.text
    r = await admin.post(f"/admin/p/{pid}/ses/connect", GOOD)
    assert r.status_code == 303, r.text[:3000]
    page = (await admin.get(r.headers["location"])).text
    assert "SES account saved: the keys work (quota 50000 a day, 14/s)" in page
    account = (await _get(cs, "/v1/ses-account")).json()
    assert account["region"] == REGION and account["from"] == "News <news@good.test>"
    assert account["warmup"]["enabled"] is True
    assert '<span class="badge ok">Real SES</span>' in page and "<code>AKID…ST00</code>" in page
    assert SECRET not in page
    assert "Not wired yet." in page and f'action="/admin/p/{pid}/ses/wire"' in page
    assert "sends through its own SES account" in (await admin.get(f"/admin/p/{pid}/outbox")).text

    # wiring: refused identity next to its field, then the real run in the background
    bad = await admin.post(
        f"/admin/p/{pid}/ses/wire", {"identity": "not a domain", "mode": "configuration_set"}
    )
    assert bad.status_code == 422 and "pattern" in _error_of(bad.text, "identity")
    r = await admin.post(f"/admin/p/{pid}/ses/wire", {"identity": "good.test", "mode": "configuration_set"})
    assert r.status_code == 303, r.text[:3000]

    async def wired() -> Any:
        s = (await _get(cs, "/v1/ses-account/connect")).json()
        return s if s["status"] != "running" else None

    outcome = await wait_for(wired, timeout=60)
    assert outcome["status"] == "done" and outcome["ok"], outcome
    page = (await admin.get(f"/admin/p/{pid}/ses")).text
    assert '<span class="badge ok">connected</span>' in page and "* sns:CreateTopic" in page
    assert "<dt>Identity</dt><dd>good.test</dd>" in page
    checks = {c["id"]: c for c in (await _get(cs, "/v1/ses-account/readiness")).json()["checks"]}
    assert checks["feedback_wired"]["status"] == "pass" and checks["dkim_dns"]["status"] == "pass"
    assert re.search(
        r'<li class="check pass">\s*<div class="check-head"><span class="badge ok">PASS</span> <strong>Feedback wired',
        page,
    )

    # another domain, nothing published: its DNS records to add, copyable as they are
    other = await admin.get(f"/admin/p/{pid}/ses", params={"domain": "bare.test"})
    assert other.status_code == 200, _error_of(other.text, "domain")
    mx = f"mail.bare.test MX 10 feedback-smtp.{REGION}.amazonses.com"
    m = re.search(
        rf'<code id="(fix-mail_from_mx-[0-9-]+)">{re.escape(mx)}</code><button type="button" class="secondary" data-copy="(\1)"',
        other.text,
    )
    assert m, other.text[other.text.find("MAIL FROM MX") - 200 : other.text.find("MAIL FROM MX") + 1500]
    spf = escape('mail.bare.test TXT "v=spf1 include:amazonses.com ~all"')
    assert f">{spf}</code>" in other.text
    assert (
        escape('_dmarc.bare.test TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@bare.test"')
        in other.text
    )

    # the suppression list, synced on demand
    r = await admin.post(f"/admin/p/{pid}/ses/suppressions/sync")
    assert r.status_code == 303
    assert "Suppression list synced: 1 on SES" in (await admin.get(r.headers["location"])).text

    # disconnect: back to the sandbox
    r = await admin.post(f"/admin/p/{pid}/ses/disconnect")
    assert r.status_code == 303
    page = (await admin.get(r.headers["location"])).text
    assert "SES account removed" in page and '<span class="badge warn">Sandbox</span>' in page
    assert (await _get(cs, "/v1/ses-account")).status_code == 404
    actions = await _actions(cs.app)
    for a in ("ses.connected", "ses.feedback_wiring_started", "ses.suppressions_synced", "ses.disconnected"):
        assert actions.count(a) == 1, (a, actions)


async def test_only_owners_change_ses_viewers_read(ses_system) -> None:  # type: ignore[no-untyped-def]
    cs = ses_system
    app, pid = cs.app, cs.project_id
    assert len(POSTS) == 5, POSTS
    await add_member(app, pid, "val@example.com", "val's password!", "viewer")
    await add_member(app, pid, "ed@example.com", "ed's password!!", "editor")
    before = await _actions(app)
    for login, password, ip in (
        ("val@example.com", "val's password!", "198.51.100.71"),
        ("ed@example.com", "ed's password!!", "198.51.100.72"),
    ):
        async with ConsoleClient(app, ip=ip) as who:
            await who.login(login, password)
            for path in POSTS:
                r = await who.post(path.replace("PID", str(pid)), GOOD)
                assert r.status_code == 403, (login, path, r.status_code)
            page = await who.get(f"/admin/p/{pid}/ses")
            assert page.status_code == 200 and "Readiness for production access" in page.text
            assert (
                'method="post" action="/admin/p/' + str(pid) + "/ses" not in page.text
            )  # no change controls
            assert (await who.get(f"/admin/p/{pid}/ses/status.json")).json()["done"] is True
    assert (await _get(cs, "/v1/ses-account")).status_code == 404
    assert await _actions(app) == before
    # without a session: the login page, for pages and changes alike
    async with ConsoleClient(app, ip="198.51.100.73") as anon:
        assert (await anon.get(f"/admin/p/{pid}/ses")).status_code == 303
        r = await anon.http.post(f"/admin/p/{pid}/ses/connect", data=GOOD)
        assert r.status_code in (303, 403)
        assert (await _get(cs, "/v1/ses-account")).status_code == 404


async def test_sender_down_is_a_503_with_nothing_changed(
    console_system, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    cs = console_system
    pid, admin = cs.project_id, cs.admin
    upstreams = cs.app.state.gateway.upstreams
    real = upstreams.request

    async def sender_down(service: str, *args: Any, **kw: Any) -> Any:
        if service == "sender":
            raise UpstreamUnavailable("down")
        return await real(service, *args, **kw)

    monkeypatch.setattr(upstreams, "request", sender_down)
    page = await admin.get(f"/admin/p/{pid}/ses")
    assert page.status_code == 503 and "Nothing was changed" in page.text
    r = await admin.post(f"/admin/p/{pid}/ses/connect", GOOD)
    assert r.status_code == 503 and "Nothing was changed" in r.text and SECRET not in r.text
    assert (await admin.get(f"/admin/p/{pid}/outbox")).status_code == 503
    assert (await admin.get(f"/admin/p/{pid}/outbox/1")).status_code == 503
    assert "ses.connected" not in await _actions(cs.app)


@pytest.mark.slow
async def test_ses_page_in_a_real_browser(sqlite_url, settings_for) -> None:  # type: ignore[no-untyped-def]
    """The SES page in the sandbox: the checklist, a refused connect shown next to its field, the loop test run
    from its button until the page reloads with the result; screenshots at 1280 and 390 px."""
    async with console_in_browser(sqlite_url, settings_for) as b:
        page, public, pid = b.page, b.public, b.pid
        await log_in(page, public)

        await page.goto(f"{public}/admin/p/{pid}")
        await open_section(page, "SES")
        await page.wait_for_url(f"{public}/admin/p/{pid}/ses")
        assert await page.evaluate(UNLABELLED_INPUTS) == []
        check = page.locator("li.check", has_text="Feedback wired")
        assert "FAIL" in await check.inner_text()
        assert await page.get_by_label("Draft", exact=True).input_value()

        # a connect the API refuses: its reason next to the field, the secret not kept
        await page.get_by_label("Access key ID").fill("AKIDSESAMETEST00")
        await page.get_by_label("Secret access key").fill(SECRET)
        await page.get_by_label("Region").fill("Ireland")
        await page.get_by_role("button", name="Save and check the keys").click()
        await page.locator("#e-region").wait_for()
        assert await page.get_by_label("Region").get_attribute("aria-invalid") == "true"
        assert await page.get_by_label("Secret access key").input_value() == ""
        assert await page.get_by_label("Access key ID").input_value() == "AKIDSESAMETEST00"
        drop_refused(b.problems, 1)  # the browser logs the refused POST itself

        # the loop test from its button: the page polls and reloads with the result
        await page.goto(f"{public}/admin/p/{pid}/ses")
        await page.get_by_role("button", name="Run the loop test").click()
        await page.wait_for_selector("text=Loop test started")
        await page.wait_for_selector("#loop .badge.ok:has-text('passed')", timeout=60_000)
        await shoot(page, "ses")
        await asyncio.sleep(0.2)
    assert not b.problems, b.problems
