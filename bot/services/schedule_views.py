"""What the scheduling form and the Need-more-time form show, checked before they open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.domain.calendar import DateRange
from bot.domain.permissions import Actor
from bot.domain.schedule import fiscal_year_end
from bot.domain.views import ProjectView, TaskView
from bot.services import access
from bot.services.projects import local_today, project_view
from bot.services.results import Refused
from bot.services.schedule import more_time_target, plan_refusal


@dataclass(frozen=True)
class ScheduleForm:
    view: ProjectView
    suggestion: DateRange  # the customer's next fiscal year-end month
    in_suggestion: list[TaskView]  # open tasks due in it
    plan_end: date
    committed_go_live: date | None


def schedule_form(
    *,
    session: Session,
    project_id: int | None,
    channel_id: str | None,
    actor: Actor,
    now: datetime,
) -> ScheduleForm | Refused:
    """The scheduling form of the project named (or the channel's), for the project's
    customer members and CS staff."""
    project = access.named_project(session=session, project_id=project_id, channel_id=channel_id)
    if project is None or project.id is None:
        return Refused("deny.not_a_project_channel")
    refusal = plan_refusal(session=session, project=project, actor=actor)
    if refusal is not None:
        return refusal
    view = project_view(session=session, project=project)
    suggestion = fiscal_year_end(local_today(project, now), month=project.fiscal_year_end_month)
    return ScheduleForm(
        view=view,
        suggestion=suggestion,
        in_suggestion=[t for t in view.tasks if t.is_open and suggestion.contains(t.due)],
        plan_end=max(t.due for t in view.tasks if t.status != "skipped"),
        committed_go_live=project.committed_go_live,
    )


def submission_refusal(*, session: Session, project_id: int, actor: Actor) -> Refused | None:
    """Why `actor` may not plan this project, or None: checked when the form comes back,
    whatever project its metadata names."""
    project = access.project(session=session, project_id=project_id)
    if project is None:
        return Refused("error.project_not_found")
    return plan_refusal(session=session, project=project, actor=actor)


@dataclass(frozen=True)
class MoreTimeForm:
    task: TaskView
    project_id: int
    locale: str
    today: date


def more_time_form(
    *, session: Session, task_id: int, actor: Actor, now: datetime
) -> MoreTimeForm | Refused:
    """The Need-more-time form of a task, for who may ask more time for it."""
    target = more_time_target(session=session, task_id=task_id, actor=actor)
    if isinstance(target, Refused):
        return target
    project = target.project
    assert project.id is not None
    view = next(t for t in project_view(session=session, project=project).tasks if t.id == task_id)
    return MoreTimeForm(
        task=view, project_id=project.id, locale=project.locale, today=local_today(project, now)
    )
