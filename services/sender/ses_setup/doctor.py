"""The readiness report: every item of AWS's production-access checklist, checked for real, pass / warn / fail
with the exact fix. SES state comes from the API, DNS from the configured resolver, the rest from the database.

Nothing is assumed: a check that cannot be performed (no permission, DNS unreachable, no data yet) is a `warn`
saying so, never a `pass`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.sender.ses_setup import dns_checks, practice_checks, project_data
from services.sender.ses_setup.aws import AwsError, AwsSession
from services.sender.ses_setup.connect import ConnectOptions, ConnectResult, connect
from services.sender.ses_setup.report import CheckResult, ReadinessReport
from services.sender.ses_setup.settings import SesSetupSettings
from services.sender.tracking import Tracking, project_tracking
from shared.db.types import utcnow
from shared.models.events import SnsEndpoint
from shared.models.sender import RateBucket
from shared.models.ses_setup import SesSetupState

TITLES = {
    "identity_verified": ("Sending domain verified in SES", "identity"),
    "dkim_status": ("Easy DKIM status", "identity"),
    "mail_from": ("Custom MAIL FROM domain", "identity"),
    "production_access": ("Production access", "account"),
    "sending_enabled": ("Sending enabled", "account"),
    "quota": ("Sending quota", "account"),
    "feedback_wired": ("Feedback wired (SNS → Sesame)", "feedback"),
    "feedback_flowing": ("Feedback flowing", "feedback"),
    "tracking": ("Open and click tracking", "feedback"),
    "suppression_list": ("Suppression list active", "feedback"),
}
ORDER = [
    "identity_verified", "dkim_status", "dkim_dns", "mail_from", "mail_from_mx", "mail_from_spf", "dmarc",
    "dmarc_alignment",
]  # fmt: skip
CONNECT_FIX = "sesame ses connect --project {pid}"


@dataclass
class Facts:
    """Everything read from the database up front (one short transaction; no network inside it)."""

    project_id: int
    project_name: str
    account: project_data.AccountInfo | None
    state: SesSetupState | None
    webhook_url: str | None
    last_feedback: dict[str, Any] | None
    sent_window: int
    lists: list[Any]
    rates: project_data.Rates
    rate_bucket: float | None
    unsubscribe: CheckResult
    extra: dict[str, Any] = field(default_factory=dict)
    tracking: Tracking = field(default_factory=Tracking)  # the project's setting for marketing mail


async def gather_facts(
    session: AsyncSession,
    project_id: int,
    *,
    public_url: str,
    encryption_key: str,
    setup: SesSetupSettings,
    sender_endpoint: str | None,
    unsubscribe_probe: Callable[[AsyncSession, int], Any] | None,
) -> Facts:
    project = await project_data.project_row(session, project_id)
    account = await project_data.ses_account(session, project_id, encryption_key, setup, sender_endpoint)
    token = await session.scalar(sa.select(SnsEndpoint.token).where(SnsEndpoint.project_id == project_id))
    bucket = None
    if account is not None:
        bucket = await session.scalar(
            sa.select(RateBucket.rate).where(RateBucket.key == f"ses:{account.row.id}")
        )
    window_start = utcnow() - timedelta(hours=setup.feedback_stall_hours)
    return Facts(
        project_id=project_id,
        project_name=project.name,
        tracking=project_tracking(project.settings),
        account=account,
        state=await project_data.setup_state(session, project_id),
        webhook_url=f"{public_url.rstrip('/')}/webhooks/sns/{token}" if token else None,
        last_feedback=await project_data.last_feedback(session, project_id),
        sent_window=await project_data.sent_since(session, project_id, window_start),
        lists=await project_data.lists(session, project_id),
        rates=await project_data.rates(session, project_id, 14),
        rate_bucket=bucket,
        unsubscribe=(
            await unsubscribe_probe(session, project_id)
            if unsubscribe_probe
            else practice_checks.unchecked_unsubscribe()
        ),
        extra={
            "volume_30d": await project_data.volume(session, project_id, 30),
            "owner": project.owner_email,
            "imports": await project_data.imports(session, project_id),
        },
    )


async def _value(c: CheckResult) -> CheckResult:
    return c


def default_domain(facts: Facts) -> str | None:
    if facts.state and facts.state.identity and "@" not in facts.state.identity:
        return facts.state.identity
    addr = facts.account.row.from_address if facts.account else None
    if addr and "@" in addr:
        return addr.rsplit("@", 1)[1].strip(" >").lower()
    return None


class _Doctor:
    def __init__(
        self, facts: Facts, domain: str | None, setup: SesSetupSettings, aws: AwsSession | None
    ) -> None:
        self.f, self.domain, self.setup, self.aws = facts, domain, setup, aws
        self.region = facts.account.row.region if facts.account else None
        self.checks: list[CheckResult] = []
        self.account_info: dict[str, Any] | None = None
        self.dns = dns_checks.DnsLookup(setup.dns_nameservers or None, setup.dns_timeout)
        self.connect_fix = CONNECT_FIX.format(pid=facts.project_id)

    def put(self, cid: str, status: str, detail: str, fix: str | None = None, **facts: Any) -> CheckResult:
        title, group = TITLES[cid]
        c = CheckResult(cid, title, status, detail, fix, group, facts)  # type: ignore[arg-type]
        self.checks.append(c)
        return c

    def add(self, c: CheckResult) -> CheckResult:
        self.checks.append(c)
        return c

    async def read(self, cid: str, service: str, op: str, **params: Any) -> Any:
        """An AWS read; when it fails the check becomes a warn line (could not verify) and None is returned."""
        assert self.aws is not None
        try:
            return await self.aws.call(service, op, **params)
        except AwsError as exc:
            perm = f"{'ses' if service.startswith('ses') else service}:{op}"
            self.put(
                cid,
                "warn",
                f"could not verify: {op} failed ({exc.code}: {exc.message})",
                f"allow {perm} for this project's IAM user",
            )
            return None

    # ------------------------------------------------------------------ SES identity + DNS
    async def identity_and_dns(self) -> None:
        d, region = self.domain, self.region or "us-east-1"
        if not d:
            fix = "run `sesame doctor --domain example.com`, or set the SES account's from address"
            self.put("identity_verified", "fail", "no sending domain known for this project", fix)
            return
        tokens: list[str] = []
        dkim_ok = False
        mail_from: str | None = None
        if self.aws is None:
            fix = "PUT /v1/ses-account with the region and IAM keys, then `sesame ses connect`"
            self.put(
                "identity_verified", "fail", "no SES account connected (mail goes to the sandbox SES)", fix
            )
        else:
            resp = await self.read(
                "identity_verified", "ses", "GetIdentityVerificationAttributes", Identities=[d]
            )
            if resp is not None:
                status = resp.get("VerificationAttributes", {}).get(d, {}).get("VerificationStatus")
                if status == "Success":
                    self.put("identity_verified", "pass", f"{d} verified in {region}")
                elif status is None:
                    fix = (
                        f"aws sesv2 create-email-identity --email-identity {d} (then publish its DKIM CNAMEs)"
                    )
                    self.put("identity_verified", "fail", f"{d} is not an identity in {region}", fix)
                else:
                    fix = "publish the DKIM CNAMEs below; SES re-checks them for 72 hours"
                    self.put("identity_verified", "fail", f"{d} verification {status}", fix)
            resp = await self.read("dkim_status", "ses", "GetIdentityDkimAttributes", Identities=[d])
            if resp is not None:
                attrs = resp.get("DkimAttributes", {}).get(d, {})
                tokens = list(attrs.get("DkimTokens") or [])
                status = attrs.get("DkimVerificationStatus", "NotStarted")
                if attrs.get("DkimEnabled") and status == "Success":
                    dkim_ok = True
                    self.put("dkim_status", "pass", "signing enabled, verified")
                elif attrs.get("DkimEnabled"):
                    self.put(
                        "dkim_status",
                        "fail",
                        f"signing enabled, status {status}",
                        "publish the three DKIM CNAMEs (below)",
                    )
                else:
                    fix = (
                        f"aws sesv2 put-email-identity-dkim-attributes --email-identity {d} --signing-enabled"
                    )
                    self.put("dkim_status", "fail", "DKIM signing disabled", fix)
            resp = await self.read("mail_from", "ses", "GetIdentityMailFromDomainAttributes", Identities=[d])
            if resp is not None:
                attrs = resp.get("MailFromDomainAttributes", {}).get(d, {})
                mail_from = attrs.get("MailFromDomain") or None
                status = attrs.get("MailFromDomainStatus")
                if not mail_from:
                    fix = (
                        f"aws sesv2 put-email-identity-mail-from-attributes --email-identity {d} "
                        f"--mail-from-domain mail.{d} --behavior-on-mx-failure USE_DEFAULT_VALUE"
                    )
                    self.put(
                        "mail_from", "fail", "not set: bounces use amazonses.com, so SPF cannot align", fix
                    )
                elif status == "Success":
                    self.put("mail_from", "pass", f"{mail_from} (SES status Success)")
                else:
                    fix = "publish the MX and SPF records below; SES re-checks them"
                    self.put("mail_from", "warn", f"{mail_from}: SES status {status or 'Pending'}", fix)

        # DNS is checked even without SES access, with what is known; the lookups run concurrently so the
        # report stays within one resolver timeout or two even when DNS is slow.
        mf = mail_from or f"mail.{d}"
        no_tokens = CheckResult(
            "dkim_dns", "Easy DKIM CNAMEs in DNS", "warn", "DKIM tokens unknown without SES access",
            "connect the SES account first", "dns",
        )  # fmt: skip
        dkim_res, mx_res, spf_res, dmarc_res = await asyncio.gather(
            dns_checks.check_dkim_records(self.dns, d, tokens, region)
            if self.aws is not None
            else _value(no_tokens),
            dns_checks.check_mail_from_mx(self.dns, mf, region),
            dns_checks.check_mail_from_spf(self.dns, mf),
            dns_checks.check_dmarc(self.dns, d),
        )
        dkim_dns = self.add(dkim_res)
        mx = self.add(mx_res)
        spf = self.add(spf_res)
        if not mail_from:
            for c in (mx, spf):
                c.detail = f"(suggested MAIL FROM {mf}) {c.detail}"
                if c.status == "pass":
                    c.status, c.fix = (
                        "warn",
                        "the records exist but SES does not use them: set the custom MAIL FROM (above)",
                    )
        dmarc = self.add(dmarc_res)
        mail_from_ok = mx.status == "pass" and spf.status != "fail"
        self.add(
            dns_checks.check_dmarc_alignment(
                d, dmarc, dkim_ok, dkim_dns.status == "pass", mail_from, mail_from_ok
            )
        )
        self.checks.sort(key=lambda c: ORDER.index(c.id) if c.id in ORDER else len(ORDER))

    # ------------------------------------------------------------------ account
    async def account(self) -> None:
        if self.aws is None:
            self.put(
                "production_access",
                "fail",
                "no SES account connected",
                "PUT /v1/ses-account, then `sesame ses connect`",
            )
            return
        acct = await self.read("production_access", "sesv2", "GetAccount")
        if acct is None:
            return
        self.account_info = acct
        if acct.get("ProductionAccessEnabled"):
            self.put("production_access", "pass", f"out of the sandbox in {self.region}")
        else:
            self.put(
                "production_access",
                "warn",
                f"account is in the SES sandbox in {self.region} (only verified recipients and the mailbox simulator)",
                "fix the FAIL lines, then request production access with `sesame doctor --request-draft`",
            )
        enforcement = acct.get("EnforcementStatus", "HEALTHY")
        if not acct.get("SendingEnabled", True):
            fix = "aws sesv2 put-account-sending-attributes --sending-enabled (if AWS paused it, answer their case first)"
            self.put(
                "sending_enabled",
                "fail",
                f"sending disabled for the account (enforcement {enforcement})",
                fix,
            )
        elif enforcement != "HEALTHY":
            fix = "answer the review in the SES console (Account dashboard / reputation metrics)"
            self.put("sending_enabled", "fail", f"enforcement status {enforcement}", fix)
        else:
            self.put("sending_enabled", "pass", "sending enabled, enforcement HEALTHY")
        q = acct.get("SendQuota") or {}
        mx24, rate, sent = q.get("Max24HourSend"), q.get("MaxSendRate"), q.get("SentLast24Hours", 0)
        if mx24 is None or rate is None:
            self.put("quota", "warn", "no quota returned by GetAccount")
            return
        detail = f"{sent:g} of {mx24:g} in 24 h, {rate:g}/s"
        if mx24 > 0 and sent >= 0.8 * mx24:
            fix = "request a sending-quota increase (SES console → Service quotas)"
            self.put(
                "quota", "warn", detail + " (over 80 % used)", fix, max_24h=mx24, max_rate=rate, sent_24h=sent
            )
        else:
            self.put("quota", "pass", detail, max_24h=mx24, max_rate=rate, sent_24h=sent)

    # ------------------------------------------------------------------ feedback
    def tracking(self, opts: ConnectOptions, res: ConnectResult) -> None:
        """Whether SES tracks opens / clicks for this project (its tracking configuration sets, services/sender/
        tracking.py); off by the project's setting is a pass, missing sets while on are a warning."""
        t = self.f.tracking
        if opts.mode == "identity":
            self.put("tracking", "warn", "identity mode: SES tracks opens and clicks only through configuration "
                     "sets", self.connect_fix + " --mode configuration_set", opens=False, clicks=False)  # fmt: skip
        elif not opts.tracking:
            self.put("tracking", "pass", "off (project setting tracking): no opens or clicks are tracked",
                     opens=False, clicks=False)  # fmt: skip
        elif drift := [s for s in res.steps if s.tracking and s.status in ("drift", "failed", "pending")]:
            what = "; ".join(f"{s.item}: {s.detail}" for s in drift[:3])
            self.put(
                "tracking",
                "warn",
                f"on, but not in place: {what}",
                self.connect_fix,
                opens=False,
                clicks=False,
            )
        else:
            sets = res.tracking_sets
            self.put(
                "tracking",
                "pass",
                f"marketing mail: opens {'on' if t.opens else 'off'}, clicks {'on' if t.clicks else 'off'} "
                f"(campaigns may override; transactional only when asked) — via {sets.get('tracking')} "
                f"and {sets.get('clicks')}",
                opens=t.opens,
                clicks=t.clicks,
                tracking_set=sets.get("tracking"),
                click_set=sets.get("clicks"),
            )

    async def feedback(self) -> None:
        st = self.f.state
        if self.aws is None or st is None or not st.connected_at or not self.f.webhook_url:
            self.put("feedback_wired", "fail", "SES feedback is not connected to Sesame", self.connect_fix)
        else:
            opts = ConnectOptions(
                project_id=self.f.project_id,
                identity=st.identity or self.domain or "",
                webhook_url=self.f.webhook_url,
                mode="identity" if st.mode == "identity" else "configuration_set",
                configuration_set=st.configuration_set,
                tracking=self.f.tracking.opens or self.f.tracking.clicks,
                dry_run=True,
            )
            res = await connect(self.aws, opts)
            self.tracking(opts, res)
            drift = [s for s in res.steps if s.status in ("drift", "failed", "pending") and not s.tracking]
            if drift:
                what = "; ".join(f"{s.item}: {s.detail}" for s in drift[:4])
                self.put("feedback_wired", "fail", what, self.connect_fix + " (repairs only what drifted)")
            else:
                via = (
                    f"configuration set {res.configuration_set}"
                    if opts.mode == "configuration_set"
                    else f"identity {opts.identity}"
                )
                self.put("feedback_wired", "pass", f"3 topics subscribed and confirmed, linked via {via}")
        last, loop = self.f.last_feedback, ((st.last_loop if st else {}) or {})
        stall = self.setup.feedback_stall_hours
        if last is None:
            self.put(
                "feedback_flowing",
                "fail",
                "no feedback event has ever arrived",
                self.connect_fix + " --prove-loop",
            )
        else:
            at = last["received_at"].strftime("%Y-%m-%d %H:%M UTC")
            if utcnow() - last["received_at"] > timedelta(hours=stall) and self.f.sent_window > 0:
                detail = f"last feedback {at} ({last['event_type']}), but {self.f.sent_window} mails sent in the last {stall:g} h"
                self.put("feedback_flowing", "fail", detail, self.connect_fix + " --prove-loop", last=at)
            else:
                note = "; loop test passed" if loop.get("ok") else ""
                self.put(
                    "feedback_flowing",
                    "pass",
                    f"last feedback {at} ({last['event_type']}){note}",
                    last=at,
                    loop_ok=bool(loop.get("ok")),
                )
        reasons = set(
            ((self.account_info or {}).get("SuppressionAttributes") or {}).get("SuppressedReasons") or []
        )
        synced = st.suppression_synced_at if st else None
        if self.account_info is None:
            self.put("suppression_list", "warn", "account suppression settings unknown (no GetAccount)")
        elif reasons >= {"BOUNCE", "COMPLAINT"}:
            if synced:
                self.put(
                    "suppression_list",
                    "pass",
                    f"SES account list suppresses BOUNCE and COMPLAINT; synced {synced:%Y-%m-%d %H:%M} UTC",
                )
            else:
                self.put(
                    "suppression_list",
                    "warn",
                    "SES account list active; never synced into Sesame",
                    self.connect_fix + " (imports it)",
                )
        else:
            fix = "aws sesv2 put-account-suppression-attributes --suppressed-reasons BOUNCE COMPLAINT"
            self.put(
                "suppression_list",
                "fail",
                f"SES account list suppresses {', '.join(sorted(reasons)) or 'nothing'}",
                fix,
            )

    def practices(self) -> None:
        self.checks += practice_checks.check_lists(self.f.lists, self.f.extra.get("imports"))
        self.checks.append(self.f.unsubscribe)
        self.checks.append(practice_checks.check_rate_control(self.f.account, self.f.rate_bucket))
        self.checks += practice_checks.check_rates(self.f.rates, self.setup.min_volume_for_rates)


async def readiness_report(
    facts: Facts, *, domain: str | None, setup: SesSetupSettings, aws: AwsSession | None
) -> ReadinessReport:
    domain = (domain or default_domain(facts) or "").lower().strip(".") or None
    doc = _Doctor(facts, domain, setup, aws)
    await doc.identity_and_dns()
    await doc.account()
    await doc.feedback()
    doc.practices()
    return ReadinessReport(
        project_id=facts.project_id,
        domain=domain,
        region=doc.region,
        checks=doc.checks,
        generated_at=utcnow().isoformat(),
        calls=aws.call_log() if aws else [],
    )
