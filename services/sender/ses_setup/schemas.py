"""What the SES setup's /v1/ses-account/… routes answer, as pydantic models (the OpenAPI document and the Python
client are typed from these). They mirror the `to_dict()` / `summary()` of connect.py, loop_check.py, report.py
and suppression_sync.py. Times are ISO 8601 strings in UTC.

The connect outcome and the last loop test are stored as JSON and read back, so their models give every field a
default and the routes answer with `response_model_exclude_unset`: a stored object comes back with exactly the
keys it was stored with (`{"status": "never_run"}` stays that)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AwsCallOut(BaseModel):
    service: str = Field(examples=["sns"])
    operation: str = Field(examples=["CreateTopic"])
    params: dict[str, Any] = Field(
        description="the call's parameters (message bodies left out)", examples=[{"Name": "sesame-1-bounces"}]
    )
    mutating: bool = Field(description="the call changes something in the AWS account")
    ok: bool
    error: str | None
    ms: float = Field(description="how long the call took, in milliseconds")


class ConnectStep(BaseModel):
    item: str = Field(examples=["SNS topic for bounces"])
    status: str = Field(
        description="ok | created | repaired | pending | drift | failed | info", examples=["created"]
    )
    detail: str
    fix: str | None
    tracking: bool = Field(False, description="about the open/click tracking sets")


class ConnectResultOut(BaseModel):
    mode: str = Field(description="configuration_set | identity", examples=["configuration_set"])
    identity: str = Field(examples=["example.com"])
    webhook_url: str
    configuration_set: str | None = Field(examples=["sesame-1"])
    tracking_sets: dict[str, str] = Field(
        default_factory=dict,
        description="the open/click tracking sets in place, by purpose",
        examples=[{"tracking": "sesame-1-tracking", "clicks": "sesame-1-clicks"}],
    )
    topics: dict[str, str] = Field(
        description="SNS topic ARN per feedback kind",
        examples=[{"bounce": "arn:aws:sns:eu-west-1:123456789012:sesame-1-bounces"}],
    )
    subscriptions: dict[str, str] = Field(description="the webhook's SNS subscription ARN per feedback kind")
    steps: list[ConnectStep]
    calls: list[AwsCallOut] = Field(description="every AWS call made, in order")
    dry_run: bool
    ok: bool = Field(description="no step failed, pending or drifting")
    mutating_calls: int


class SuppressionSyncOut(BaseModel):
    """One sync of the SES account-level suppression list with Sesame's (counts of addresses)."""

    ses_count: int = Field(description="addresses on the SES account list")
    sesame_count: int = Field(description="bounce/complaint suppressions in Sesame")
    imported: int = Field(description="taken from SES into Sesame")
    removed_in_sesame: int
    pushed: int = Field(description="written to the SES list (push enabled)")
    removed_in_ses: int
    still_on_ses: int = Field(description="removed in Sesame, but SES keeps blocking them (push off)")
    deferred: int = Field(description="remote changes left for the next run (cap or error)")
    error: str | None


class LoopItemOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "expect": "bounce",
                    "address": "bounce+sesame-loop-3f2a9c1b7d4e@simulator.amazonses.com",
                    "idempotency_key": "ses-loop:1:3f2a9c1b7d4e:bounce",
                    "message_id": 812,
                    "state": "received",
                    "sent_at": "2026-01-01T10:00:00+00:00",
                    "feedback_at": "2026-01-01T10:00:04+00:00",
                    "seconds": 4.2,
                    "detail": None,
                }
            ]
        }
    )

    expect: str = Field(description="delivery | bounce | complaint", examples=["bounce"])
    address: str = Field(examples=["bounce+sesame-loop-3f2a9c1b7d4e@simulator.amazonses.com"])
    idempotency_key: str
    message_id: int | None
    state: str = Field(description="requested | sent | failed | received | timeout", examples=["received"])
    sent_at: str | None
    feedback_at: str | None
    seconds: float | None = Field(description="from sending to the feedback's arrival")
    detail: str | None


class LoopResultOut(BaseModel):
    run_id: str = Field(examples=["3f2a9c1b7d4e"])
    project_id: int
    started_at: str
    items: list[LoopItemOut] = Field(description="one mail per simulator mailbox")
    waited_seconds: float
    ok: bool = Field(description="all three feedback events arrived")


