"""The double opt-in mail: built-in and translated into the list's language, or the owner's own subject and body
(`form_settings.confirmation_subject` / `confirmation_body`: Jinja in the sender's sandbox, the same templating
as campaigns), checked when the list is saved and previewed through the API.

Variables of an owner's template: `list.name`, `list.id`, `sender` (the brand name subscribers know),
`confirm_url`, `preferences_url`, `valid_until` (date, in the list's language), `email`, `locale`.
"""

from __future__ import annotations

import html
import uuid
from datetime import timedelta
from functools import lru_cache
from typing import Any

from babel.dates import format_date

from services.sender.templating import CompiledTemplate, TemplateInvalid, compile_parts
from services.subscriptions.settings import SubscriptionsSettings
from shared.contracts.mail import MailRequested
from shared.db.types import utcnow
from shared.errors import Unprocessable
from shared.links import LinkTarget, confirm_url, preferences_url
from shared.locales import DEFAULT_LOCALE, N_, shipped_locale, translations
from shared.runtime import Runtime

VARIABLES = (
    "list.name",
    "list.id",
    "sender",
    "confirm_url",
    "preferences_url",
    "valid_until",
    "email",
    "locale",
)
SUBJECT_MAX, BODY_MAX = 300, 50_000

SUBJECT = N_("Confirm your subscription to %(list)s")
HELLO = N_("Hello,")
ASK = N_("Please confirm that you want to receive “%(list)s” from %(sender)s.")
BUTTON = N_("Confirm my subscription")
VALID = N_(
    "This link is valid until %(date)s. If you did not ask for this, ignore this email: you will not be subscribed."
)
MANAGE = N_("Manage your subscriptions")


def mail_locale(form_settings: dict[str, Any] | None) -> str:
    return shipped_locale((form_settings or {}).get("locale")) or DEFAULT_LOCALE


def _context(
    *, locale: str, list_id: int, list_name: str, sender: str, link: str, prefs: str, days: float, email: str
) -> dict[str, Any]:
    until = format_date(utcnow() + timedelta(days=days), format="long", locale=locale)
    return {
        "list": {"id": list_id, "name": list_name},
        "sender": sender,
        "confirm_url": link,
        "preferences_url": prefs,
        "valid_until": until,
        "email": email,
        "locale": locale,
    }


def _builtin(ctx: dict[str, Any]) -> tuple[str, str, str]:
    t = translations(ctx["locale"]).gettext
    e = html.escape
    name, sender, link, prefs = ctx["list"]["name"], ctx["sender"], ctx["confirm_url"], ctx["preferences_url"]
    subject = t(SUBJECT) % {"list": name}
    text = (
        f"{t(HELLO)}\n\n{t(ASK) % {'list': name, 'sender': sender}}\n\n{link}\n\n"
        f"{t(VALID) % {'date': ctx['valid_until']}}\n\n{t(MANAGE)}: {prefs}\n"
    )
    body = (
        f'<div lang="{e(ctx["locale"])}">'
        f"<p>{e(t(HELLO))}</p><p>{e(t(ASK) % {'list': name, 'sender': sender})}</p>"
        f'<p><a href="{e(link)}">{e(t(BUTTON))}</a></p>'
        f"<p>{e(t(VALID) % {'date': ctx['valid_until']})}</p>"
        f'<p><a href="{e(prefs)}">{e(t(MANAGE))}</a></p></div>'
    )
    return subject, body, text


@lru_cache(maxsize=256)
def _compiled(subject: str, body: str) -> CompiledTemplate:
    return compile_parts(subject, body, None)


def custom_template(form_settings: dict[str, Any] | None) -> tuple[str, str] | None:
    fs = form_settings or {}
    subject, body = fs.get("confirmation_subject"), fs.get("confirmation_body")
    if isinstance(subject, str) and subject.strip() and isinstance(body, str) and body.strip():
        return subject, body
    return None


