"""The readiness report end to end: moto (SES v1/SNS), the SESv2 stand-in, the loopback DNS stand-in and a real
database, for a well-configured and a badly-configured domain; the same through `sesame doctor`."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from datetime import timedelta
from typing import Any

import pytest

from services.sender.ses_setup.service import SesSetup
from services.sender.ses_setup.settings import SesSetupSettings
from services.sender.settings import SenderSettings
from shared.crypto import encrypt
from shared.db.types import utcnow
from shared.models.events import EmailEvent, ReputationBucket
from shared.models.sender import Campaign, Message, SesAccount
from shared.models.subscriptions import MailingList
from tests.ses_setup.conftest import DKIM_TOKENS, REGION, AwsEnv, make_project, publish_good_domain

REPORTS: dict[str, str] = {}


def setup_settings(env: AwsEnv, dns: Any) -> SesSetupSettings:
    return SesSetupSettings(
        ses_endpoint_url=env.moto_url,
        sns_endpoint_url=env.moto_url,
        sesv2_endpoint_url=env.v2.url,
        dns_nameservers=[dns.nameserver],
        dns_timeout=2,
        confirm_timeout=5,
        confirm_poll_interval=0.05,
    )


async def add_account(rt: Any, pid: int, from_address: str, rate: float = 14.0, day: float = 50000.0) -> None:
    key = rt.settings.security.encryption_key
    async with rt.uow() as s:
        s.add(
            SesAccount(
                project_id=pid,
                region=REGION,
                credential_mode="keys",
                access_key_id_enc=encrypt(key, "AKIDSESAMETEST"),
                secret_access_key_enc=encrypt(key, "test-secret"),
                from_address=from_address,
                max_send_rate=rate,
                max_24h_send=day,
                sent_last_24h=0.0,
                quota_read_at=utcnow(),
                quota_source="GetAccount",
            )
        )


async def add_feedback(
    rt: Any,
    pid: int,
    *,
    sent: int,
    bounces: int,
    complaints: int,
    deliveries: int = 1,
    age: timedelta = timedelta(minutes=5),
) -> None:
    now = utcnow()
    async with rt.uow() as s:
        s.add(
            ReputationBucket(project_id=pid, hour=now.replace(minute=0, second=0, microsecond=0), sent=sent)
        )
        n = 0
        for kind, count in (("bounce", bounces), ("complaint", complaints), ("delivery", deliveries)):
            for _ in range(count):
                n += 1
                s.add(
                    EmailEvent(
                        project_id=pid,
                        dedupe_key=f"k{pid}-{n}",
                        event_type=kind,
                        email=f"r{n}@example.net",
                        counted=kind != "delivery",
                        occurred_at=now,
                        created_at=now - age,
                        detail={},
                    )
                )


async def test_well_configured_domain_passes(sqlite_runtime: Any, aws_env: AwsEnv, dns_standin: Any) -> None:
    rt = sqlite_runtime
    pid = await make_project(rt, "Acme Newsletter")
    await add_account(rt, pid, "Acme <news@good.test>")
    aws_env.verify_domain("good.test")
    aws_env.boto("ses").set_identity_mail_from_domain(Identity="good.test", MailFromDomain="mail.good.test")
    aws_env.v2.account.production_access = True
    aws_env.v2.account.max_24h, aws_env.v2.account.max_rate, aws_env.v2.account.sent_24h = 50000, 14, 1200
    aws_env.v2.suppress("old-bounce@example.net")
    publish_good_domain(dns_standin, "good.test")
    async with rt.uow() as s:
        s.add(
            MailingList(
                project_id=pid,
                name="Newsletter",
                double_optin=True,
                form_settings={"captcha": {"provider": "altcha"}},
            )
        )
        s.add(
            MailingList(
                project_id=pid, name="Product news", double_optin=True, form_settings={"captcha": "altcha"}
            )
        )
        s.add(
            Campaign(
                project_id=pid, name="November", subject="News", html="<p>Hello {{ email }}</p>", list_ids=[]
            )
        )
    svc = SesSetup(rt, setup_settings(aws_env, dns_standin), SenderSettings())
    out = await svc.connect(pid)
    assert out.connect.ok, out.render()
    assert out.suppressions is not None and len(out.suppressions.imported) == 1
    await add_feedback(rt, pid, sent=1000, bounces=4, complaints=0, deliveries=3)

    report = await svc.readiness(pid)
    REPORTS["good"] = report.render()
    print("\n" + report.render())
    statuses = {c.id: c.status for c in report.checks}
    assert report.domain == "good.test"
    assert [k for k, v in statuses.items() if v != "pass"] == [], report.render()
    for item in (
        "identity_verified", "dkim_status", "dkim_dns", "mail_from", "mail_from_mx", "mail_from_spf", "dmarc",
        "dmarc_alignment", "production_access", "sending_enabled", "quota", "feedback_wired", "feedback_flowing",
        "suppression_list", "double_optin", "unsubscribe", "captcha", "rate_control", "bounce_rate", "complaint_rate", "tracking",
    ):  # fmt: skip
        assert item in statuses
    assert report.ready
    # The report lists the AWS calls it made, all of them reads.
    assert report.calls and not any(c["mutating"] for c in report.calls)

    draft = await svc.request_draft(pid)
    print("\n" + draft["text"])
    assert draft["unverified"] == [], draft["unverified"]
    assert (
        "double opt-in" in draft["text"]
        and "one-click" in draft["text"]
        and "TODO, not verified" not in draft["text"]
    )
    assert "bounce rate was 0.40%" in draft["text"]
    assert "mailbox simulator" not in draft["text"]  # no loop test ran: not claimed
    assert "warm-up schedule" in draft["text"]


async def test_badly_configured_domain_fails_with_fixes(
    sqlite_runtime: Any, aws_env: AwsEnv, dns_standin: Any
) -> None:
    rt = sqlite_runtime
    pid = await make_project(rt, "Sloppy Sender")
    await add_account(rt, pid, "deals@bad.test", rate=1.0, day=200.0)
    aws_env.verify_domain("bad.test")
    aws_env.v2.account.suppressed_reasons = ["BOUNCE"]
    t0, t1, _ = DKIM_TOKENS
    dns_standin.set(f"{t0}._domainkey.bad.test", "CNAME", f"{t0}.dkim.amazonses.com.")
    dns_standin.set(f"{t1}._domainkey.bad.test", "CNAME", "wrong-target.example.")
    dns_standin.set("mail.bad.test", "MX", "10 feedback-smtp.us-east-1.amazonses.com.")
    dns_standin.set("bad.test", "TXT", "v=spf1 include:_spf.google.com ~all")
    async with rt.uow() as s:
        s.add(MailingList(project_id=pid, name="Deals", double_optin=False, form_settings={}))
        s.add(
            MailingList(
                project_id=pid,
                name="VIP",
                double_optin=True,
                form_settings={"captcha": {"provider": "turnstile"}},
            )
        )
    # Feedback stopped two days ago although mail still goes out.
    await add_feedback(rt, pid, sent=500, bounces=30, complaints=2, deliveries=0, age=timedelta(days=2))
    async with rt.uow() as s:
        for i in range(3):
            s.add(Message(project_id=pid, kind="marketing", state="sent", to_address=f"c{i}@example.net", email_hash=f"h{i}",
                          sent_at=utcnow() - timedelta(hours=1)))  # fmt: skip
    svc = SesSetup(rt, setup_settings(aws_env, dns_standin), SenderSettings())

    report = await svc.readiness(pid)
    REPORTS["bad"] = report.render()
    print("\n" + report.render())
    st = {c.id: c for c in report.checks}
    assert not report.ready
    assert st["identity_verified"].status == "pass"
    assert st["dkim_dns"].status == "fail" and "1 of 3 correct" in st["dkim_dns"].detail
    assert st["mail_from"].status == "fail" and "put-email-identity-mail-from-attributes" in (
        st["mail_from"].fix or ""
    )
    assert st["mail_from_mx"].status == "fail" and "feedback-smtp.eu-west-1.amazonses.com" in (
        st["mail_from_mx"].fix or ""
    )
    assert st["mail_from_spf"].status == "fail"
    assert st["dmarc"].status == "fail" and "_dmarc.bad.test" in (st["dmarc"].fix or "")
    assert st["dmarc_alignment"].status == "fail"
    assert st["production_access"].status == "warn" and "sandbox" in st["production_access"].detail
    assert st["feedback_wired"].status == "fail" and "sesame ses connect" in (st["feedback_wired"].fix or "")
    assert st["feedback_flowing"].status == "fail" and "3 mails sent" in st["feedback_flowing"].detail
    assert st["suppression_list"].status == "fail" and "COMPLAINT" in (st["suppression_list"].fix or "")
    assert st["double_optin"].status == "fail" and "Deals" in st["double_optin"].detail
    assert (
        st["captcha"].status == "fail" and "Deals" in st["captcha"].detail and "VIP" in st["captcha"].detail
    )
    assert st["bounce_rate"].status == "fail" and "6.00%" in st["bounce_rate"].detail
    assert st["complaint_rate"].status == "fail"
    text = report.render()
    assert text.count("fix: ") >= 10

    draft = await svc.request_draft(pid)
    print("\n" + draft["text"] + "\n".join(draft["unverified"]))
    assert "TODO, not verified" in draft["text"]
    assert any(u.startswith("double_optin") for u in draft["unverified"])
    assert "Every list uses double opt-in" not in draft["text"]
    assert "bounce rate was" not in draft["text"]


async def test_no_ses_account_is_reported_not_crashed(sqlite_runtime: Any, dns_standin: Any) -> None:
    pid = await make_project(sqlite_runtime, "Sandbox only")
    svc = SesSetup(sqlite_runtime, SesSetupSettings(dns_nameservers=[dns_standin.nameserver], dns_timeout=1))
    report = await svc.readiness(pid, "nothing.test")
    st = {c.id: c.status for c in report.checks}
    assert (
        st["identity_verified"] == "fail"
        and st["production_access"] == "fail"
        and st["feedback_wired"] == "fail"
    )
    assert not report.ready


async def test_sesame_doctor_command(
    sqlite_url: str, sqlite_runtime: Any, aws_env: AwsEnv, dns_standin: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rt = sqlite_runtime
    pid = await make_project(rt, "CLI")
    await add_account(rt, pid, "hi@good.test")
    aws_env.verify_domain("good.test")
    publish_good_domain(dns_standin, "good.test")
    for k, v in {
        "SESAME_DATABASE_URL": sqlite_url,
        "SESAME_PUBLIC_URL": "https://sesame.example.test",
        "SESAME_SES_SETUP_SES_ENDPOINT_URL": aws_env.moto_url,
        "SESAME_SES_SETUP_SNS_ENDPOINT_URL": aws_env.moto_url,
        "SESAME_SES_SETUP_SESV2_ENDPOINT_URL": aws_env.v2.url,
        "SESAME_SES_SETUP_DNS_NAMESERVERS": json.dumps([dns_standin.nameserver]),
        "SESAME_SES_SETUP_CONFIRM_TIMEOUT": "5",
    }.items():
        monkeypatch.setenv(k, v)
    from sesame.cli import main

    def run(argv: list[str]) -> tuple[int, str]:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            code = main(argv)
        return code, buf.getvalue()

    code, text = await asyncio.to_thread(run, ["doctor", "--project", str(pid)])
    assert code == 1  # not connected yet: FAIL lines
    assert "FAIL  Feedback wired" in text and "PASS  Easy DKIM CNAMEs in DNS" in text
    code, out = await asyncio.to_thread(run, ["doctor", "--project", str(pid), "--json"])
    data = json.loads(out)
    assert data["domain"] == "good.test" and data["counts"]["fail"] >= 1
    code, out = await asyncio.to_thread(run, ["doctor", "--project", str(pid), "--request-draft"])
    assert "Website URL: https://sesame.example.test" in out and "Not claimed" in out
    code, out = await asyncio.to_thread(run, ["doctor", "--project", "999999"])
    assert code == 1
