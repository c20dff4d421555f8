"""Lists: CRUD (soft delete) with double opt-in on by default and the public form settings the gateway uses."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from services.subscriptions.common import Page, SubSettings, iso, page_out
from services.subscriptions.confirmation import (
    check_template,
    custom_template,
    mail_locale,
    sample_context,
)
from services.subscriptions.confirmation import render as render_confirmation
from services.subscriptions.schemas import ConfirmationPreview, ListOut, ListPage
from shared.db.types import utcnow
from shared.errors import NotFound, Unprocessable
from shared.internal_auth import ProjectId
from shared.locales import SHIPPED_LOCALES, shipped_locale
from shared.models.subscriptions import MailingList, Subscription
from shared.service_app import DbSession, RuntimeDep

_COLOR = r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"


class Captcha(BaseModel):
    """The form's captcha. `secret` is write-only: answers say only `secret_set`; a PATCH that leaves the secret
    out keeps the stored one while the provider stays the same, `""` removes it."""

    model_config = ConfigDict(extra="forbid")
    provider: Literal["none", "altcha", "turnstile", "hcaptcha", "recaptcha"] = "none"
    site_key: str | None = Field(None, max_length=500)
    secret: str | None = Field(None, max_length=500)
    # what answers carry instead of the secret; accepted (and ignored) so an answer can be sent back as it is
    secret_set: bool | None = Field(None, exclude=True)


class FormField(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
    label: str | None = Field(None, max_length=200)


class FormBranding(BaseModel):
    """Per-form overrides of the project's branding."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=200)
    logo_url: str | None = Field(None, max_length=2000, pattern=r"^https?://\S+$")
    primary_color: str | None = Field(None, pattern=_COLOR)
    accent_color: str | None = Field(None, pattern=_COLOR)
    background_color: str | None = Field(None, pattern=_COLOR)
    text_color: str | None = Field(None, pattern=_COLOR)


