"""One readable INFO line per domain event, on the `sesame.domain` logger: campaign started / finished, address
suppressed, import finished, project paused / resumed, subscription confirmed / unsubscribed. Never a line per
mail sent.

Events that travel on the bus are described by the outbox relay once they are published (`log_published`): a
dict lookup on the routing key, and a payload parsed only for the few keys described here. Events without a bus
message (campaigns, imports) are logged where their state change commits (`after_commit`). Addresses are
personal data: a line shows them masked (`a***@example.com`).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

log = logging.getLogger("sesame.domain")

# Lines per routing key and relay batch; the rest of a burst (a bulk import of suppressions, an unsubscribe
# storm) is one summary line.
BURST_LINES = 10
_PENDING = "sesame.domain_lines"
_LISTENING = "sesame.domain_listening"


def mask_email(address: str) -> str:
    """`alice@example.com` → `a***@example.com`; something that is not an address → `***`."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not domain:
        return "***"
    return f"{local[:1]}***@{domain}"


def _address(p: dict[str, Any]) -> str:
    if p.get("email"):
        return mask_email(str(p["email"]))
    return f"address #{str(p.get('email_hash', ''))[:12]}"


def _confirmed(p: dict[str, Any]) -> str:
    return f"subscription confirmed: contact {p['contact_id']} on list {p['list_id']} (project {p['project_id']})"


def _unsubscribed(p: dict[str, Any]) -> str:
    return (
        f"unsubscribed: contact {p['contact_id']} from list {p['list_id']} "
        f"(project {p['project_id']}, via {p.get('source', '?')})"
    )


def _suppressed(p: dict[str, Any]) -> str:
    return f"address suppressed ({p.get('reason', '?')}): {_address(p)} (project {p['project_id']})"


def _paused(p: dict[str, Any]) -> str:
    what = "all sending" if p.get("pause_transactional") else "marketing"
    detail = f": {p['detail']}" if p.get("detail") else ""
    return f"project {p['project_id']} paused ({p.get('reason', '?')}, {what}){detail}"


def _resumed(p: dict[str, Any]) -> str:
    return f"project {p['project_id']} resumed by {p.get('by', '?')}"


# routing key → (what a burst of them is called, the line of one)
DESCRIBED: dict[str, tuple[str, Callable[[dict[str, Any]], str]]] = {
    "subscription.confirmed": ("subscriptions confirmed", _confirmed),
    "subscription.unsubscribed": ("unsubscribes", _unsubscribed),
    "suppression.added": ("addresses suppressed", _suppressed),
    "project.paused": ("project pauses", _paused),
    "project.resumed": ("project resumes", _resumed),
}


def describe(routing_key: str, payload: dict[str, Any]) -> str | None:
    """The line for one event, or None when this kind of event gets no line."""
    spec = DESCRIBED.get(routing_key)
    if spec is None:
        return None
    try:
        return spec[1](payload)
    except (KeyError, TypeError, AttributeError):
        return f"{routing_key} (payload without the expected fields)"


def log_published(messages: Iterable[tuple[str, str]]) -> None:
    """Log the described events among `(routing_key, payload JSON)` messages that were just published."""
    if not log.isEnabledFor(logging.INFO):
        return
    picked = [(rk, body) for rk, body in messages if rk in DESCRIBED]
    if not picked:
        return
    seen: Counter[str] = Counter()
    for rk, body in picked:
        seen[rk] += 1
        if seen[rk] > BURST_LINES:
            continue
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        line = describe(rk, payload) if isinstance(payload, dict) else f"{rk} (unreadable payload)"
        log.info("%s", line)
    for rk, n in seen.items():
        if n > BURST_LINES:
            log.info("… and %d more %s", n - BURST_LINES, DESCRIBED[rk][0])


def after_commit(session: AsyncSession, line: str) -> None:
    """Log `line` once this session's transaction commits; nothing when it rolls back."""
    if not log.isEnabledFor(logging.INFO):
        return
    info = session.info
    if not info.get(_LISTENING):
        info[_LISTENING] = True
        event.listen(session.sync_session, "after_commit", _emit)
        event.listen(session.sync_session, "after_rollback", _drop)
    info.setdefault(_PENDING, []).append(line)


def _emit(session: Session) -> None:
    for line in session.info.pop(_PENDING, ()):
        log.info("%s", line)


def _drop(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _quoted(name: str | None) -> str:
    name = name or ""
    return json.dumps(name if len(name) <= 60 else name[:59] + "…", ensure_ascii=False)


def campaign_started(
    session: AsyncSession, project_id: int, campaign_id: int, name: str | None, recipients: int
) -> None:
    """A campaign moved to `sending` and was fanned out (logged when that commits)."""
    after_commit(
        session,
        f"campaign {campaign_id} {_quoted(name)} started: {recipients} recipients (project {project_id})",
    )


def campaign_finished(
    session: AsyncSession, project_id: int, campaign_id: int, name: str | None, counts: dict[str, int]
) -> None:
    """A campaign has nothing left to send and is `sent`; `counts` are its messages by state."""
    parts = ", ".join(f"{n} {state}" for state, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n)
    after_commit(
        session,
        f"campaign {campaign_id} {_quoted(name)} finished (sent): {parts or 'no mail'} (project {project_id})",
    )


def import_finished(session: AsyncSession, imp: Any) -> None:
    """A contact import completed or failed (a ContactImport row, counters final)."""
    what = (
        f"{imp.rows_processed} rows: {imp.rows_imported} imported ({imp.contacts_created} new contacts, "
        f"{imp.subscriptions_created} new subscriptions), {imp.rows_duplicate} duplicates, {imp.rows_failed} refused"
    )
    error = f": {imp.error.splitlines()[0][:200]}" if imp.status == "failed" and imp.error else ""
    after_commit(
        session,
        f"import {imp.id} into list {imp.list_id} {imp.status}{error}; {what} (project {imp.project_id})",
    )
