"""One project's health, as `/onboard status`, the checklist header, the App Home and the
digest show it: `bot.domain.kpis.project_state` (the README's KPI section defines it) on
the project's own tasks, open busy periods and business days."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlmodel import Session

from bot.domain import kpis
from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.views import ProjectView, RiskView
from bot.services.projects import blackouts, local_today, project_view
from bot.services.schedule import risk_views
from storage.models import RUNNING_STATUSES, Project

CalendarFor = Callable[[str, list[DateRange]], BusinessCalendar]


def project_health(
    *,
    session: Session,
    project: Project,
    view: ProjectView,
    now: datetime,
    calendar_for: CalendarFor,
) -> str:
    """on_track | at_risk | late | paused | completed | cancelled, on the project's today."""
    assert project.id is not None
    return health_of(
        project=project,
        view=view,
        blackouts=blackouts(session=session, project_id=project.id),
        risks=[r for r in risk_views(session=session, project_id=project.id) if r.status == "open"],
        now=now,
        calendar_for=calendar_for,
    )


def view_with_health(
    *, session: Session, project: Project, now: datetime, calendar_for: CalendarFor
) -> ProjectView:
    """The project's view with its health filled in."""
    view = project_view(session=session, project=project)
    health = project_health(
        session=session, project=project, view=view, now=now, calendar_for=calendar_for
    )
    return dataclasses.replace(view, health=health)


def health_of(
    *,
    project: Project,
    view: ProjectView,
    blackouts: Sequence[DateRange],
    risks: Sequence[RiskView],
    now: datetime,
    calendar_for: CalendarFor,
) -> str:
    """`project_health` from what the caller already read (its blackouts, open risks)."""
    assert project.id is not None
    today = local_today(project, now)
    calendar = calendar_for(project.holiday_country, list(blackouts))
    facts = kpis.ProjectFacts(
        id=project.id,
        customer_name=project.customer_name,
        csm_user_id=view.csm_user_id,
        status=project.status,
        running=project.status in RUNNING_STATUSES,
        kickoff=project.kickoff,
        created_on=project.kickoff,
        completed_on=None,
        committed_go_live=project.committed_go_live,
        target_go_live=project.target_go_live,
        decision_maker_after_days=project.decision_maker_after_days,
    )
    tasks = [
        kpis.TaskFacts(
            id=t.id,
            project_id=project.id,
            key=t.key,
            title=t.title,
            required=t.required,
            first_value=False,
            status=t.status,
            planned_due=t.planned_due,
            due=t.due,
            completed_on=t.completed_on,
            days_overdue=calendar.business_days_between(t.due, today)
            if t.is_open and t.due < today
            else 0,
        )
        for t in view.tasks
    ]
    facts_risks = [kpis.RiskFacts(project.id, r.kind, r.period_start, r.period_end) for r in risks]
    return kpis.project_state(facts, tasks, facts_risks, today=today)
