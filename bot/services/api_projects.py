"""Projects as the HTTP API shows them: state, health, progress, dated tasks, open risks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.domain import kpis
from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.ids import row_id
from bot.domain.kpi_facts import ProjectFacts, RiskFacts, TaskFacts
from bot.services import starts
from bot.services.projects import NewProject, local_today
from storage import projects as project_rows
from storage import risks as risk_rows
from storage import tasks as task_rows
from storage.db import session_scope
from storage.models import (
    RUNNING_STATUSES,
    Project,
    ProjectStatus,
    Risk,
    StakeholderRole,
    Task,
    TaskStatus,
)

CalendarFor = Callable[[str, list[DateRange]], BusinessCalendar]
EXTERNAL_PREFIX = "ext:"
STATES = tuple(s.value for s in ProjectStatus)


@dataclass(frozen=True)
class TaskInfo:
    id: int
    key: str
    title_ja: str
    title_en: str
    owner_side: str
    status: str
    required: bool
    planned_due: date
    due: date
    completed_on: date | None
    replans: int
    days_overdue: int


@dataclass(frozen=True)
class RiskInfo:
    id: int
    kind: str
    reason: str | None
    text: str | None
    period_start: date | None
    period_end: date | None
    said_at: datetime


@dataclass(frozen=True)
class ProjectInfo:
    id: int
    external_id: str | None
    customer_name: str
    state: str
    health: str  # on_track | at_risk | late, or the state of one not running
    health_reasons: tuple[str, ...]
    playbook: str
    locale: str
    kickoff: date
    target_go_live: date | None
    committed_go_live: date | None
    projected_end: date
    channel_id: str | None
    csm_user_id: str | None
    created_at: datetime
    updated_at: datetime | None
    completed_at: datetime | None
    done: int
    total: int
    tasks: tuple[TaskInfo, ...]
    open_risks: tuple[RiskInfo, ...]


def project_id_for(*, session: Session, ref: str) -> int | None:
    """The project named by `ref`: its id (`42`) or the CRM's id (`ext:DEAL-1`)."""
    if ref.startswith(EXTERNAL_PREFIX):
        return by_external_id(session=session, external_id=ref[len(EXTERNAL_PREFIX) :])
    found = row_id(ref)
    return found if found is not None and session.get(Project, found) is not None else None


def by_external_id(*, session: Session, external_id: str) -> int | None:
    return session.exec(select(Project.id).where(Project.external_id == external_id)).first()


def begin_start(
    *,
    engine: Engine,
    external_id: str,
    new: NewProject,
    calendar: BusinessCalendar,
    now: datetime,
    request: str | None,
    worker: str,
    confirmed: bool,
) -> starts.Begun | starts.Repeated | int:
    """`starts.begin` in its own unit of work; when the same deal was started by another
    request at this very moment, that project's id."""
    try:
        with session_scope(engine) as session:
            return starts.begin(
                session=session,
                new=new,
                calendar=calendar,
                now=now,
                request=request,
                worker=worker,
                confirmed=confirmed,
            )
    except IntegrityError:
        with session_scope(engine) as session:
            found = by_external_id(session=session, external_id=external_id)
        if found is None:
            raise
        return found


def describe(
    *, session: Session, project_id: int, now: datetime, calendar_for: CalendarFor
) -> ProjectInfo | None:
    project = session.get(Project, project_id)
    return None if project is None else _info(session, project, now, calendar_for)


