"""Routes behind the gateway's public pages: form, subscribe, confirm, resend, preferences, unsubscribe.

Internal token only (the gateway renders the pages). Tokens are read only through shared/links.py; a token of
another purpose, a tampered one → 400 invalid_token; an expired confirm link → 410 expired_token.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Body, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from services.subscriptions.common import SubSettings, iso
from services.subscriptions.first_signup import first_signup
from services.subscriptions.lists import list_locale, list_out
from services.subscriptions.membership import lock_subscription, send_confirmation, set_status, subscribe
from services.subscriptions.membership import unsubscribe_all as do_unsubscribe_all
from services.subscriptions.projects import get_project, public_project
from services.subscriptions.settings import SubscriptionsSettings
from shared.db.types import utcnow
from shared.errors import Conflict, NotFound, Unprocessable
from shared.internal_auth import Internal, check_internal
from shared.links import CONFIRM, PREFERENCES, UNSUBSCRIBE, LinkTarget, make_token, read_token
from shared.models.core import Project
from shared.models.subscriptions import Contact, MailingList, Subscription
from shared.runtime import Runtime
from shared.service_app import DbSession, RuntimeDep
from shared.tokens import TokenExpired, TokenInvalid

router = APIRouter(tags=["public"], dependencies=[Internal])

CHECK_INBOX = {"status": "check_inbox"}


class SubscribeIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    email: str = Field(max_length=320)
    attributes: dict[str, Any] = Field(default_factory=dict)
    source: Literal["form", "api"] = "form"


class TokenIn(BaseModel):
    token: str = Field(max_length=4096)


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["pause", "unsubscribe", "unsubscribe_all", "resubscribe"]
    list_id: int | None = None
    until: datetime | None = None


class UnsubscribeIn(BaseModel):
    source: Literal["one_click", "link"] = "link"


def _clean_attributes(attrs: dict[str, Any]) -> dict[str, Any]:
    """Form attributes: at most 50 short scalar values (subscribers type them)."""
    if len(attrs) > 50:
        raise Unprocessable("too many attributes")
    out: dict[str, Any] = {}
    for k, v in attrs.items():
        if not isinstance(k, str) or len(k) > 100:
            raise Unprocessable("attribute names are strings of at most 100 characters")
        if v is not None and not isinstance(v, str | int | float | bool):
            raise Unprocessable(f"attribute {k!r} must be a scalar")
        if isinstance(v, str) and len(v) > 1000:
            raise Unprocessable(f"attribute {k!r} is too long")
        out[k] = v
    return out


async def _live_list(session: Any, list_id: int, project_id: int | None = None) -> MailingList:
    q = sa.select(MailingList).where(MailingList.id == list_id, MailingList.deleted_at.is_(None))
    if project_id is not None:
        q = q.where(MailingList.project_id == project_id)
    lst = await session.scalar(q)
    if lst is None:
        raise NotFound("list not found")
    return lst


async def _contact(session: Any, target: LinkTarget) -> Contact:
    c = await session.scalar(
        sa.select(Contact).where(Contact.id == target.contact_id, Contact.project_id == target.project_id)
    )
    if c is None or c.erased_at is not None or c.email is None:
        raise NotFound("this subscriber no longer exists")
    return c


@router.get("/public/lists/{list_id}/form")
async def form(session: DbSession, list_id: int) -> dict[str, Any]:
    lst = await _live_list(session, list_id)
    project = await get_project(session, lst.project_id)
    out = list_out(lst, secrets=True)
    return {
        "list": {
            "id": lst.id,
            "name": lst.name,
            "description": lst.description,
            "double_optin": lst.double_optin,
        },
        "project": public_project(project),
        "form_settings": out["form_settings"],  # includes captcha.secret: the gateway verifies captchas
    }


async def public_subscribe(request: Request) -> JSONResponse:
    """The signup hot path: a plain Starlette route (no dependency solving, no response model), internal token
    checked by hand; the path and body are validated by the same pydantic types, and errors (validation
    included) are answered by the app's handlers like everywhere else."""
    check_internal(request)
    try:
        list_id = _LIST_ID.validate_python(request.path_params["list_id"])
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("path", "list_id")} for e in exc.errors()]) from None
    try:
        body = SubscribeIn.model_validate_json(await request.body())
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None
    rt: Runtime = request.app.state.runtime
    ss: SubscriptionsSettings = request.app.state.sub_settings
    try:
        attributes = _clean_attributes(body.attributes)
    except Unprocessable:
        attributes = None  # refused below, after the list check, as always
    if attributes is None or not await first_signup(
        rt, ss, list_id, body.email, source=body.source, attributes=attributes
    ):
        # Everything else: one unit of work, committed before the answer (as the DbSession dependency does).
        async with rt.uow() as session:
            lst = await _live_list(session, list_id)
            project = await get_project(session, lst.project_id)
            await subscribe(
                session,
                rt,
                ss,
                project,
                lst,
                body.email,
                source=body.source,
                attributes=_clean_attributes(body.attributes),
            )
    return JSONResponse(CHECK_INBOX, 202)


