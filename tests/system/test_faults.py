"""Fault injection during running campaigns: every mail leaves exactly once (counted at the SES stand-in) or is
accounted for as failed with a reason; feedback is applied exactly once whatever SNS does.

Broker and database restarts use PRIVATE instances (tests/system/private_infra.py): the machine's shared
Postgres and RabbitMQ are never touched. Each case keeps its campaign in the low thousands and its run near 1–2 min.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.system.conftest import SYSTEM_ENV
from tests.system.flows import Backend, FeedbackPump, bootstrap, import_active
from tests.system.harness import DistributedSystem, Infra, dump_json, eventually
from tests.system.ses_faults import FaultySes
from tests.system.sns_standin import SentMail, ses_feedback_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
SIM = "simulator.amazonses.com"
RATE = (
    150.0  # the stand-in's MaxSendRate: a 2,000-recipient campaign takes ≈ 15 s, long enough to hit mid-way
)


@pytest.fixture(scope="module")
def fault_ses() -> Iterator[FaultySes]:
    s = FaultySes(max_send_rate=RATE).start()
    yield s
    s.stop()


async def _system(infra: Infra, ses: FaultySes, replicas: int) -> DistributedSystem:
    system = DistributedSystem(infra, ses_url=ses.url, sender_replicas=replicas, env=SYSTEM_ENV)
    await system.start()
    return system


@pytest.fixture(scope="module")
async def shared_system(fault_ses: FaultySes) -> AsyncIterator[DistributedSystem]:
    infra = await Infra.shared()
    system = await _system(infra, fault_ses, 3)
    try:
        yield system
    finally:
        await system.stop()
        await infra.close()


# ---------------------------------------------------------------------------------------------- helpers


@dataclass
class Run:
    backend: Backend
    list_id: int
    recipients: list[str]
    campaign_id: int | None = None

    def sent(self, ses: FaultySes) -> int:
        wanted = set(self.recipients)
        return sum(1 for acc in list(ses.accepted) for a in acc.to if a in wanted)


@contextlib.asynccontextmanager
async def feedback_flowing(
    system: DistributedSystem, ses: FaultySes, run: Run
) -> AsyncIterator[FeedbackPump]:
    """SES feedback (delivery events with the message tags) flows back through SNS while the campaign runs —
    the evidence the sender's recovery trusts for a mail whose send it could not record before it died."""
    pump = FeedbackPump(system, ses).start()
    pump.register(run.backend)
    try:
        yield pump
    finally:
        await pump.stop()
        statuses = Counter(str(status) for _, status in pump.posted)
        not_ok = [(rcpt, status) for rcpt, status in pump.posted if status != 200]
        dump_json(
            system.run_dir / f"feedback-pump-{run.campaign_id}.json", {"statuses": statuses, "not_ok": not_ok}
        )


async def prepared_run(
    system: DistributedSystem, ses: FaultySes, n: int, kinds: tuple[str, ...] = ("success",)
) -> Run:
    tag = uuid.uuid4().hex[:6]
    b = await bootstrap(system, ses)
    list_id = await b.create_list(f"faults {tag}")
    emails = [f"{kinds[i % len(kinds)]}+{tag}x{i}@{SIM}" for i in range(n)]
    await import_active(b, list_id, emails)
    return Run(b, list_id, emails)


async def start_campaign(run: Run, subject: str) -> None:
    c = await run.backend.campaign([run.list_id], subject=subject, html="<p>Hi {{ contact.email }}</p>")
    run.campaign_id = int(c["id"])


async def wait_sent_at_least(run: Run, ses: FaultySes, count: int, within: float = 90) -> None:
    async def check() -> bool:
        return run.sent(ses) >= count

    await eventually(check, within=within, every=0.1, what=f"{count} mails sent")


