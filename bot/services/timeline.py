"""The plan of a project as its timeline picture shows it."""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlmodel import Session

from bot.domain.calendar import BusinessCalendar
from bot.domain.playbook import Locale, Playbook
from bot.domain.timeline import Timeline, TimelineTask, project_timeline
from bot.services.digest import CalendarFor
from bot.services.projects import blackouts, local_today
from storage import projects as project_rows
from storage import tasks as task_rows


def timeline_of(
    *, session: Session, project_id: int, now: datetime, calendar_for: CalendarFor
) -> tuple[Timeline, str | None] | None:
    """The project's plan today, in its language, and its channel; None when there is no
    such project."""
    project = project_rows.get(session=session, project_id=project_id)
    if project is None:
        return None
    locale = cast(Locale, project.locale)  # stored from a validated choice: ja or en
    playbook = Playbook.model_validate(project.playbook_snapshot)
    phases = {p.id: p.title.get(locale) for p in playbook.phases}
    busy = blackouts(session=session, project_id=project_id)
    calendar = calendar_for(project.holiday_country, busy)
    tasks = [
        TimelineTask(
            title=row.title_ja if locale == "ja" else row.title_en,
            phase=phases.get(row.phase, row.phase),
            side=row.owner_side,
            start=_start(row.start_date, row.planned_due, row.due, calendar),
            due=row.due,
            status=row.status,
            required=row.required,
            planned_due=row.planned_due,
        )
        for row in task_rows.of_project(session=session, project_id=project_id)
    ]
    timeline = project_timeline(
        customer=project.customer_name,
        playbook=playbook.title.get(locale),
        locale=locale,
        kickoff=project.kickoff,
        tasks=tasks,
        calendar=calendar,
        busy=busy,
        today=local_today(project, now),
        go_live=project.committed_go_live or project.target_go_live,
    )
    return timeline, project.channel_id


def _start(start: date, planned_due: date, due: date, calendar: BusinessCalendar) -> date:
    """A moved task's bar keeps its length: it starts as much later as it is due later."""
    if due == planned_due:
        return min(start, due)
    return min(calendar.next_business_day(start + (due - planned_due)), due)
