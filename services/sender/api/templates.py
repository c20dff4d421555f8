"""Templates: CRUD, validated at save time (syntax errors → 422 with the part and line), and a render preview."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.sender.api.common import iso
from services.sender.templating import compile_parts, contact_context, validate_parts
from shared.db.types import utcnow
from shared.errors import NotFound
from shared.internal_auth import ProjectId
from shared.models.sender import Template
from shared.service_app import DbSession

router = APIRouter(prefix="/v1/templates", tags=["templates"])


class TemplateIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    subject: str = Field(min_length=1, max_length=2000)
    html: str | None = Field(None, max_length=500_000)
    text: str | None = Field(None, max_length=500_000)


class RenderIn(BaseModel):
    email: str = Field("preview@example.com", max_length=320)
    attributes: dict[str, Any] = Field(default_factory=dict)
    variables: dict[str, Any] = Field(default_factory=dict)
    marketing: bool = Field(True, description="Add the unsubscribe footer when the content has no link.")


def template_json(t: Template) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "subject": t.subject,
        "html": t.html,
        "text": t.text,
        "version": t.version,
        "created_at": iso(t.created_at),
        "updated_at": iso(t.updated_at),
    }


async def load_template(session: Any, project_id: int, template_id: int) -> Template:
    t = (
        await session.execute(
            sa.select(Template).where(
                Template.id == template_id, Template.project_id == project_id, Template.deleted_at.is_(None)
            )
        )
    ).scalar_one_or_none()
    if t is None:
        raise NotFound("template not found")
    return t  # type: ignore[no-any-return]


@router.post("", status_code=201)
async def create_template(body: TemplateIn, session: DbSession, project_id: ProjectId) -> dict[str, Any]:
    validate_parts(body.subject, body.html, body.text)
    t = Template(project_id=project_id, name=body.name, subject=body.subject, html=body.html, text=body.text)
    session.add(t)
    await session.flush()
    return template_json(t)


@router.get("")
async def list_templates(
    session: DbSession, project_id: ProjectId, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> dict[str, Any]:
    rows = (
        await session.execute(
            sa.select(Template)
            .where(Template.project_id == project_id, Template.deleted_at.is_(None))
            .order_by(Template.id)
            .limit(limit)
        )
    ).scalars()
    return {"templates": [template_json(t) for t in rows]}


@router.get("/{template_id}")
async def get_template(template_id: int, session: DbSession, project_id: ProjectId) -> dict[str, Any]:
    return template_json(await load_template(session, project_id, template_id))


@router.put("/{template_id}")
async def update_template(
    template_id: int, body: TemplateIn, session: DbSession, project_id: ProjectId
) -> dict[str, Any]:
    t = await load_template(session, project_id, template_id)
    validate_parts(body.subject, body.html, body.text)
    t.name, t.subject, t.html, t.text = body.name, body.subject, body.html, body.text
    t.version += 1
    t.updated_at = utcnow()
    return template_json(t)


@router.delete("/{template_id}", status_code=204)
async def delete_template(template_id: int, session: DbSession, project_id: ProjectId) -> None:
    t = await load_template(session, project_id, template_id)
    t.deleted_at = utcnow()


@router.post("/{template_id}/render")
async def render_template(
    template_id: int, body: RenderIn, session: DbSession, project_id: ProjectId
) -> dict[str, Any]:
    t = await load_template(session, project_id, template_id)
    compiled = compile_parts(t.subject, t.html, t.text, add_unsubscribe_footer=body.marketing)
    ctx = contact_context(
        body.email,
        body.attributes,
        **body.variables,
        unsubscribe_url="https://unsubscribe.preview.invalid/u/preview",
        preferences_url="https://unsubscribe.preview.invalid/p/preview",
    )
    subject, html, text = compiled.render(ctx)
    return {
        "subject": subject,
        "html": html,
        "text": text,
        "unsubscribe_link_added": body.marketing and not compiled.has_unsubscribe_link,
    }
