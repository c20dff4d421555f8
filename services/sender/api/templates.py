"""Templates: CRUD, validated at save time (syntax errors → 422 with the part and line), and a render preview of
a saved template or of unsaved content."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from services.sender.api.common import iso
from services.sender.api.schemas import RenderOut, TemplateOut, TemplatePage
from services.sender.templating import (
    CompiledTemplate,
    TemplateInvalid,
    compile_parts,
    contact_context,
    validate_parts,
)
from shared.db.types import utcnow
from shared.errors import NotFound
from shared.internal_auth import ProjectId
from shared.models.sender import Template
from shared.pagination import PAGE_LIMIT_MAX, CursorQuery, decode_cursor, next_page
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


class PreviewIn(RenderIn):
    """Unsaved content, rendered like a saved template (nothing is stored)."""

    subject: str = Field(max_length=2000)
    html: str | None = Field(None, max_length=500_000)
    text: str | None = Field(None, max_length=500_000)


# What a template can raise while it is compiled or rendered beyond Jinja's own errors (`{{ 1/0 }}`,
# `{{ 'a' + 1 }}`, a format code that does not fit, nesting deeper than the parser's recursion): the author's
# mistake, answered 422 like a syntax error, never a 500.
_TEMPLATE_FAILURES = (
    ArithmeticError,
    LookupError,
    TypeError,
    ValueError,
    AttributeError,
    RecursionError,
    MemoryError,
)


def _too_deep() -> TemplateInvalid:
    return TemplateInvalid(
        {"part": "template", "line": None, "message": "the template is nested too deeply to be read"}
    )


def _compiled(subject: str, html: str | None, text: str | None, *, footer: bool) -> CompiledTemplate:
    try:
        return compile_parts(subject, html, text, add_unsubscribe_footer=footer)
    except (RecursionError, MemoryError):
        raise _too_deep() from None


def _checked(subject: str, html: str | None, text: str | None) -> None:
    """validate_parts, with a 422 too for content nested too deeply for the parser."""
    try:
        validate_parts(subject, html, text)
    except (RecursionError, MemoryError):
        raise _too_deep() from None


def render_content(subject: str, html: str | None, text: str | None, body: RenderIn) -> dict[str, Any]:
    """The preview of content for one made-up recipient: what `/render` and `/preview` answer."""
    compiled = _compiled(subject, html, text, footer=body.marketing)
    links = {
        "unsubscribe_url": "https://unsubscribe.preview.invalid/u/preview",
        "preferences_url": "https://unsubscribe.preview.invalid/p/preview",
    }
    ctx = contact_context(body.email, body.attributes, **{**body.variables, **links})  # the links win
    try:
        subject_out, html_out, text_out = compiled.render(ctx)
    except _TEMPLATE_FAILURES as exc:
        message = f"{type(exc).__name__}: {exc}"[:500]
        raise TemplateInvalid({"part": "render", "line": None, "message": message}) from None
    return {
        "subject": subject_out,
        "html": html_out,
        "text": text_out,
        "unsubscribe_link_added": body.marketing and not compiled.has_unsubscribe_link,
    }


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


@router.post("", status_code=201, response_model=TemplateOut)
async def create_template(body: TemplateIn, session: DbSession, project_id: ProjectId) -> dict[str, Any]:
    _checked(body.subject, body.html, body.text)
    t = Template(project_id=project_id, name=body.name, subject=body.subject, html=body.html, text=body.text)
    session.add(t)
    await session.flush()
    return template_json(t)


@router.get("", response_model=TemplatePage)
async def list_templates(
    session: DbSession,
    project_id: ProjectId,
    cursor: CursorQuery = None,
    limit: Annotated[
        int, Query(ge=1, le=PAGE_LIMIT_MAX, description="default 100 here (this list had no paging before)")
    ] = 100,
) -> dict[str, Any]:
    """Oldest first, `next_cursor` pages on."""
    after = decode_cursor(cursor)
    q = sa.select(Template).where(Template.project_id == project_id, Template.deleted_at.is_(None))
    if after is not None:
        q = q.where(Template.id > after)
    rows = (await session.execute(q.order_by(Template.id).limit(limit + 1))).scalars().all()
    _, next_cursor = next_page([t.id for t in rows], limit)
    items = [template_json(t) for t in rows[:limit]]
    return {"data": items, "next_cursor": next_cursor, "templates": items}


# Declared before the /{template_id} routes: "preview" is no template id.
@router.post("/preview", response_model=RenderOut)
async def preview_template(body: PreviewIn, project_id: ProjectId) -> dict[str, Any]:
    """Render unsaved content as `POST /{id}/render` renders a saved template (same sandbox, same answer)."""
    return render_content(body.subject, body.html, body.text, body)


@router.get("/{template_id}", response_model=TemplateOut)
async def get_template(template_id: int, session: DbSession, project_id: ProjectId) -> dict[str, Any]:
    return template_json(await load_template(session, project_id, template_id))


@router.put("/{template_id}", response_model=TemplateOut)
async def update_template(
    template_id: int, body: TemplateIn, session: DbSession, project_id: ProjectId
) -> dict[str, Any]:
    t = await load_template(session, project_id, template_id)
    _checked(body.subject, body.html, body.text)
    t.name, t.subject, t.html, t.text = body.name, body.subject, body.html, body.text
    t.version += 1
    t.updated_at = utcnow()
    return template_json(t)


@router.delete("/{template_id}", status_code=204)
async def delete_template(template_id: int, session: DbSession, project_id: ProjectId) -> None:
    t = await load_template(session, project_id, template_id)
    t.deleted_at = utcnow()


@router.post("/{template_id}/render", response_model=RenderOut)
async def render_template(
    template_id: int, body: RenderIn, session: DbSession, project_id: ProjectId
) -> dict[str, Any]:
    t = await load_template(session, project_id, template_id)
    return render_content(t.subject, t.html, t.text, body)
