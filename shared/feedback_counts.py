"""The feedback that counts toward a project's rates: its counted hard bounces and complaints since a moment.

The events service's guard and the sender's warm-up gate judge the same figures, so they read them the same way.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models.events import EmailEvent


async def counted_feedback(session: AsyncSession, project_id: int, since: datetime) -> tuple[int, int]:
    """(bounces, complaints) recorded for `project_id` since `since` that count in the reputation rates."""
    rows = (
        await session.execute(
            sa.select(EmailEvent.event_type, sa.func.count())
            .where(
                EmailEvent.project_id == project_id,
                EmailEvent.counted.is_(True),
                EmailEvent.created_at >= since,
                EmailEvent.event_type.in_(("bounce", "complaint")),
            )
            .group_by(EmailEvent.event_type)
        )
    ).all()
    counts = {str(t): int(n) for t, n in rows}
    return counts.get("bounce", 0), counts.get("complaint", 0)
