"""Two-way sync between the SES account-level suppression list (SESv2) and the project's Sesame suppressions.

A three-way merge against the last synced state (`ses_suppression_sync`), so a removal on either side is told
apart from an addition on the other:
- on SES, not before, not in Sesame        → imported into Sesame (reason `ses_suppression`)
- was on SES, gone now, still in Sesame      → removed from Sesame (logged in `suppression_removals`)
- push enabled: new in Sesame, not on SES    → PutSuppressedDestination
- push enabled: was in Sesame, gone, on SES  → DeleteSuppressedDestination
Without push the SES list is only read. Remote changes are capped per run; what is left is retried next run.

The subscriptions service owns `suppressions`; a service may not import another service, so the writes here
mirror `services.subscriptions.suppressions.add_suppression` / removal (same columns, same bus events).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.sender.ses_setup.aws import AwsError, AwsSession
from shared.contracts.subscription import SuppressionChanged
from shared.db.types import utcnow
from shared.db.upsert import insert
from shared.email_address import InvalidEmail, email_hash, normalize_email
from shared.models.core import OutboxMessage
from shared.models.ses_setup import SesSuppressionSync
from shared.models.subscriptions import Suppression, SuppressionRemoval

log = logging.getLogger("sesame.ses_setup.suppression")

SOURCE_EVENT = "ses-account-suppression-list"
# Sesame reasons that belong on the SES account list when pushing (unsubscribes do not: they are per project).
PUSH_REASONS = {
    "hard_bounce": "BOUNCE",
    "soft_bounce": "BOUNCE",
    "manual": "BOUNCE",
    "complaint": "COMPLAINT",
}
TRACKED_REASONS = (*PUSH_REASONS, "ses_suppression")
CHUNK = 5000


@dataclass
class SyncResult:
    ses_count: int = 0
    sesame_count: int = 0
    imported: list[str] = field(default_factory=list)
    removed_in_sesame: list[str] = field(default_factory=list)
    pushed: list[str] = field(default_factory=list)
    removed_in_ses: list[str] = field(default_factory=list)
    still_on_ses: list[str] = field(default_factory=list)  # removed in Sesame, push off: SES keeps blocking
    deferred: int = 0  # remote changes left for the next run (cap or error)
    error: str | None = None

    def summary(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("imported", "removed_in_sesame", "pushed", "removed_in_ses", "still_on_ses"):
            d[k] = len(d[k])
        return d


def _hash(raw: str) -> tuple[str, str]:
    try:
        email = normalize_email(raw)
    except InvalidEmail:
        email = raw.strip().lower()
    return email_hash(email), email


async def list_account_suppressions(aws: AwsSession) -> dict[str, tuple[str, str, Any]]:
    """Every address on the account list: hash → (address, BOUNCE|COMPLAINT, last update)."""
    out: dict[str, tuple[str, str, Any]] = {}
    token: str | None = None
    while True:
        params: dict[str, Any] = {"PageSize": 1000}
        if token:
            params["NextToken"] = token
        resp = await aws.call("sesv2", "ListSuppressedDestinations", **params)
        for item in resp.get("SuppressedDestinationSummaries", []):
            h, email = _hash(item["EmailAddress"])
            out[h] = (email, item.get("Reason", "BOUNCE"), item.get("LastUpdateTime"))
        token = resp.get("NextToken")
        if not token:
            return out


async def sync_suppressions(
    aws: AwsSession,
    session: AsyncSession,
    project_id: int,
    *,
    push: bool,
    max_remote_changes: int = 500,
    now: datetime | None = None,
) -> SyncResult:
    """Run one sync in the caller's unit of work (local writes commit with it; remote calls happen inline)."""
    now = now or utcnow()
    result = SyncResult()
    ses = await list_account_suppressions(aws)
    # An erased contact's suppression keeps only its hash (email NULL): still suppressed here, so it is neither
    # deleted from the SES list nor imported again; without an address it cannot be pushed.
    local_rows = (
        await session.execute(
            sa.select(Suppression.email_hash, Suppression.email, Suppression.reason).where(
                Suppression.project_id == project_id,
                Suppression.reason.in_(TRACKED_REASONS),
            )
        )
    ).all()
    local: dict[str, tuple[str | None, str]] = {h: (email, reason) for h, email, reason in local_rows}
    base = {
        r.email_hash: r
        for r in (
            await session.scalars(
                sa.select(SesSuppressionSync).where(SesSuppressionSync.project_id == project_id)
            )
        ).all()
    }
    result.ses_count, result.sesame_count = len(ses), len(local)

    to_import: list[str] = []
    to_remove_local: list[str] = []
    to_put: list[str] = []
    to_delete_remote: list[str] = []
    final: dict[str, tuple[bool, bool]] = {}
    for h in set(ses) | set(local) | set(base):
        s_now, l_now = h in ses, h in local
        b = base.get(h)
        s_was, l_was = (b.in_ses, b.in_sesame) if b else (False, False)
        s_fin, l_fin = s_now, l_now
        if s_now and not s_was and not l_now:
            to_import.append(h)
            l_fin = True
        elif s_was and not s_now and l_now:
            to_remove_local.append(h)
            l_fin = False
        elif push and l_now and not s_now and not s_was and local[h][1] in PUSH_REASONS and local[h][0]:
            to_put.append(h)
            s_fin = True
        elif l_was and not l_now and s_now:
            if push:
                to_delete_remote.append(h)
                s_fin = False
            else:
                result.still_on_ses.append(h)
        final[h] = (s_fin, l_fin)

    # Remote first: whatever fails or exceeds the cap keeps its old baseline and is retried next run.
    budget = max_remote_changes
    for h in to_put:
        if budget <= 0 or result.error:
            final[h] = _old(base, h)
            result.deferred += 1
            continue
        email, reason = local[h]
        try:
            await aws.call(
                "sesv2", "PutSuppressedDestination", EmailAddress=str(email), Reason=PUSH_REASONS[reason]
            )
            result.pushed.append(h)
        except AwsError as exc:
            result.error = str(exc)
            final[h] = _old(base, h)
            result.deferred += 1
        budget -= 1
    for h in to_delete_remote:
        if budget <= 0 or result.error:
            final[h] = _old(base, h)
            result.deferred += 1
            continue
        try:
            await aws.call("sesv2", "DeleteSuppressedDestination", EmailAddress=ses[h][0])
            result.removed_in_ses.append(h)
        except AwsError as exc:
            if exc.code == "NotFoundException":
                result.removed_in_ses.append(h)
            else:
                result.error = str(exc)
                final[h] = _old(base, h)
                result.deferred += 1
        budget -= 1

    await _import(session, project_id, [(h, *ses[h]) for h in to_import], result)
    await _remove_local(session, project_id, to_remove_local, now, result)
    await _save_baseline(
        session,
        project_id,
        final,
        base,
        {**{h: v[0] for h, v in ses.items()}, **{h: v[0] for h, v in local.items() if v[0]}},
        now,
    )
    log.info("suppression sync project %s: %s", project_id, result.summary())
    return result


