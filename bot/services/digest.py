"""Reading the portfolio for the weekly digest and `onboardbot report`.

Set-based queries over all projects (no per-project queries), then the pure KPI code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select
from sqlmodel import Session, col

from bot.domain import kpis
from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.digest import Digest
from bot.gc_pause import gc_paused
from bot.services.task_totals import load_task_totals
from storage import events
from storage.models import (
    RUNNING_STATUSES,
    Blackout,
    Event,
    Outbox,
    OutboxStatus,
    Project,
    ProjectStatus,
    Risk,
    RiskStatus,
    Stakeholder,
    StakeholderRole,
    SurveyAnswer,
)

CalendarFor = Callable[[str, list[DateRange]], BusinessCalendar]


@dataclass(frozen=True)
class Facts:
    projects: list[kpis.ProjectFacts]
    totals: kpis.TaskTotals
    risks: list[kpis.RiskFacts]
    surveys: list[kpis.SurveyFacts]
    escalations: list[kpis.EscalationFacts]


KPI_DAYS = 90
CHART = "digest.chart"  # the event recording a week's chart upload


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
    connection = session.connection()  # Core rows throughout: no ORM bookkeeping per row
    projects, countries = _projects(connection, zone)
    blackouts: dict[int, list[DateRange]] = defaultdict(list)
    for row in connection.execute(
        select(col(Blackout.project_id), col(Blackout.start), col(Blackout.end))
    ):
        blackouts[row.project_id].append(DateRange(row.start, row.end))
    calendars: dict[int, BusinessCalendar] = {}

    def calendar(project_id: int) -> BusinessCalendar:
        if project_id not in calendars:
            calendars[project_id] = calendar_for(
                countries[project_id], blackouts.get(project_id, [])
            )
        return calendars[project_id]

    totals = load_task_totals(
        connection, today=today, timezone=timezone, projects=projects, calendar=calendar
    )
    return Facts(
        projects=projects,
        totals=totals,
        risks=_open_risks(connection),
        surveys=_surveys(connection, zone),
        escalations=_escalations(connection, zone),
    )


def _projects(
    connection: Connection, zone: ZoneInfo
) -> tuple[list[kpis.ProjectFacts], dict[int, str]]:
    """The projects reported on (not those still starting), and every project's country."""
    rows = connection.execute(
        select(
            col(Project.id),
            col(Project.customer_name),
            col(Project.status),
            col(Project.kickoff),
            col(Project.created_at),
            col(Project.completed_at),
            col(Project.committed_go_live),
            col(Project.target_go_live),
            col(Project.decision_maker_after_days),
            col(Project.holiday_country),
        )
    ).all()
    csm: dict[int, str | None] = {
        project_id: user_id
        for project_id, user_id in connection.execute(
            select(col(Stakeholder.project_id), col(Stakeholder.slack_user_id)).where(
                col(Stakeholder.role) == StakeholderRole.CSM
            )
        )
    }
    projects, countries = [], {}
    for row in rows:
        countries[row.id] = row.holiday_country
        if row.status == ProjectStatus.STARTING:
            continue  # not live yet: no project to report on
        projects.append(
            kpis.ProjectFacts(
                id=row.id,
                customer_name=row.customer_name,
                csm_user_id=csm.get(row.id),
                status=row.status,
                running=row.status in RUNNING_STATUSES,
                kickoff=row.kickoff,
                created_on=row.created_at.astimezone(zone).date(),
                completed_on=row.completed_at.astimezone(zone).date() if row.completed_at else None,
                committed_go_live=row.committed_go_live,
                target_go_live=row.target_go_live,
                decision_maker_after_days=row.decision_maker_after_days,
            )
        )
    return projects, countries


def _escalations(connection: Connection, zone: ZoneInfo) -> list[kpis.EscalationFacts]:
    return [
        kpis.EscalationFacts(project_id, at.astimezone(zone).date(), _level(key))
        for project_id, at, key in connection.execute(
            select(col(Event.project_id), col(Event.at), col(Event.after)["key"].as_string()).where(
                col(Event.kind) == "escalation.sent"
            )
        ).all()
    ]


