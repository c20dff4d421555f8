"""Readiness checks from Sesame's own data: double opt-in, captcha, unsubscribe on marketing mail, rate
control, bounce and complaint rates. The unsubscribe probe renders mail through the sender's real composer."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.sender.ses_setup.report import CheckResult
from shared.db.types import utcnow
from shared.models.sender import Campaign

CAPTCHA_PROVIDERS = {"altcha", "turnstile", "hcaptcha", "recaptcha"}
# AWS reviews an account at a 5 % bounce / 0.1 % complaint rate and recommends staying under 2 % / 0.1 %.
BOUNCE_WARN, BOUNCE_FAIL = 0.02, 0.05
COMPLAINT_WARN, COMPLAINT_FAIL = 0.0005, 0.001
TITLES = {
    "double_optin": "Double opt-in on every list",
    "captcha": "Captcha on every public form",
    "unsubscribe": "Unsubscribe on marketing mail",
    "rate_control": "Rate control",
    "bounce_rate": "Bounce rate (14 days)",
    "complaint_rate": "Complaint rate (14 days)",
}


def _c(
    cid: str, status: str, detail: str, fix: str | None = None, group: str = "practices", **facts: Any
) -> CheckResult:
    return CheckResult(cid, TITLES[cid], status, detail, fix, group, facts)  # type: ignore[arg-type]


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x * 100:.2f}%"


def captcha_provider(form_settings: Any) -> str | None:
    """The captcha a list's public form uses (as the gateway reads form_settings), None when it has none."""
    raw = (form_settings or {}).get("captcha") if isinstance(form_settings, dict) else None
    if isinstance(raw, str):
        raw = {"provider": raw}
    if not isinstance(raw, dict):
        return None
    provider = str(raw.get("provider") or "none").lower()
    if provider == "none":
        return None
    if provider not in CAPTCHA_PROVIDERS:
        return "altcha"  # the gateway falls back to altcha for unknown providers
    if provider != "altcha" and not raw.get("site_key"):
        return None  # a third-party widget without its site key renders nothing
    return provider


def check_lists(lists: list[Any], imported: list[tuple[str, int]] | None = None) -> list[CheckResult]:
    if not lists:
        return [
            _c("double_optin", "warn", "no lists yet", "create lists with double_optin (the default)"),
            _c("captcha", "warn", "no lists (no public forms) yet"),
        ]
    out = []
    single = [x.name for x in lists if not x.double_optin]
    if single:
        fix = 'PATCH /v1/lists/{id} {"double_optin": true} for each'
        out.append(_c("double_optin", "fail", f"single opt-in: {', '.join(single)}", fix, lists=len(lists)))
    elif imported:
        total = sum(n for _, n in imported)
        sources = "; ".join(f"{src!r}: {n}" for src, n in imported[:3])
        out.append(
            _c(
                "double_optin",
                "warn",
                f"all {len(lists)} lists confirm by e-mail, but {total} subscriptions were imported without it "
                f"in the last year ({sources})",
                "import only addresses that opted in with you; re-confirm imported lists with a confirmation campaign",
                lists=len(lists),
                imported=total,
            )
        )
    else:
        out.append(_c("double_optin", "pass", f"all {len(lists)} lists confirm by e-mail", lists=len(lists)))
    bare = [x.name for x in lists if captcha_provider(x.form_settings) is None]
    if bare:
        fix = "set form_settings.captcha.provider to altcha (self-hosted, no keys) or turnstile/hcaptcha/recaptcha with its site key"
        out.append(_c("captcha", "fail", f"no captcha: {', '.join(bare)}", fix))
    else:
        used = sorted({captcha_provider(x.form_settings) or "" for x in lists})
        out.append(_c("captcha", "pass", f"{', '.join(used)} on all {len(lists)} forms"))
    return out


