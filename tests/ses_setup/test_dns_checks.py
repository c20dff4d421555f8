"""DNS checks against the loopback authoritative stand-in: correct, missing and wrong records."""

from __future__ import annotations

from typing import Any

from services.sender.ses_setup.dns_checks import (
    DnsLookup,
    check_dkim_records,
    check_dmarc,
    check_dmarc_alignment,
    check_mail_from_mx,
    check_mail_from_spf,
)
from tests.ses_setup.conftest import DKIM_TOKENS, REGION, publish_good_domain


def _dns(standin: Any) -> DnsLookup:
    return DnsLookup([standin.nameserver], timeout=2)


async def test_lookup_answers_nxdomain_noanswer_and_values(dns_standin: Any) -> None:
    dns_standin.set("a.good.test", "TXT", "hello", "world")
    d = _dns(dns_standin)
    res = await d.query("a.good.test", "TXT")
    assert res.status == "ok" and sorted(res.values) == ["hello", "world"]
    assert (await d.query("a.good.test", "MX")).status == "noanswer"
    assert (await d.query("nothing.good.test", "TXT")).status == "nxdomain"
    assert ("a.good.test.", "TXT") in dns_standin.queries


async def test_unreachable_resolver_is_a_warning_not_a_pass() -> None:
    d = DnsLookup(["127.0.0.1:9"], timeout=0.5)  # discard port: nothing answers
    res = await check_mail_from_mx(d, "mail.good.test", REGION)
    assert res.status == "warn" and "could not verify" in res.detail


async def test_good_domain_passes_everything(dns_standin: Any) -> None:
    publish_good_domain(dns_standin, "good.test")
    d = _dns(dns_standin)
    assert (await check_dkim_records(d, "good.test", DKIM_TOKENS, REGION)).status == "pass"
    assert (await check_mail_from_mx(d, "mail.good.test", REGION)).status == "pass"
    spf = await check_mail_from_spf(d, "mail.good.test")
    assert spf.status == "pass" and spf.facts["record"] == "v=spf1 include:amazonses.com ~all"
    dmarc = await check_dmarc(d, "good.test")
    assert dmarc.status == "pass" and dmarc.facts["policy"] == "quarantine"
    align = check_dmarc_alignment("good.test", dmarc, True, True, "mail.good.test", True)
    assert align.status == "pass"


async def test_dkim_missing_and_wrong(dns_standin: Any) -> None:
    t0, t1, t2 = DKIM_TOKENS
    dns_standin.set(f"{t0}._domainkey.bad.test", "CNAME", f"{t0}.dkim.amazonses.com.")
    dns_standin.set(f"{t1}._domainkey.bad.test", "CNAME", "somewhere.else.example.")
    res = await check_dkim_records(_dns(dns_standin), "bad.test", DKIM_TOKENS, REGION)
    assert res.status == "fail"
    assert "1 of 3 correct" in res.detail
    assert f"{t1}._domainkey.bad.test points to somewhere.else.example" in res.detail
    assert f"{t2}._domainkey.bad.test missing" in res.detail
    assert f"{t2}._domainkey.bad.test CNAME {t2}.dkim.amazonses.com" in (res.fix or "")
    assert f"{t0}._domainkey" not in (res.fix or "")
    none = await check_dkim_records(_dns(dns_standin), "bad.test", [], REGION)
    assert none.status == "fail" and "put-email-identity-dkim-attributes" in (none.fix or "")


async def test_mail_from_mx_variants(dns_standin: Any) -> None:
    d = _dns(dns_standin)
    missing = await check_mail_from_mx(d, "mail.bad.test", REGION)
    assert missing.status == "fail" and f"MX 10 feedback-smtp.{REGION}.amazonses.com" in (missing.fix or "")
    dns_standin.set("mail.bad.test", "MX", "10 feedback-smtp.us-east-1.amazonses.com.")
    wrong = await check_mail_from_mx(d, "mail.bad.test", REGION)
    assert wrong.status == "fail" and "us-east-1" in wrong.detail
    dns_standin.set(
        "mail.bad.test", "MX", f"10 feedback-smtp.{REGION}.amazonses.com.", "20 mx.other.example."
    )
    two = await check_mail_from_mx(d, "mail.bad.test", REGION)
    assert two.status == "fail" and "exactly one" in two.detail


async def test_spf_variants(dns_standin: Any) -> None:
    d = _dns(dns_standin)
    assert (await check_mail_from_spf(d, "mail.bad.test")).status == "fail"
    dns_standin.set("mail.bad.test", "TXT", "v=spf1 include:_spf.google.com ~all")
    res = await check_mail_from_spf(d, "mail.bad.test")
    assert res.status == "fail" and "does not include amazonses.com" in res.detail
    dns_standin.set("mail.bad.test", "TXT", "v=spf1 include:amazonses.com ~all", "v=spf1 -all")
    assert "permerror" in (await check_mail_from_spf(d, "mail.bad.test")).detail
    dns_standin.set("mail.bad.test", "TXT", "v=spf1 include:amazonses.com")
    assert (await check_mail_from_spf(d, "mail.bad.test")).status == "warn"


async def test_dmarc_variants(dns_standin: Any) -> None:
    d = _dns(dns_standin)
    missing = await check_dmarc(d, "bad.test")
    assert missing.status == "fail" and "_dmarc.bad.test" in (missing.fix or "")
    dns_standin.set("_dmarc.bad.test", "TXT", "v=DMARC1; p=none")
    none = await check_dmarc(d, "bad.test")
    assert none.status == "warn" and "monitoring" in none.detail
    dns_standin.set("_dmarc.bad.test", "TXT", "v=DMARC1; rua=mailto:x@bad.test")
    assert (await check_dmarc(d, "bad.test")).status == "fail"
    # A subdomain inherits its organisational domain's record.
    dns_standin.set("_dmarc.bad.test", "TXT", "v=DMARC1; p=reject; aspf=s")
    sub = await check_dmarc(d, "news.bad.test")
    assert sub.status == "pass" and "inherited from _dmarc.bad.test" in sub.detail
    # Strict SPF alignment: a MAIL FROM subdomain no longer aligns, DKIM still does → warn.
    align = check_dmarc_alignment("news.bad.test", sub, True, True, "mail.news.bad.test", True)
    assert align.status == "warn" and "SPF not aligned (aspf=s" in align.detail
    nothing = check_dmarc_alignment("news.bad.test", sub, False, False, None, False)
    assert nothing.status == "fail"