async def _import(
    session: AsyncSession, project_id: int, items: list[tuple[str, str, str, Any]], result: SyncResult
) -> None:
    for i in range(0, len(items), CHUNK):
        chunk = items[i : i + CHUNK]
        rows = [
            {
                "project_id": project_id,
                "email": email,
                "email_hash": h,
                "reason": "ses_suppression",
                "source_event": SOURCE_EVENT,
                "detail": f"on the SES account suppression list ({reason}"
                + (f", since {_iso(updated)})" if updated else ")"),
                "created_at": utcnow(),
            }
            for h, email, reason, updated in chunk
        ]
        # executemany (insertmanyvalues): one cached statement, not a freshly compiled 500-row VALUES list
        stmt = (
            insert(Suppression.__table__, session)
            .on_conflict_do_nothing(index_elements=["project_id", "email_hash"])
            .returning(Suppression.__table__.c.email_hash)
        )
        created = list((await session.execute(stmt, rows)).scalars())
        now = utcnow()
        added = [
            SuppressionChanged(project_id=project_id, email_hash=h, reason="ses_suppression", at=now)
            for h in created
        ]
        await _publish(session, "suppression.added", added)
        result.imported.extend(created)


async def _remove_local(
    session: AsyncSession, project_id: int, hashes: list[str], now: datetime, result: SyncResult
) -> None:
    for i in range(0, len(hashes), CHUNK):
        chunk = hashes[i : i + CHUNK]
        rows = (
            await session.execute(
                sa.delete(Suppression)
                .where(Suppression.project_id == project_id, Suppression.email_hash.in_(chunk))
                .returning(
                    Suppression.email, Suppression.email_hash, Suppression.reason, Suppression.created_at
                )
            )
        ).all()
        if not rows:
            continue
        await session.execute(
            sa.insert(SuppressionRemoval),
            [
                {
                    "project_id": project_id,
                    "email": email,
                    "email_hash": h,
                    "reason": reason,
                    "suppressed_at": created,
                    "removed_by": "ses-suppression-sync",
                    "why": "removed from the SES account-level suppression list",
                    "removed_at": now,
                }
                for email, h, reason, created in rows
            ],
        )
        removed = [
            SuppressionChanged(project_id=project_id, email_hash=h, reason=reason, removed=True, at=now)
            for _email, h, reason, _created in rows
        ]
        await _publish(session, "suppression.removed", removed)
        result.removed_in_sesame.extend(m.email_hash for m in removed)


