"""Reading projects for the HTTP API (one unit of work each)."""

from __future__ import annotations

from datetime import datetime

from bot.deps import Deps
from bot.services import api_projects
from bot.services.api_projects import ProjectInfo
from bot.services.session import unit_of_work


def project(deps: Deps, ref: str) -> ProjectInfo | None:
    """The project named by its id or `ext:<external id>`."""
    with unit_of_work(deps.engine) as session:
        project_id = api_projects.project_id_for(session=session, ref=ref)
        if project_id is None:
            return None
        return api_projects.describe(
            session=session, project_id=project_id, now=deps.clock(), calendar_for=deps.calendar
        )


def projects(
    deps: Deps,
    *,
    states: tuple[str, ...],
    updated_since: datetime | None,
    after_id: int,
    limit: int,
) -> tuple[list[ProjectInfo], int | None]:
    with unit_of_work(deps.engine) as session:
        return api_projects.page(
            session=session,
            now=deps.clock(),
            calendar_for=deps.calendar,
            states=states,
            updated_since=updated_since,
            after_id=after_id,
            limit=limit,
        )
