"""The production-access request text, built from the readiness report and the project's real figures.

Rule: a sentence that claims something is only written when the report verified it (its check passed).
Everything else becomes a bracketed TODO naming what is missing, and is listed in `unverified`.
"""

from __future__ import annotations

from services.sender.ses_setup.project_data import Rates
from services.sender.ses_setup.report import ReadinessReport


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:.2f}%"


def build_request_draft(
    report: ReadinessReport,
    *,
    project_name: str,
    website: str,
    lists: list[tuple[str, bool]],
    volume_30d: dict[str, int],
    rates: Rates,
    warmup: bool = False,
) -> tuple[str, list[str]]:
    ok = report.passed
    unverified: list[str] = []

    def todo(check_id: str, text: str) -> str:
        c = report.get(check_id)
        why = f"{c.status.upper()}: {c.detail}" if c else "not checked"
        unverified.append(f"{check_id} — {why}" + (f" (fix: {c.fix})" if c and c.fix else ""))
        return f"[TODO, not verified — {text}]"

    domain = report.domain or "[TODO: your sending domain]"
    marketing = bool(lists) or volume_30d.get("marketing", 0) > 0
    kinds = (
        "marketing (newsletters to subscribers who opted in) and transactional"
        if marketing
        else "transactional"
    )
    p: list[str] = []
    p.append(f"Mail type: {'Marketing' if marketing else 'Transactional'}")
    p.append(f"Website URL: {website}")
    p.append("")
    p.append(
        f"We send {kinds} email for {project_name} from the domain {domain}, through Sesame, a self-hosted "
        "sending platform that uses our own Amazon SES account."
    )

    # How addresses are collected
    if lists:
        names = ", ".join(n for n, _ in lists[:5]) + (" …" if len(lists) > 5 else "")
        if ok("double_optin"):
            collect = (
                f"Recipients subscribe themselves through signup forms on our site ({len(lists)} lists: {names}). "
                "Every list uses double opt-in: an address only receives list mail after clicking the signed, "
                "expiring confirmation link sent to it. No addresses were bulk-imported in the last year."
            )
        else:
            collect = f"Recipients subscribe through signup forms ({len(lists)} lists: {names}). " + todo(
                "double_optin",
                "double opt-in is not enabled on every list; enable it or describe your consent process",
            )
        if ok("captcha"):
            used = (report.get("captcha").detail or "").split(" on all ")[0]  # type: ignore[union-attr]
            collect += f" Every public signup form is protected by a captcha ({used}) against fake signups."
        else:
            collect += " " + todo("captcha", "not every public form has a captcha")
    else:
        collect = "We only mail people who have an account or transaction with us. [TODO: describe how addresses are collected]"
        unverified.append(
            "lists — no lists exist yet, so the collection process could not be described from data"
        )
    p += ["", "How we collect addresses:", collect]

    # Bounces and complaints
    if ok("feedback_wired") and ok("feedback_flowing"):
        facts = report.get("feedback_flowing").facts  # type: ignore[union-attr]
        proof = "verified end to end with the SES mailbox simulator; " if facts.get("loop_ok") else ""
        bc = (
            "SES bounce, complaint and delivery notifications reach us through Amazon SNS "
            f"({proof}last notification received {facts.get('last')}). They are processed automatically: hard "
            "bounces and complaints suppress the address at once, soft bounces after repeated failures, and a "
            "complaint also unsubscribes the address from every list. Suppressed addresses are excluded before "
            "every send."
        )
    else:
        failing = "feedback_wired" if not ok("feedback_wired") else "feedback_flowing"
        bc = todo(
            failing, "SES feedback is not yet proven to reach Sesame; run `sesame ses connect --prove-loop`"
        )
    if ok("suppression_list"):
        bc += " The SES account-level suppression list is active for bounces and complaints and synchronised with ours."
    else:
        bc += " " + todo(
            "suppression_list", "the SES account-level suppression list is not active or not synchronised"
        )
    p += ["", "How we handle bounces and complaints:", bc]

    # Unsubscribe
    if ok("unsubscribe"):
        un = (
            "Every marketing message has a visible unsubscribe link and List-Unsubscribe / List-Unsubscribe-Post "
            "headers (RFC 8058 one-click); an unsubscribe takes effect immediately, and recipients can also pause "
            "or choose lists on a preferences page."
        )
    else:
        un = todo("unsubscribe", "unsubscribe headers and link were not verified on marketing mail")
    p += ["", "How recipients opt out:", un]

    # Authentication
    auth_ok = [c for c in ("dkim_dns", "mail_from_spf", "dmarc") if ok(c)]
    if len(auth_ok) == 3:
        policy = report.get("dmarc").facts.get("policy")  # type: ignore[union-attr]
        auth = f"{domain} is verified in SES with Easy DKIM, a custom MAIL FROM domain with SPF, and DMARC (p={policy})."
    else:
        missing = [c for c in ("dkim_dns", "mail_from_spf", "dmarc") if c not in auth_ok]
        auth = " ".join(todo(c, f"{c} did not pass") for c in missing)
    p += ["", "Authentication:", auth]

    # Volumes
    sent = sum(volume_30d.values())
    vol = (
        f"In the last 30 days we sent {sent} messages"
        + (f" ({', '.join(f'{n} {k}' for k, n in sorted(volume_30d.items()))})" if volume_30d else "")
        + "."
    )
    if rates.sent and (ok("bounce_rate") and ok("complaint_rate")):
        vol += (
            f" Over the last {rates.days} days our bounce rate was {_pct(rates.bounce_rate)} and our complaint rate "
            f"{_pct(rates.complaint_rate)}."
        )
    elif rates.sent:
        unverified.append(
            "bounce_rate/complaint_rate — not quoted: too little volume or above the thresholds"
        )
    vol += " We expect to send about [TODO: messages per day] messages per day"
    vol += ", growing gradually: new volume is ramped up on a warm-up schedule." if warmup else "."
    p += ["", "Volume:", vol]
    return "\n".join(p) + "\n", unverified
