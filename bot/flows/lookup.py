"""Finding what a button or form names, with a clear refusal when it is gone."""

from __future__ import annotations

from sqlmodel import Session

from bot.errors import UserError
from storage import projects as project_rows
from storage.models import Project


def existing_project(*, session: Session, project_id: int) -> Project:
    """The project a button or form was posted for (refused when it no longer exists)."""
    project = project_rows.get(session=session, project_id=project_id)
    if project is None:
        raise UserError("error.project_not_found")
    return project
