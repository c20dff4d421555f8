"""Domain lines (`sesame.domain`): which events get one, what it says, masked addresses, bursts, after commit only,
and the outbox relay describing what it published."""

from __future__ import annotations

import asyncio
import json
import logging
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from shared import domain_log
from shared.domain_log import describe, log_published, mask_email
from shared.outbox import enqueue
from shared.runtime import Runtime

NOW = "2026-01-01T00:00:00Z"


@pytest.fixture
def domain(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """caplog at INFO for `sesame.domain`; `domain.messages` are the lines so far."""
    caplog.set_level(logging.INFO, logger="sesame.domain")
    return caplog


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("alice@example.com", "a***@example.com"),
        (" Bob.Smith+news@Mail.Example.org ", "B***@Mail.Example.org"),
        ("x@y.z", "x***@y.z"),
        ("@example.com", "***@example.com"),
        ("not an address", "***"),
        ("trailing@", "***"),
        ("", "***"),
    ],
)
def test_mask_email(address: str, masked: str) -> None:
    assert mask_email(address) == masked


@pytest.mark.parametrize(
    ("key", "payload", "line"),
    [
        (
            "subscription.confirmed",
            {"project_id": 1, "list_id": 2, "contact_id": 3, "status": "active", "source": "confirmation"},
            "subscription confirmed: contact 3 on list 2 (project 1)",
        ),
        (
            "subscription.unsubscribed",
            {"project_id": 1, "list_id": 2, "contact_id": 3, "status": "unsubscribed", "source": "one_click"},
            "unsubscribed: contact 3 from list 2 (project 1, via one_click)",
        ),
        (
            "suppression.added",
            {"project_id": 4, "email_hash": "9f86d081884c7d659a2feaa0c55ad015", "reason": "hard_bounce"},
            "address suppressed (hard_bounce): address #9f86d081884c (project 4)",
        ),
        (
            "suppression.added",
            {"project_id": 4, "email": "carol@example.net", "email_hash": "ab", "reason": "complaint"},
            "address suppressed (complaint): c***@example.net (project 4)",
        ),
        (
            "project.paused",
            {"project_id": 5, "reason": "bounce_rate", "detail": "bounce rate 6.2% over 5%", "at": NOW},
            "project 5 paused (bounce_rate, marketing): bounce rate 6.2% over 5%",
        ),
        (
            "project.paused",
            {"project_id": 5, "reason": "ses_account", "detail": "", "pause_transactional": True, "at": NOW},
            "project 5 paused (ses_account, all sending)",
        ),
        ("project.resumed", {"project_id": 5, "by": "operator", "at": NOW}, "project 5 resumed by operator"),
    ],
)
def test_described_events(key: str, payload: dict[str, Any], line: str) -> None:
    assert describe(key, payload) == line


@pytest.mark.parametrize(
    "key",
    [
        "email.sent",  # 1,000+ a second: never a line
        "email.failed",
        "email.delivered",
        "email.opened",  # opens and clicks multiply the volume: never a line
        "email.clicked",
        "email.bounced",  # the suppression it causes is the line
        "email.complained",
        "mail.requested",
        "subscription.pending",
        "subscription.active",
        "subscription.paused",
        "subscription.resumed",
        "subscription.imported",  # per batch; the import's end is the line
        "suppression.removed",
        "contact.erased",
        "ses.sandbox_feedback",
    ],
)
def test_other_events_have_no_line(key: str) -> None:
    assert describe(key, {"project_id": 1, "email": "a@example.com"}) is None


def test_a_payload_missing_fields_still_gets_a_line() -> None:
    assert describe("project.resumed", {"by": "x"}) == "project.resumed (payload without the expected fields)"


