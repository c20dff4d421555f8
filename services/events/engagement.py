"""Engagement rollup: new `email_events` rows folded, in batches, into the per campaign × minute, per campaign ×
link, per message and per contact aggregates of shared/models/engagement.py.

Exactly once: a batch claims its rows by setting `email_events.rollup_at` in the same transaction that writes the
aggregates (a rollback un-claims them). A watermark on `id` is not enough on Postgres, where ids commit out of order:
a row committed late below the watermark would be skipped forever. One rollup runs at a time (an advisory lock on
Postgres; SQLite has one writer), so a batch reads and rewrites per-message state without racing another.

Duplicates are already one row (email_events is unique per SES event). Out-of-order events count in the minute they
happened: a message's first open (delivery, bounce …) is the earliest seen, and an earlier one arriving late moves
the unique count from the later minute to its own.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.types import utcnow
from shared.db.upsert import dialect_name, insert
from shared.models.engagement import (
    FIRSTS,
    CampaignLink,
    CampaignMinute,
    ContactEngagement,
    MessageEngagement,
    MessageLink,
)
from shared.models.events import EmailEvent
from shared.models.sender import Message
from shared.models.subscriptions import Contact

if TYPE_CHECKING:
    from services.events.context import EventsContext
    from shared.runtime import Runtime

log = logging.getLogger("sesame.events.engagement")
LOCK_KEY = 0x5E5A_E06A  # pg_advisory_xact_lock key of the rollup
E = EmailEvent.__table__
CONTACT_FIRSTS = {"delivered": "delivered", "opened": "opened", "clicked": "clicked"}
RECEIVED = ("delivered", "opened", "clicked")  # any of these: the contact received the campaign


def outcome(event_type: str, bounce_type: str | None) -> str | None:
    """The per-message outcome an event stands for (SES's own split: a Permanent bounce is hard, others soft)."""
    if event_type == "delivery":
        return "delivered"
    if event_type == "bounce":
        return "hard_bounced" if bounce_type == "Permanent" else "soft_bounced"
    if event_type == "complaint":
        return "complained"
    if event_type == "reject":
        return "rejected"
    if event_type == "open":
        return "opened"
    if event_type == "click":
        return "clicked"
    return None


def minute_of(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


@dataclass
class _Batch:
    minutes: dict[tuple[int, datetime], dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    minute_project: dict[int, int] = field(default_factory=dict)
    contacts: dict[int, dict[str, Any]] = field(default_factory=dict)
    link_clicks: dict[tuple[int, str], int] = field(default_factory=lambda: defaultdict(int))
    link_urls: dict[tuple[int, str], str] = field(default_factory=dict)
    message_links: set[tuple[int, str]] = field(default_factory=set)
    message_campaign: dict[int, int] = field(default_factory=dict)

    def bump(self, campaign_id: int | None, project_id: int, at: datetime, column: str, n: int = 1) -> None:
        if campaign_id is None:
            return
        cell = self.minutes[(campaign_id, minute_of(at))]
        cell[column] = cell.get(column, 0) + n
        self.minute_project[campaign_id] = project_id

    def contact(self, contact_id: int, project_id: int) -> dict[str, Any]:
        return self.contacts.setdefault(contact_id, {"project_id": project_id})


def _fold(state: dict[str, Any], events: list[Any], batch: _Batch) -> None:
    """Apply one message's new events to its state (in place) and record what changed in `batch`."""
    cid, pid, contact_id = state["campaign_id"], state["project_id"], state["contact_id"]
    before = {k: state[f"{k}_at"] for k in FIRSTS}
    for ev in events:
        kind = outcome(ev.event_type, ev.bounce_type)
        if kind is None:
            continue
        at = ev.occurred_at
        col = f"{kind}_at"
        if state[col] is None or at < state[col]:
            state[col] = at
        if kind in ("opened", "clicked"):
            total = "opens" if kind == "opened" else "clicks"
            state[total] += 1
            batch.bump(cid, pid, at, total)
        if kind == "clicked":
            url = (ev.detail or {}).get("link") if isinstance(ev.detail, dict) else None
            if isinstance(url, str) and url and cid is not None:
                h = url_hash(url)
                batch.link_clicks[(cid, h)] += 1
                batch.link_urls[(cid, h)] = url[:4000]
                batch.message_links.add((state["message_id"], h))
                batch.message_campaign[state["message_id"]] = cid
        if contact_id is not None and kind in CONTACT_FIRSTS:
            c = batch.contact(contact_id, pid)
            last = f"last_{kind}_at"
            if c.get(last) is None or at > c[last]:
                c[last] = at
    for kind in FIRSTS:
        old, new = before[kind], state[f"{kind}_at"]
        if old == new:
            continue
        if old is not None:
            batch.bump(cid, pid, old, kind, -1)  # an earlier one arrived late: the unique moves minute
        batch.bump(cid, pid, new, kind)
        if old is None and contact_id is not None and kind in CONTACT_FIRSTS:
            c = batch.contact(contact_id, pid)
            c[kind] = c.get(kind, 0) + 1
    if contact_id is not None and cid is not None:
        was = any(before[k] is not None for k in RECEIVED)
        if not was and any(state[f"{k}_at"] is not None for k in RECEIVED):
            c = batch.contact(contact_id, pid)
            c["campaigns_received"] = c.get("campaigns_received", 0) + 1


def _greatest(session: AsyncSession, a: Any, b: Any) -> Any:
    # NULL-safe on both dialects (SQLite's max(x, NULL) is NULL; UTC timestamps compare as text there).
    fn = sa.func.greatest if dialect_name(session) == "postgresql" else sa.func.max
    return fn(sa.func.coalesce(a, b), sa.func.coalesce(b, a))


async def lock_rollup(session: AsyncSession) -> None:
    """Hold the rollup's lock to the end of this transaction (Postgres; SQLite has one writer)."""
    if dialect_name(session) == "postgresql":
        await session.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_KEY)))