router.add_route(
    "/public/lists/{list_id}/subscribe", public_subscribe, methods=["POST"], include_in_schema=False
)
_LIST_ID = TypeAdapter(int)


@router.post("/public/confirm")
async def confirm(session: DbSession, rt: RuntimeDep, ss: SubSettings, body: TokenIn) -> dict[str, Any]:
    target = read_token(rt.tokens, CONFIRM, body.token, max_age=ss.confirm_ttl_days * 86400)
    if target.list_id is None:
        raise TokenInvalid("malformed token")
    project = await get_project(session, target.project_id)
    lst = await _live_list(session, target.list_id, project.id)
    await _contact(session, target)
    sub = await lock_subscription(session, lst.id, target.contact_id)
    if sub is None:
        raise NotFound("this subscription no longer exists")
    if sub.status == "pending":
        await set_status(session, sub, "active", "confirmation")
        result = "confirmed"
    elif sub.status in ("active", "paused"):
        result = "already_confirmed"
    else:
        raise Conflict("you left this list after this link was sent; subscribe again", error="unsubscribed")
    return {
        "result": result,
        "list": _list_ref(lst),
        "project": public_project(project),
        "preferences_token": _prefs_token(rt, target),
    }


@router.get("/public/confirm/{token}")
async def confirm_view(session: DbSession, rt: RuntimeDep, ss: SubSettings, token: str) -> dict[str, Any]:
    """What a confirm link is for, changing nothing (the page shows it before its button): the list, the sender,
    the subscription's status and whether the link has expired. Tampered or foreign tokens → 400."""
    target = read_token(rt.tokens, CONFIRM, token, max_age=None)
    if target.list_id is None:
        raise TokenInvalid("malformed token")
    try:
        read_token(rt.tokens, CONFIRM, token, max_age=ss.confirm_ttl_days * 86400)
        expired = False
    except TokenExpired:
        expired = True
    project = await get_project(session, target.project_id)
    lst = await _live_list(session, target.list_id, project.id)
    await _contact(session, target)
    status = await session.scalar(
        sa.select(Subscription.status).where(
            Subscription.list_id == lst.id, Subscription.contact_id == target.contact_id
        )
    )
    return {
        "list": _list_ref(lst),
        "project": public_project(project),
        "status": status or "not_subscribed",
        "expired": expired,
    }


def _list_ref(lst: MailingList) -> dict[str, Any]:
    return {"id": lst.id, "name": lst.name, "locale": list_locale(lst)}


def _prefs_token(rt: Runtime, target: LinkTarget) -> str:
    """The contact's preference-page token: result pages link there (resubscribe, pause, other lists). It keeps
    the mail's attribution (message, campaign) of a token that came from a mail's link."""
    return make_token(
        rt.tokens,
        PREFERENCES,
        LinkTarget(target.project_id, target.contact_id, None, target.message_id, target.campaign_id),
    )