def render(form_settings: dict[str, Any] | None, ctx: dict[str, Any]) -> tuple[str, str, str]:
    """Subject, HTML and text of the confirmation mail for one subscriber."""
    custom = custom_template(form_settings)
    if custom is None:
        return _builtin(ctx)
    subject, body, text = _compiled(*custom).render(ctx)
    return subject, body or "", text


def sample_context(
    rt: Runtime, ss: SubscriptionsSettings, lst: Any, sender: str, locale: str
) -> dict[str, Any]:
    """What a preview shows: the list's own names, links of the right shape that confirm nothing."""
    base = rt.settings.runtime.public_url.rstrip("/")
    return _context(
        locale=locale,
        list_id=lst.id,
        list_name=lst.name,
        sender=sender,
        link=f"{base}/confirm/preview",
        prefs=f"{base}/p/preview",
        days=ss.confirm_ttl_days,
        email="subscriber@example.com",
    )


def check_template(subject: str | None, body: str | None) -> None:
    """422 naming the field unless the owner's template compiles, renders and links to `confirm_url`."""
    loc = ("body", "form_settings")
    if not subject and not body:
        return
    if not subject or not subject.strip():
        raise _invalid((*loc, "confirmation_subject"), "a subject is required with a custom body")
    if not body or not body.strip():
        raise _invalid((*loc, "confirmation_body"), "a body is required with a custom subject")
    if "confirm_url" not in body:
        raise _invalid(
            (*loc, "confirmation_body"), "the body must contain {{ confirm_url }}: the link to confirm"
        )
    try:
        compiled = compile_parts(subject, body, None)
        compiled.render(
            _context(
                locale=DEFAULT_LOCALE,
                list_id=1,
                list_name="List",
                sender="Sender",
                link="https://example.com/confirm/x",
                prefs="https://example.com/p/x",
                days=7,
                email="subscriber@example.com",
            )
        )
    except TemplateInvalid as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {"message": str(exc.detail)}
        field = "confirmation_subject" if detail.get("part") == "subject" else "confirmation_body"
        line = f" (line {detail['line']})" if detail.get("line") else ""
        raise _invalid((*loc, field), f"{detail.get('message')}{line}") from None


def _invalid(loc: tuple[str, ...], msg: str) -> Unprocessable:
    return Unprocessable(
        [{"loc": list(loc), "msg": msg, "type": "template_invalid"}], error="validation_error"
    )


def confirmation_mail(
    rt: Runtime,
    ss: SubscriptionsSettings,
    project_id: int,
    brand: str,
    list_id: int,
    list_name: str,
    subscription_id: int,
    contact_id: int,
    email: str,
    form_settings: dict[str, Any] | None = None,
) -> MailRequested:
    """The double opt-in mail: a signed confirm link (valid `confirm_ttl_days`) and the preferences link, in the
    list's language, or the owner's template."""
    public_url = rt.settings.runtime.public_url
    link = confirm_url(public_url, rt.tokens, LinkTarget(project_id, contact_id, list_id))
    prefs = preferences_url(public_url, rt.tokens, project_id, contact_id)
    locale = mail_locale(form_settings)
    ctx = _context(
        locale=locale,
        list_id=list_id,
        list_name=list_name,
        sender=brand,
        link=link,
        prefs=prefs,
        days=ss.confirm_ttl_days,
        email=email,
    )
    subject, body, text = render(form_settings, ctx)
    return MailRequested(
        project_id=project_id,
        to=email,
        subject=subject,
        html=body,
        text=text,
        kind="transactional",
        idempotency_key=f"confirm:{subscription_id}:{uuid.uuid4().hex}",
        contact_id=contact_id,
        tags={"purpose": "confirmation", "list_id": str(list_id)},
        headers={"Content-Language": locale},
        meta={"list_id": list_id, "subscription_id": subscription_id, "confirm_url": link},
    )
