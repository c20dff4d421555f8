"""Who may do what in the console: login required, a role per project (viewer < editor < owner), operators
everywhere, and every POST checked for its CSRF token *after* the role (a viewer gets 403 whatever it sends)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from fastapi import Request
from starlette.datastructures import FormData

from services.gateway.bodies import field as form_field
from services.gateway.bodies import read_form
from services.gateway.console.sessions import Viewer, csrf_ok, current_viewer
from shared.models.console import ConsoleMembership
from shared.models.core import Project

ROLES = ("viewer", "editor", "owner")
ROLE_LABELS = {
    "viewer": "Viewer: sees everything, changes nothing",
    "editor": "Editor: lists, contacts, templates, campaigns, webhook tests and replays",
    "owner": "Owner: also members, API keys, webhook endpoints, SES and project settings",
}
FORM_LIMIT = 65_536


class ConsoleProblem(Exception):
    """An answer that ends a console request: rendered as an HTML page with its status (app.py's handler)."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(title)
        self.status, self.title, self.message = status, title, message


class LoginRequired(Exception):
    """No live session: the handler redirects to the login page, coming back here after."""

    def __init__(self, next_path: str = "/admin") -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass
class Access:
    """A viewer in one project, with the role they hold there."""

    viewer: Viewer
    project: dict[str, Any]
    role: str
    projects: list[dict[str, Any]] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return int(self.project["id"])

    def can(self, need: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(need)


def role_at_least(role: str, need: str) -> bool:
    return ROLES.index(role) >= ROLES.index(need)


async def require_viewer(request: Request) -> Viewer:
    viewer = await current_viewer(request)
    if viewer is None:
        raise LoginRequired(request.url.path if request.method == "GET" else "/admin")
    return viewer


async def projects_of(request: Request, viewer: Viewer) -> list[dict[str, Any]]:
    """The live projects this person may open, with their role in each (operators: every project, as owner)."""
    async with request.app.state.runtime.sessionmaker() as db:
        if viewer.is_operator:
            rows = (
                await db.execute(
                    sa.select(Project.id, Project.name, Project.settings, sa.literal("owner"))
                    .where(Project.deleted_at.is_(None))
                    .order_by(Project.id)
                )
            ).all()
        else:
            rows = (
                await db.execute(
                    sa.select(Project.id, Project.name, Project.settings, ConsoleMembership.role)
                    .join(ConsoleMembership, ConsoleMembership.project_id == Project.id)
                    .where(ConsoleMembership.user_id == viewer.user_id, Project.deleted_at.is_(None))
                    .order_by(Project.id)
                )
            ).all()
    return [{"id": r[0], "name": r[1], "settings": r[2] or {}, "role": r[3]} for r in rows]


async def project_access(request: Request, project_id: int, need: str = "viewer") -> Access:
    """The viewer's access to a project: 404 when it is not theirs (or gone), 403 when their role is too low."""
    viewer = await require_viewer(request)
    projects = await projects_of(request, viewer)
    project = next((p for p in projects if p["id"] == project_id), None)
    if project is None:
        raise ConsoleProblem(404, "No such project", "This project does not exist or is not yours.")
    access = Access(viewer=viewer, project=project, role=project["role"], projects=projects)
    if not access.can(need):
        raise ConsoleProblem(
            403, "Not allowed", f"Your role in this project ({access.role}) cannot do this; it needs {need}."
        )
    return access


async def checked_form(request: Request, viewer: Viewer, limit: int = FORM_LIMIT) -> FormData:
    """The POSTed form, once its CSRF token matched this session's."""
    form = await read_form(request, limit)
    if not csrf_ok(viewer, form_field(form, "csrf", 100)):
        raise ConsoleProblem(403, "Form expired", "The form expired. Reload the page and try again.")
    return form


async def project_post(request: Request, project_id: int, need: str = "editor") -> tuple[Access, FormData]:
    """A change to a project: role first (403), then the CSRF token, then the form."""
    access = await project_access(request, project_id, need)
    return access, await checked_form(request, access.viewer)


def login_url(next_path: str) -> str:
    if next_path in ("", "/admin"):
        return "/admin/login"
    return "/admin/login?next=" + quote(next_path, safe="/")