def page(
    *,
    session: Session,
    now: datetime,
    calendar_for: CalendarFor,
    states: tuple[str, ...] = (),
    updated_since: datetime | None = None,
    after_id: int = 0,
    limit: int = 50,
) -> tuple[list[ProjectInfo], int | None]:
    """Projects in id order after `after_id`; the last id when more may follow."""
    query = select(Project).where(col(Project.id) > after_id)
    if states:
        query = query.where(col(Project.status).in_(states))
    if updated_since is not None:
        query = query.where(col(Project.updated_at) >= updated_since)
    rows = list(session.exec(query.order_by(col(Project.id)).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    infos = [_info(session, p, now, calendar_for) for p in rows]
    return infos, (rows[-1].id if more and rows else None)


def _info(
    session: Session, project: Project, now: datetime, calendar_for: CalendarFor
) -> ProjectInfo:
    assert project.id is not None
    blackouts = [
        DateRange(b.start, b.end)
        for b in project_rows.blackouts(session=session, project_id=project.id)
    ]
    calendar = calendar_for(project.holiday_country, blackouts)
    today = local_today(project, now)
    tasks = task_rows.of_project(session=session, project_id=project.id)
    risks = risk_rows.of_project(session=session, project_id=project.id)
    overdue = {
        task.id: (
            max(0, calendar.business_days_between(task.due, today))
            if task.status == TaskStatus.OPEN and task.due < today
            else 0
        )
        for task in tasks
    }
    infos = [_task_info(task, days_overdue=overdue[task.id]) for task in tasks]
    facts = [_task_facts(task, days_overdue=overdue[task.id]) for task in tasks]
    people = project_rows.stakeholders(session=session, project_id=project.id)
    csm = next((p.slack_user_id for p in people if p.role == StakeholderRole.CSM), None)
    assessment = kpis.assess(
        _project_facts(project, csm_user_id=csm),
        facts,
        [RiskFacts(project.id, r.kind, r.period_start, r.period_end) for r in risks],
        today=today,
    )
    if project.status == ProjectStatus.DELETED:  # forgotten: no health to speak of
        assessment = kpis.Assessment(ProjectStatus.DELETED, (), assessment.projected_end)
    counted = [t for t in infos if t.status != TaskStatus.SKIPPED]
    return ProjectInfo(
        id=project.id,
        external_id=project.external_id,
        customer_name=project.customer_name,
        state=project.status,
        health=assessment.state,
        health_reasons=assessment.reasons,
        playbook=project.playbook_name,
        locale=project.locale,
        kickoff=project.kickoff,
        target_go_live=project.target_go_live,
        committed_go_live=project.committed_go_live,
        projected_end=assessment.projected_end,
        channel_id=project.channel_id,
        csm_user_id=csm,
        created_at=project.created_at,
        updated_at=project.updated_at,
        completed_at=project.completed_at,
        done=sum(1 for t in counted if t.status == TaskStatus.DONE),
        total=len(counted),
        tasks=tuple(infos),
        open_risks=tuple(_risk_info(r) for r in risks),
    )


def _task_info(task: Task, *, days_overdue: int) -> TaskInfo:
    assert task.id is not None
    return TaskInfo(
        id=task.id,
        key=task.key,
        title_ja=task.title_ja,
        title_en=task.title_en,
        owner_side=task.owner_side,
        status=task.status,
        required=task.required,
        planned_due=task.planned_due,
        due=task.due,
        completed_on=task.completed_on,
        replans=task.replan_count,
        days_overdue=days_overdue,
    )


def _task_facts(task: Task, *, days_overdue: int) -> TaskFacts:
    assert task.id is not None
    return TaskFacts(
        id=task.id,
        project_id=task.project_id,
        key=task.key,
        title=task.title_en,
        required=task.required,
        first_value=task.first_value,
        status=task.status,
        planned_due=task.planned_due,
        due=task.due,
        completed_on=task.completed_on,
        days_overdue=days_overdue,
    )


def _project_facts(project: Project, *, csm_user_id: str | None) -> ProjectFacts:
    assert project.id is not None
    return ProjectFacts(
        id=project.id,
        customer_name=project.customer_name,
        csm_user_id=csm_user_id,
        status=project.status,
        running=project.status in RUNNING_STATUSES,
        kickoff=project.kickoff,
        created_on=project.created_at.date(),
        completed_on=project.completed_at.date() if project.completed_at else None,
        committed_go_live=project.committed_go_live,
        target_go_live=project.target_go_live,
        decision_maker_after_days=project.decision_maker_after_days,
    )


def _risk_info(risk: Risk) -> RiskInfo:
    assert risk.id is not None
    return RiskInfo(
        id=risk.id,
        kind=risk.kind,
        reason=risk.reason,
        text=risk.text,
        period_start=risk.period_start,
        period_end=risk.period_end,
        said_at=risk.said_at,
    )
