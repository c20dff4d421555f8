"""The readiness report (`sesame doctor`) as a checklist: each check's meaning in plain words, its fix exactly as the
report gives it, and the DNS records or commands inside that fix pulled out as copyable code."""

from __future__ import annotations

import re
from typing import Any

GROUPS = [
    ("identity", "Sending identity"),
    ("dns", "DNS records"),
    ("account", "SES account"),
    ("feedback", "Bounces and complaints reach Sesame"),
    ("practices", "Sending practices"),
    ("reputation", "Reputation"),
    ("general", "Other"),
]

# What each check is for, for someone who has never set up SES (the report's own detail says what was found).
MEANINGS = {
    "identity_verified": "SES only sends from a domain (or address) you proved you own. Until it is verified, "
    "every send from it is refused.",
    "dkim_status": "Easy DKIM lets SES sign every mail with your domain's key, so receivers can check the mail "
    "really comes from you and was not altered.",
    "dkim_dns": "The three CNAME records that publish your DKIM keys. Without them the signatures cannot be "
    "checked and DKIM fails.",
    "mail_from": "A custom MAIL FROM domain (e.g. mail.yourdomain) makes bounces come back to a subdomain of "
    "yours, so SPF passes for your domain instead of amazonses.com.",
    "mail_from_mx": "The MX record that routes bounces for the MAIL FROM domain to SES.",
    "mail_from_spf": "The SPF record that allows SES to send for the MAIL FROM domain.",
    "dmarc": "DMARC tells receivers what to do with mail that fails DKIM and SPF for your domain. Gmail and "
    "Yahoo require a DMARC record of bulk senders.",
    "dmarc_alignment": "DMARC passes only when DKIM or SPF passes for your own domain (aligned). Both aligned "
    "is the robust setup.",
    "production_access": "A new SES account is in the sandbox: it can only send to verified addresses. AWS "
    "lifts this when you request production access and they accept it.",
    "sending_enabled": "AWS can pause an account's sending after a review (high bounces or complaints).",
    "quota": "How many mails SES lets you send per 24 hours and per second. Sesame paces itself to it.",
    "feedback_wired": "SES reports bounces, complaints and deliveries through SNS topics subscribed to "
    "Sesame's webhook. Without them Sesame keeps mailing addresses that bounce.",
    "feedback_flowing": "Proof that feedback really arrives: the last event received, or a loop test that "
    "mails the SES mailbox simulator and waits for its three answers.",
    "suppression_list": "SES's account-level suppression list stops sends to addresses that bounced or "
    "complained anywhere in your account; Sesame imports it.",
    "double_optin": "Double opt-in: an address gets list mail only after clicking the confirmation mail. It "
    "keeps typos and other people's addresses off your lists.",
    "captcha": "A captcha on public signup forms keeps bots from subscribing addresses that never asked.",
    "unsubscribe": "Marketing mail must carry List-Unsubscribe with one-click (RFC 8058) and a visible "
    "unsubscribe link; Sesame adds them.",
    "rate_control": "Sending no faster than SES allows (and warming up a new account) avoids throttling.",
    "bounce_rate": "Hard bounces out of mail sent in the last 14 days. AWS reviews accounts at 5 % and "
    "recommends staying under 2 %.",
    "complaint_rate": "Spam complaints out of mail sent in the last 14 days. AWS reviews accounts at 0.1 %.",
}

# Where the console does what a fix's command does: (check id, statuses) → (anchor on the SES page, label).
CONSOLE_FIX = {
    "no_account": ("#connect", "Connect the SES account below"),
    "feedback_wired": ("#wire", "Use “Wire feedback” below"),
    "feedback_flowing": ("#loop", "Run the loop test below"),
    "suppression_list": ("#wire", "Wiring feedback imports the list"),
}

_RECORDS = re.compile(r"publish:\s*(.+)$")  # DKIM: "publish: a CNAME b; c CNAME d"
_AT_VALUE = re.compile(r"(?:TXT )?at (\S+?):\s*(\"[^\"]*\")")  # SPF / DMARC: 'publish ... at name: "value"'
_MX = re.compile(r":\s*(\S+ MX \d+ \S+)")
_COMMAND = re.compile(r"\b((?:aws|sesame) [^(),]+?)(?=\s*[(,]|$)")


def fix_snippets(fix: str | None) -> list[str]:
    """DNS records and commands found in a fix, one per line, to copy as they are."""
    if not fix:
        return []
    m = _RECORDS.search(fix)
    if m:
        return [r.strip() for r in m.group(1).split(";") if r.strip()]
    m = _AT_VALUE.search(fix)
    if m:
        return [f"{m.group(1)} TXT {m.group(2)}"]
    m = _MX.search(fix)
    if m:
        return [m.group(1)]
    return [c.strip() for c in _COMMAND.findall(fix.replace("`", ""))]


def console_fix(check: dict[str, Any], connected: bool) -> tuple[str, str] | None:
    if check.get("status") == "pass":
        return None
    if not connected and check.get("id") in (
        "identity_verified",
        "production_access",
        "feedback_wired",
        "suppression_list",
    ):
        return CONSOLE_FIX["no_account"]
    return CONSOLE_FIX.get(str(check.get("id")))


def checklist(report: dict[str, Any], connected: bool) -> list[dict[str, Any]]:
    """The report's checks grouped for the page, each with its meaning, copyable snippets and console hint."""
    checks = [c for c in report.get("checks") or [] if isinstance(c, dict)]
    out = []
    known = {g for g, _ in GROUPS}
    for group, title in GROUPS:
        items = [
            {
                **c,
                "meaning": MEANINGS.get(str(c.get("id")), ""),
                "snippets": fix_snippets(c.get("fix")) if c.get("status") != "pass" else [],
                "console": console_fix(c, connected),
            }
            for c in checks
            if (c.get("group") if c.get("group") in known else "general") == group
        ]
        if items:
            out.append({"key": group, "title": title, "checks": items})
    return out
