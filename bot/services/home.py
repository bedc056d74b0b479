"""What a CSM's Home tab shows: their running projects, read with a fixed number of
statements however many projects they have."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.views import HomeProject, RiskView
from bot.services.health import health_of
from bot.services.projects import blackouts_of, local_today, project_views
from bot.services.schedule import risk_view
from storage import projects as project_rows
from storage import risks as risk_rows
from storage.models import RUNNING_STATUSES


def staff_home(
    *,
    session: Session,
    user_id: str,
    now: datetime,
    calendar_for: Callable[[str, list[DateRange]], BusinessCalendar],
) -> list[HomeProject]:
    """One line per running project `user_id` is the CSM of, with its state and counts.

    Five statements: the projects, their stakeholders, tasks, blackouts and open risks."""
    projects = project_rows.by_csm(session=session, user_id=user_id, statuses=RUNNING_STATUSES)
    ids = [p.id for p in projects if p.id is not None]
    views = project_views(session=session, projects=projects)
    blackouts = blackouts_of(session=session, project_ids=ids)
    risks: defaultdict[int, list[RiskView]] = defaultdict(list)
    for r in risk_rows.open_of(session=session, project_ids=ids):
        risks[r.project_id].append(risk_view(r))
    lines = []
    for project in projects:
        assert project.id is not None
        today = local_today(project, now)
        state = health_of(
            project=project,
            view=views[project.id],
            blackouts=blackouts.get(project.id, []),
            risks=risks[project.id],
            now=now,
            calendar_for=calendar_for,
        )
        view = dataclasses.replace(views[project.id], health=state)
        lines.append(
            HomeProject(
                project=view,
                overdue=len(view.overdue(today)),
                open_risks=len(risks[project.id]),
                state=state,
            )
        )
    return lines
