"""Reading what reminders and escalations are planned from: open tasks of running projects.

A handful of set-based queries for the whole portfolio (no per-project queries), read as
plain rows rather than ORM objects: this runs for every project every few minutes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, select, update
from sqlmodel import Session, col

from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.reminders import OpenTask, ProjectInfo
from bot.gc_pause import gc_paused
from bot.services.projects import OWNER_FOR_ROLE, local_today
from storage import events
from storage.models import (
    Blackout,
    Project,
    ProjectStatus,
    Stakeholder,
    StakeholderRole,
    Task,
    TaskStatus,
)

# Active projects, and those paused until a date (planning skips the paused days itself).
RUNNING = (col(Project.status) == ProjectStatus.ACTIVE) | (
    (col(Project.status) == ProjectStatus.PAUSED) & col(Project.paused_until).is_not(None)
)


@dataclass(frozen=True)
class Portfolio:
    projects: dict[int, ProjectInfo]
    tasks: list[OpenTask]
    blackouts: dict[int, list[DateRange]]


def resume_due(*, session: Session, now: datetime) -> list[int]:
    """Projects paused `until` a date that has passed everywhere are marked active again
    (returns their ids). Until then planning itself honours `paused_until` per person's day."""
    rows = session.scalars(
        select(Project).where(
            col(Project.status) == ProjectStatus.PAUSED, col(Project.paused_until).is_not(None)
        )
    )
    resumed = []
    for project in rows:
        # A day later than in the project's zone: every time zone has left the paused date.
        if project.paused_until is not None and local_today(
            project, now
        ) > project.paused_until + timedelta(days=1):
            project.status, project.paused_until = ProjectStatus.ACTIVE, None
            events.record(
                session=session,
                kind="project.resumed",
                actor="system",
                at=now,
                project_id=project.id,
                before={"status": "paused"},
                after={"status": "active"},
            )
            resumed.append(project.id)
    return resumed  # type: ignore[return-value]


def project_calendars(
    portfolio: Portfolio, calendar: Callable[[str, list[DateRange] | None], BusinessCalendar]
) -> Callable[[ProjectInfo], BusinessCalendar]:
    """Each project's calendar (its country's holidays and its blackouts), built once."""
    built: dict[int, BusinessCalendar] = {}

    def calendar_for(project: ProjectInfo) -> BusinessCalendar:
        found = built.get(project.id)
        if found is None:
            found = built[project.id] = calendar(
                project.holiday_country, portfolio.blackouts.get(project.id)
            )
        return found

    return calendar_for


def load_portfolio(*, session: Session) -> Portfolio:
    """Active projects with their open tasks, owners and blackouts (collector paused)."""
    with gc_paused():
        return _load_portfolio(session=session)


