"""One-step connect: SNS topics → webhook subscription (confirmed, raw delivery off) → SES feedback wiring.

Idempotent by construction: every step reads the current state first and only calls a mutating API for what
differs. `dry_run=True` reads and reports the drift without changing anything (the readiness report uses it).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from services.sender.ses_setup.aws import AwsError, AwsSession, is_not_found

log = logging.getLogger("sesame.ses_setup.connect")

KINDS = ("bounce", "complaint", "delivery")
PLURAL = {"bounce": "bounces", "complaint": "complaints", "delivery": "deliveries"}
V1_TYPE = {"bounce": "Bounce", "complaint": "Complaint", "delivery": "Delivery"}
# Configuration-set event types per topic; rejects and rendering failures travel with bounces.
EVENT_TYPES = {
    "bounce": ["BOUNCE", "REJECT", "RENDERING_FAILURE"],
    "complaint": ["COMPLAINT"],
    "delivery": ["DELIVERY"],
}
# Tracking sets: the feedback destinations of the project's set, the delivery one also publishing these (SES adds
# the open pixel / rewrites links only for mail sent with a set that has an OPEN / CLICK destination).
TRACKING_SETS = {"tracking": ["OPEN", "CLICK"], "clicks": ["CLICK"]}
SES_PUBLISH_SID = "AllowSesPublishFromThisAccount"
Mode = Literal["configuration_set", "identity"]
StepStatus = Literal["ok", "created", "repaired", "pending", "drift", "failed", "info"]


@dataclass
class ConnectOptions:
    project_id: int
    identity: str  # the sending domain (or address) verified in SES
    webhook_url: str  # the events service's per-project SNS endpoint
    mode: Mode = "configuration_set"
    configuration_set: str | None = None  # None: the identity's default set, else sesame-<project>
    topic_prefix: str | None = None  # None: sesame-<project>
    confirm_timeout: float = 90.0
    poll_interval: float = 2.0
    # Turn e-mail feedback forwarding off (identity mode) only once SNS feedback is known to flow.
    feedback_flowing: bool = False
    # Open / click tracking through SES (configuration-set mode): also keep `<set>-tracking` and `<set>-clicks`.
    tracking: bool = True
    dry_run: bool = False

    @property
    def prefix(self) -> str:
        return self.topic_prefix or f"sesame-{self.project_id}"


@dataclass
class Step:
    item: str
    status: StepStatus
    detail: str
    fix: str | None = None
    tracking: bool = False  # about the open/click tracking sets (the readiness report shows them apart)


@dataclass
class ConnectResult:
    mode: Mode
    identity: str
    webhook_url: str
    configuration_set: str | None = None
    # {"tracking": set with OPEN+CLICK, "clicks": set with CLICK} when tracking is on and they are in place
    tracking_sets: dict[str, str] = field(default_factory=dict)
    topics: dict[str, str] = field(default_factory=dict)
    subscriptions: dict[str, str] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not any(s.status in ("failed", "pending", "drift") for s in self.steps)

    @property
    def mutating_calls(self) -> int:
        return sum(1 for c in self.calls if c["mutating"])

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ok"] = self.ok
        d["mutating_calls"] = self.mutating_calls
        return d

    def render(self) -> str:
        lines = [
            f"SES connect ({'dry run, ' if self.dry_run else ''}{self.mode} mode) for {self.identity}",
            f"  webhook: {self.webhook_url}",
        ]
        for s in self.steps:
            lines.append(f"  [{s.status.upper():8}] {s.item}: {s.detail}")
            if s.fix:
                lines.append(f"             fix: {s.fix}")
        lines.append(f"AWS calls ({len(self.calls)}, {self.mutating_calls} changing; * = changes something):")
        for c in self.calls:
            shown = ", ".join(f"{k}={_short(v)}" for k, v in c["params"].items())
            err = f"  -> {c['error']}" if not c["ok"] else ""
            lines.append(f"  {'*' if c['mutating'] else ' '} {c['service']}:{c['operation']}({shown}){err}")
        lines.append("result: " + ("connected" if self.ok else "NOT complete — see the steps above"))
        return "\n".join(lines)


def _short(v: Any) -> str:
    s = v if isinstance(v, str) else repr(v)
    return s if len(s) <= 100 else s[:97] + "..."


def _flag(value: Any) -> bool:
    """SNS returns attribute booleans as "true"/"false" strings (moto sometimes as real booleans)."""
    return value is True or str(value).lower() == "true"


class _Connector:
    def __init__(self, aws: AwsSession, opts: ConnectOptions, result: ConnectResult) -> None:
        self.aws, self.opts, self.r = aws, opts, result

    def step(self, item: str, status: StepStatus, detail: str, fix: str | None = None) -> None:
        self.r.steps.append(Step(item, status, detail, fix))

    async def mutate(self, service: str, operation: str, **params: Any) -> dict[str, Any] | None:
        """A changing call, skipped (None) in a dry run."""
        if self.opts.dry_run:
            return None
        return await self.aws.call(service, operation, **params)

    # --- SNS topics -------------------------------------------------------------------------------------------
    async def topics(self) -> None:
        existing: dict[str, str] = {}
        token: str | None = None
        while True:
            resp = await self.aws.call("sns", "ListTopics", **({"NextToken": token} if token else {}))
            for t in resp.get("Topics", []):
                existing[t["TopicArn"].rsplit(":", 1)[-1]] = t["TopicArn"]
            token = resp.get("NextToken")
            if not token:
                break
        for kind in KINDS:
            name = f"{self.opts.prefix}-{PLURAL[kind]}"
            if name in existing:
                self.r.topics[kind] = existing[name]
                self.step(f"topic {kind}", "ok", existing[name])
                continue
            created = await self.mutate("sns", "CreateTopic", Name=name)
            if created is None:
                self.step(
                    f"topic {kind}", "drift", f"SNS topic {name} does not exist", "run `sesame ses connect`"
                )
                continue
            self.r.topics[kind] = created["TopicArn"]
            self.step(f"topic {kind}", "created", created["TopicArn"])
        for kind, arn in self.r.topics.items():
            await self._publish_policy(
                kind,
                arn,
                fresh=any(st.item == f"topic {kind}" and st.status == "created" for st in self.r.steps),
            )

    async def _publish_policy(self, kind: str, arn: str, *, fresh: bool) -> None:
        """SES may only publish to the topic when its access policy allows the SES service principal."""
        attrs = (await self.aws.call("sns", "GetTopicAttributes", TopicArn=arn)).get("Attributes", {})
        try:
            policy = json.loads(attrs.get("Policy") or "{}")
        except ValueError:
            policy = {}
        statements = [st for st in policy.get("Statement", []) if isinstance(st, dict)]
        if any(st.get("Sid") == SES_PUBLISH_SID and st == _ses_statement(arn) for st in statements):
            return
        policy = {
            "Version": policy.get("Version", "2012-10-17"),
            "Id": policy.get("Id", "sesame-topic-policy"),
            "Statement": [st for st in statements if st.get("Sid") != SES_PUBLISH_SID]
            + [_ses_statement(arn)],
        }
        done = await self.mutate(
            "sns",
            "SetTopicAttributes",
            TopicArn=arn,
            AttributeName="Policy",
            AttributeValue=json.dumps(policy),
        )
        if done is None:
            self.step(
                f"topic {kind}", "drift", "topic policy does not let SES publish", "run `sesame ses connect`"
            )
        else:
            what = "topic policy lets SES (this account only) publish"
            self.step(f"topic {kind}", "created" if fresh else "repaired", what)

    # --- webhook subscriptions ----------------------------------------------------------------------------------
    async def _subscriptions_of(self, topic_arn: str) -> list[dict[str, Any]]:
        subs: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"TopicArn": topic_arn}
            if token:
                params["NextToken"] = token
            resp = await self.aws.call("sns", "ListSubscriptionsByTopic", **params)
            subs.extend(resp.get("Subscriptions", []))
            token = resp.get("NextToken")
            if not token:
                return subs

    async def subscriptions(self) -> None:
        protocol = urlsplit(self.opts.webhook_url).scheme
        for kind, topic_arn in self.r.topics.items():
            subs = await self._subscriptions_of(topic_arn)
            mine = [
                s
                for s in subs
                if s.get("Endpoint") == self.opts.webhook_url and s.get("Protocol") == protocol
            ]
            # Our own topics subscribed to an older webhook URL of this Sesame (the token was rotated): that
            # endpoint answers 404 now, so the subscription only produces failed deliveries. Remove it.
            base = self.opts.webhook_url.rsplit("/", 1)[0] + "/"
            for stray in subs:
                endpoint = str(stray.get("Endpoint"))
                if endpoint == self.opts.webhook_url or not endpoint.startswith(base):
                    continue
                arn = stray.get("SubscriptionArn", "PendingConfirmation")
                if arn == "PendingConfirmation":
                    self.step(
                        f"subscription {kind}", "info", f"old endpoint {endpoint} pending (expires by itself)"
                    )
                    continue
                done = await self.mutate("sns", "Unsubscribe", SubscriptionArn=arn)
                status: StepStatus = "drift" if done is None else "repaired"
                self.step(
                    f"subscription {kind}",
                    status,
                    f"stale subscription to an old endpoint {endpoint} removed",
                )
            if mine and mine[0]["SubscriptionArn"] != "PendingConfirmation":
                self.r.subscriptions[kind] = mine[0]["SubscriptionArn"]
                continue
            if mine and self.opts.dry_run:
                self.r.subscriptions[kind] = "PendingConfirmation"  # reported as pending below
                continue
            # Missing, or pending from an earlier run (its confirmation was lost or refused): Subscribe
            # again — SNS keeps one subscription and sends a fresh confirmation request.
            resp = await self.mutate(
                "sns",
                "Subscribe",
                TopicArn=topic_arn,
                Protocol=protocol,
                Endpoint=self.opts.webhook_url,
                Attributes={"RawMessageDelivery": "false"},
                ReturnSubscriptionArn=True,
            )
            if resp is None:
                self.step(
                    f"subscription {kind}", "drift", "webhook not subscribed", "run `sesame ses connect`"
                )
                continue
            self.r.subscriptions[kind] = resp["SubscriptionArn"]
            if mine:
                self.step(f"subscription {kind}", "repaired", "was pending: confirmation requested again")
            else:
                self.step(f"subscription {kind}", "created", f"{protocol} → {self.opts.webhook_url}")

    async def _pending(self, kind: str) -> tuple[bool, dict[str, Any]]:
        arn = self.r.subscriptions[kind]
        if arn == "PendingConfirmation":  # subscribed earlier without ReturnSubscriptionArn: find it again
            for s in await self._subscriptions_of(self.r.topics[kind]):
                if (
                    s.get("Endpoint") == self.opts.webhook_url
                    and s["SubscriptionArn"] != "PendingConfirmation"
                ):
                    self.r.subscriptions[kind] = arn = s["SubscriptionArn"]
                    break
            else:
                return True, {}
        try:
            attrs = (await self.aws.call("sns", "GetSubscriptionAttributes", SubscriptionArn=arn))[
                "Attributes"
            ]
        except AwsError as exc:
            if is_not_found(exc):
                return True, {}
            raise
        return _flag(attrs.get("PendingConfirmation", "false")), attrs

    async def confirm_and_check(self) -> None:
        kinds = [k for k in KINDS if k in self.r.subscriptions]
        attrs: dict[str, dict[str, Any]] = {}
        deadline = time.monotonic() + (0 if self.opts.dry_run else self.opts.confirm_timeout)
        waiting = list(kinds)
        while True:
            still: list[str] = []
            for kind in waiting:
                pending, a = await self._pending(kind)
                if pending:
                    still.append(kind)
                else:
                    attrs[kind] = a
            waiting = still
            if not waiting or time.monotonic() >= deadline:
                break
            await asyncio.sleep(self.opts.poll_interval)
        for kind in waiting:
            self.step(
                f"subscription {kind}",
                "pending",
                "SNS has not confirmed the webhook subscription",
                f"check that {self.opts.webhook_url} is reachable from AWS (public HTTPS, the topic allowed by the "
                "events service), then run `sesame ses connect` again",
            )
        for kind in kinds:
            if kind not in attrs:
                continue
            if _flag(attrs[kind].get("RawMessageDelivery", "false")):
                done = await self.mutate(
                    "sns",
                    "SetSubscriptionAttributes",
                    SubscriptionArn=self.r.subscriptions[kind],
                    AttributeName="RawMessageDelivery",
                    AttributeValue="false",
                )
                if done is None:
                    self.step(
                        f"subscription {kind}",
                        "drift",
                        "raw message delivery is ON",
                        "run `sesame ses connect`",
                    )
                else:
                    self.step(f"subscription {kind}", "repaired", "raw message delivery turned off")
            elif not any(s.item == f"subscription {kind}" and s.status == "created" for s in self.r.steps):
                self.step(f"subscription {kind}", "ok", "confirmed, raw message delivery off")
            else:
                self.step(f"subscription {kind}", "ok", "confirmed by the events service")

    # --- identity notifications (SES v1) --------------------------------------------------------------------
    async def link_identity(self) -> None:
        ident = self.opts.identity
        resp = await self.aws.call("ses", "GetIdentityNotificationAttributes", Identities=[ident])
        attrs = resp.get("NotificationAttributes", {}).get(ident)
        if attrs is None:
            self.step(
                "identity",
                "failed",
                f"{ident} is not an identity of this SES account",
                f"verify it: aws sesv2 create-email-identity --email-identity {ident}",
            )
            return
        for kind in KINDS:
            want = self.r.topics.get(kind)
            if not want:
                continue
            have = attrs.get(f"{V1_TYPE[kind]}Topic")
            if have == want:
                self.step(f"identity {kind} topic", "ok", want)
                continue
            done = await self.mutate(
                "ses",
                "SetIdentityNotificationTopic",
                Identity=ident,
                NotificationType=V1_TYPE[kind],
                SnsTopic=want,
            )
            if done is None:
                self.step(
                    f"identity {kind} topic",
                    "drift",
                    f"{V1_TYPE[kind]} notifications go to {have or 'nowhere'}",
                    "run `sesame ses connect`",
                )
            else:
                self.step(f"identity {kind} topic", "repaired" if have else "created", want)
        forwarding = _flag(attrs.get("ForwardingEnabled", True))
        if not forwarding:
            self.step("email forwarding", "ok", "feedback e-mail forwarding is off (SNS carries it)")
        elif self.opts.feedback_flowing and all(self.r.topics.get(k) for k in ("bounce", "complaint")):
            done = await self.mutate(
                "ses", "SetIdentityFeedbackForwardingEnabled", Identity=ident, ForwardingEnabled=False
            )
            status: StepStatus = "drift" if done is None else "repaired"
            self.step("email forwarding", status, "turned off: SNS feedback is flowing")
        else:
            self.step(
                "email forwarding",
                "info",
                "stays on until SNS feedback is proven (run the loop test, then connect again)",
            )

    # --- configuration set event destinations (SESv2) --------------------------------------------------------
    async def link_configuration_set(self) -> None:
        ident = self.opts.identity
        try:
            identity = await self.aws.call("sesv2", "GetEmailIdentity", EmailIdentity=ident)
        except AwsError as exc:
            if not is_not_found(exc):
                raise
            self.step(
                "identity",
                "failed",
                f"{ident} is not an identity of this SES account",
                f"verify it: aws sesv2 create-email-identity --email-identity {ident}",
            )
            return
        current_default = identity.get("ConfigurationSetName")
        name = self.opts.configuration_set or current_default or f"sesame-{self.opts.project_id}"
        self.r.configuration_set = name
        if not await self.configuration_set(name, "configuration set", {}):
            return
        await self.tracking_sets(name)
        await self.default_set(ident, name, current_default)

    async def tracking_sets(self, base: str) -> None:
        first = len(self.r.steps)
        try:
            await self._tracking_sets(base)
        finally:
            for s in self.r.steps[first:]:
                s.tracking = True

    async def _tracking_sets(self, base: str) -> None:
        if not self.opts.tracking:
            self.step(
                "tracking", "info", "off: opens and clicks are not tracked (no tracking configuration sets)"
            )
            return
        for role, extra in TRACKING_SETS.items():
            set_name = f"{base[: 63 - len(role)]}-{role}"
            if await self.configuration_set(set_name, f"{role} configuration set", {"delivery": extra}):
                self.r.tracking_sets[role] = set_name
        if len(self.r.tracking_sets) == len(TRACKING_SETS):
            self.step(
                "tracking",
                "ok",
                f"opens and clicks tracked by SES for mail sent with {self.r.tracking_sets['tracking']} "
                f"(clicks only: {self.r.tracking_sets['clicks']}); marketing mail on by default",
            )

    async def configuration_set(self, name: str, label: str, extra: dict[str, list[str]]) -> bool:
        """The set exists and publishes the feedback topics (plus `extra` event types per topic kind)."""
        try:
            await self.aws.call("sesv2", "GetConfigurationSet", ConfigurationSetName=name)
            self.step(label, "ok", name)
        except AwsError as exc:
            if not is_not_found(exc):
                raise
            done = await self.mutate("sesv2", "CreateConfigurationSet", ConfigurationSetName=name)
            if done is None:
                self.step(label, "drift", f"{name} does not exist", "run `sesame ses connect`")
                return False
            self.step(label, "created", name)
        await self.event_destinations(name, extra)
        return True

    async def event_destinations(self, name: str, extra: dict[str, list[str]]) -> None:
        where = "" if not extra else f" of {name}"
        try:
            resp = await self.aws.call(
                "sesv2", "GetConfigurationSetEventDestinations", ConfigurationSetName=name
            )
            existing = {d["Name"]: d for d in resp.get("EventDestinations", [])}
        except AwsError as exc:
            if not (is_not_found(exc) and self.opts.dry_run):
                raise
            existing = {}
        for kind in KINDS:
            topic = self.r.topics.get(kind)
            if not topic:
                continue
            dest_name = f"sesame-{PLURAL[kind]}"
            want = {
                "Enabled": True,
                "MatchingEventTypes": EVENT_TYPES[kind] + extra.get(kind, []),
                "SnsDestination": {"TopicArn": topic},
            }
            have = existing.get(dest_name)
            if have is not None and _same_destination(have, want):
                self.step(f"event destination {kind}{where}", "ok", f"{dest_name} → {topic}")
                continue
            op = (
                "UpdateConfigurationSetEventDestination" if have else "CreateConfigurationSetEventDestination"
            )
            done = await self.mutate(
                "sesv2", op, ConfigurationSetName=name, EventDestinationName=dest_name, EventDestination=want
            )
            if done is None:
                what = "differs" if have else "is missing"
                self.step(
                    f"event destination {kind}{where}",
                    "drift",
                    f"{dest_name} {what}",
                    "run `sesame ses connect`",
                )
            else:
                self.step(
                    f"event destination {kind}{where}",
                    "repaired" if have else "created",
                    f"{dest_name} → {topic}",
                )

    async def default_set(self, ident: str, name: str, current_default: str | None) -> None:
        if current_default == name:
            self.step("default configuration set", "ok", f"{ident} sends with {name} by default")
        else:
            done = await self.mutate(
                "sesv2",
                "PutEmailIdentityConfigurationSetAttributes",
                EmailIdentity=ident,
                ConfigurationSetName=name,
            )
            if done is None:
                self.step(
                    "default configuration set",
                    "drift",
                    f"{ident} default configuration set is {current_default or 'none'}",
                    "run `sesame ses connect`",
                )
            else:
                self.step("default configuration set", "repaired" if current_default else "created", name)


def _ses_statement(topic_arn: str) -> dict[str, Any]:
    account = topic_arn.split(":")[4]
    return {
        "Sid": SES_PUBLISH_SID,
        "Effect": "Allow",
        "Principal": {"Service": "ses.amazonaws.com"},
        "Action": "SNS:Publish",
        "Resource": topic_arn,
        "Condition": {"StringEquals": {"AWS:SourceAccount": account}},
    }


def _same_destination(have: dict[str, Any], want: dict[str, Any]) -> bool:
    return (
        bool(have.get("Enabled"))
        and sorted(have.get("MatchingEventTypes", [])) == sorted(want["MatchingEventTypes"])
        and (have.get("SnsDestination") or {}).get("TopicArn") == want["SnsDestination"]["TopicArn"]
    )


async def connect(
    aws: AwsSession,
    opts: ConnectOptions,
    *,
    allow_topics: Callable[[list[str]], Awaitable[None]] | None = None,
) -> ConnectResult:
    """Create or repair the whole feedback wiring; `allow_topics` registers the topic ARNs with the events
    service before anything is subscribed (so the confirmation it receives is for an allowed topic)."""
    result = ConnectResult(
        mode=opts.mode, identity=opts.identity, webhook_url=opts.webhook_url, dry_run=opts.dry_run
    )
    c = _Connector(aws, opts, result)
    start = len(aws.calls)
    try:
        await c.topics()
        if allow_topics is not None and result.topics and not opts.dry_run:
            await allow_topics(sorted(result.topics.values()))
        await c.subscriptions()
        await c.confirm_and_check()
        if opts.mode == "identity":
            await c.link_identity()
        else:
            await c.link_configuration_set()
    except AwsError as exc:
        c.step(
            f"{exc.call.service}:{exc.call.operation}", "failed", f"{exc.code}: {exc.message}", _fix_for(exc)
        )
    result.calls = [asdict(x) for x in aws.calls[start:]]
    return result


def _fix_for(exc: AwsError) -> str:
    if exc.code in {"AccessDenied", "AccessDeniedException", "AuthorizationError", "InvalidClientTokenId"}:
        return (
            "give the IAM user of this project sns:CreateTopic, sns:Subscribe, sns:ListTopics, "
            "sns:ListSubscriptionsByTopic, sns:GetSubscriptionAttributes, sns:SetSubscriptionAttributes and "
            "ses:* on the identity, then run `sesame ses connect` again"
        )
    return "fix the error above and run `sesame ses connect` again (it only changes what is missing)"