async def _save_baseline(
    session: AsyncSession,
    project_id: int,
    final: dict[str, tuple[bool, bool]],
    base: dict[str, SesSuppressionSync],
    emails: dict[str, str],
    now: datetime,
) -> None:
    gone = [h for h, (s, l_) in final.items() if not s and not l_ and h in base]
    for i in range(0, len(gone), CHUNK):
        await session.execute(
            sa.delete(SesSuppressionSync).where(
                SesSuppressionSync.project_id == project_id,
                SesSuppressionSync.email_hash.in_(gone[i : i + CHUNK]),
            )
        )
    # The baseline's address is only a label: "" for an erased suppression known by its hash alone.
    changed = [
        {"project_id": project_id, "email_hash": h, "email": emails.get(h) or (base[h].email if h in base else ""),
         "in_ses": s, "in_sesame": l_, "updated_at": now}
        for h, (s, l_) in final.items()
        if (s or l_) and (h not in base or (base[h].in_ses, base[h].in_sesame) != (s, l_))
    ]  # fmt: skip
    if changed:
        stmt = insert(SesSuppressionSync.__table__, session)
        stmt = stmt.on_conflict_do_update(
            index_elements=["project_id", "email_hash"],
            set_={"in_ses": stmt.excluded.in_ses, "in_sesame": stmt.excluded.in_sesame, "updated_at": now},
        )
        await session.execute(stmt, changed)


async def _publish(session: AsyncSession, routing_key: str, messages: list[SuppressionChanged]) -> None:
    """Outbox rows in one statement (what `shared.outbox.enqueue` does row by row), published after commit."""
    if not messages:
        return
    now = utcnow()
    rows = [
        {"message_id": uuid.uuid4().hex, "routing_key": routing_key, "payload": m.payload(), "headers": {},
         "created_at": now, "attempts": 0}
        for m in messages
    ]  # fmt: skip
    await session.execute(sa.insert(OutboxMessage), rows)
    session.info["outbox_dirty"] = True  # wakes the relay after commit, as enqueue does


def _old(base: dict[str, SesSuppressionSync], h: str) -> tuple[bool, bool]:
    """The previous baseline of an address whose remote change did not happen (so the next run retries it)."""
    b = base.get(h)
    return (b.in_ses, b.in_sesame) if b else (False, False)


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)