def _load_portfolio(*, session: Session) -> Portfolio:
    """Active projects with their open tasks, owners and blackouts."""
    connection = session.connection()  # Core rows throughout: no ORM bookkeeping per row
    project_rows = connection.execute(
        select(
            Project.id,
            Project.customer_name,
            Project.locale,
            Project.timezone,
            Project.holiday_country,
            Project.channel_id,
            Project.checklist_ts,
            Project.reminder_lead_days,
            Project.csm_after_days,
            Project.decision_maker_after_days,
            Project.decision_maker_overdue_tasks,
            Project.paused_until,
            Project.escalation_approval,
        ).where(RUNNING)
    ).all()
    active = {row.id for row in project_rows}
    people: dict[
        int, dict[str, tuple[int, str | None, bool, str | None, str | None, date | None]]
    ] = defaultdict(dict)
    for person in connection.execute(
        select(
            Stakeholder.id,
            Stakeholder.project_id,
            Stakeholder.role,
            Stakeholder.slack_user_id,
            Stakeholder.is_external,
            Stakeholder.tz,
            Stakeholder.email,
            Stakeholder.snoozed_until,
        )
        .join(Project, col(Project.id) == col(Stakeholder.project_id))
        .where(RUNNING)
        .order_by(col(Stakeholder.id))
    ).fetchall():
        # The first linked person holds a role; an invited e-mail counts until someone joins.
        current = people[person.project_id].get(person.role)
        if current is None or (current[1] is None and person.slack_user_id):
            people[person.project_id][person.role] = (
                person.id,
                person.slack_user_id,
                person.is_external,
                person.tz,
                person.email,
                person.snoozed_until,
            )
    projects = {}
    for row in project_rows:
        roles = people.get(row.id, {})
        csm = roles.get(StakeholderRole.CSM)
        dm = roles.get(StakeholderRole.DECISION_MAKER)
        projects[row.id] = ProjectInfo(
            id=row.id,
            customer_name=row.customer_name,
            locale=row.locale,
            timezone=row.timezone,
            holiday_country=row.holiday_country,
            channel_id=row.channel_id,
            thread_ts=(row.checklist_ts or [None])[0],
            reminder_lead_days=row.reminder_lead_days,
            csm_after_days=row.csm_after_days,
            decision_maker_after_days=row.decision_maker_after_days,
            decision_maker_overdue_tasks=row.decision_maker_overdue_tasks,
            csm_user_id=csm[1] if csm else None,
            decision_maker_user_id=dm[1] if dm else None,
            decision_maker_email=dm[4] if dm else None,
            paused_until=row.paused_until,
            escalation_approval=row.escalation_approval,
        )
    tasks = []
    in_locale = Project.locale == "ja"
    no_owner = (None, None, False, None, None, None)
    rows = connection.execute(
        select(
            Task.id,
            Task.project_id,
            case((in_locale, Task.title_ja), else_=Task.title_en),
            case((in_locale, Task.why_ja), else_=Task.why_en),
            Task.owner_side,
            Task.owner_role,
            Task.due,
        )
        .join(Project, col(Project.id) == col(Task.project_id))
        .where(RUNNING, col(Task.status) == TaskStatus.OPEN)
        .order_by(col(Task.project_id), col(Task.position))
    ).fetchall()
    for task_id, project_id, title, why, side, role, due in rows:  # plain tuples: 200k rows
        owner_role = OWNER_FOR_ROLE.get(role, "")
        owner = people.get(project_id, {}).get(owner_role) or no_owner
        tasks.append(
            OpenTask(
                task_id,
                project_id,
                title,
                why,
                side,
                due,
                owner[0],
                owner[1],
                bool(owner[2]),
                owner[3],
                owner_role == StakeholderRole.DECISION_MAKER,
                owner[5],
            )
        )
    blackouts: dict[int, list[DateRange]] = defaultdict(list)
    for row in connection.execute(select(Blackout.project_id, Blackout.start, Blackout.end)):
        if row.project_id in active:
            blackouts[row.project_id].append(DateRange(row.start, row.end))
    return Portfolio(projects=projects, tasks=tasks, blackouts=dict(blackouts))


def people_to_refresh(*, session: Session, before: datetime, limit: int) -> list[tuple[int, str]]:
    """Linked people of active projects whose Slack profile (time zone) is older than `before`."""
    rows = (
        session.connection()
        .execute(
            select(Stakeholder.id, Stakeholder.slack_user_id)
            .join(Project, col(Project.id) == col(Stakeholder.project_id))
            .where(
                col(Project.status) == ProjectStatus.ACTIVE,
                col(Stakeholder.slack_user_id).is_not(None),
            )
            .where(
                (col(Stakeholder.profile_checked_at).is_(None))
                | (col(Stakeholder.profile_checked_at) < before)
            )
            .order_by(col(Stakeholder.profile_checked_at).is_not(None), col(Stakeholder.id))
            .limit(limit)
        )
        .all()
    )
    return [(row.id, row.slack_user_id) for row in rows]


def save_profile(
    *, session: Session, user_id: str, tz: str | None, locale: str | None, now: datetime
) -> None:
    session.execute(
        update(Stakeholder)
        .where(col(Stakeholder.slack_user_id) == user_id)
        .values(tz=tz, locale=locale, profile_checked_at=now)
    )