async def all_messages(b: Backend, campaign_id: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    before = None
    while True:
        params: dict[str, Any] = {"campaign_id": campaign_id, "limit": 500}
        if before:
            params["before_id"] = before
        page = await b.call("GET", "/v1/messages", params=params)
        out += page["messages"]
        before = page.get("next_before_id")
        if not before:
            return out


async def audit(run: Run, ses: FaultySes, *, within: float = 180, label: str = "") -> dict[str, Any]:
    """Wait for the campaign to settle, then prove: each recipient one message; each `sent` message exactly one
    mail at SES with its SES id; each `failed` one a reason and no mail; nothing else left."""
    assert run.campaign_id is not None
    b = run.backend
    await b.campaign_done(run.campaign_id, within=within)
    msgs = await all_messages(b, run.campaign_id)
    at_ses = Counter(a for acc in list(ses.accepted) for a in acc.to if a in set(run.recipients))
    ses_ids = {acc.ses_message_id for acc in list(ses.accepted)}
    per_rcpt = Counter(m["to"] for m in msgs)
    states = Counter(m["state"] for m in msgs)
    problems: list[str] = []
    if set(per_rcpt) != set(run.recipients) or any(n != 1 for n in per_rcpt.values()):
        problems.append(f"messages per recipient wrong: {len(per_rcpt)} recipients, {len(msgs)} messages")
    dups = {a: n for a, n in at_ses.items() if n > 1}
    if dups:
        problems.append(f"{len(dups)} recipients got the mail more than once: {list(dups.items())[:5]}")
    for m in msgs:
        if m["state"] == "sent":
            if at_ses.get(m["to"], 0) != 1:
                problems.append(
                    f"message {m['id']} marked sent but SES has {at_ses.get(m['to'], 0)} for {m['to']}"
                )
            elif m["ses_message_id"] not in ses_ids:
                problems.append(f"message {m['id']} has an SES id SES never gave: {m['ses_message_id']}")
        elif m["state"] == "failed":
            if not m.get("last_error"):
                problems.append(f"message {m['id']} failed without a reason")
            if at_ses.get(m["to"], 0):
                problems.append(f"message {m['id']} marked failed but SES accepted it")
        elif m["state"] != "suppressed":
            problems.append(f"message {m['id']} left in state {m['state']}")
    failed_reasons = Counter((m.get("last_error") or "")[:80] for m in msgs if m["state"] == "failed")
    report = {"label": label, "messages": len(msgs), "states": dict(states), "ses": ses.summary(),
              "duplicates": len(dups), "failed_reasons": dict(failed_reasons),
              "problems": problems[:20]}  # fmt: skip
    dump_json(b.system.run_dir / f"audit-{label or run.campaign_id}.json", report)
    if dups:
        await _dump_duplicates(run, ses, set(dups), label)
    assert not problems, report
    return report


async def _dump_duplicates(run: Run, ses: FaultySes, dups: set[str], label: str) -> None:
    """What the database knew about each duplicated recipient (its message rows and the feedback events linked to
    them or to its address) beside when SES accepted each copy: enough to tell why it was sent twice."""
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import create_async_engine

    system = run.backend.system
    url = getattr(getattr(system, "infra", None), "db_url", None)
    if not url:
        return
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(
                sa.text("SELECT id, to_address, state, attempts, sending_at, sent_at, ses_message_id, last_error "
                        "FROM messages WHERE campaign_id = :c AND to_address IN :to").bindparams(
                    sa.bindparam("to", expanding=True)), {"c": run.campaign_id, "to": sorted(dups)},
            )).mappings().all()  # fmt: skip
            events = (await conn.execute(
                sa.text("SELECT email, event_type, message_id, ses_message_id, occurred_at, created_at "
                        "FROM email_events WHERE project_id = :p AND email IN :to").bindparams(
                    sa.bindparam("to", expanding=True)), {"p": run.backend.project_id, "to": sorted(dups)},
            )).mappings().all()  # fmt: skip
    finally:
        await engine.dispose()
    out = {
        a: {
            "rows": [dict(r) for r in rows if r["to_address"] == a],
            "events": [dict(e) for e in events if e["email"] == a],
            "accepted": [
                {"ses_message_id": acc.ses_message_id, "at": acc.at, "tags": acc.tags}
                for acc in list(ses.accepted)
                if a in acc.to
            ],  # fmt: skip
        }
        for a in sorted(dups)
    }
    dump_json(system.run_dir / f"duplicates-{label or run.campaign_id}.json", out)


# -------------------------------------------------------------------------------------------- sending faults


