"""Project-wide state changes (the reputation guard, SES account state)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from shared.contracts import Contract


class ProjectPaused(Contract):
    ROUTING_KEY = "project.paused"
    project_id: int
    reason: Literal["bounce_rate", "complaint_rate", "ses_account", "operator"]
    detail: str
    # What stops: marketing always; transactional only if the project is configured so.
    pause_transactional: bool = False
    at: datetime


class ProjectResumed(Contract):
    ROUTING_KEY = "project.resumed"
    project_id: int
    by: str
    at: datetime