async def rollup_batch(session: AsyncSession, limit: int = 2000, now: datetime | None = None) -> int:
    """Claim up to `limit` pending email_events rows and fold them into the aggregates; returns rows claimed."""
    now = now or utcnow()
    await lock_rollup(session)
    pending = sa.select(E.c.id).where(E.c.rollup_at.is_(None)).order_by(E.c.id).limit(limit)
    claimed = (
        await session.execute(
            sa.update(E)
            .where(E.c.id.in_(pending.scalar_subquery()))
            .values(rollup_at=now)
            .returning(
                E.c.id,
                E.c.project_id,
                E.c.event_type,
                E.c.message_id,
                E.c.bounce_type,
                E.c.occurred_at,
                E.c.detail,
            )  # fmt: skip
        )
    ).all()
    by_message: dict[int, list[Any]] = defaultdict(list)
    for ev in claimed:
        if ev.message_id is not None and outcome(ev.event_type, ev.bounce_type) is not None:
            by_message[ev.message_id].append(ev)
    if by_message:
        await _apply(session, by_message)
    return len(claimed)


async def _apply(session: AsyncSession, by_message: dict[int, list[Any]]) -> None:
    ids = list(by_message)
    M, ME, C = Message.__table__, MessageEngagement.__table__, Contact.__table__
    # An erased contact is attributed nothing more (services/events/erasure.py dropped what they had).
    contact = sa.case((C.c.erased_at.is_(None), M.c.contact_id), else_=None).label("contact_id")
    sent = {
        r.id: r
        for r in (
            await session.execute(
                sa.select(M.c.id, M.c.project_id, M.c.campaign_id, contact)
                .select_from(M.outerjoin(C, C.c.id == M.c.contact_id))
                .where(M.c.id.in_(ids))
            )
        ).all()
    }
    rows = (await session.execute(sa.select(ME).where(ME.c.message_id.in_(ids)))).all()
    known = {r.message_id: dict(r._mapping) for r in rows}
    batch = _Batch()
    states: list[dict[str, Any]] = []
    for mid, events in by_message.items():
        msg = sent.get(mid)
        if msg is None:
            continue  # a tag naming no message of ours
        events = [e for e in events if e.project_id == msg.project_id]
        if not events:
            continue
        state = known.get(mid) or {
            "message_id": mid, "project_id": msg.project_id, "campaign_id": msg.campaign_id,
            "contact_id": msg.contact_id, "opens": 0, "clicks": 0, **{f"{k}_at": None for k in FIRSTS},
        }  # fmt: skip
        if msg.contact_id is None:
            state["contact_id"] = None  # erased since the row was written (the upsert never rewrites it)
        events.sort(key=lambda e: (e.occurred_at, e.id))
        _fold(state, events, batch)
        states.append(state)
    if not states:
        return
    ins = insert(ME, session)
    await session.execute(
        ins.on_conflict_do_update(
            index_elements=["message_id"],
            set_={c: ins.excluded[c] for c in ("opens", "clicks", *(f"{k}_at" for k in FIRSTS))},
        ),
        states,
    )
    await _write_minutes(session, batch)
    await _write_links(session, batch)
    await _write_contacts(session, batch)