@pytest.mark.timeout(900)
async def test_sender_replicas_killed_repeatedly(
    shared_system: DistributedSystem, fault_ses: FaultySes
) -> None:
    """kill -9 a sender replica three times during a 2,000-recipient campaign (restarting it each time)."""
    run = await prepared_run(shared_system, fault_ses, 2000)
    async with feedback_flowing(shared_system, fault_ses, run):
        await start_campaign(run, "kill -9")
        for i, at in enumerate((300, 800, 1300)):
            # Rows a killed replica held come back only after the stale-sending window (120 s by default).
            await wait_sent_at_least(run, fault_ses, at, within=240)
            victim = shared_system.senders[i % len(shared_system.senders)]
            victim.kill9()
            await asyncio.sleep(1)
            victim.start()
            await victim.wait_ready(180)  # a loaded 2-core machine can take a while
        report = await audit(run, fault_ses, label="kill9", within=300)
    assert report["states"].get("sent", 0) >= 1990, report  # nothing in the way but the kills


async def test_ses_throttling_5xx_and_timeouts(
    shared_system: DistributedSystem, fault_ses: FaultySes
) -> None:
    """SES answers 429 throttling, then 500/503, then hangs past the client timeout — a few seconds each."""
    run = await prepared_run(shared_system, fault_ses, 1500)
    async with feedback_flowing(shared_system, fault_ses, run):
        await start_campaign(run, "ses faults")
        await wait_sent_at_least(run, fault_ses, 200)
        fault_ses.fault("throttle", 4)
        await asyncio.sleep(4.5)
        fault_ses.fault("error_5xx", 4)
        await asyncio.sleep(4.5)
        fault_ses.fault("timeout", 5)
        await asyncio.sleep(5.5)
        fault_ses.clear()
        report = await audit(run, fault_ses, label="ses-faults")
    refused = report["ses"]["refused"]
    assert refused.get("throttle") and refused.get("5xx") and refused.get("timeout"), refused
    # Throttling never fails a message; 5xx/timeouts may, after bounded retries, with their reason.
    failed = [m for m in await all_messages(run.backend, run.campaign_id or 0) if m["state"] == "failed"]
    assert not any("throttl" in (m["last_error"] or "").lower() for m in failed), failed[:3]


@pytest.mark.parametrize("broker", ["rabbitmq"])
async def test_private_rabbitmq_restarted_mid_campaign(fault_ses: FaultySes, broker: str) -> None:
    """The broker goes away for a few seconds and comes back (a private node; the machine's is untouched)."""
    infra = await Infra.private(postgres=False, rabbit=True)
    system = await _system(infra, fault_ses, 2)
    try:
        run = await prepared_run(system, fault_ses, 1500)
        async with feedback_flowing(system, fault_ses, run):
            await start_campaign(run, "rabbit restart")
            await wait_sent_at_least(run, fault_ses, 300)
            assert infra.rabbit is not None
            await asyncio.to_thread(infra.rabbit.restart, 3)
            await audit(run, fault_ses, label="rabbit-restart", within=420)
        # The services are healthy again (readiness includes the bus).
        for p in system.processes:
            await p.wait_ready(60)
    finally:
        await system.stop()
        await infra.close()


async def test_private_postgres_restarted_mid_campaign(fault_ses: FaultySes) -> None:
    """The database crashes (immediate shutdown) and is back after a few seconds (a private cluster)."""
    infra = await Infra.private(postgres=True, rabbit=False)
    system = await _system(infra, fault_ses, 2)
    try:
        run = await prepared_run(system, fault_ses, 1500)
        async with feedback_flowing(system, fault_ses, run):
            await start_campaign(run, "postgres restart")
            await wait_sent_at_least(run, fault_ses, 300)
            assert infra.pg is not None
            await asyncio.to_thread(infra.pg.restart, 3, "immediate")
            await audit(run, fault_ses, label="pg-restart", within=420)
        for p in system.processes:
            await p.wait_ready(60)
    finally:
        await system.stop()
        await infra.close()


# ------------------------------------------------------------------------------------------- feedback faults


def _envelopes(run: Run, ses: FaultySes, *, fmt_mix: bool = True) -> list[tuple[str, dict[str, Any]]]:
    """(recipient, signed SNS envelope) for the feedback each sent mail causes."""
    out = []
    wanted = set(run.recipients)
    for i, acc in enumerate([a for a in list(ses.accepted) if a.to[0] in wanted]):
        doc = ses_feedback_for(SentMail(acc.ses_message_id, acc.to, acc.from_address),
                               fmt="event" if fmt_mix and i % 2 else "notification")  # fmt: skip
        env = run.backend.system.signer.notification(
            doc, topic_arn=run.backend.topic_arn, version="2" if i % 3 else "1"
        )
        out.append((acc.to[0], env))
    return out


