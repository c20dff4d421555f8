"""Campaign lifecycle, published by the sender through its outbox."""

from __future__ import annotations

from datetime import datetime

from shared.contracts import Contract


class CampaignStarted(Contract):
    """The campaign's fan-out committed: `recipients` messages are queued."""

    ROUTING_KEY = "campaign.started"
    project_id: int
    campaign_id: int
    name: str
    recipients: int
    at: datetime


class CampaignFinished(Contract):
    """No message of the campaign is left to send; `counts` = messages per final state."""

    ROUTING_KEY = "campaign.finished"
    project_id: int
    campaign_id: int
    name: str
    counts: dict[str, int] = {}
    at: datetime
