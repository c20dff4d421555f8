"""The one suppression check every service uses: by project and `email_hash`, so erased contacts stay suppressed.

The subscriptions service owns the `suppressions` table; the sender calls these before fan-out and before each send.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.email_address import InvalidEmail, email_hash, normalize_email
from shared.models.subscriptions import Suppression


def address_hash(raw: str) -> str:
    """The suppression hash of any address string (normalised when valid, else trimmed and lower-cased)."""
    try:
        return email_hash(normalize_email(raw))
    except InvalidEmail:
        return email_hash(raw.strip())


def suppressed_clause(project_id: Any, email_hash_column: Any) -> sa.ColumnElement[bool]:
    """SQL `EXISTS` that is true when the row's hash is suppressed for the project (use `~` to exclude).

    e.g. `select(Contact).where(~suppressed_clause(Contact.project_id, Contact.email_hash))`.
    """
    return (
        sa.select(sa.literal(1))
        .where(Suppression.project_id == project_id, Suppression.email_hash == email_hash_column)
        .exists()
    )


async def suppressed_hashes(session: AsyncSession, project_id: int, hashes: Iterable[str]) -> set[str]:
    """Which of `hashes` are suppressed for the project (looked up in chunks)."""
    wanted = list(dict.fromkeys(hashes))
    found: set[str] = set()
    for i in range(0, len(wanted), 1000):
        chunk = wanted[i : i + 1000]
        rows = await session.scalars(
            sa.select(Suppression.email_hash).where(
                Suppression.project_id == project_id, Suppression.email_hash.in_(chunk)
            )
        )
        found.update(rows)
    return found


async def is_suppressed(session: AsyncSession, project_id: int, email: str) -> bool:
    """True when the address (any spelling) is on the project's suppression list."""
    return bool(await suppressed_hashes(session, project_id, [address_hash(email)]))
