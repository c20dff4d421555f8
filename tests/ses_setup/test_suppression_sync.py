"""Suppression sync with the SES account-level list (SESv2 stand-in) on both databases."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from services.sender.ses_setup.aws import AwsSession
from services.sender.ses_setup.suppression_sync import sync_suppressions
from shared.email_address import email_hash
from shared.models.core import OutboxMessage
from shared.models.subscriptions import Suppression, SuppressionRemoval
from tests.ses_setup.conftest import AwsEnv, make_project


async def _sync(rt: Any, env: AwsEnv, pid: int, *, push: bool = False, cap: int = 500):  # type: ignore[no-untyped-def]
    async with AwsSession(env.target) as aws, rt.uow() as s:
        return await sync_suppressions(aws, s, pid, push=push, max_remote_changes=cap)


async def _local(rt: Any, pid: int) -> dict[str, str]:
    async with rt.uow() as s:
        rows = (
            await s.execute(
                sa.select(Suppression.email, Suppression.reason).where(Suppression.project_id == pid)
            )
        ).all()
    return {e: r for e, r in rows}


async def _add_local(rt: Any, pid: int, email: str, reason: str) -> None:
    async with rt.uow() as s:
        s.add(Suppression(project_id=pid, email=email, email_hash=email_hash(email), reason=reason))


async def test_import_pages_and_is_idempotent(runtime: Any, aws_env: AwsEnv) -> None:
    pid = await make_project(runtime)
    for i in range(25):
        aws_env.v2.suppress(f"user{i:02d}@gone.test", "COMPLAINT" if i % 5 == 0 else "BOUNCE")
    aws_env.v2.page_size_cap = 10  # the stand-in pages at 10: three pages
    first = await _sync(runtime, aws_env, pid)
    assert len(first.imported) == 25 and first.ses_count == 25
    pages = [r for r in aws_env.v2.requests if r[1] == "/suppression/addresses"]
    assert len(pages) == 3
    local = await _local(runtime, pid)
    assert set(local) == {f"user{i:02d}@gone.test" for i in range(25)}
    assert set(local.values()) == {"ses_suppression"}
    async with runtime.uow() as s:
        detail = await s.scalar(sa.select(Suppression.detail).where(Suppression.email == "user00@gone.test"))
        events = await s.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.routing_key == "suppression.added")
        )
    assert "COMPLAINT" in (detail or "") and events == 25

    again = await _sync(runtime, aws_env, pid)
    assert again.imported == [] and again.removed_in_sesame == []
    assert aws_env.v2.mutating_requests() == []


async def test_existing_local_entry_is_kept_and_removal_on_ses_is_recorded(
    sqlite_runtime: Any, aws_env: AwsEnv
) -> None:
    pid = await make_project(sqlite_runtime)
    await _add_local(sqlite_runtime, pid, "hard@bounce.test", "hard_bounce")
    aws_env.v2.suppress("hard@bounce.test", "BOUNCE")
    aws_env.v2.suppress("other@bounce.test", "BOUNCE")
    r = await _sync(sqlite_runtime, aws_env, pid)
    assert len(r.imported) == 1
    assert (await _local(sqlite_runtime, pid))["hard@bounce.test"] == "hard_bounce"  # not overwritten

    # The user deletes both from the SES list in the console: Sesame follows, and logs who/why.
    del aws_env.v2.suppressed["hard@bounce.test"]
    del aws_env.v2.suppressed["other@bounce.test"]
    r = await _sync(sqlite_runtime, aws_env, pid)
    assert len(r.removed_in_sesame) == 2
    assert await _local(sqlite_runtime, pid) == {}
    async with sqlite_runtime.uow() as s:
        removals = (
            await s.scalars(sa.select(SuppressionRemoval).where(SuppressionRemoval.project_id == pid))
        ).all()
        removed_events = await s.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.routing_key == "suppression.removed")
        )
    assert {x.email for x in removals} == {"hard@bounce.test", "other@bounce.test"}
    assert {x.removed_by for x in removals} == {"ses-suppression-sync"}
    assert removed_events == 2


async def test_push_adds_and_removes_on_ses_when_enabled(runtime: Any, aws_env: AwsEnv) -> None:
    pid = await make_project(runtime)
    await _add_local(runtime, pid, "bounced@x.test", "hard_bounce")
    await _add_local(runtime, pid, "angry@x.test", "complaint")
    await _add_local(runtime, pid, "left@x.test", "unsubscribed_all")  # never pushed: per-project choice

    off = await _sync(runtime, aws_env, pid, push=False)
    assert off.pushed == [] and aws_env.v2.suppressed == {}

    on = await _sync(runtime, aws_env, pid, push=True)
    assert len(on.pushed) == 2
    assert {k: v["Reason"] for k, v in aws_env.v2.suppressed.items()} == {
        "bounced@x.test": "BOUNCE",
        "angry@x.test": "COMPLAINT",
    }
    before = len(aws_env.v2.mutating_requests())
    assert (await _sync(runtime, aws_env, pid, push=True)).pushed == []
    assert len(aws_env.v2.mutating_requests()) == before

    # Removed in Sesame → removed on SES (push on).
    async with runtime.uow() as s:
        await s.execute(sa.delete(Suppression).where(Suppression.email == "angry@x.test"))
    r = await _sync(runtime, aws_env, pid, push=True)
    assert len(r.removed_in_ses) == 1 and "angry@x.test" not in aws_env.v2.suppressed
    assert "bounced@x.test" in aws_env.v2.suppressed


async def test_removal_in_sesame_without_push_is_reported_not_reimported(
    sqlite_runtime: Any, aws_env: AwsEnv
) -> None:
    pid = await make_project(sqlite_runtime)
    aws_env.v2.suppress("kept@ses.test")
    await _sync(sqlite_runtime, aws_env, pid)
    async with sqlite_runtime.uow() as s:
        await s.execute(sa.delete(Suppression).where(Suppression.email == "kept@ses.test"))
    r = await _sync(sqlite_runtime, aws_env, pid, push=False)
    assert r.imported == [] and len(r.still_on_ses) == 1
    assert await _local(sqlite_runtime, pid) == {}


async def test_remote_cap_defers_the_rest_to_the_next_run(sqlite_runtime: Any, aws_env: AwsEnv) -> None:
    pid = await make_project(sqlite_runtime)
    for i in range(5):
        await _add_local(sqlite_runtime, pid, f"b{i}@x.test", "hard_bounce")
    r = await _sync(sqlite_runtime, aws_env, pid, push=True, cap=2)
    assert len(r.pushed) == 2 and r.deferred == 3
    r = await _sync(sqlite_runtime, aws_env, pid, push=True, cap=10)
    assert len(r.pushed) == 3 and r.deferred == 0
    assert len(aws_env.v2.suppressed) == 5


async def test_an_erased_suppression_stays_suppressed_on_both_sides(runtime: Any, aws_env: AwsEnv) -> None:
    """GDPR erasure keeps a suppression as its hash only (email NULL): the sync still counts it as present, so it
    neither deletes the address from the SES list (push on) nor re-imports it, and cannot push what it lacks."""
    pid = await make_project(runtime)
    await _add_local(runtime, pid, "pushed@x.test", "hard_bounce")
    await _add_local(runtime, pid, "local-only@x.test", "complaint")
    aws_env.v2.suppress("both@x.test", "BOUNCE")
    await _add_local(runtime, pid, "both@x.test", "hard_bounce")
    await _sync(runtime, aws_env, pid, push=True)
    assert set(aws_env.v2.suppressed) == {"pushed@x.test", "local-only@x.test", "both@x.test"}
    await _add_local(runtime, pid, "never-pushed@x.test", "hard_bounce")

    async with runtime.uow() as s:  # what services/subscriptions/contacts.py erase_contact does
        await s.execute(sa.update(Suppression).where(Suppression.project_id == pid).values(email=None))
    before = len(aws_env.v2.mutating_requests())
    for push in (True, False, True):
        r = await _sync(runtime, aws_env, pid, push=push)
        assert r.removed_in_ses == [] and r.removed_in_sesame == [] and r.imported == [] and r.error is None
        assert r.still_on_ses == [] and r.pushed == []
    # nothing deleted on SES, nothing pushed without an address
    assert len(aws_env.v2.mutating_requests()) == before
    assert set(aws_env.v2.suppressed) == {"pushed@x.test", "local-only@x.test", "both@x.test"}
    async with runtime.uow() as s:
        kept = (await s.execute(sa.select(Suppression.email_hash, Suppression.email))).all()
    assert sorted(kept) == sorted(
        (email_hash(e), None)
        for e in ("pushed@x.test", "local-only@x.test", "both@x.test", "never-pushed@x.test")
    )