@router.post("/public/confirm/resend", status_code=202)
async def resend(session: DbSession, rt: RuntimeDep, ss: SubSettings, body: TokenIn) -> dict[str, Any]:
    # An expired but authentic confirm token names whom to mail again; tampered ones are refused.
    target = read_token(rt.tokens, CONFIRM, body.token, max_age=None)
    if target.list_id is None:
        raise TokenInvalid("malformed token")
    project = await get_project(session, target.project_id)
    lst = await _live_list(session, target.list_id, project.id)
    contact = await _contact(session, target)
    sub = await lock_subscription(session, lst.id, contact.id)
    if sub is not None and sub.status == "pending":
        await send_confirmation(session, rt, ss, project, lst, sub, contact.email or "", force=False)
    return {**CHECK_INBOX, "list": _list_ref(lst), "project": public_project(project)}


def _offered(lst: MailingList, sub: Subscription | None) -> bool:
    """Whether the preference page shows (and acts on) a list: public lists only — a private list never appears
    there (owner's choice, e.g. a customers-only list); its members leave it by its mails' own unsubscribe link
    or by "unsubscribe from everything", and may still `unsubscribe` from it here."""
    del sub
    return bool(lst.public)


async def _preferences(session: Any, project: Project, contact: Contact) -> dict[str, Any]:
    now = utcnow()
    rows = await session.execute(
        sa.select(MailingList, Subscription)
        .outerjoin(
            Subscription,
            sa.and_(Subscription.list_id == MailingList.id, Subscription.contact_id == contact.id),
        )
        .where(MailingList.project_id == project.id, MailingList.deleted_at.is_(None))
        .order_by(MailingList.id)
    )
    lists = []
    for lst, sub in rows:
        if not _offered(lst, sub):
            continue
        status = sub.status if sub else None
        paused_until = sub.paused_until if sub else None
        if status == "paused" and paused_until is not None and paused_until <= now:
            status, paused_until = "active", None  # the pause is over (the resume task catches up)
        lists.append(
            {
                "id": lst.id,
                "name": lst.name,
                "description": lst.description,
                "locale": list_locale(lst),
                "status": status,
                "paused_until": iso(paused_until) if status == "paused" else None,
            }
        )
    return {"email": contact.email, "project": public_project(project), "lists": lists}


@router.get("/public/preferences/{token}")
async def get_preferences(session: DbSession, rt: RuntimeDep, token: str) -> dict[str, Any]:
    target = read_token(rt.tokens, PREFERENCES, token)
    project = await get_project(session, target.project_id)
    contact = await _contact(session, target)
    return await _preferences(session, project, contact)


@router.post("/public/preferences/{token}")
async def post_preferences(
    session: DbSession, rt: RuntimeDep, ss: SubSettings, token: str, body: PreferencesIn
) -> dict[str, Any]:
    target = read_token(rt.tokens, PREFERENCES, token)
    project = await get_project(session, target.project_id)
    contact = await _contact(session, target)
    via = target.attribution  # the mail the preference page was reached from, if any
    if body.action == "unsubscribe_all":
        await do_unsubscribe_all(session, project.id, contact.id, "preferences", via)
        return await _preferences(session, project, contact)
    if body.list_id is None:
        raise Unprocessable("list_id is required for this action", error="list_id_required")
    lst = await _live_list(session, body.list_id, project.id)
    sub = await lock_subscription(session, lst.id, contact.id)
    # A private list the contact is not on is not there for them (as an unknown list); leaving it again is a no-op.
    if not _offered(lst, sub) and not (sub is not None and body.action == "unsubscribe"):
        raise NotFound("list not found")
    if body.action == "pause":
        now = utcnow()
        if body.until is None or body.until.tzinfo is None:
            raise Unprocessable(
                "until (a timezone-aware date-time) is required to pause", error="until_required"
            )
        if body.until <= now or body.until > now + timedelta(days=366):
            raise Unprocessable("until must be in the future and within a year", error="until_out_of_range")
        if sub is None or sub.status not in ("active", "paused"):
            raise Conflict("only an active subscription can be paused", error="not_subscribed")
        await set_status(session, sub, "paused", "preferences", paused_until=body.until, attribution=via)
    elif body.action == "unsubscribe":
        if sub is not None and sub.status != "unsubscribed":
            await set_status(session, sub, "unsubscribed", "preferences", attribution=via)
    else:  # resubscribe: a paused list resumes; a left list needs double opt-in again
        if sub is not None and sub.status == "paused":
            await set_status(session, sub, "active", "preferences")
        elif sub is None or sub.status == "unsubscribed":
            await _rejoin(session, rt, ss, project, lst, contact)
        elif sub.status == "pending":
            await send_confirmation(session, rt, ss, project, lst, sub, contact.email or "", force=False)
    return await _preferences(session, project, contact)