class FormSettings(BaseModel):
    """What the gateway's hosted form reads: protections, extra fields (stored as attributes), texts, redirect."""

    model_config = ConfigDict(extra="forbid")
    captcha: Captcha = Field(default_factory=Captcha)
    honeypot: bool = True
    redirect_url: str | None = Field(None, max_length=2000)
    fields: list[FormField | str] = Field(default_factory=list, max_length=20)
    title: str | None = Field(None, max_length=200)
    intro: str | None = Field(None, max_length=2000)
    button_label: str | None = Field(None, max_length=100)
    branding: FormBranding | None = None
    locale: str | None = Field(
        None,
        max_length=10,
        description="language of the list's subscriber pages and confirmation mail: "
        + ", ".join(SHIPPED_LOCALES)
        + " (unset: the subscriber's browser language)",
    )

    confirmation_subject: str | None = Field(
        None, max_length=300, description="the confirmation mail's subject (Jinja; see confirmation_body)"
    )
    confirmation_body: str | None = Field(
        None,
        max_length=50_000,
        description="the confirmation mail's HTML body, Jinja in the sender's sandbox; must contain "
        "{{ confirm_url }}; variables: list.name, list.id, sender, confirm_url, preferences_url, valid_until, "
        "email, locale (unset: the built-in mail in the list's language)",
    )

    @field_validator("locale")
    @classmethod
    def _locale(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        if v not in SHIPPED_LOCALES:
            raise ValueError(f"locale must be one of {', '.join(SHIPPED_LOCALES)}")
        return v

    @field_validator("fields")
    @classmethod
    def _names(cls, v: list[FormField | str]) -> list[FormField | str]:
        import re

        for f in v:
            if isinstance(f, str) and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", f):
                raise ValueError(f"not a field name: {f!r}")
        return v

    @field_validator("redirect_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None and not (v.startswith("https://") or v.startswith("http://")):
            raise ValueError("redirect_url must be an http(s) URL")
        return v


SUNSET_DAYS = "Sunset: pause from marketing the contacts with no open or click in this many days."
SUNSET_CAMPAIGNS = (
    "Sunset: pause from marketing the contacts with no open or click in the last this-many campaigns."
)


class ListCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    double_optin: bool = True
    public: bool = Field(True, description="false: not offered on the preference page to non-members")
    form_settings: FormSettings = Field(default_factory=FormSettings)
    sunset_days: int | None = Field(None, ge=1, le=3650, description=SUNSET_DAYS)
    sunset_campaigns: int | None = Field(None, ge=1, le=1000, description=SUNSET_CAMPAIGNS)


class ListPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    double_optin: bool | None = None
    public: bool | None = None
    form_settings: FormSettings | None = None
    sunset_days: int | None = Field(None, ge=1, le=3650, description=SUNSET_DAYS + " null turns it off.")
    sunset_campaigns: int | None = Field(
        None, ge=1, le=1000, description=SUNSET_CAMPAIGNS + " null turns it off."
    )


def list_locale(lst: MailingList) -> str | None:
    """The language set for the list's pages and mails (form_settings.locale), else None (the reader's)."""
    return shipped_locale((lst.form_settings or {}).get("locale"))


def list_out(
    lst: MailingList, counts: dict[str, int] | None = None, *, secrets: bool = False
) -> dict[str, Any]:
    """A list as the API answers it; the captcha secret only with `secrets` (the gateway's internal form read)."""
    form = dict(lst.form_settings or {})
    if not secrets and isinstance(form.get("captcha"), dict):
        captcha = {k: v for k, v in form["captcha"].items() if k != "secret"}
        form["captcha"] = {**captcha, "secret_set": bool(form["captcha"].get("secret"))}
    out: dict[str, Any] = {
        "id": lst.id,
        "name": lst.name,
        "description": lst.description,
        "double_optin": lst.double_optin,
        "public": lst.public,
        "form_settings": form,
        "sunset_days": lst.sunset_days,
        "sunset_campaigns": lst.sunset_campaigns,
        "created_at": iso(lst.created_at),
        "updated_at": iso(lst.updated_at),
    }
    if counts is not None:
        out["counts"] = {s: counts.get(s, 0) for s in ("pending", "active", "paused", "unsubscribed")}
    return out


def _kept_secret(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """New form settings, with the stored captcha secret carried over when the patch left it out for the same
    provider (clients never see the secret, so they cannot send it back)."""
    before = (old or {}).get("captcha")
    after = new.get("captcha")
    if (
        isinstance(before, dict)
        and isinstance(after, dict)
        and "secret" not in after
        and before.get("secret")
        and before.get("provider") == after.get("provider")
    ):
        new["captcha"] = {**after, "secret": before["secret"]}
    elif isinstance(after, dict) and after.get("secret") == "":
        new["captcha"] = {k: v for k, v in after.items() if k != "secret"}
    return new


async def get_list(session: AsyncSession, project_id: int, list_id: int) -> MailingList:
    """A live list of this project, or 404 (another project's list is not found either)."""
    lst = await session.scalar(
        sa.select(MailingList).where(
            MailingList.id == list_id, MailingList.project_id == project_id, MailingList.deleted_at.is_(None)
        )
    )
    if lst is None:
        raise NotFound("list not found")
    return lst


async def _counts(session: AsyncSession, list_ids: list[int]) -> dict[int, dict[str, int]]:
    if not list_ids:
        return {}
    rows = await session.execute(
        sa.select(Subscription.list_id, Subscription.status, sa.func.count())
        .where(Subscription.list_id.in_(list_ids))
        .group_by(Subscription.list_id, Subscription.status)
    )
    out: dict[int, dict[str, int]] = {}
    for list_id, status, n in rows:
        out.setdefault(list_id, {})[status] = n
    return out


router = APIRouter(tags=["lists"])


@router.get("/v1/lists", response_model=ListPage, response_model_exclude_unset=True)
async def list_lists(project_id: ProjectId, session: DbSession, page: Page) -> dict[str, Any]:
    q = (
        sa.select(MailingList)
        .where(MailingList.project_id == project_id, MailingList.deleted_at.is_(None))
        .order_by(MailingList.id)
        .limit(page.limit + 1)
    )
    if page.after is not None:
        q = q.where(MailingList.id > page.after)
    rows = list((await session.scalars(q)).all())
    counts = await _counts(session, [r.id for r in rows[: page.limit]])
    return page_out([list_out(r, counts.get(r.id, {})) for r in rows], rows, page.limit)


@router.post("/v1/lists", status_code=201, response_model=ListOut, response_model_exclude_unset=True)
async def create_list(project_id: ProjectId, session: DbSession, body: ListCreate) -> dict[str, Any]:
    from services.subscriptions.projects import get_project

    await get_project(session, project_id)
    check_template(body.form_settings.confirmation_subject, body.form_settings.confirmation_body)
    now = utcnow()
    lst = MailingList(
        project_id=project_id,
        name=body.name.strip(),
        description=body.description,
        double_optin=body.double_optin,
        public=body.public,
        form_settings=_kept_secret(None, body.form_settings.model_dump(mode="json", exclude_none=True)),
        sunset_days=body.sunset_days,
        sunset_campaigns=body.sunset_campaigns,
        created_at=now,
        updated_at=now,
    )
    session.add(lst)
    await session.flush()
    return list_out(lst, {})


@router.get("/v1/lists/{list_id}", response_model=ListOut, response_model_exclude_unset=True)
async def read_list(project_id: ProjectId, session: DbSession, list_id: int) -> dict[str, Any]:
    lst = await get_list(session, project_id, list_id)
    return list_out(lst, (await _counts(session, [lst.id])).get(lst.id, {}))


@router.patch("/v1/lists/{list_id}", response_model=ListOut, response_model_exclude_unset=True)
async def update_list(
    project_id: ProjectId, session: DbSession, list_id: int, body: ListPatch
) -> dict[str, Any]:
    lst = await get_list(session, project_id, list_id)
    if body.name is not None:
        lst.name = body.name.strip()
    if body.description is not None:
        lst.description = body.description
    if body.double_optin is not None:
        lst.double_optin = body.double_optin
    if body.public is not None:
        lst.public = body.public
    if body.form_settings is not None:
        check_template(body.form_settings.confirmation_subject, body.form_settings.confirmation_body)
        lst.form_settings = _kept_secret(
            lst.form_settings, body.form_settings.model_dump(mode="json", exclude_none=True)
        )
    for field in ("sunset_days", "sunset_campaigns"):
        if field in body.model_fields_set:  # an explicit null turns the policy off
            setattr(lst, field, getattr(body, field))
    lst.updated_at = utcnow()
    await session.flush()
    return list_out(lst, (await _counts(session, [lst.id])).get(lst.id, {}))


class ConfirmationPreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    confirmation_subject: str | None = Field(None, max_length=300)
    confirmation_body: str | None = Field(None, max_length=50_000)
    locale: str | None = Field(None, max_length=10)


@router.post("/v1/lists/{list_id}/confirmation-preview", response_model=ConfirmationPreview)
async def confirmation_preview(
    project_id: ProjectId,
    session: DbSession,
    rt: RuntimeDep,
    ss: SubSettings,
    list_id: int,
    body: ConfirmationPreviewIn | None = None,
) -> dict[str, Any]:
    """The confirmation mail as this list's subscribers would get it: the stored settings, or the subject and
    body given here (not saved; checked like a save), with sample links that confirm nothing."""
    from services.subscriptions.membership import brand_name
    from services.subscriptions.projects import get_project

    project = await get_project(session, project_id)
    lst = await get_list(session, project_id, list_id)
    settings = dict(lst.form_settings or {})
    if body is not None:
        given = body.model_dump(exclude_none=True)
        if "confirmation_subject" in given or "confirmation_body" in given:
            check_template(body.confirmation_subject, body.confirmation_body)
            settings["confirmation_subject"] = body.confirmation_subject
            settings["confirmation_body"] = body.confirmation_body
        if body.locale is not None:
            if shipped_locale(body.locale) != body.locale:
                raise Unprocessable(
                    [{"loc": ["body", "locale"], "msg": "not a shipped locale", "type": "value_error"}],
                    error="validation_error",
                )
            settings["locale"] = body.locale
    locale = mail_locale(settings)
    sender = brand_name(project.name, project.settings)
    subject, html, text = render_confirmation(settings, sample_context(rt, ss, lst, sender, locale))
    return {
        "subject": subject,
        "html": html,
        "text": text,
        "locale": locale,
        "custom": bool(custom_template(settings)),
    }


@router.delete("/v1/lists/{list_id}", status_code=204)
async def delete_list(project_id: ProjectId, session: DbSession, list_id: int) -> Response:
    lst = await get_list(session, project_id, list_id)
    lst.deleted_at = utcnow()
    await session.flush()
    return Response(status_code=204)