async def _expect_feedback_applied(
    run: Run, bounced: set[str], complained: set[str], deliveries: int
) -> None:
    b = run.backend

    async def suppressed() -> dict[str, str] | None:
        found: dict[str, str] = {}
        after = None
        while True:
            params: dict[str, Any] = {"limit": 200}
            if after:
                params["cursor"] = after
            page = await b.call("GET", "/v1/suppressions", params=params)
            found.update({s["email"]: s["reason"] for s in page["data"] if s.get("email")})
            after = page.get("next_cursor")
            if not after:
                break
        return found if set(found) >= bounced | complained else None

    found = await eventually(suppressed, within=90, what="all bounces and complaints suppressed")
    assert set(found) == bounced | complained, set(found) ^ (bounced | complained)

    async def count(type_: str) -> int:
        n, before = 0, None
        while True:
            params: dict[str, Any] = {"type": type_, "limit": 500}
            if before:
                params["before"] = before
            page = await b.call("GET", "/v1/events", params=params)
            n += len(page["events"])
            before = page.get("next_before")
            if not before:
                return n

    async def settled() -> tuple[int, int, int] | None:
        got = (await count("bounce"), await count("complaint"), await count("delivery"))
        return got if got == (len(bounced), len(complained), deliveries) else None

    try:
        await eventually(settled, within=60, what="each feedback event recorded once")
    except AssertionError:
        raise AssertionError(
            f"events (bounce, complaint, delivery) = {(await count('bounce'), await count('complaint'), await count('delivery'))}, "
            f"expected {(len(bounced), len(complained), deliveries)}"
        ) from None


async def test_sns_duplicates_and_out_of_order(
    shared_system: DistributedSystem, fault_ses: FaultySes
) -> None:
    """Every notification delivered three times, shuffled, concurrently: each applied exactly once."""
    run = await prepared_run(
        shared_system, fault_ses, 120, kinds=("success", "success", "bounce", "success", "complaint")
    )
    await start_campaign(run, "sns duplicates")
    await audit(run, fault_ses, label="sns-dup-send")
    envs = _envelopes(run, fault_ses)
    deliveries = [(r, e) for r, e in envs] * 3
    random.Random(7).shuffle(deliveries)
    sem = asyncio.Semaphore(30)

    async def post(env: dict[str, Any]) -> int | None:
        async with sem:
            return (await shared_system.post_sns(run.backend.webhook_url, env)).status

    statuses = await asyncio.gather(*(post(e) for _, e in deliveries))
    assert set(statuses) == {200}, Counter(statuses)
    bounced = {r for r in run.recipients if r.startswith("bounce+")}
    complained = {r for r in run.recipients if r.startswith("complaint+")}
    # complaint@ mail is delivered too, but SES reports it with the complaint only (no separate Delivery here)
    await _expect_feedback_applied(
        run, bounced, complained, len(run.recipients) - len(bounced) - len(complained)
    )


async def test_events_down_while_sns_posts(shared_system: DistributedSystem, fault_ses: FaultySes) -> None:
    """The events service is killed; SNS keeps posting and retrying; once it is back nothing is lost."""
    run = await prepared_run(
        shared_system, fault_ses, 80, kinds=("success", "bounce", "success", "complaint")
    )
    await start_campaign(run, "events down")
    await audit(run, fault_ses, label="events-down-send")
    envs = _envelopes(run, fault_ses)
    shared_system.events.kill9()
    started = time.monotonic()
    tasks = [asyncio.create_task(shared_system.post_sns(run.backend.webhook_url, e)) for _, e in envs]
    await asyncio.sleep(6)
    assert not any(t.done() and t.result().status == 200 for t in tasks), (
        "accepted while the events service was down"
    )
    shared_system.events.start()
    await shared_system.events.wait_ready(60)
    results = await asyncio.gather(*tasks)
    assert all(r.status == 200 for r in results), Counter(r.status for r in results)
    assert max(r.attempts for r in results) > 1 and time.monotonic() - started > 6
    bounced = {r for r in run.recipients if r.startswith("bounce+")}
    complained = {r for r in run.recipients if r.startswith("complaint+")}
    # complaint@ mail is delivered too, but SES reports it with the complaint only (no separate Delivery here)
    await _expect_feedback_applied(
        run, bounced, complained, len(run.recipients) - len(bounced) - len(complained)
    )
