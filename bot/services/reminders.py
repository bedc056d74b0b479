"""Reading what reminders and escalations are planned from: open tasks of running projects.

A handful of set-based queries for the whole portfolio (no per-project queries), read as
plain rows rather than ORM objects: this runs for every project every few minutes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, select, update
from sqlmodel import Session, col

from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.reminder_scope import Scope, scope_at
from bot.domain.reminders import OpenTask, ProjectInfo
from bot.gc_pause import gc_paused
from bot.services.pausing import mark_resumed
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

# Who gets reminders: active projects, and those paused until a date (planning skips the
# paused days itself). Narrower than `RUNNING_STATUSES`: a project paused indefinitely gets none.
REMINDED = (col(Project.status) == ProjectStatus.ACTIVE) | (
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
    resumed: list[int] = []
    for project in rows:
        # A day later than in the project's zone: every time zone has left the paused date.
        if project.paused_until is not None and local_today(
            project, now
        ) > project.paused_until + timedelta(days=1):
            mark_resumed(session=session, project=project, actor=events.SYSTEM, now=now)
            assert project.id is not None
            resumed.append(project.id)
    return resumed


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


CountryCalendar = Callable[[str, list[DateRange] | None], BusinessCalendar]


def load_for_run(
    *, session: Session, now: datetime, reminder_hour: int, calendar: CountryCalendar
) -> Portfolio:
    """What the reminders and escalations runs at `now` plan from: the running projects,
    and only the open tasks some local day of `now` can act on (`bot.domain.reminder_scope`,
    from the zones and lead days of the projects and people read first). No task at all
    while no time zone is past its reminder hour."""

    def scope(projects: dict[int, ProjectInfo], zones: set[str]) -> Scope | None:
        return scope_at(
            now=now,
            zones=zones,
            leads={(p.holiday_country, p.reminder_lead_days) for p in projects.values()},
            calendar=lambda country: calendar(country, None),
            reminder_hour=reminder_hour,
        )

    with gc_paused():
        return _load_portfolio(session=session, scope=scope)


def load_portfolio(*, session: Session) -> Portfolio:
    """Running projects with their owners, blackouts and every open task (collector paused)."""
    with gc_paused():
        return _load_portfolio(session=session, scope=None)


_Person = tuple[int, str | None, bool, str | None, str | None, date | None]
_Scoping = Callable[[dict[int, ProjectInfo], set[str]], Scope | None]


def _load_portfolio(*, session: Session, scope: _Scoping | None) -> Portfolio:
    """Active projects with their open tasks (those within `scope`), owners and blackouts."""
    connection = session.connection()  # Core rows throughout: no ORM bookkeeping per row
    people, zones = _people(connection)
    projects = _projects(connection, people)
    bounds = None
    if scope is not None:
        bounds = scope(projects, zones | {p.timezone for p in projects.values()})
        if bounds is None:
            return Portfolio(projects={}, tasks=[], blackouts={})
    blackouts: dict[int, list[DateRange]] = defaultdict(list)
    for row in connection.execute(
        select(col(Blackout.project_id), col(Blackout.start), col(Blackout.end))
    ):
        if row.project_id in projects:
            blackouts[row.project_id].append(DateRange(row.start, row.end))
    return Portfolio(
        projects=projects,
        tasks=_open_tasks(connection, people, bounds),
        blackouts=dict(blackouts),
    )


def _people(connection: Connection) -> tuple[dict[int, dict[str, _Person]], set[str]]:
    """Who holds each role of each running project: (stakeholder id, Slack user, external,
    time zone, e-mail, snoozed until); and every time zone of their people."""
    people: dict[int, dict[str, _Person]] = defaultdict(dict)
    zones: set[str | None] = set()
    rows: Sequence[Any] = connection.execute(
        select(
            col(Stakeholder.id),
            col(Stakeholder.project_id),
            col(Stakeholder.role),
            col(Stakeholder.slack_user_id),
            col(Stakeholder.is_external),
            col(Stakeholder.tz),
            col(Stakeholder.email),
            col(Stakeholder.snoozed_until),
        )
        .join(Project, col(Project.id) == col(Stakeholder.project_id))
        .where(REMINDED)
        .order_by(col(Stakeholder.id))
    ).all()
    for person in rows:  # plain tuples: one row per person of every running project
        person_id, project_id, role, user_id, external, tz, email, snoozed = person
        zones.add(tz)
        # The first linked person holds a role; an invited e-mail counts until someone joins.
        roles = people[project_id]
        current = roles.get(role)
        if current is None or (current[1] is None and user_id):
            roles[role] = (person_id, user_id, external, tz, email, snoozed)
    return people, {zone for zone in zones if zone}  # None: not known yet, the project's applies


# Every reminded project's settings, as the runs read them. On SQLite an index holds all of
# these columns (migration 0008): the table's rows carry the playbook snapshot before them.
PROJECTS_READ = select(
    col(Project.id),
    col(Project.customer_name),
    col(Project.locale),
    col(Project.timezone),
    col(Project.holiday_country),
    col(Project.channel_id),
    # The first checklist message, read in SQL: decoding every list costs more.
    col(Project.checklist_ts)[0].as_string().label("thread_ts"),
    col(Project.reminder_lead_days),
    col(Project.csm_after_days),
    col(Project.decision_maker_after_days),
    col(Project.decision_maker_overdue_tasks),
    col(Project.paused_until),
    col(Project.escalation_approval),
).where(REMINDED)


def _projects(
    connection: Connection, people: dict[int, dict[str, _Person]]
) -> dict[int, ProjectInfo]:
    projects = {}
    for row in connection.execute(PROJECTS_READ).all():
        pid, name, locale, zone, country, channel, ts, lead, to_csm, to_dm, many, paused, how = (
            row  # plain tuples, positional arguments: 50k projects
        )
        roles = people.get(pid, {})
        csm = roles.get(StakeholderRole.CSM)
        dm = roles.get(StakeholderRole.DECISION_MAKER)
        projects[pid] = ProjectInfo(
            pid,
            name,
            locale,
            zone,
            country,
            channel,
            ts,
            lead,
            to_csm,
            to_dm,
            many,
            csm[1] if csm else None,
            dm[1] if dm else None,
            dm[4] if dm else None,
            paused,
            how,
        )
    return projects


def _open_tasks(
    connection: Connection, people: dict[int, dict[str, _Person]], scope: Scope | None
) -> list[OpenTask]:
    tasks = []
    in_locale = col(Project.locale) == "ja"
    no_owner = (None, None, False, None, None, None)
    query = (
        select(
            col(Task.id),
            col(Task.project_id),
            case((in_locale, col(Task.title_ja)), else_=col(Task.title_en)),
            case((in_locale, col(Task.why_ja)), else_=col(Task.why_en)),
            col(Task.owner_side),
            col(Task.owner_role),
            col(Task.due),
        )
        .join(Project, col(Project.id) == col(Task.project_id))
        .where(REMINDED, col(Task.status) == TaskStatus.OPEN)
        .order_by(col(Task.project_id), col(Task.position))
    )
    if scope is not None:
        pushed = select(col(Blackout.project_id)).where(
            col(Blackout.end) >= scope.first_day, col(Blackout.start) <= scope.last_due
        )
        query = query.where((col(Task.due) <= scope.last_due) | col(Task.project_id).in_(pushed))
    rows = connection.execute(query).fetchall()
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
    return tasks


def people_to_refresh(*, session: Session, before: datetime, limit: int) -> list[tuple[int, str]]:
    """Linked people of active projects whose Slack profile (time zone) is older than `before`."""
    rows = (
        session.connection()
        .execute(
            select(col(Stakeholder.id), col(Stakeholder.slack_user_id))
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
