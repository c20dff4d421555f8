"""Projects (tenants) and their API keys: the service layer and the /v1/project, /v1/api-keys, /admin routes."""

from __future__ import annotations

import re
from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Body
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from services.subscriptions.common import Page, iso, page_out
from services.subscriptions.schemas import ApiKeyCreated, ApiKeyOut, ApiKeyPage, ProjectOut
from shared.api_keys import NewKey, generate_key
from shared.db.types import utcnow
from shared.email_address import normalize_email
from shared.errors import NotFound, Unprocessable
from shared.internal_auth import Internal, ProjectId
from shared.models.core import ApiKey, Project
from shared.service_app import DbSession

_COLOR = r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"
_HOST = re.compile(
    r"^(?=.{1,253}$)(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$"
)


class Branding(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=200)
    logo_url: str | None = Field(None, max_length=2000)
    primary_color: str | None = Field(None, pattern=_COLOR)
    accent_color: str | None = Field(None, pattern=_COLOR)

    @field_validator("logo_url")
    @classmethod
    def _https(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^\s/]+(/\S*)?$", v):
            raise ValueError("logo_url must be an http(s) URL")
        return v


class TrackingSettings(BaseModel):
    """Open / click tracking of marketing mail through SES (campaigns may override; transactional: never)."""

    model_config = ConfigDict(extra="forbid")
    opens: bool = True
    clicks: bool = True


class ProjectSettingsIn(BaseModel):
    """Known knobs are validated; other services' keys (extra) are kept as given. A null value removes a key."""

    model_config = ConfigDict(extra="allow")
    branding: Branding | None = None
    allowed_redirect_hosts: list[str] | None = Field(None, max_length=100)
    from_email: str | None = Field(None, max_length=320)
    from_name: str | None = Field(None, max_length=200)
    # Read by the sender (services/sender/canary.py): the feedback window of this project's campaign canaries.
    canary_window_seconds: int | None = Field(None, ge=0, le=7 * 86400)
    tracking: TrackingSettings | None = None

    @field_validator("allowed_redirect_hosts")
    @classmethod
    def _hosts(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        out = []
        for h in v:
            h = h.strip().lower()
            if not _HOST.match(h):
                raise ValueError(f"not a host name: {h!r}")
            out.append(h)
        return out

    @field_validator("from_email")
    @classmethod
    def _from(cls, v: str | None) -> str | None:
        return normalize_email(v) if v is not None else None


class ProjectPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, min_length=1, max_length=200)
    owner_email: str | None = Field(None, max_length=320)
    settings: ProjectSettingsIn | None = None


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    owner_email: str | None = Field(None, max_length=320)
    settings: ProjectSettingsIn | None = None


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field("default", min_length=1, max_length=200)


class KeysUsed(BaseModel):
    """The gateway's report of API keys it authenticated: key id → when last (timezone-aware)."""

    model_config = ConfigDict(extra="forbid")
    used: dict[int, AwareDatetime] = Field(max_length=10_000)


def project_out(p: Project) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "owner_email": p.owner_email,
        "settings": p.settings or {},
        "created_at": iso(p.created_at),
    }


def public_project(p: Project) -> dict[str, Any]:
    """What subscriber-facing pages may show of a project."""
    s = p.settings or {}
    return {
        "id": p.id,
        "name": p.name,
        "branding": s.get("branding") or {},
        "allowed_redirect_hosts": s.get("allowed_redirect_hosts") or [],
    }


def key_out(k: ApiKey, secret: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": k.id,
        "name": k.name,
        "prefix": k.prefix,
        "created_at": iso(k.created_at),
        "last_used_at": iso(k.last_used_at),
        "revoked_at": iso(k.revoked_at),
    }
    if secret is not None:
        out["key"] = secret  # shown once; only the hash is stored
    return out


def _merge_settings(current: dict[str, Any], patch: ProjectSettingsIn) -> dict[str, Any]:
    merged = dict(current or {})
    for key, value in patch.model_dump(exclude_unset=True, mode="json").items():
        if value is None:
            merged.pop(key, None)
        elif key == "branding":
            branding = {**(merged.get("branding") or {}), **value}
            merged["branding"] = {k: v for k, v in branding.items() if v is not None}
        else:
            merged[key] = value
    if len(str(merged)) > 64_000:
        raise Unprocessable("project settings too large")
    return merged


async def create_api_key(
    session: AsyncSession, project_id: int, name: str = "default"
) -> tuple[ApiKey, NewKey]:
    new = generate_key()
    key = ApiKey(
        project_id=project_id, name=name, prefix=new.prefix, key_hash=new.key_hash, created_at=utcnow()
    )
    session.add(key)
    await session.flush()
    return key, new


