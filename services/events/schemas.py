"""What the events service's /v1 routes answer, as pydantic models (typed OpenAPI document and client)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.pagination import Page


class EventOut(BaseModel):
    id: int
    type: str = Field(
        description="send | reject | bounce | complaint | delivery | delivery_delay | open | click | …"
    )
    email: str | None = Field(description="null once the contact was erased", examples=["ada@example.com"])
    ses_message_id: str | None
    message_id: int | None
    bounce_type: str | None = Field(examples=["Permanent"])
    bounce_subtype: str | None
    feedback_type: str | None
    suppressed: bool | None
    soft_bounce: bool | None
    counted: bool | None
    diagnostic: str | None
    detail: dict | list | str | None = Field(description="the notification's own details, as SES sent them")
    occurred_at: str
    received_at: str


class EventPage(Page[EventOut]):
    events: list[EventOut] | None = Field(None, deprecated=True, description="old name of `data`")
    next_before: int | None = Field(None, deprecated=True, description="old paging: use `next_cursor`")


# ---------------------------------------------------------------- feedback endpoint


class SnsSubscriptionOut(BaseModel):
    topic_arn: str = Field(examples=["arn:aws:sns:eu-west-1:123456789012:sesame-1-bounces"])
    status: str = Field(
        description="pending | confirmed | …, as the SNS handshake left it", examples=["confirmed"]
    )
    detail: str | None
    updated_at: str


class FeedbackEndpointOut(BaseModel):
    url: str = Field(
        description="the project's secret SNS webhook URL: subscribe the SES feedback topics to it",
        examples=["https://sesame.example.com/webhooks/sns/3q2-kR1x…"],
    )
    token: str = Field(description="the secret part of the URL (rotate it to revoke the old URL)")
    allowed_topic_arns: list[str] = Field(
        description="topics whose notifications are accepted (besides those Sesame subscribed itself)"
    )
    subscriptions: list[SnsSubscriptionOut]


# ---------------------------------------------------------------- reputation and guard


class WindowRatesOut(BaseModel):
    window: str = Field(examples=["24h"])
    sent: int
    hard_bounces: int
    complaints: int
    bounce_rate: float | None = Field(
        description="hard bounces / sent; null below `min_volume` sends (too little volume to say)",
        examples=[0.012],
    )
    complaint_rate: float | None = Field(
        description="complaints / sent; null below `min_volume`", examples=[0.0]
    )


class GuardThresholds(BaseModel):
    """The effective thresholds (the project's own, else the service defaults), as fractions of sent mail."""

    warn_bounce_rate: float = Field(examples=[0.04])
    warn_complaint_rate: float = Field(examples=[0.0008])
    pause_bounce_rate: float = Field(examples=[0.08])
    pause_complaint_rate: float = Field(examples=[0.002])


class GuardBrief(BaseModel):
    state: str = Field(description="ok | warning | paused", examples=["ok"])
    thresholds: GuardThresholds


class ReputationBucketOut(BaseModel):
    hour: str = Field(description="start of the hour (UTC)", examples=["2026-01-01T10:00:00+00:00"])
    sent: int
    delivered: int
    hard_bounces: int
    soft_bounces: int
    complaints: int
    rejects: int


class ReputationSeries(BaseModel):
    span: str = Field(examples=["7d"])
    buckets: list[ReputationBucketOut] = Field(
        description="oldest first; hours without activity are left out"
    )


class ReputationOut(BaseModel):
    project_id: int
    min_volume: int = Field(description="sends a window needs before it has a rate")
    windows: dict[str, WindowRatesOut] = Field(
        description="rolling rates per window (`24h`, `7d`)",
        examples=[
            {
                w: {
                    "window": w,
                    "sent": n,
                    "hard_bounces": b,
                    "complaints": 0,
                    "bounce_rate": r,
                    "complaint_rate": 0.0,
                }
                for w, n, b, r in (("24h", 1200, 6, 0.005), ("7d", 8400, 50, 0.005952))
            }
        ],
    )
    guard: GuardBrief
    series: ReputationSeries | None = Field(None, description="hourly buckets, only with `?series=`")


class GuardAssessment(BaseModel):
    level: str = Field(description="what the rates say now: ok | warning | paused", examples=["ok"])
    detail: str = Field(examples=["rates within thresholds"])
    windows: list[WindowRatesOut]


class GuardPolicy(BaseModel):
    soft_bounce_threshold: int = Field(description="soft bounces in the window that suppress an address")
    soft_bounce_window_days: int
    digest: str = Field(description="off | immediate | hourly | daily", examples=["daily"])


class GuardOut(BaseModel):
    state: str = Field(
        description="ok | warning | paused (only an explicit resume leaves paused)", examples=["ok"]
    )
    reason: str | None = Field(description="why the state last changed")
    state_changed_at: str | None
    crossings: int = Field(description="threshold crossings so far (one owner mail each)")
    resumed_by: str | None = Field(examples=["api"])
    guard_since: str | None = Field(description="rates count from here (the last resume)")
    thresholds: GuardThresholds
    pause_transactional: bool = Field(description="a pause also holds transactional mail")
    min_volume: int
    current: GuardAssessment
    policy: GuardPolicy