def _open_risks(connection: Connection) -> list[kpis.RiskFacts]:
    return [
        kpis.RiskFacts(
            project_id=r.project_id,
            kind=r.kind,
            period_start=r.period_start,
            period_end=r.period_end,
        )
        for r in connection.execute(
            select(
                col(Risk.project_id), col(Risk.kind), col(Risk.period_start), col(Risk.period_end)
            ).where(col(Risk.status) == RiskStatus.OPEN)
        ).all()
    ]


def _surveys(connection: Connection, zone: ZoneInfo) -> list[kpis.SurveyFacts]:
    return [
        kpis.SurveyFacts(
            project_id=r.project_id,
            on=r.answered_at.astimezone(zone).date(),
            csat=r.csat,
            nps=r.nps,
        )
        for r in connection.execute(
            select(
                col(SurveyAnswer.project_id),
                col(SurveyAnswer.answered_at),
                col(SurveyAnswer.csat),
                col(SurveyAnswer.nps),
            )
        ).all()
    ]


def _level(key: str | None) -> str:
    """The ladder step in an escalation's outbox key (`escalation:<level>:...`)."""
    parts = (key or "").split(":")
    return parts[1] if len(parts) > 1 else ""


def undelivered_reminders(*, session: Session, since: datetime, until: datetime) -> int:
    """Reminders that could not reach the person by DM (posted in the channel instead, or
    given up) in the period."""
    rows = session.execute(
        select(col(Outbox.status), col(Outbox.delivered_via), col(Outbox.recipient)).where(
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
    weekly: bool = True,
) -> Digest:
    """The digest for the week [start, end); KPIs over [kpi_start, kpi_end) (default: the
    last KPI_DAYS days up to today). The bottleneck window was fixed when the facts were
    loaded (`load_facts`' `today`): pass the same `today`."""
    kpi_start = kpi_start or today - timedelta(days=KPI_DAYS)
    kpi_end = kpi_end or today + timedelta(days=1)
    portfolio = kpis.portfolio(
        facts.projects, facts.totals, facts.risks, today=today, escalations=facts.escalations
    )
    return Digest(
        start=start,
        end=end,
        today=today,
        kpi_start=kpi_start,
        kpi_end=kpi_end,
        portfolio=portfolio,
        week=kpis.week_summary(
            facts.projects, facts.totals, facts.escalations, undelivered, start=start, end=end
        ),
        kpis=kpis.kpis(
            facts.projects,
            facts.totals,
            facts.surveys,
            start=kpi_start,
            end=kpi_end,
            today=today,
            late_today=portfolio.late,
        ),
        bottlenecks=kpis.bottlenecks(facts.totals),
        weekly=weekly,
    )


def cancel_reasons(
    *, session: Session, since: datetime, until: datetime
) -> tuple[tuple[str, str], ...]:
    """(customer, reason) of projects cancelled in [since, until), oldest first; the reason
    stays internal (`/onboard close cancelled [reason]` shows it to the channel only with
    `--share-reason`)."""
    rows = session.execute(
        select(col(Project.customer_name), col(Project.close_reason))
        .where(
            col(Project.status) == ProjectStatus.CANCELLED,
            col(Project.completed_at) >= since,
            col(Project.completed_at) < until,
        )
        .order_by(col(Project.completed_at))
    ).all()
    return tuple((name, reason or "") for name, reason in rows)


def chart_shared(*, session: Session, key: str) -> bool:
    """Whether the week's chart (`key`) was uploaded already."""
    return any(
        (e.after or {}).get("key") == key for e in events.by_kind(session=session, kind=CHART)
    )


def record_chart(*, session: Session, key: str, file_id: str, now: datetime) -> None:
    """The week's chart was uploaded as `file_id`: never again."""
    events.record(
        session=session,
        kind=CHART,
        actor=events.SYSTEM,
        at=now,
        after={"key": key, "file": file_id},
    )
