"""`/onboard status`: one project (by id, or the channel's), else the caller's projects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.domain.permissions import Actor, can_use_cs_commands
from bot.domain.views import ProjectView, RiskView
from bot.services import access
from bot.services.health import CalendarFor, view_with_health
from bot.services.projects import blackouts, local_today
from bot.services.results import Refused
from bot.services.schedule import risk_views
from bot.services.starts import is_starting
from storage.models import Project, ProjectStatus


@dataclass(frozen=True)
class OneProject:
    view: ProjectView  # with its health
    today: date  # the project's
    overdue_days: dict[int, int]  # business days late, by task id
    risks: list[RiskView]


@dataclass(frozen=True)
class MyProjects:
    views: list[ProjectView]  # the caller's running projects, with their health


def status(
    *,
    session: Session,
    project_id: int | None,
    channel_id: str | None,
    actor: Actor,
    now: datetime,
    calendar_for: CalendarFor,
) -> OneProject | MyProjects | Refused:
    """The project named by id (or the channel's), as `actor` may see it; elsewhere the
    running projects of the CS staff member asking."""
    project = None
    if project_id is not None or channel_id:
        project = access.named_project(
            session=session, project_id=project_id, channel_id=channel_id
        )
    if project is not None:
        return _one(
            session=session, project=project, actor=actor, now=now, calendar_for=calendar_for
        )
    decision = can_use_cs_commands(actor)
    if not decision:
        return Refused(decision.reason or "deny.not_staff")
    mine = access.open_projects_of(session=session, user_id=actor.user_id)
    return MyProjects(
        [
            view_with_health(session=session, project=p, now=now, calendar_for=calendar_for)
            for p in mine
        ]
    )


def _one(
    *, session: Session, project: Project, actor: Actor, now: datetime, calendar_for: CalendarFor
) -> OneProject | Refused:
    assert project.id is not None
    if project.status == ProjectStatus.DELETED:
        return Refused("error.project_not_found")  # forgotten: nothing to show
    if not access.sees_project(session=session, project=project, actor=actor):
        return Refused("deny.not_this_project")
    if is_starting(project):
        return Refused("error.project_starting")
    view = view_with_health(session=session, project=project, now=now, calendar_for=calendar_for)
    today = local_today(project, now)
    calendar = calendar_for(
        project.holiday_country, blackouts(session=session, project_id=project.id)
    )
    overdue = {t.id: calendar.business_days_between(t.due, today) for t in view.overdue(today)}
    return OneProject(
        view=view,
        today=today,
        overdue_days=overdue,
        risks=risk_views(session=session, project_id=project.id),
    )
