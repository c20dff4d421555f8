"""The readiness report: every item of AWS's production-access checklist, checked for real, pass / warn / fail
with the exact fix. SES state comes from the API, DNS from the configured resolver, the rest from the database.

Nothing is assumed: a check that cannot be performed (no permission, DNS unreachable, no data yet) is a `warn`
saying so, never a `pass`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.sender.ses_setup import dns_checks, project_data
from services.sender.ses_setup.aws import AwsError, AwsSession
from services.sender.ses_setup.connect import ConnectOptions, connect
from services.sender.ses_setup.report import CheckResult, ReadinessReport
from services.sender.ses_setup.settings import SesSetupSettings
from shared.db.types import utcnow
from shared.models.events import SnsEndpoint
from shared.models.sender import Campaign, RateBucket
from shared.models.ses_setup import SesSetupState

log = logging.getLogger("sesame.ses_setup.doctor")
Uow = Callable[[], AbstractAsyncContextManager[AsyncSession]]

CAPTCHA_PROVIDERS = {"altcha", "turnstile", "hcaptcha", "recaptcha"}
# AWS: bounce rate under review at 5 %, complaint rate at 0.1 %; it recommends staying under 2 % / 0.1 %.
BOUNCE_WARN, BOUNCE_FAIL = 0.02, 0.05
COMPLAINT_WARN, COMPLAINT_FAIL = 0.0005, 0.001


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


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:.2f}%"


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
    state = await project_data.setup_state(session, project_id)
    token = await session.scalar(sa.select(SnsEndpoint.token).where(SnsEndpoint.project_id == project_id))
    webhook = f"{public_url.rstrip('/')}/webhooks/sns/{token}" if token else None
    bucket = None
    if account is not None:
        bucket = await session.scalar(
            sa.select(RateBucket.rate).where(RateBucket.key == f"ses:{account.row.id}")
        )
    unsub = (
        await unsubscribe_probe(session, project_id)
        if unsubscribe_probe is not None
        else CheckResult(
            "unsubscribe",
            "Unsubscribe on marketing mail",
            "warn",
            "not checked in this context",
            "run `sesame doctor` where the sender's settings are available",
            "practices",
        )
    )
    return Facts(
        project_id=project_id,
        project_name=project.name,
        account=account,
        state=state,
        webhook_url=webhook,
        last_feedback=await project_data.last_feedback(session, project_id),
        sent_window=await project_data.sent_since(
            session, project_id, utcnow() - timedelta(hours=setup.feedback_stall_hours)
        ),
        lists=await project_data.lists(session, project_id),
        rates=await project_data.rates(session, project_id, 14),
        rate_bucket=bucket,
        unsubscribe=unsub,
        extra={
            "volume_30d": await project_data.volume(session, project_id, 30),
            "owner": project.owner_email,
        },
    )


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

    def add(self, c: CheckResult) -> CheckResult:
        self.checks.append(c)
        return c

    async def call(self, check_id: str, title: str, group: str, service: str, op: str, **params: Any) -> Any:
        """An AWS read; on failure records a warn line (could not verify) and returns None."""
        assert self.aws is not None
        try:
            return await self.aws.call(service, op, **params)
        except AwsError as exc:
            self.add(
                CheckResult(
                    check_id,
                    title,
                    "warn",
                    f"could not verify: {op} failed ({exc.code}: {exc.message})",
                    f"allow {service.replace('sesv2', 'ses')}:{op} for this project's IAM credentials",
                    group,
                )
            )
            return None

    # ------------------------------------------------------------------ SES identity + DNS
    async def identity_and_dns(self) -> None:
        d, region = self.domain, self.region or "us-east-1"
        if not d:
            self.add(
                CheckResult(
                    "identity_verified",
                    "Sending domain verified in SES",
                    "fail",
                    "no sending domain known for this project",
                    "run `sesame doctor --domain example.com`, or set the SES account's from address",
                    "identity",
                )
            )
            return
        tokens: list[str] = []
        dkim_signing = False
        mail_from: str | None = None
        mail_from_status: str | None = None
        if self.aws is not None:
            resp = await self.call(
                "identity_verified", "Sending domain verified in SES", "identity", "ses",
                "GetIdentityVerificationAttributes", Identities=[d],
            )  # fmt: skip
            if resp is not None:
                status = resp.get("VerificationAttributes", {}).get(d, {}).get("VerificationStatus")
                fix = f"aws sesv2 create-email-identity --email-identity {d} (then publish its DKIM CNAMEs)"
                if status == "Success":
                    self.add(
                        CheckResult(
                            "identity_verified",
                            "Sending domain verified in SES",
                            "pass",
                            f"{d} verified in {region}",
                            group="identity",
                        )
                    )
                elif status is None:
                    self.add(
                        CheckResult(
                            "identity_verified",
                            "Sending domain verified in SES",
                            "fail",
                            f"{d} is not an identity in {region}",
                            fix,
                            "identity",
                        )
                    )
                else:
                    self.add(
                        CheckResult(
                            "identity_verified",
                            "Sending domain verified in SES",
                            "fail",
                            f"{d} verification {status}",
                            "publish the DKIM CNAMEs below; SES re-checks within 72 h",
                            "identity",
                        )
                    )
            resp = await self.call(
                "dkim_status",
                "Easy DKIM status",
                "identity",
                "ses",
                "GetIdentityDkimAttributes",
                Identities=[d],
            )
            if resp is not None:
                attrs = resp.get("DkimAttributes", {}).get(d, {})
                tokens = list(attrs.get("DkimTokens") or [])
                dkim_signing = bool(attrs.get("DkimEnabled"))
                status = attrs.get("DkimVerificationStatus", "NotStarted")
                fix = f"aws sesv2 put-email-identity-dkim-attributes --email-identity {d} --signing-enabled"
                if dkim_signing and status == "Success":
                    self.add(
                        CheckResult(
                            "dkim_status",
                            "Easy DKIM status",
                            "pass",
                            "signing enabled, verified",
                            group="identity",
                        )
                    )
                elif dkim_signing:
                    self.add(
                        CheckResult(
                            "dkim_status",
                            "Easy DKIM status",
                            "fail",
                            f"signing enabled, status {status}",
                            "publish the three DKIM CNAMEs (next line)",
                            "identity",
                        )
                    )
                else:
                    self.add(
                        CheckResult(
                            "dkim_status",
                            "Easy DKIM status",
                            "fail",
                            "DKIM signing disabled",
                            fix,
                            "identity",
                        )
                    )
                dkim_signing = dkim_signing and status == "Success"
            resp = await self.call(
                "mail_from",
                "Custom MAIL FROM domain",
                "identity",
                "ses",
                "GetIdentityMailFromDomainAttributes",
                Identities=[d],
            )
            if resp is not None:
                attrs = resp.get("MailFromDomainAttributes", {}).get(d, {})
                mail_from = attrs.get("MailFromDomain") or None
                mail_from_status = attrs.get("MailFromDomainStatus")
                if not mail_from:
                    self.add(CheckResult(
                        "mail_from", "Custom MAIL FROM domain", "fail",
                        "not set: bounces use amazonses.com, so SPF cannot align with your domain",
                        f"aws sesv2 put-email-identity-mail-from-attributes --email-identity {d} --mail-from-domain mail.{d} --behavior-on-mx-failure USE_DEFAULT_VALUE",
                        "identity",
                    ))  # fmt: skip
                elif mail_from_status == "Success":
                    self.add(
                        CheckResult(
                            "mail_from",
                            "Custom MAIL FROM domain",
                            "pass",
                            f"{mail_from} (SES status Success)",
                            group="identity",
                        )
                    )
                else:
                    self.add(
                        CheckResult(
                            "mail_from",
                            "Custom MAIL FROM domain",
                            "warn",
                            f"{mail_from}: SES status {mail_from_status or 'Pending'}",
                            "publish the MX and SPF records below; SES re-checks them",
                            "identity",
                        )
                    )
        else:
            self.add(
                CheckResult(
                    "identity_verified",
                    "Sending domain verified in SES",
                    "fail",
                    "no SES account connected (mail goes to the sandbox SES)",
                    "PUT /v1/ses-account with the region and IAM keys, then `sesame ses connect`",
                    "identity",
                )
            )

        # DNS (checked even without SES access, with what is known)
        if self.aws is not None:
            dkim_res = self.add(await dns_checks.check_dkim_records(self.dns, d, tokens, region))
        else:
            dkim_res = self.add(
                CheckResult(
                    "dkim_dns",
                    "Easy DKIM CNAMEs in DNS",
                    "warn",
                    "DKIM tokens unknown without SES access",
                    "connect the SES account first",
                    "dns",
                )
            )
        mf = mail_from or f"mail.{d}"
        mx = self.add(await dns_checks.check_mail_from_mx(self.dns, mf, region))
        spf = self.add(await dns_checks.check_mail_from_spf(self.dns, mf))
        if not mail_from:
            for c in (mx, spf):
                c.detail = f"(suggested MAIL FROM {mf}) " + c.detail
                if c.status == "pass":
                    c.status = "warn"
                    c.fix = (
                        "the records exist but SES does not use them: set the custom MAIL FROM domain (above)"
                    )
        dmarc = self.add(await dns_checks.check_dmarc(self.dns, d))
        self.add(
            dns_checks.check_dmarc_alignment(
                d,
                dmarc,
                dkim_signing,
                dkim_res.status == "pass",
                mail_from,
                mx.status == "pass" and spf.status != "fail",
            )
        )

    # ------------------------------------------------------------------ account
    async def account(self) -> None:
        if self.aws is None:
            self.add(
                CheckResult(
                    "production_access",
                    "Production access",
                    "fail",
                    "no SES account connected",
                    "PUT /v1/ses-account, then `sesame ses connect`",
                    "account",
                )
            )
            return
        acct = await self.call("production_access", "Production access", "account", "sesv2", "GetAccount")
        if acct is None:
            return
        self.account_info = acct
        if acct.get("ProductionAccessEnabled"):
            self.add(
                CheckResult(
                    "production_access",
                    "Production access",
                    "pass",
                    f"out of the sandbox in {self.region}",
                    group="account",
                )
            )
        else:
            self.add(CheckResult(
                "production_access", "Production access", "warn",
                f"account is in the SES sandbox in {self.region} (only verified recipients and the mailbox simulator)",
                "fix the FAIL lines of this report, then request production access with the draft from `sesame doctor --request-draft`",
                "account",
            ))  # fmt: skip
        enforcement = acct.get("EnforcementStatus", "HEALTHY")
        if not acct.get("SendingEnabled", True):
            self.add(
                CheckResult(
                    "sending_enabled",
                    "Sending enabled",
                    "fail",
                    f"sending is disabled for the account (enforcement {enforcement})",
                    "aws sesv2 put-account-sending-attributes --sending-enabled (if AWS paused it, answer their case first)",
                    "account",
                )
            )
        elif enforcement != "HEALTHY":
            self.add(
                CheckResult(
                    "sending_enabled",
                    "Sending enabled",
                    "fail",
                    f"enforcement status {enforcement}",
                    "open the AWS Virtual Deliverability Manager / account dashboard and answer the review",
                    "account",
                )
            )
        else:
            self.add(
                CheckResult(
                    "sending_enabled",
                    "Sending enabled",
                    "pass",
                    "sending enabled, enforcement HEALTHY",
                    group="account",
                )
            )
        q = acct.get("SendQuota") or {}
        mx24, rate, sent = q.get("Max24HourSend"), q.get("MaxSendRate"), q.get("SentLast24Hours", 0)
        detail = (
            f"{sent:g} of {mx24:g} in 24 h, {rate:g}/s"
            if mx24 is not None and rate is not None
            else "no quota returned"
        )
        facts = {"max_24h": mx24, "max_rate": rate, "sent_24h": sent}
        if mx24 is None or rate is None:
            self.add(CheckResult("quota", "Sending quota", "warn", detail, None, "account", facts))
        elif mx24 > 0 and sent >= 0.8 * mx24:
            self.add(
                CheckResult(
                    "quota",
                    "Sending quota",
                    "warn",
                    detail + " (over 80 % used)",
                    "request a quota increase in the SES console (Service quotas)",
                    "account",
                    facts,
                )
            )
        else:
            self.add(CheckResult("quota", "Sending quota", "pass", detail, group="account", facts=facts))

    # ------------------------------------------------------------------ feedback
    async def feedback(self) -> None:
        st = self.f.state
        title = "Feedback wired (SNS → Sesame)"
        if self.aws is None or st is None or not st.connected_at or not self.f.webhook_url:
            self.add(
                CheckResult(
                    "feedback_wired",
                    title,
                    "fail",
                    "SES feedback is not connected to Sesame",
                    f"sesame ses connect --project {self.f.project_id}",
                    "feedback",
                )
            )
        else:
            opts = ConnectOptions(
                project_id=self.f.project_id,
                identity=st.identity or self.domain or "",
                webhook_url=self.f.webhook_url,
                mode="identity" if st.mode == "identity" else "configuration_set",
                configuration_set=st.configuration_set,
                dry_run=True,
            )
            res = await connect(self.aws, opts)
            drift = [s for s in res.steps if s.status in ("drift", "failed", "pending")]
            if drift:
                what = "; ".join(f"{s.item}: {s.detail}" for s in drift[:4])
                self.add(
                    CheckResult(
                        "feedback_wired",
                        title,
                        "fail",
                        what,
                        f"sesame ses connect --project {self.f.project_id} (repairs only what drifted)",
                        "feedback",
                    )
                )
            else:
                where = (
                    f"configuration set {res.configuration_set}"
                    if opts.mode == "configuration_set"
                    else f"identity {opts.identity}"
                )
                self.add(
                    CheckResult(
                        "feedback_wired",
                        title,
                        "pass",
                        f"3 topics subscribed and confirmed, linked via {where}",
                        group="feedback",
                    )
                )
        last = self.f.last_feedback
        loop = (st.last_loop if st else {}) or {}
        title = "Feedback flowing"
        stall = self.setup.feedback_stall_hours
        if last is None:
            self.add(
                CheckResult(
                    "feedback_flowing",
                    title,
                    "fail",
                    "no feedback event has ever arrived",
                    f"sesame ses connect --project {self.f.project_id} --prove-loop",
                    "feedback",
                )
            )
        else:
            age = utcnow() - last["received_at"]
            at = last["received_at"].strftime("%Y-%m-%d %H:%M UTC")
            loop_note = "; loop test passed" if loop.get("ok") else ""
            if age > timedelta(hours=stall) and self.f.sent_window > 0:
                self.add(
                    CheckResult(
                        "feedback_flowing",
                        title,
                        "fail",
                        f"last feedback {at} ({last['event_type']}), but {self.f.sent_window} mails sent since {stall:g} h ago",
                        f"sesame ses connect --project {self.f.project_id} --prove-loop",
                        "feedback",
                        {"last": at},
                    )
                )
            else:
                self.add(
                    CheckResult(
                        "feedback_flowing",
                        title,
                        "pass",
                        f"last feedback {at} ({last['event_type']}){loop_note}",
                        group="feedback",
                        facts={"last": at, "loop_ok": bool(loop.get("ok"))},
                    )
                )
        title = "Suppression list active"
        reasons = ((self.account_info or {}).get("SuppressionAttributes") or {}).get("SuppressedReasons")
        synced = st.suppression_synced_at if st else None
        sync_note = (
            f"; Sesame synced {synced.strftime('%Y-%m-%d %H:%M UTC')}"
            if synced
            else "; never synced into Sesame"
        )
        if self.account_info is None:
            self.add(
                CheckResult(
                    "suppression_list",
                    title,
                    "warn",
                    "account suppression settings unknown (no GetAccount)",
                    None,
                    "feedback",
                )
            )
        elif set(reasons or []) >= {"BOUNCE", "COMPLAINT"}:
            status = "pass" if synced else "warn"
            self.add(
                CheckResult(
                    "suppression_list",
                    title,
                    status,
                    "SES account list suppresses BOUNCE and COMPLAINT" + sync_note,
                    None if synced else f"sesame ses connect --project {self.f.project_id} (imports it)",
                    "feedback",
                )
            )
        else:
            self.add(
                CheckResult(
                    "suppression_list",
                    title,
                    "fail",
                    f"SES account list suppresses {', '.join(reasons or []) or 'nothing'}",
                    "aws sesv2 put-account-suppression-attributes --suppressed-reasons BOUNCE COMPLAINT",
                    "feedback",
                )
            )

    # ------------------------------------------------------------------ practices
    def practices(self) -> None:
        lists = self.f.lists
        if not lists:
            self.add(
                CheckResult(
                    "double_optin",
                    "Double opt-in on every list",
                    "warn",
                    "no lists yet",
                    "create lists with double_optin (the default)",
                    "practices",
                )
            )
            self.add(
                CheckResult(
                    "captcha",
                    "Captcha on every public form",
                    "warn",
                    "no lists (no public forms) yet",
                    None,
                    "practices",
                )
            )
        else:
            single = [x.name for x in lists if not x.double_optin]
            if single:
                self.add(
                    CheckResult(
                        "double_optin",
                        "Double opt-in on every list",
                        "fail",
                        f"single opt-in: {', '.join(single)}",
                        'PATCH /v1/lists/{id} {"double_optin": true} for each',
                        "practices",
                        {"lists": len(lists)},
                    )
                )
            else:
                self.add(
                    CheckResult(
                        "double_optin",
                        "Double opt-in on every list",
                        "pass",
                        f"all {len(lists)} lists confirm by e-mail",
                        group="practices",
                        facts={"lists": len(lists)},
                    )
                )
            bare = [x.name for x in lists if _captcha(x.form_settings) is None]
            if bare:
                self.add(
                    CheckResult(
                        "captcha",
                        "Captcha on every public form",
                        "fail",
                        f"no captcha: {', '.join(bare)}",
                        "set form_settings.captcha.provider to altcha (self-hosted, no keys) or turnstile/hcaptcha/recaptcha with its keys",
                        "practices",
                    )
                )
            else:
                used = sorted({_captcha(x.form_settings) or "" for x in lists})
                self.add(
                    CheckResult(
                        "captcha",
                        "Captcha on every public form",
                        "pass",
                        f"{', '.join(used)} on all {len(lists)} forms",
                        group="practices",
                    )
                )
        self.add(self.f.unsubscribe)
        acct = self.f.account
        if acct is None:
            self.add(
                CheckResult(
                    "rate_control",
                    "Rate control",
                    "warn",
                    "sandbox SES only (no account quota to follow)",
                    None,
                    "practices",
                )
            )
        elif acct.row.max_send_rate and acct.row.quota_read_at:
            paced = f"{self.f.rate_bucket:g}/s" if self.f.rate_bucket else "on first send"
            self.add(CheckResult(
                "rate_control", "Rate control", "pass",
                f"shared send bucket follows SES max {acct.row.max_send_rate:g}/s (bucket {paced}), 24 h quota {acct.row.max_24h_send or 0:g}"
                + (", warm-up on" if acct.row.warmup_enabled else ""),
                group="practices",
            ))  # fmt: skip
        else:
            self.add(
                CheckResult(
                    "rate_control",
                    "Rate control",
                    "warn",
                    "SES quota never read: the send rate falls back to 1/s",
                    "PUT /v1/ses-account again (it reads the quota)",
                    "practices",
                )
            )
        r = self.f.rates
        enough = r.sent >= self.setup.min_volume_for_rates
        for cid, title, value, warn, fail, n in (
            ("bounce_rate", "Bounce rate (14 days)", r.bounce_rate, BOUNCE_WARN, BOUNCE_FAIL, r.hard_bounces),
            (
                "complaint_rate",
                "Complaint rate (14 days)",
                r.complaint_rate,
                COMPLAINT_WARN,
                COMPLAINT_FAIL,
                r.complaints,
            ),
        ):
            facts = {"value": value, "sent": r.sent, "count": n}
            detail = f"{_pct(value)} ({n} of {r.sent} sent)"
            if not enough:
                self.add(
                    CheckResult(
                        cid,
                        title,
                        "warn",
                        f"too little volume to judge ({r.sent} sent, {n} counted)",
                        None,
                        "reputation",
                        facts,
                    )
                )
            elif value is not None and value >= fail:
                self.add(
                    CheckResult(
                        cid,
                        title,
                        "fail",
                        detail + f" ≥ {_pct(fail)} (AWS reviews accounts here)",
                        "stop marketing to old or bought addresses; clean the list; keep double opt-in",
                        "reputation",
                        facts,
                    )
                )
            elif value is not None and value >= warn:
                self.add(
                    CheckResult(
                        cid,
                        title,
                        "warn",
                        detail + f" ≥ {_pct(warn)}",
                        "look at which campaign or list source causes it",
                        "reputation",
                        facts,
                    )
                )
            else:
                self.add(
                    CheckResult(
                        cid, title, "pass", detail + f" < {_pct(warn)}", group="reputation", facts=facts
                    )
                )


def _captcha(form_settings: Any) -> str | None:
    raw = (form_settings or {}).get("captcha") if isinstance(form_settings, dict) else None
    if isinstance(raw, str):
        raw = {"provider": raw}
    if not isinstance(raw, dict):
        return None
    provider = str(raw.get("provider") or "none").lower()
    if provider == "none":
        return None
    if provider != "altcha" and provider in CAPTCHA_PROVIDERS and not raw.get("site_key"):
        return None
    return provider if provider in CAPTCHA_PROVIDERS else "altcha"  # the gateway treats unknown as altcha


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


def unsubscribe_probe_for(composer: Any, default_from: str) -> Callable[[AsyncSession, int], Any]:
    """A probe that renders the project's recent campaigns (or a sample) through the sender's real composer
    and checks the MIME for List-Unsubscribe, List-Unsubscribe-Post (one-click) and a visible link."""

    async def probe(session: AsyncSession, project_id: int) -> CheckResult:
        title = "Unsubscribe on marketing mail"
        since = utcnow() - timedelta(days=90)
        ids = list(
            (
                await session.scalars(
                    sa.select(Campaign.id)
                    .where(Campaign.project_id == project_id, Campaign.created_at >= since)
                    .order_by(Campaign.id.desc())
                    .limit(20)
                )
            ).all()
        )
        bad: list[str] = []
        for cid in ids:
            prepared = await composer.campaign(session, cid, default_from)
            problem = _check_mime(composer, prepared, project_id, cid)
            if problem:
                bad.append(f"campaign {cid}: {problem}")
        if not ids:
            from services.sender.content import Prepared
            from services.sender.mime import MimeSkeleton
            from services.sender.templating import compile_parts

            sample = Prepared(
                compile_parts("Sample", "<p>Hello {{ email }}</p>", None, add_unsubscribe_footer=True),
                MimeSkeleton(from_address=default_from, feedback_id="sample", one_click=True),
                default_from,
            )
            problem = _check_mime(composer, sample, project_id, None)
            if problem:
                bad.append(f"sample campaign: {problem}")
        if bad:
            return CheckResult(
                "unsubscribe",
                title,
                "fail",
                "; ".join(bad[:3]),
                "report this: the sender must add these to every marketing mail",
                "practices",
            )
        what = f"{len(ids)} recent campaigns" if ids else "a sample campaign (no campaigns yet)"
        return CheckResult(
            "unsubscribe", title, "pass",
            f"{what} rendered: List-Unsubscribe (https), List-Unsubscribe-Post one-click and a visible unsubscribe link",
            group="practices",
        )  # fmt: skip

    return probe


def _check_mime(composer: Any, prepared: Any, project_id: int, campaign_id: int | None) -> str | None:
    import email
    import email.policy

    composed = composer.compose(
        prepared,
        message_id=0,
        project_id=project_id,
        kind="marketing",
        to="probe@example.invalid",
        campaign_id=campaign_id,
        contact_id=1,
        list_id=None,
        attributes={},
        variables={},
        literal=None,
    )
    msg = email.message_from_bytes(composed.raw, policy=email.policy.default)
    lu = str(msg.get("List-Unsubscribe") or "")
    if "<https://" not in lu and "<http://" not in lu:
        return "no https List-Unsubscribe header"
    if str(msg.get("List-Unsubscribe-Post") or "").strip() != "List-Unsubscribe=One-Click":
        return "no List-Unsubscribe-Post: List-Unsubscribe=One-Click"
    url = lu.split("<", 1)[1].split(">", 1)[0]
    bodies = []
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            bodies.append(part.get_content())
    if not any(url in b or url.replace("&", "&amp;") in b for b in bodies):
        return "the unsubscribe link is not in the body"
    return None