class LoopTestOut(LoopResultOut):
    text: str = Field(description="the same, as the CLI prints it")


class LoopRunOut(BaseModel):
    """The last loop test as stored ({} when none ran yet)."""

    run_id: str | None = Field(None, examples=["3f2a9c1b7d4e"])
    project_id: int | None = None
    started_at: str | None = None
    items: list[LoopItemOut] | None = None
    waited_seconds: float | None = None
    ok: bool | None = Field(None, description="all three feedback events arrived")
    status: str | None = Field(None, description="running | done", examples=["done"])


class ConnectOutcomeOut(BaseModel):
    """The (last) connect run. `never_run` and `running` carry only `status` (and `started_at`), `failed` an
    `error`; `done` everything else."""

    status: str = Field(description="never_run | running | done | failed", examples=["done"])
    started_at: str | None = Field(None, description="running: when the background run began")
    at: str | None = Field(None, description="done / failed: when it finished")
    error: str | None = Field(None, description="failed: why")
    ok: bool | None = Field(None, description="connected (and, if asked, the feedback loop proven)")
    connect: ConnectResultOut | None = None
    suppression_import: SuppressionSyncOut | None = None
    suppression_error: str | None = None
    loop: LoopResultOut | None = Field(None, description="the loop test, when `prove_loop` was asked")
    followup: ConnectResultOut | None = Field(
        None, description="the second pass that turns e-mail feedback forwarding off once feedback is proven"
    )
    text: str | None = Field(None, description="the outcome as the CLI prints it")


class ConnectStarted(BaseModel):
    status: str = Field(examples=["running"])
    poll: str = Field(description="where the outcome appears", examples=["/v1/ses-account/connect"])


class LoopStarted(BaseModel):
    status: str = Field(examples=["running"])
    run_id: str = Field(examples=["3f2a9c1b7d4e"])
    poll: str = Field(
        description="where the result appears (`last_loop`)", examples=["/v1/ses-account/feedback"]
    )


class CheckOut(BaseModel):
    id: str = Field(examples=["dkim"])
    title: str = Field(examples=["DKIM signing"])
    status: str = Field(description="pass | warn | fail", examples=["pass"])
    detail: str
    fix: str | None
    group: str = Field(examples=["dns"])
    facts: dict[str, Any] = Field(description="what was measured (free-form)")


class ReadinessReportOut(BaseModel):
    project_id: int
    domain: str | None = Field(examples=["example.com"])
    region: str | None = Field(examples=["eu-west-1"])
    generated_at: str
    ready: bool = Field(description="no check fails")
    counts: dict[str, int] = Field(
        description="checks per status", examples=[{"pass": 14, "warn": 2, "fail": 0}]
    )
    checks: list[CheckOut] = Field(description="one per item of AWS's production-access checklist")
    aws_calls: list[AwsCallOut] = Field(description="the read-only AWS calls the report made")


class ReadinessOut(ReadinessReportOut):
    text: str = Field(description="the report as the CLI prints it")


class ProductionRequestOut(BaseModel):
    text: str = Field(description="the draft of the AWS production-access request")
    unverified: list[str] = Field(description="claims left as TODO in the draft, with the failing check")
    ready: bool
    report: ReadinessReportOut


class FeedbackSubscription(BaseModel):
    topic_arn: str
    status: str = Field(examples=["confirmed"])
    updated_at: str


class FeedbackOverviewOut(BaseModel):
    last_feedback_at: str | None = Field(description="when the newest bounce/complaint/delivery arrived")
    last_feedback_type: str | None = Field(examples=["delivery"])
    sent_last_window: int = Field(description="mails sent in the last `window_hours`")
    window_hours: float = Field(examples=[24.0])
    stalled: bool = Field(description="mail went out but no feedback came back in the window")
    stall_alerted_at: str | None
    connected_at: str | None
    last_loop: LoopRunOut | None
    subscriptions: list[FeedbackSubscription]


class SuppressionSettingsOut(BaseModel):
    push: bool = Field(description="Sesame's bounce/complaint suppressions are also written to the SES list")
