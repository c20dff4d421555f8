"""The reputation guard's thresholds as every service reads them: a project's own (project_guards) over the
defaults. The defaults are the events service's settings (prefix SESAME_EVENTS_), read here from the same
environment so the sender's canary and warm-up gate judge with the very numbers the guard uses."""

from __future__ import annotations

import sqlalchemy as sa
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from shared.models.events import ProjectGuard

THRESHOLDS = ("warn_bounce_rate", "warn_complaint_rate", "pause_bounce_rate", "pause_complaint_rate")
DEFAULTS = {
    "warn_bounce_rate": 0.02,
    "warn_complaint_rate": 0.001,
    "pause_bounce_rate": 0.04,
    "pause_complaint_rate": 0.003,
}


class GuardDefaults(BaseSettings):
    """The guard's default thresholds (documented with the events service's settings, which own them)."""

    model_config = SettingsConfigDict(
        env_prefix="SESAME_EVENTS_", env_file=None, extra="ignore", case_sensitive=False
    )

    warn_bounce_rate: float = Field(DEFAULTS["warn_bounce_rate"])
    warn_complaint_rate: float = Field(DEFAULTS["warn_complaint_rate"])
    pause_bounce_rate: float = Field(DEFAULTS["pause_bounce_rate"])
    pause_complaint_rate: float = Field(DEFAULTS["pause_complaint_rate"])


async def project_thresholds(
    session: AsyncSession, project_id: int, defaults: GuardDefaults | None = None
) -> tuple[dict[str, float], str]:
    """(warn / pause thresholds of the project, its guard state: ok | warning | paused)."""
    d = defaults or GuardDefaults()
    row = (
        await session.execute(sa.select(ProjectGuard).where(ProjectGuard.project_id == project_id))
    ).scalar_one_or_none()
    out = {}
    for k in THRESHOLDS:
        own = getattr(row, k) if row is not None else None
        out[k] = float(own) if own is not None else float(getattr(d, k))
    return out, (row.state if row is not None else "ok")
