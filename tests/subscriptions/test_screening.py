"""Import screening: role / disposable / no-MX shares in the import's quality report, the hold, accept / reject,
and the campaign fan-out skipping a held import until it is accepted (SQLite and Postgres)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from services.sender.fanout import eligible_recipients
from services.subscriptions.screening import (
    DisposableDomains,
    DomainChecks,
    ScreenTally,
    hold_reason,
    is_role,
    quality_report,
)
from services.subscriptions.settings import SubscriptionsSettings
from shared.db.types import utcnow
from shared.models.subscriptions import Contact, Subscription
from tests.subscriptions.conftest import Svc
from tests.support.dns_standin import DnsStandin


@pytest.fixture(scope="module")
def dns() -> Iterator[DnsStandin]:
    server = DnsStandin()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def sub_settings(dns: DnsStandin) -> SubscriptionsSettings:
    dns.clear()
    dns.set("goodmail.net.", "MX", "10 mx.goodmail.net.")
    dns.set("probe.net.", "MX", "10 mx.probe.net.")
    dns.set("aonly.net.", "A", "192.0.2.1")  # no MX, but an A record: mail goes there
    dns.set("nullmx.net.", "MX", "0 .")  # RFC 7505: accepts no mail
    return SubscriptionsSettings(
        import_batch_rows=100,
        screening_dns_nameservers=[dns.nameserver],
        screening_dns_probe="probe.net",
        screening_dns_timeout=2.0,
    )


async def _import(svc: Svc, h: dict[str, str], lid: int, body: str) -> dict[str, Any]:
    r = await svc.client.post(
        f"/v1/lists/{lid}/imports",
        params={"consent_source": "trade show 2025 badge scans"},
        content=body.encode(),
        headers={**h, "content-type": "text/csv"},
    )
    assert r.status_code == 202, r.text
    for _ in range(1000):
        imp = (await svc.client.get(f"/v1/imports/{r.json()['id']}", headers=h)).json()
        if imp["status"] != "running":
            return imp
        await asyncio.sleep(0.02)
    raise AssertionError("import did not finish")


async def _sendable(svc: Svc, pid: int, lid: int) -> set[str]:
    async with svc.rt.uow() as session:
        rows = await session.execute(eligible_recipients(pid, [lid], utcnow()))
        return {r.email for r in rows}


def _csv(rows: list[str]) -> str:
    return "email\n" + "\n".join(rows) + "\n"


def test_role_addresses() -> None:
    assert is_role("info") and is_role("Sales") and is_role("noreply+x") and is_role("postmaster")
    assert not is_role("ann") and not is_role("information")


def test_a_row_with_several_reasons_is_one_risky_row() -> None:
    # 10 rows: info@ and sales@ at a disposable domain, admin@ at a domain without mail, ann@ there too, one more
    # disposable row, 5 clean rows of which one is a role address (support@) at a good domain
    tally = ScreenTally()
    tally.add(
        10,
        role=4,
        disposable=3,
        domains=Counter({"temp.test": 3, "gone.test": 2, "good.test": 5}),
        role_domains=Counter({"temp.test": 2, "gone.test": 1, "good.test": 1}),
    )
    checks = DomainChecks(nameservers=["127.0.0.1"])
    checks.results.update({"gone.test": "no_mail", "good.test": "ok"})
    report = quality_report(
        tally,
        checks,
        DisposableDomains(frozenset({"temp.test"})),
        rows_processed=10,
        rows_failed=0,
        rows_duplicate=0,
        hold_risk=0.5,
    )
    # the per-reason counts stay as they are (a row may be in more than one)
    assert (report["role"]["count"], report["disposable"]["count"], report["no_mx"]["count"]) == (4, 3, 2)
    # the risk: 3 disposable + 2 without mail + 1 role address elsewhere = 6 rows of 10 (not 4 + 3 + 2 = 9)
    assert report["risky_rows"] == 6 and report["risk_score"] == 0.6
    assert "(6 rows with at least one)" in (hold_reason(report) or "")
    # all of one import risky for every reason: the share is 1, never more
    tally = ScreenTally()
    tally.add(
        2, role=2, disposable=2, domains=Counter({"temp.test": 2}), role_domains=Counter({"temp.test": 2})
    )
    report = quality_report(
        tally, None, DisposableDomains(frozenset({"temp.test"})),
        rows_processed=2, rows_failed=0, rows_duplicate=0, hold_risk=0.1,
    )  # fmt: skip
    assert report["risky_rows"] == 2 and report["risk_score"] == 1.0


async def test_role_addresses_at_risky_domains_count_once_in_an_import(svc: Svc) -> None:
    pid, h = await svc.project()
    lid = await svc.new_list(h)
    rows = (
        [f"user{i}@goodmail.net" for i in range(14)]
        + ["info@mailinator.com", "sales@mailinator.com", "temp@mailinator.com"]  # 2 role + disposable
        + ["admin@nowhere.net", "ann@nowhere.net"]  # NXDOMAIN, one of them a role address
        + ["support@goodmail.net"]  # a role address at a good domain
    )
    imp = await _import(svc, h, lid, _csv(rows))
    q = imp["quality"]
    assert (q["role"]["count"], q["disposable"]["count"], q["no_mx"]["count"]) == (4, 3, 2)
    assert q["risky_rows"] == 6 and q["risk_score"] == round(6 / 20, 4)
    assert imp["status"] == "held" and "(6 rows with at least one)" in imp["hold_reason"]


async def test_clean_import_is_released_with_its_report(svc: Svc) -> None:
    pid, h = await svc.project()
    lid = await svc.new_list(h)
    rows = [f"user{i}@goodmail.net" for i in range(60)] + [
        "info@goodmail.net",
        "x@aonly.net",
        "user1@goodmail.net",
    ]
    imp = await _import(svc, h, lid, _csv(rows))
    assert imp["status"] == "completed", imp
    q = imp["quality"]
    assert imp["rows_duplicate"] == 1, {k: v for k, v in imp.items() if k.startswith("rows")}
    assert q["rows"] == 63 and q["duplicate"]["count"] == 1 and q["role"]["count"] == 1
    assert q["disposable"]["count"] == 0 and q["no_mx"]["count"] == 0
    assert q["dns"]["domains"] == 2 and q["dns"]["checked"] == 2 and q["dns"]["note"] is None
    assert q["risk_score"] == round(1 / 62, 4) and q["hold_threshold"] == 0.1
    assert imp["hold_reason"] is None
    assert len(await _sendable(svc, pid, lid)) == 62


async def test_risky_import_is_held_until_accepted(svc: Svc) -> None:
    pid, h = await svc.project()
    lid = await svc.new_list(h)
    # a contact already on the list before the import stays sendable
    r = await svc.client.post(
        "/v1/subscriptions",
        json={"list_id": lid, "email": "old@goodmail.net", "status": "active", "consent_source": "crm"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    rows = (
        [f"user{i}@goodmail.net" for i in range(70)]
        + ["old@goodmail.net"]
        + [f"temp{i}@mailinator.com" for i in range(10)]  # disposable (the package's list)
        + ["sales@goodmail.net", "admin@goodmail.net", "noreply@goodmail.net"]
        + [f"gone{i}@nowhere.net" for i in range(8)]  # NXDOMAIN
        + [f"n{i}@nullmx.net" for i in range(4)]  # null MX
        + ["not-an-email"]
    )
    imp = await _import(svc, h, lid, _csv(rows))
    assert imp["status"] == "held", imp
    q = imp["quality"]
    assert (q["disposable"]["count"], q["role"]["count"], q["no_mx"]["count"]) == (10, 3, 12)
    assert q["syntax_invalid"]["count"] == 1
    assert q["disposable"]["top_domains"] == [{"domain": "mailinator.com", "count": 10}]
    assert {d["domain"] for d in q["no_mx"]["top_domains"]} == {"nowhere.net", "nullmx.net"}
    assert q["risk_score"] > 0.1 and "over the project's 10.0% threshold" in imp["hold_reason"]
    # stored, not sendable: only the contact that was there before
    assert await _sendable(svc, pid, lid) == {"old@goodmail.net"}
    async with svc.rt.uow() as session:
        held = await session.scalar(
            sa.select(sa.func.count()).select_from(Subscription).where(Subscription.import_id == imp["id"])
        )
    assert held == 95

    r = await svc.client.post(f"/v1/imports/{imp['id']}/accept", json={"by": "owner@acme.test"}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "completed" and r.json()["decided_by"] == "owner@acme.test"
    assert len(await _sendable(svc, pid, lid)) == 96
    again = await svc.client.post(f"/v1/imports/{imp['id']}/reject", headers=h)
    assert again.status_code == 409 and again.json()["error"] == "import_not_held"


async def test_rejecting_a_held_import_removes_what_it_added(svc: Svc) -> None:
    pid, h = await svc.project()
    lid, other = await svc.new_list(h), await svc.new_list(h, name="Other")
    await svc.client.post(
        "/v1/subscriptions",
        json={"list_id": other, "email": "keep@mailinator.com", "status": "active", "consent_source": "crm"},
        headers=h,
    )
    rows = [f"t{i}@mailinator.com" for i in range(5)] + ["keep@mailinator.com", "a@goodmail.net"]
    imp = await _import(svc, h, lid, _csv(rows))
    assert imp["status"] == "held"
    r = await svc.client.post(f"/v1/imports/{imp['id']}/reject", headers=h)
    assert r.status_code == 200, r.text
    assert (r.json()["subscriptions_removed"], r.json()["contacts_removed"]) == (7, 6)
    async with svc.rt.uow() as session:
        left = set((await session.scalars(sa.select(Contact.email).where(Contact.project_id == pid))).all())
        on_list = await session.scalar(
            sa.select(sa.func.count()).select_from(Subscription).where(Subscription.list_id == lid)
        )
    assert left == {"keep@mailinator.com"} and on_list == 0
    assert (await svc.client.get(f"/v1/imports/{imp['id']}", headers=h)).json()["status"] == "rejected"
    assert (await svc.client.post("/v1/imports/999999/accept", headers=h)).status_code == 404


async def test_project_threshold_and_offline_dns(svc: Svc, dns: DnsStandin) -> None:
    pid, h = await svc.project()
    r = await svc.client.patch("/v1/project", json={"settings": {"import_hold_risk": 0.5}}, headers=h)
    assert r.status_code == 200, r.text
    lid = await svc.new_list(h)
    dns.remove("probe.net.")  # a resolver that denies the probe: every domain skipped, none called dead
    rows = [f"u{i}@goodmail.net" for i in range(7)] + [f"gone{i}@nowhere.net" for i in range(3)]
    imp = await _import(svc, h, lid, _csv(rows + ["info@goodmail.net", "x@mailinator.com"]))
    q = imp["quality"]
    assert q["no_mx"]["count"] == 0 and q["dns"]["rows_skipped"] == 11 and "probe.net" in q["dns"]["note"]
    assert q["hold_threshold"] == 0.5 and imp["status"] == "completed"  # 2/12 under the project's 50 %


async def test_domain_checks_budget_and_unreachable_resolver() -> None:
    checks = DomainChecks(nameservers=["127.0.0.1:9"], timeout=0.3, budget_seconds=5)
    checks.submit(["a.test", "b.test"])
    await checks.finish()
    assert checks.results == {"a.test": "skipped", "b.test": "skipped"} and checks.notes


def test_operator_refreshes_the_disposable_list(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from services.subscriptions.screening import disposable_domains
    from sesame.cli import main

    source, target = tmp_path / "upstream.txt", tmp_path / "extra" / "disposable.txt"
    source.write_text("# fresh list\nburner-new.example\nTrash-Box.IO.\n\nnot a domain\n")
    monkeypatch.setenv("SESAME_SUBSCRIPTIONS_SCREENING_DISPOSABLE_FILE", str(target))
    assert not disposable_domains(str(target)).check("burner-new.example")
    assert main(["screening", "update-disposable", "--source", str(source)]) == 0
    assert target.read_text().split() == ["burner-new.example", "trash-box.io"]
    assert disposable_domains(str(target)).check("mx.burner-new.example")  # reloaded: the file changed
    assert disposable_domains(str(target)).check("mailinator.com")  # the package's list stays
    assert main(["screening", "check", "info@trash-box.io", "ann@gmail.com"]) == 0
    out = capsys.readouterr().out
    assert "info@trash-box.io: disposable domain, role address" in out and "ann@gmail.com: ok" in out
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    assert main(["screening", "update-disposable", "--source", str(empty)]) == 1
    assert "holds no domain" in capsys.readouterr().err
    assert target.read_text().split() == ["burner-new.example", "trash-box.io"]


async def test_api_bulk_add_as_json_is_screened_and_held(svc: Svc) -> None:
    pid, h = await svc.project()
    lid = await svc.new_list(h)
    contacts: list[Any] = [
        {"email": f"u{i}@goodmail.net", "attributes": {"plan": "pro", "n": i}} for i in range(6)
    ]
    contacts += [{"email": "info@goodmail.net"}, "sales@goodmail.net", {"email": "bad-address"}]
    r = await svc.client.post(
        f"/v1/lists/{lid}/imports",
        params={"consent_source": "partner API sync"},
        json={"contacts": contacts},
        headers=h,
    )
    assert r.status_code == 202, r.text
    for _ in range(500):
        imp = (await svc.client.get(f"/v1/imports/{r.json()['id']}", headers=h)).json()
        if imp["status"] != "running":
            break
        await asyncio.sleep(0.02)
    assert imp["status"] == "held" and imp["quality"]["role"]["count"] == 2, imp
    assert (imp["rows_imported"], imp["rows_failed"]) == (8, 1)
    errors = (await svc.client.get(f"/v1/imports/{imp['id']}/errors", headers=h)).json()["data"]
    assert [(e["line"], e["value"]) for e in errors] == [(10, "bad-address")]
    got = (await svc.client.get("/v1/contacts", params={"email": "u3@goodmail.net"}, headers=h)).json()[
        "data"
    ]
    assert got[0]["attributes"] == {"plan": "pro", "n": "3"}
    assert await _sendable(svc, pid, lid) == set()
    for body, why in (
        (b"{not json", "not valid JSON"),
        (b'{"contacts": []}', "one contact or more"),
        (
            b'{"contacts": [{"email": "a@b.io", "attributes": {"x": {"y": 1}}}]}',
            "strings, numbers or booleans",
        ),
    ):
        r = await svc.client.post(
            f"/v1/lists/{lid}/imports",
            params={"consent_source": "partner API sync"},
            content=body,
            headers={**h, "content-type": "application/json"},
        )
        assert r.status_code == 422 and why in r.json()["detail"], r.text