async def _write_minutes(session: AsyncSession, batch: _Batch) -> None:
    cols = (*FIRSTS, "opens", "clicks")
    rows = [
        {"campaign_id": cid, "minute": minute, "project_id": batch.minute_project[cid],
         **{c: cell.get(c, 0) for c in cols}}
        for (cid, minute), cell in batch.minutes.items() if any(cell.values())
    ]  # fmt: skip
    if not rows:
        return
    T = CampaignMinute.__table__
    ins = insert(T, session)
    await session.execute(
        ins.on_conflict_do_update(
            index_elements=["campaign_id", "minute"], set_={c: T.c[c] + ins.excluded[c] for c in cols}
        ),
        rows,
    )


async def _write_links(session: AsyncSession, batch: _Batch) -> None:
    if not batch.link_clicks:
        return
    ML = MessageLink.__table__
    new = (
        await session.execute(
            insert(ML, session)
            .values([{"message_id": m, "url_hash": h} for m, h in sorted(batch.message_links)])
            .on_conflict_do_nothing(index_elements=["message_id", "url_hash"])
            .returning(ML.c.message_id, ML.c.url_hash)
        )
    ).all()
    uniq: dict[tuple[int, str], int] = defaultdict(int)
    for m, h in new:
        uniq[(batch.message_campaign[m], h)] += 1
    T = CampaignLink.__table__
    ins = insert(T, session)
    await session.execute(
        ins.on_conflict_do_update(
            index_elements=["campaign_id", "url_hash"],
            set_={"total": T.c.total + ins.excluded.total, "uniq": T.c.uniq + ins.excluded.uniq},
        ),
        [
            {"campaign_id": cid, "url_hash": h, "project_id": batch.minute_project[cid],
             "url": batch.link_urls[(cid, h)], "total": n, "uniq": uniq.get((cid, h), 0)}
            for (cid, h), n in batch.link_clicks.items()
        ],
    )  # fmt: skip


async def _write_contacts(session: AsyncSession, batch: _Batch) -> None:
    if not batch.contacts:
        return
    counts = ("delivered", "opened", "clicked", "campaigns_received")
    lasts = ("last_delivered_at", "last_opened_at", "last_clicked_at")
    T = ContactEngagement.__table__
    ins = insert(T, session)
    set_: dict[str, Any] = {c: T.c[c] + ins.excluded[c] for c in counts}
    set_.update({c: _greatest(session, T.c[c], ins.excluded[c]) for c in lasts})
    await session.execute(
        ins.on_conflict_do_update(index_elements=["contact_id"], set_=set_),
        [
            {"contact_id": cid, "project_id": c["project_id"], **{k: c.get(k, 0) for k in counts},
             **{k: c.get(k) for k in lasts}}
            for cid, c in batch.contacts.items()
        ],
    )  # fmt: skip


async def rollup_pending(rt: Runtime, limit: int = 2000) -> int:
    """Roll up until nothing is pending (one transaction per batch); returns rows claimed."""
    total = 0
    while True:
        async with rt.uow() as session:
            n = await rollup_batch(session, limit)
        total += n
        if n < limit:
            return total


async def engagement_loop(rt: Runtime, ctx: EventsContext) -> None:
    """Roll up new feedback continuously: full batches back to back, then a pause when caught up."""
    limit = ctx.settings.engagement_batch_size
    while True:
        n = 0
        try:
            async with rt.uow() as session:
                n = await rollup_batch(session, limit)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the rows stay unclaimed; the next round retries them
            log.warning("engagement rollup failed: %r", exc)
        if n < limit:
            await asyncio.sleep(ctx.settings.engagement_interval_seconds)
