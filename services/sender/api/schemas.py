"""What the sender's /v1 routes answer, as pydantic models (the OpenAPI document and the Python client are typed
from these). Times are ISO 8601 strings in UTC."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.pagination import Page


class MessageOut(BaseModel):
    id: int
    kind: str = Field(description="transactional | marketing | notification", examples=["transactional"])
    state: str = Field(
        description="queued | sending | sent | failed | suppressed | delayed | cancelled | held",
        examples=["queued"],
    )
    to: str = Field(examples=["ada@example.com"])
    campaign_id: int | None
    contact_id: int | None
    template_id: int | None
    attempts: int
    last_error: str | None
    ses_message_id: str | None
    feedback: str | None = Field(
        description="delivered | bounced | complained | rejected, the strongest seen"
    )
    send_after: str | None
    sent_at: str | None
    created_at: str | None


class Progress(BaseModel):
    counts: dict[str, int] = Field(description="messages per state", examples=[{"queued": 0, "sent": 120}])
    feedback: dict[str, int] = Field(description="messages per feedback", examples=[{"delivered": 118}])
    total: int


class CanarySample(BaseModel):
    sent: int
    bounced: int = Field(description="counted (hard) bounces the events service recorded for the sample")
    complained: int
    bounce_rate: float
    complaint_rate: float


class CanaryOut(BaseModel):
    mode: str = Field(description="auto | on | off", examples=["auto"])
    state: str | None = Field(
        description="null (no canary) | sampling | waiting | released | held", examples=["waiting"]
    )
    size: int = Field(description="recipients in the random sample sent first")
    window_seconds: int | None = Field(description="the campaign's own feedback window (null: the project's)")
    until: str | None = Field(description="when the feedback window ends")
    reason: str | None
    sample: CanarySample | None = Field(None, description="the sample's figures while the rest is held")


class CanaryPolicyOut(BaseModel):
    """How the canary picks and judges this project's campaigns (the sender's SESAME_SENDER_CANARY_* settings and
    the project's own feedback window)."""

    sample_percent: float = Field(
        description="share of the recipients sent first as the random sample, in percent", examples=[5.0]
    )
    sample_min: int = Field(
        description="smallest sample; a campaign of no more recipients than this has no canary",
        examples=[200],
    )
    sample_max: int = Field(description="largest sample", examples=[2000])
    window_seconds: int = Field(
        description="feedback window of this project's campaigns that set none of their own", examples=[1800]
    )
    window_source: Literal["project", "default"] = Field(
        description="project (the project's `canary_window_seconds` setting) | default (the sender's)",
        examples=["default"],
    )
    default_window_seconds: int = Field(description="the sender's default feedback window", examples=[1800])
    lookback_days: int = Field(
        description="`canary: auto` samples a campaign larger than the most mail the project sent in one day "
        "over this many days",
        examples=[7],
    )


class CampaignOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: int
    name: str = Field(examples=["October newsletter"])
    status: str = Field(
        description="draft | scheduled | sending | paused | canary_hold | sent | cancelled",
        examples=["draft"],
    )
    list_ids: list[int]
    template_id: int | None
    subject: str | None
    html: str | None = Field(
        None, description="GET one and PATCH: the campaign's own HTML body (no template)"
    )
    text: str | None = Field(
        None, description="GET one and PATCH: the campaign's own text body (no template)"
    )
    from_: str | None = Field(alias="from", serialization_alias="from")
    reply_to: str | None
    track_opens: bool | None = Field(None, description="open tracking; null: the project's setting")
    track_clicks: bool | None = Field(None, description="click tracking; null: the project's setting")
    send_at: str | None
    recipients: int | None
    fanout_at: str | None
    finished_at: str | None
    created_at: str | None
    progress: Progress | None = Field(None, description="counts per state (GET one, or `progress=true`)")
    requeued: int | None = Field(None, description="retry-failed only: messages queued again")
    canary: CanaryOut | None = None
    released: int | None = Field(None, description="release only: held messages queued")


class TemplateOut(BaseModel):
    id: int
    name: str = Field(examples=["Welcome"])
    subject: str = Field(examples=["Welcome, {{ first_name|default('friend') }}"])
    html: str | None
    text: str | None
    version: int
    created_at: str | None
    updated_at: str | None


