"""Reading the portfolio for the weekly digest and `onboardbot report`.

Set-based queries over all projects (no per-project queries), then the pure KPI code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from bot.domain import kpis
from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.digest import Digest
from bot.gc_pause import gc_paused
from storage.models import (
    Blackout,
    Event,
    Outbox,
    OutboxStatus,
    Project,
    Risk,
    RiskStatus,
    Stakeholder,
    StakeholderRole,
    SurveyAnswer,
    Task,
    TaskStatus,
)

CalendarFor = Callable[[str, list[DateRange]], BusinessCalendar]


@dataclass(frozen=True)
class Facts:
    projects: list[kpis.ProjectFacts]
    tasks: list[kpis.TaskFacts]
    replans: list[kpis.ReplanFacts]
    risks: list[kpis.RiskFacts]
    surveys: list[kpis.SurveyFacts]
    escalations: list[kpis.EscalationFacts]


KPI_DAYS = 90


def load_facts(*, session: Session, today: date, timezone: str, calendar_for: CalendarFor) -> Facts:
    """Everything the KPIs are computed from, in a handful of queries (collector paused)."""
    with gc_paused():
        return _load_facts(
            session=session, today=today, timezone=timezone, calendar_for=calendar_for
        )


def _load_facts(
    *, session: Session, today: date, timezone: str, calendar_for: CalendarFor
) -> Facts:
    """Everything the KPIs are computed from, in a handful of queries."""
    zone = ZoneInfo(timezone)
    projects_rows = session.execute(
        select(
            Project.id,
            Project.customer_name,
            Project.status,
            Project.kickoff,
            Project.created_at,
            Project.completed_at,
            Project.committed_go_live,
            Project.target_go_live,
            Project.decision_maker_after_days,
            Project.holiday_country,
        )
    ).all()
    csm = dict(
        session.execute(
            select(Stakeholder.project_id, Stakeholder.slack_user_id).where(
                col(Stakeholder.role) == StakeholderRole.CSM
            )
        ).all()
    )
    blackouts: dict[int, list[DateRange]] = defaultdict(list)
    for row in session.execute(select(Blackout.project_id, Blackout.start, Blackout.end)):
        blackouts[row.project_id].append(DateRange(row.start, row.end))
    projects, countries = [], {}
    for row in projects_rows:
        countries[row.id] = row.holiday_country
        projects.append(
            kpis.ProjectFacts(
                id=row.id,
                customer_name=row.customer_name,
                csm_user_id=csm.get(row.id),
                status=row.status,
                kickoff=row.kickoff,
                created_on=row.created_at.astimezone(zone).date(),
                completed_on=row.completed_at.astimezone(zone).date() if row.completed_at else None,
                committed_go_live=row.committed_go_live,
                target_go_live=row.target_go_live,
                decision_maker_after_days=row.decision_maker_after_days,
            )
        )
    calendars: dict[int, BusinessCalendar] = {}

    def calendar(project_id: int) -> BusinessCalendar:
        if project_id not in calendars:
            calendars[project_id] = calendar_for(
                countries[project_id], blackouts.get(project_id, [])
            )
        return calendars[project_id]

    tasks = []
    intern: dict[
        object, object
    ] = {}  # 200k rows repeat the same keys, titles and dates: share them
    query = select(
        Task.id,
        Task.project_id,
        Task.key,
        Task.title_en,
        Task.required,
        Task.first_value,
        Task.status,
        Task.planned_due,
        Task.due,
        Task.completed_on,
    )
    result = session.connection().execute(query)  # Core rows: no ORM bookkeeping per row
    while batch := result.fetchmany(5000):
        for (
            task_id,
            project_id,
            key,
            title,
            required,
            first_value,
            status,
            planned,
            due,
            done_on,
        ) in batch:
            days_overdue = days_late = 0
            if status == TaskStatus.OPEN and due < today:
                days_overdue = calendar(project_id).business_days_between(due, today)
            if status == TaskStatus.DONE and done_on and done_on > planned:
                days_late = calendar(project_id).business_days_between(planned, done_on)
            tasks.append(
                kpis.TaskFacts(
                    task_id,
                    project_id,
                    intern.setdefault(key, key),
                    intern.setdefault(title, title),  # type: ignore[arg-type]
                    required,
                    first_value,
                    intern.setdefault(status, status),  # type: ignore[arg-type]
                    intern.setdefault(planned, planned),
                    intern.setdefault(due, due),  # type: ignore[arg-type]
                    intern.setdefault(done_on, done_on),
                    days_overdue,
                    days_late,  # type: ignore[arg-type]
                )
            )
    keys = {t.id: t.key for t in tasks}
    replans, escalations = [], []
    for row in session.execute(
        select(Event.task_id, Event.project_id, Event.at, Event.after, Event.kind).where(
            col(Event.kind).in_(("task.replanned", "escalation.sent"))
        )
    ):
        on = row.at.astimezone(zone).date()
        if row.kind == "task.replanned" and row.task_id in keys:
            replans.append(
                kpis.ReplanFacts(
                    task_id=row.task_id,
                    project_id=row.project_id,
                    key=keys[row.task_id],
                    on=on,
                    reason=str((row.after or {}).get("reason") or ""),
                )
            )
        elif row.kind == "escalation.sent":
            level = str((row.after or {}).get("key", "")).split(":")[1:2]
            escalations.append(
                kpis.EscalationFacts(
                    project_id=row.project_id, on=on, level=level[0] if level else ""
                )
            )
    risks = [
        kpis.RiskFacts(
            project_id=r.project_id,
            kind=r.kind,
            period_start=r.period_start,
            period_end=r.period_end,
        )
        for r in session.execute(
            select(Risk.project_id, Risk.kind, Risk.period_start, Risk.period_end).where(
                col(Risk.status) == RiskStatus.OPEN
            )
        )
    ]
    surveys = [
        kpis.SurveyFacts(
            project_id=r.project_id,
            on=r.answered_at.astimezone(zone).date(),
            csat=r.csat,
            nps=r.nps,
        )
        for r in session.execute(
            select(
                SurveyAnswer.project_id,
                SurveyAnswer.answered_at,
                SurveyAnswer.csat,
                SurveyAnswer.nps,
            )
        )
    ]
    return Facts(
        projects=projects,
        tasks=tasks,
        replans=replans,
        risks=risks,
        surveys=surveys,
        escalations=escalations,
    )


def undelivered_reminders(*, session: Session, since: datetime, until: datetime) -> int:
    """Reminders that could not reach the person by DM (posted in the channel instead, or
    given up) in the period."""
    rows = session.execute(
        select(Outbox.status, Outbox.delivered_via, Outbox.recipient).where(
            col(Outbox.kind) == "reminder",
            col(Outbox.created_at) >= since,
            col(Outbox.created_at) < until,
        )
    ).all()
    return sum(
        1
        for r in rows
        if r.status == OutboxStatus.FAILED
        or (r.delivered_via == "channel" and r.recipient[:1] in ("U", "W"))
    )


def build_digest(
    *,
    facts: Facts,
    start: date,
    end: date,
    today: date,
    undelivered: int,
    kpi_start: date | None = None,
    kpi_end: date | None = None,
) -> Digest:
    """The digest for the week [start, end); KPIs over [kpi_start, kpi_end) (default: the
    last KPI_DAYS days up to today)."""
    kpi_start = kpi_start or today - timedelta(days=KPI_DAYS)
    kpi_end = kpi_end or today + timedelta(days=1)
    return Digest(
        start=start,
        end=end,
        today=today,
        kpi_start=kpi_start,
        kpi_end=kpi_end,
        portfolio=kpis.portfolio(
            facts.projects, facts.tasks, facts.risks, today=today, escalations=facts.escalations
        ),
        week=kpis.week_summary(
            facts.projects, facts.tasks, facts.escalations, undelivered, start=start, end=end
        ),
        kpis=kpis.kpis(
            facts.projects, facts.tasks, facts.surveys, start=kpi_start, end=kpi_end, today=today
        ),
        bottlenecks=kpis.bottlenecks(facts.projects, facts.tasks, facts.replans, today=today),
    )