def check_rate_control(account: Any, bucket_rate: float | None) -> CheckResult:
    if account is None:
        return _c("rate_control", "warn", "sandbox SES only (no account quota to follow)")
    row = account.row
    if row.max_send_rate and row.quota_read_at:
        paced = f"{bucket_rate:g}/s" if bucket_rate else "set on first send"
        warm = ", warm-up on" if row.warmup_enabled else ""
        return _c(
            "rate_control",
            "pass",
            f"shared send bucket follows SES max {row.max_send_rate:g}/s (bucket {paced}), 24 h quota {row.max_24h_send or 0:g}{warm}",
        )
    return _c(
        "rate_control",
        "warn",
        "SES quota never read: sends fall back to 1/s",
        "PUT /v1/ses-account again (it reads the quota)",
    )


def check_rates(rates: Any, min_volume: int) -> list[CheckResult]:
    out = []
    enough = rates.sent >= min_volume
    for cid, value, warn, fail, n, fix in (
        ("bounce_rate", rates.bounce_rate, BOUNCE_WARN, BOUNCE_FAIL, rates.hard_bounces,
         "stop mailing old, imported or bought addresses; re-confirm stale lists; keep double opt-in"),
        ("complaint_rate", rates.complaint_rate, COMPLAINT_WARN, COMPLAINT_FAIL, rates.complaints,
         "send only what people signed up for, at the promised frequency; drop long-inactive subscribers"),
    ):  # fmt: skip
        facts = {"value": value, "sent": rates.sent, "count": n}
        detail = f"{_pct(value)} ({n} of {rates.sent} sent)"
        if not enough:
            out.append(
                _c(
                    cid,
                    "warn",
                    f"too little volume to judge ({rates.sent} sent, {n} counted)",
                    None,
                    "reputation",
                    **facts,
                )
            )
        elif value is not None and value >= fail:
            out.append(
                _c(
                    cid,
                    "fail",
                    f"{detail} ≥ {_pct(fail)} (AWS reviews accounts here)",
                    fix,
                    "reputation",
                    **facts,
                )
            )
        elif value is not None and value >= warn:
            out.append(_c(cid, "warn", f"{detail} ≥ {_pct(warn)}", fix, "reputation", **facts))
        else:
            out.append(_c(cid, "pass", f"{detail} < {_pct(warn)}", None, "reputation", **facts))
    return out


def unsubscribe_probe_for(composer: Any, default_from: str) -> Callable[[AsyncSession, int], Any]:
    """A probe rendering the project's recent campaigns (or a sample) through the sender's real composer, then
    checking the MIME for List-Unsubscribe (https), List-Unsubscribe-Post one-click and the link in the body."""

    async def probe(session: AsyncSession, project_id: int) -> CheckResult:
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
            problem = mime_problem(
                composer, await composer.campaign(session, cid, default_from), project_id, cid
            )
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
            problem = mime_problem(composer, sample, project_id, None)
            if problem:
                bad.append(f"sample campaign: {problem}")
        if bad:
            return _c(
                "unsubscribe",
                "fail",
                "; ".join(bad[:3]),
                "the sender must add these to every marketing mail: report it",
            )
        what = f"{len(ids)} recent campaigns" if ids else "a sample campaign (no campaigns yet)"
        return _c(
            "unsubscribe",
            "pass",
            f"{what} rendered: List-Unsubscribe (https), List-Unsubscribe-Post one-click, visible unsubscribe link",
        )

    return probe


def unchecked_unsubscribe() -> CheckResult:
    return _c(
        "unsubscribe",
        "warn",
        "not checked in this context",
        "run the report where the sender's settings load",
    )


def mime_problem(composer: Any, prepared: Any, project_id: int, campaign_id: int | None) -> str | None:
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
    bodies = [p.get_content() for p in msg.walk() if p.get_content_maintype() == "text"]
    if not any(url in b or url.replace("&", "&amp;") in b for b in bodies):
        return "the unsubscribe link is not in the body"
    return None