class RenderOut(BaseModel):
    subject: str
    html: str | None
    text: str | None
    unsubscribe_link_added: bool = Field(description="marketing mail without a link of its own gets a footer")


class CaptureOut(BaseModel):
    id: int
    ses_message_id: str | None
    message_id: int | None
    to: str
    from_: str | None = Field(alias="from", serialization_alias="from")
    subject: str | None
    simulator_outcome: str | None
    kind: str | None
    campaign_id: int | None
    created_at: str | None
    raw: str | None = Field(None, description="the whole MIME message (GET one only)")


class CampaignPage(Page[CampaignOut]):
    campaigns: list[CampaignOut] | None = Field(None, deprecated=True, description="old name of `data`")
    next_before_id: int | None = Field(None, deprecated=True, description="old paging: use `next_cursor`")


class TemplatePage(Page[TemplateOut]):
    templates: list[TemplateOut] | None = Field(None, deprecated=True, description="old name of `data`")


class MessagePage(Page[MessageOut]):
    messages: list[MessageOut] | None = Field(None, deprecated=True, description="old name of `data`")
    next_before_id: int | None = Field(None, deprecated=True, description="old paging: use `next_cursor`")


class CapturePage(Page[CaptureOut]):
    messages: list[CaptureOut] | None = Field(None, deprecated=True, description="old name of `data`")
    next_before_id: int | None = Field(None, deprecated=True, description="old paging: use `next_cursor`")


class CredentialsOut(BaseModel):
    mode: str = Field(
        description="keys | chain (the process's default AWS credential chain)", examples=["keys"]
    )
    access_key_id: str | None = Field(description="masked; null in chain mode", examples=["AKIA…WXYZ"])


class AccountQuota(BaseModel):
    max_send_rate: float | None = Field(description="mails per second SES allows", examples=[14.0])
    max_24h_send: float | None = Field(description="mails per 24 hours SES allows", examples=[50000.0])
    sent_last_24h: float | None = Field(description="as SES reported it at `read_at`")
    sent_since_read: int = Field(description="sent by Sesame since the quota was read")
    read_at: str | None
    source: str | None = Field(description="where the figures came from (e.g. sesv2)")


class WarmupOut(BaseModel):
    enabled: bool
    step: int = Field(description="the warm-up schedule's current step (daily cap grows with it)")
    step_at: str | None
    sent_today: int
    blocked_at: str | None = Field(
        description="a due step held back because the project's rates were at or over a warn threshold"
    )
    blocked_reason: str | None


class SesAccountOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    region: str = Field(examples=["eu-west-1"])
    credentials: CredentialsOut
    configuration_set: str | None = Field(examples=["sesame-1"])
    from_: str | None = Field(alias="from", serialization_alias="from", examples=["News <news@example.com>"])
    quota: AccountQuota
    sending_enabled: bool = Field(description="SES's own switch for the account")
    production_access: bool | None = Field(description="false: the account is in the SES sandbox")
    enforcement_status: str | None = Field(examples=["HEALTHY"])
    warmup: WarmupOut
    last_error: str | None
    updated_at: str | None


class WaitingCounts(BaseModel):
    queued: int
    sending: int
    delayed: int


class SendingQuota(BaseModel):
    max_send_rate: float | None = Field(examples=[14.0])
    max_24h_send: float | None = Field(examples=[50000.0])
    sent_last_24h: float = Field(description="SES's figure at `read_at` plus what Sesame sent since")
    read_at: str | None


class SendingOut(BaseModel):
    mode: str = Field(description="ses | sandbox (no SES account: mail is captured)", examples=["ses"])
    marketing_paused: bool
    transactional_paused: bool
    pause_reason: str | None = Field(examples=["ses_account"])
    pause_detail: str | None
    waiting: WaitingCounts = Field(description="messages not sent yet, per state")
    quota: SendingQuota | None = Field(description="null in sandbox mode")


class SendingResumed(SendingOut):
    resumed_at: str


def legacy_page(items: list[Any], next_id: int | None, cursor: str | None, key: str) -> dict[str, Any]:
    """The page in the contract's shape plus, for one release, the old keys (`key`, `next_before_id`)."""
    return {"data": items, "next_cursor": cursor, key: items, "next_before_id": next_id}