async def create_project(
    session: AsyncSession,
    name: str,
    owner_email: str | None = None,
    settings: ProjectSettingsIn | None = None,
) -> tuple[Project, ApiKey, NewKey]:
    """A new project with its first API key (the key's secret is only in the returned NewKey)."""
    project = Project(
        name=name.strip(),
        owner_email=normalize_email(owner_email) if owner_email else None,
        settings=_merge_settings({}, settings) if settings else {},
        created_at=utcnow(),
    )
    session.add(project)
    await session.flush()
    key, new = await create_api_key(session, project.id)
    return project, key, new


async def get_project(session: AsyncSession, project_id: int) -> Project:
    p = await session.get(Project, project_id)
    if p is None or p.deleted_at is not None:
        raise NotFound("project not found")
    return p


router = APIRouter(tags=["project"])


@router.get("/v1/project", response_model=ProjectOut)
async def read_project(project_id: ProjectId, session: DbSession) -> dict[str, Any]:
    return project_out(await get_project(session, project_id))


@router.patch("/v1/project", response_model=ProjectOut)
async def update_project(project_id: ProjectId, session: DbSession, body: ProjectPatch) -> dict[str, Any]:
    p = await get_project(session, project_id)
    if body.name is not None:
        p.name = body.name.strip()
    if "owner_email" in body.model_fields_set:
        p.owner_email = normalize_email(body.owner_email) if body.owner_email else None
    if body.settings is not None:
        p.settings = _merge_settings(p.settings, body.settings)
    await session.flush()
    return project_out(p)


@router.get("/v1/api-keys", response_model=ApiKeyPage)
async def list_keys(project_id: ProjectId, session: DbSession) -> dict[str, Any]:
    await get_project(session, project_id)
    keys = (
        await session.scalars(sa.select(ApiKey).where(ApiKey.project_id == project_id).order_by(ApiKey.id))
    ).all()
    return {"data": [key_out(k) for k in keys], "next_cursor": None}


@router.post("/v1/api-keys", status_code=201, response_model=ApiKeyCreated)
async def new_key(
    project_id: ProjectId, session: DbSession, body: Annotated[KeyCreate | None, Body()] = None
) -> dict[str, Any]:
    await get_project(session, project_id)
    key, new = await create_api_key(session, project_id, (body or KeyCreate()).name)
    return key_out(key, new.key)


@router.delete("/v1/api-keys/{key_id}", response_model=ApiKeyOut)
async def revoke_key(project_id: ProjectId, session: DbSession, key_id: int) -> dict[str, Any]:
    key = await session.scalar(sa.select(ApiKey).where(ApiKey.id == key_id, ApiKey.project_id == project_id))
    if key is None:
        raise NotFound("api key not found")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        await session.flush()
    return key_out(key)


admin = APIRouter(tags=["admin"], dependencies=[Internal])


@admin.get("/admin/projects")
async def admin_list_projects(session: DbSession, page: Page) -> dict[str, Any]:
    q = sa.select(Project).where(Project.deleted_at.is_(None)).order_by(Project.id).limit(page.limit + 1)
    if page.after is not None:
        q = q.where(Project.id > page.after)
    rows = list((await session.scalars(q)).all())
    return page_out([project_out(p) for p in rows], rows, page.limit)


@admin.post("/admin/projects", status_code=201)
async def admin_create_project(session: DbSession, body: ProjectCreate) -> dict[str, Any]:
    project, key, new = await create_project(session, body.name, body.owner_email, body.settings)
    return {"project": project_out(project), "api_key": key_out(key, new.key)}


@admin.get("/admin/projects/{project_id}")
async def admin_read_project(session: DbSession, project_id: int) -> dict[str, Any]:
    p = await get_project(session, project_id)
    keys = (
        await session.scalars(sa.select(ApiKey).where(ApiKey.project_id == p.id).order_by(ApiKey.id))
    ).all()
    return {**project_out(p), "api_keys": [key_out(k) for k in keys]}


@admin.post("/admin/api-keys/last-used")
async def admin_keys_used(session: DbSession, body: KeysUsed) -> dict[str, Any]:
    """Record when keys were last used (the gateway flushes what it saw): `last_used_at` only moves forward, so
    replicas' reports may arrive in any order; a time ahead of this clock counts as now; unknown ids are ignored."""
    if not body.used:
        return {"accepted": 0}
    now = utcnow()
    table = ApiKey.__table__
    stmt = (
        sa.update(table)
        .where(
            table.c.id == sa.bindparam("key_id"),
            sa.or_(table.c.last_used_at.is_(None), table.c.last_used_at < sa.bindparam("used_at")),
        )
        .values(last_used_at=sa.bindparam("used_at"))
    )
    params = [{"key_id": k, "used_at": min(t, now)} for k, t in sorted(body.used.items())]
    await session.execute(stmt, params)
    return {"accepted": len(params)}
