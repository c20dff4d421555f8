"""DNS checks of the readiness report (dnspython, configurable resolver): Easy DKIM, custom MAIL FROM, DMARC."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.resolver

from services.sender.ses_setup.report import CheckResult
from shared.nameservers import parse_nameserver

SPF_RECOMMENDED = "v=spf1 include:amazonses.com ~all"


@dataclass
class Lookup:
    status: str  # ok | nxdomain | noanswer | error
    values: list[str] = field(default_factory=list)
    error: str | None = None


class DnsLookup:
    """Asks one configured resolver (or the system's) without caching: the report shows DNS as it is now."""

    def __init__(self, nameservers: list[str] | None = None, timeout: float = 5.0) -> None:
        self.resolver = dns.asyncresolver.Resolver(configure=not nameservers)
        if nameservers:
            self.resolver.nameservers = [parse_nameserver(n) for n in nameservers]
        self.resolver.timeout = timeout
        self.resolver.lifetime = timeout
        self.resolver.cache = None

    async def query(self, name: str, rdtype: str) -> Lookup:
        try:
            answer = await self.resolver.resolve(name, rdtype, raise_on_no_answer=True)
        except dns.resolver.NXDOMAIN:
            return Lookup("nxdomain")
        except dns.resolver.NoAnswer:
            return Lookup("noanswer")
        except (dns.exception.DNSException, OSError) as exc:
            return Lookup("error", error=f"{type(exc).__name__}: {exc}")
        values: list[str] = []
        for rdata in answer:
            if rdtype == "TXT":
                values.append(b"".join(rdata.strings).decode("utf-8", "replace"))
            elif rdtype == "MX":
                values.append(f"{rdata.preference} {rdata.exchange.to_text().rstrip('.').lower()}")
            else:
                values.append(rdata.to_text().rstrip(".").lower())
        return Lookup("ok", values)


def _dns_error(check_id: str, title: str, name: str, res: Lookup, group: str) -> CheckResult:
    return CheckResult(
        check_id,
        title,
        "warn",
        f"DNS lookup of {name} failed ({res.error}); could not verify",
        "check the resolver setting SESAME_SES_SETUP_DNS_NAMESERVERS and that the domain's DNS answers",
        group,
    )


def dkim_targets(token: str, region: str) -> set[str]:
    return {f"{token}.dkim.amazonses.com", f"{token}.dkim.{region}.amazonses.com"}


async def check_dkim_records(dns_: DnsLookup, domain: str, tokens: list[str], region: str) -> CheckResult:
    title = "Easy DKIM CNAMEs in DNS"
    if not tokens:
        return CheckResult(
            "dkim_dns",
            title,
            "fail",
            "SES has no DKIM tokens for this domain, so there is nothing to publish",
            f"enable Easy DKIM: aws sesv2 put-email-identity-dkim-attributes --email-identity {domain} "
            "--signing-enabled (then publish the three CNAMEs it lists)",
            "dns",
        )
    problems: list[str] = []
    fixes: list[str] = []
    ok = 0
    answers = await asyncio.gather(*(dns_.query(f"{t}._domainkey.{domain}", "CNAME") for t in tokens))
    for token, res in zip(tokens, answers, strict=True):
        name = f"{token}._domainkey.{domain}"
        want = f"{token}.dkim.amazonses.com"
        if res.status == "error":
            return _dns_error("dkim_dns", title, name, res, "dns")
        if res.status == "ok" and res.values[0] in dkim_targets(token, region):
            ok += 1
            continue
        if res.status == "ok":
            problems.append(f"{name} points to {res.values[0]}")
        else:
            problems.append(f"{name} missing")
        fixes.append(f"{name} CNAME {want}")
    if ok == len(tokens):
        return CheckResult(
            "dkim_dns", title, "pass", f"all {ok} _domainkey CNAMEs point to amazonses.com", group="dns"
        )
    return CheckResult(
        "dkim_dns",
        title,
        "fail",
        f"{ok} of {len(tokens)} correct; " + "; ".join(problems),
        "publish: " + "; ".join(fixes),
        "dns",
        {"ok": ok},
    )


async def check_mail_from_mx(dns_: DnsLookup, mail_from: str, region: str) -> CheckResult:
    title = "MAIL FROM MX record"
    want = f"feedback-smtp.{region}.amazonses.com"
    fix = f"publish exactly one MX at {mail_from}: {mail_from} MX 10 {want}"
    res = await dns_.query(mail_from, "MX")
    if res.status == "error":
        return _dns_error("mail_from_mx", title, mail_from, res, "dns")
    if res.status != "ok":
        return CheckResult("mail_from_mx", title, "fail", f"no MX record at {mail_from}", fix, "dns")
    hosts = [v.split(" ", 1)[1] for v in res.values]
    if hosts == [want]:
        return CheckResult("mail_from_mx", title, "pass", f"{mail_from} MX → {want}", group="dns")
    if want in hosts:
        return CheckResult(
            "mail_from_mx",
            title,
            "fail",
            f"{len(hosts)} MX records ({', '.join(hosts)}); SES needs exactly one",
            fix,
            "dns",
        )
    return CheckResult(
        "mail_from_mx", title, "fail", f"MX points to {', '.join(hosts)}, not {want}", fix, "dns"
    )


async def check_mail_from_spf(dns_: DnsLookup, mail_from: str) -> CheckResult:
    title = "MAIL FROM SPF record"
    fix = f'publish one TXT at {mail_from}: "{SPF_RECOMMENDED}"'
    res = await dns_.query(mail_from, "TXT")
    if res.status == "error":
        return _dns_error("mail_from_spf", title, mail_from, res, "dns")
    spf = [v for v in res.values if v.lower().startswith("v=spf1")] if res.status == "ok" else []
    if not spf:
        return CheckResult("mail_from_spf", title, "fail", f"no SPF record at {mail_from}", fix, "dns")
    if len(spf) > 1:
        return CheckResult(
            "mail_from_spf",
            title,
            "fail",
            f"{len(spf)} SPF records at {mail_from} (SPF permerror)",
            "keep only one: " + fix,
            "dns",
        )
    record = spf[0]
    terms = record.lower().split()
    if "include:amazonses.com" not in terms:
        return CheckResult(
            "mail_from_spf",
            title,
            "fail",
            f'"{record}" does not include amazonses.com',
            fix,
            "dns",
            {"record": record},
        )
    if not any(t in ("~all", "-all") for t in terms):
        return CheckResult(
            "mail_from_spf",
            title,
            "warn",
            f'"{record}" does not end with ~all or -all',
            fix,
            "dns",
            {"record": record},
        )
    return CheckResult("mail_from_spf", title, "pass", f'"{record}"', group="dns", facts={"record": record})


def parse_dmarc(record: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for part in record.split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            tags[k.strip().lower()] = v.strip()
    return tags


def organisational_domain(domain: str) -> str:
    """Last two labels (no public-suffix list here: good enough to find a parent's DMARC record)."""
    labels = domain.rstrip(".").split(".")
    return ".".join(labels[-2:])


async def find_dmarc(dns_: DnsLookup, domain: str) -> tuple[str, Lookup, list[str]]:
    name = f"_dmarc.{domain}"
    res = await dns_.query(name, "TXT")
    records = [v for v in res.values if v.lower().startswith("v=dmarc1")] if res.status == "ok" else []
    org = organisational_domain(domain)
    if not records and res.status != "error" and org != domain:
        name = f"_dmarc.{org}"
        res = await dns_.query(name, "TXT")
        records = [v for v in res.values if v.lower().startswith("v=dmarc1")] if res.status == "ok" else []
    return name, res, records


async def check_dmarc(dns_: DnsLookup, domain: str) -> CheckResult:
    title = "DMARC record"
    fix = f'publish TXT at _dmarc.{domain}: "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@{domain}"'
    name, res, records = await find_dmarc(dns_, domain)
    if res.status == "error":
        return _dns_error("dmarc", title, name, res, "dns")
    if not records:
        return CheckResult("dmarc", title, "fail", f"no DMARC record at _dmarc.{domain}", fix, "dns")
    if len(records) > 1:
        return CheckResult(
            "dmarc",
            title,
            "fail",
            f"{len(records)} DMARC records at {name} (receivers ignore all)",
            "keep one: " + fix,
            "dns",
        )
    tags = parse_dmarc(records[0])
    policy = tags.get("p", "").lower()
    facts = {
        "record": records[0],
        "policy": policy,
        "at": name,
        "adkim": tags.get("adkim", "r"),
        "aspf": tags.get("aspf", "r"),
    }
    if policy not in ("none", "quarantine", "reject"):
        return CheckResult(
            "dmarc", title, "fail", f'{name}: "{records[0]}" has no valid p= tag', fix, "dns", facts
        )
    where = "" if name == f"_dmarc.{domain}" else f" (inherited from {name})"
    if policy == "none":
        return CheckResult(
            "dmarc",
            title,
            "warn",
            f"policy none (monitoring only){where}",
            f"after reading the aggregate reports, raise the policy: {fix}",
            "dns",
            facts,
        )
    return CheckResult("dmarc", title, "pass", f"policy {policy}{where}", group="dns", facts=facts)


def check_dmarc_alignment(
    domain: str,
    dmarc: CheckResult,
    dkim_signing: bool,
    dkim_dns_ok: bool,
    mail_from: str | None,
    mail_from_ok: bool,
) -> CheckResult:
    """DMARC passes when DKIM (d=domain with Easy DKIM) or SPF (MAIL FROM under the domain) aligns."""
    title = "DMARC alignment"
    if "policy" not in dmarc.facts:
        return CheckResult(
            "dmarc_alignment", title, "fail", "no valid DMARC record to align with", dmarc.fix, "dns"
        )
    adkim, aspf = dmarc.facts["adkim"].lower(), dmarc.facts["aspf"].lower()
    dkim_aligned = dkim_signing and dkim_dns_ok  # Easy DKIM signs with d=<domain>: aligned in r and s modes
    spf_aligned = bool(
        mail_from
        and mail_from_ok
        and (mail_from == domain or (aspf != "s" and mail_from.endswith("." + domain)))
    )
    detail = (
        f"DKIM {'aligned' if dkim_aligned else 'not aligned'} (adkim={adkim}), "
        f"SPF {'aligned' if spf_aligned else 'not aligned'} (aspf={aspf}"
        + (f", MAIL FROM {mail_from})" if mail_from else ", amazonses.com MAIL FROM)")
    )
    if dkim_aligned and spf_aligned:
        return CheckResult("dmarc_alignment", title, "pass", detail, group="dns")
    if dkim_aligned or spf_aligned:
        fix = (
            f"set up the custom MAIL FROM domain (e.g. mail.{domain}) with its MX and SPF records"
            if not spf_aligned
            else "fix the DKIM CNAMEs so DKIM aligns too"
        )
        return CheckResult(
            "dmarc_alignment", title, "warn", detail + "; DMARC relies on one mechanism only", fix, "dns"
        )
    return CheckResult(
        "dmarc_alignment",
        title,
        "fail",
        detail + "; DMARC will fail for this domain's mail",
        "publish the three DKIM CNAMEs (and a custom MAIL FROM with MX + SPF)",
        "dns",
    )