async def _rejoin(
    session: Any, rt: Any, ss: Any, project: Project, lst: MailingList, contact: Contact
) -> None:
    """Re-joining always goes through double opt-in, whatever the list's setting."""
    await subscribe(
        session, rt, ss, project, lst, contact.email or "", source="preferences", force_double_optin=True
    )


async def _unsubscribe_view(
    session: Any, rt: Any, token: str
) -> tuple[LinkTarget, Project, Contact, MailingList | None]:
    target = read_token(rt.tokens, UNSUBSCRIBE, token)
    project = await get_project(session, target.project_id)
    contact = await _contact(session, target)
    lst = None
    if target.list_id is not None:
        lst = await session.scalar(
            sa.select(MailingList).where(
                MailingList.id == target.list_id, MailingList.project_id == project.id
            )
        )
        if lst is None:
            raise NotFound("list not found")
    return target, project, contact, lst


async def _unsubscribe_state(
    session: Any, project: Project, contact: Contact, lst: MailingList | None
) -> str:
    if lst is not None:
        status = await session.scalar(
            sa.select(Subscription.status).where(
                Subscription.list_id == lst.id, Subscription.contact_id == contact.id
            )
        )
        return status or "not_subscribed"
    remaining = await session.scalar(
        sa.select(sa.func.count()).where(
            Subscription.project_id == project.id,
            Subscription.contact_id == contact.id,
            Subscription.status != "unsubscribed",
        )
    )
    return "subscribed" if remaining else "unsubscribed"


def _unsub_out(
    rt: Runtime, target: LinkTarget, project: Project, contact: Contact, lst: MailingList | None, status: str
) -> dict[str, Any]:
    return {
        "email": contact.email,
        "project": public_project(project),
        "list": _list_ref(lst) if lst else None,
        "status": status,
        "preferences_token": _prefs_token(rt, target),
    }


@router.get("/public/unsubscribe/{token}")
async def unsubscribe_page(session: DbSession, rt: RuntimeDep, token: str) -> dict[str, Any]:
    target, project, contact, lst = await _unsubscribe_view(session, rt, token)
    state = await _unsubscribe_state(session, project, contact, lst)
    return _unsub_out(rt, target, project, contact, lst, state)


@router.post("/public/unsubscribe/{token}")
async def unsubscribe(
    session: DbSession, rt: RuntimeDep, token: str, body: UnsubscribeIn | None = Body(None)
) -> dict[str, Any]:
    target, project, contact, lst = await _unsubscribe_view(session, rt, token)
    source = (body or UnsubscribeIn()).source
    if lst is None:
        await do_unsubscribe_all(session, project.id, contact.id, source, target.attribution)
    else:
        sub = await lock_subscription(session, lst.id, contact.id)
        if sub is not None and sub.status != "unsubscribed":
            await set_status(session, sub, "unsubscribed", source, attribution=target.attribution)
    state = await _unsubscribe_state(session, project, contact, lst)
    out = _unsub_out(rt, target, project, contact, lst, state)
    return {"result": "unsubscribed", **out}