def test_only_described_payloads_are_parsed(
    domain: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    real = json.loads
    monkeypatch.setattr(domain_log.json, "loads", lambda s: parsed.append(s) or real(s))
    sent = [("email.sent", "not even JSON")] * 1000
    confirmed = json.dumps({"project_id": 1, "list_id": 2, "contact_id": 3})
    log_published([*sent, ("subscription.confirmed", confirmed), ("mail.requested", "{")])
    assert parsed == [confirmed]
    assert domain.messages == ["subscription confirmed: contact 3 on list 2 (project 1)"]


def test_nothing_is_parsed_when_the_logger_is_off(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.WARNING, logger="sesame.domain")
    monkeypatch.setattr(domain_log.json, "loads", lambda s: pytest.fail("parsed"))
    log_published([("subscription.confirmed", "{}")])
    assert caplog.messages == []


def test_an_unreadable_payload_is_one_line(domain: pytest.LogCaptureFixture) -> None:
    log_published([("project.resumed", "{not json"), ("project.resumed", "[1, 2]")])
    assert domain.messages == ["project.resumed (unreadable payload)"] * 2


def test_a_burst_is_ten_lines_and_a_count(domain: pytest.LogCaptureFixture) -> None:
    body = json.dumps({"project_id": 1, "email_hash": "0" * 64, "reason": "manual"})
    log_published(
        [("suppression.added", body)] * 25 + [("project.resumed", json.dumps({"project_id": 1, "by": "op"}))]
    )
    assert domain.messages.count("address suppressed (manual): address #000000000000 (project 1)") == 10
    assert "project 1 resumed by op" in domain.messages
    assert domain.messages[-1] == "… and 15 more addresses suppressed"
    assert len(domain.messages) == 12


async def test_after_commit_logs_on_commit_only(domain: pytest.LogCaptureFixture) -> None:
    engine = create_async_engine("sqlite+aiosqlite://")
    try:
        async with engine.connect() as conn:
            await conn.execute(sa.text("CREATE TABLE t (n INTEGER)"))
            await conn.commit()
        maker = async_sessionmaker(engine, expire_on_commit=False)
        async with maker() as session:
            async with session.begin():
                await session.execute(sa.text("INSERT INTO t VALUES (1)"))
                domain_log.campaign_started(session, 1, 7, 'Spring "news"\nline two', 1200)
                assert domain.messages == []  # not before the commit
            assert domain.messages == [
                'campaign 7 "Spring \\"news\\"\\nline two" started: 1200 recipients (project 1)'
            ]
        with pytest.raises(RuntimeError):
            async with maker() as session, session.begin():
                await session.execute(sa.text("INSERT INTO t VALUES (2)"))
                domain_log.campaign_finished(session, 1, 7, "Spring", {"sent": 3})
                raise RuntimeError("rolled back")
        assert len(domain.messages) == 1  # a rolled-back change has no line
        async with maker() as session:  # one session, two transactions: each line once
            async with session.begin():
                domain_log.campaign_finished(
                    session, 1, 7, "Spring", {"sent": 998, "failed": 2, "cancelled": 0}
                )
            async with session.begin():
                imp = SimpleNamespace(
                    id=3, list_id=2, project_id=1, status="completed", error=None, rows_processed=1000,
                    rows_imported=990, contacts_created=900, subscriptions_created=950, rows_duplicate=4,
                    rows_failed=6,
                )  # fmt: skip
                domain_log.import_finished(session, imp)
    finally:
        await engine.dispose()
    assert domain.messages[1:] == [
        'campaign 7 "Spring" finished (sent): 998 sent, 2 failed (project 1)',
        "import 3 into list 2 completed; 1000 rows: 990 imported (900 new contacts, 950 new subscriptions), "
        "4 duplicates, 6 refused (project 1)",
    ]


def test_a_failed_import_says_why_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    imp = SimpleNamespace(
        id=3, list_id=2, project_id=1, status="failed", error="missing column: email\nmore", rows_processed=0,
        rows_imported=0, contacts_created=0, subscriptions_created=0, rows_duplicate=0, rows_failed=0,
    )  # fmt: skip
    pending: list[str] = []
    monkeypatch.setattr(domain_log, "after_commit", lambda session, line: pending.append(line))
    domain_log.import_finished(None, imp)  # type: ignore[arg-type]
    assert pending == [
        "import 3 into list 2 failed: missing column: email; 0 rows: 0 imported (0 new contacts, "
        "0 new subscriptions), 0 duplicates, 0 refused (project 1)"
    ]


async def test_the_relay_describes_what_it_published(
    sqlite_url: str, settings_for: Any, domain: pytest.LogCaptureFixture
) -> None:
    rt = Runtime(settings_for(sqlite_url))
    await rt.start()
    try:
        async with rt.uow() as s:
            enqueue(s, "email.sent", {"project_id": 1, "to": "dave@example.com"})
            enqueue(
                s,
                "suppression.added",
                {"project_id": 1, "email": "dave@example.com", "email_hash": "ab", "reason": "manual"},
            )
        for _ in range(100):
            if domain.messages:
                break
            await asyncio.sleep(0.05)
        await rt.relay.flush()  # nothing left: no second line
    finally:
        await rt.stop()
    assert domain.messages == ["address suppressed (manual): d***@example.com (project 1)"]
