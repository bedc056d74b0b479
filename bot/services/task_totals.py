"""The tasks of the whole portfolio summed up by the database (see `bot.domain.kpi_facts`).

The digest reads a few hundred thousand tasks' worth of facts; these queries return them as
per-project, per-day and per-key totals, so Python handles thousands of rows, not the tasks
one by one. Only open overdue tasks come back one by one (their business days overdue are
counted with each project's calendar), and the tasks of ended projects inside the
bottleneck window (their cut-off is the day each project ended, in the report's zone).
`tests/services/test_task_totals.py` checks every total against `kpi_facts.summarize`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    SQLColumnExpression,
    case,
    func,
    literal,
    select,
)
from sqlmodel import col

from bot.domain.calendar import BusinessCalendar
from bot.domain.kpi_facts import (
    BOTTLENECK_DAYS,
    Completions,
    KeyTotals,
    Progress,
    ProjectFacts,
    ReplanFacts,
    TaskFacts,
    TaskTotals,
    key_totals,
    merge_keys,
)
from storage.models import (
    ENDED_STATUSES,
    RUNNING_STATUSES,
    Event,
    Project,
    Task,
    TaskStatus,
)

OPEN, DONE, SKIPPED = TaskStatus.OPEN.value, TaskStatus.DONE.value, TaskStatus.SKIPPED.value
REPLANNED = "task.replanned"
STREAM_BATCH = 2_000  # rows fetched at a time where tasks are read one by one

FACT_COLUMNS = (
    col(Task.id),
    col(Task.project_id),
    col(Task.key),
    col(Task.title_en),
    col(Task.required),
    col(Task.first_value),
    col(Task.status),
    col(Task.planned_due),
    col(Task.due),
    col(Task.completed_on),
)
TITLE_JA = col(Task.title_ja)  # TaskFacts' last field, after the business days overdue


def load_task_totals(
    connection: Connection,
    *,
    today: date,
    timezone: str,
    projects: Sequence[ProjectFacts],
    calendar: Callable[[int], BusinessCalendar],
    days: int = BOTTLENECK_DAYS,
) -> TaskTotals:
    """Every total the digest needs, in eight queries whatever the portfolio's size."""
    since = today - timedelta(days=days)
    return TaskTotals(
        progress=_progress(connection),
        overdue=_overdue(connection, today=today, calendar=calendar),
        completions=_completions(connection),
        first_value=_first_values(connection),
        keys=merge_keys(
            _running_keys(connection, since=since, today=today),
            _ended_keys(connection, since=since, today=today, timezone=timezone, projects=projects),
        ),
    )


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((condition, 1), else_=0))


def _progress(connection: Connection) -> dict[int, Progress]:
    status = col(Task.status)
    rows = connection.execute(
        select(
            col(Task.project_id),
            _count(status == DONE),
            _count(status != SKIPPED),
            func.max(case((status == OPEN, col(Task.due)))),
        ).group_by(col(Task.project_id))
    ).all()
    return {pid: Progress(int(done), int(counted), last) for pid, done, counted, last in rows}


def _overdue(
    connection: Connection, *, today: date, calendar: Callable[[int], BusinessCalendar]
) -> list[TaskFacts]:
    rows = connection.execute(
        select(*FACT_COLUMNS, TITLE_JA)
        .where(col(Task.status) == OPEN, col(Task.due) < today)
        .execution_options(yield_per=STREAM_BATCH)
    )
    found = []
    for row in rows:  # streamed: only the overdue ones are kept
        days = calendar(row.project_id).business_days_between(row.due, today)
        if days >= 1:  # due the day before a holiday weekend is not overdue yet
            found.append(TaskFacts._make((*row[:-1], days, row[-1])))
    return found


def _completions(connection: Connection) -> dict[date, Completions]:
    done_on = col(Task.completed_on)
    rows = connection.execute(
        select(done_on, func.count(), _count(done_on <= col(Task.planned_due)))
        .where(col(Task.status) == DONE, done_on.is_not(None))
        .group_by(done_on)
        .order_by(done_on)
    ).all()
    return {
        day: Completions(int(done), int(on_time))
        for day, done, on_time in rows
        if day is not None  # the query's is_not(None), for the type checker
    }


def _first_values(connection: Connection) -> dict[int, date]:
    rows = connection.execute(
        select(col(Task.project_id), func.min(col(Task.completed_on)))
        .where(
            col(Task.first_value).is_(True),
            col(Task.status) == DONE,
            col(Task.completed_on).is_not(None),
        )
        .group_by(col(Task.project_id))
    ).all()
    return {pid: day for pid, day in rows if day is not None}  # as the query: never None


def _reached(since: date, today: date) -> ColumnElement[bool]:
    planned = col(Task.planned_due)
    return (planned >= since) & (planned <= today) & (col(Task.status) != SKIPPED)


def _replanned_ids() -> Select[int | None]:
    return select(col(Event.task_id)).where(
        col(Event.kind) == REPLANNED, col(Event.task_id).is_not(None)
    )


def _running_keys(connection: Connection, *, since: date, today: date) -> dict[str, KeyTotals]:
    """Key totals over running projects (no cut-off: they have not ended)."""
    status, planned = col(Task.status), col(Task.planned_due)
    late = (
        col(Task.id).in_(_replanned_ids())
        | ((status == OPEN) & (planned < today))
        | ((status == DONE) & (col(Task.completed_on) > planned))
    )
    running = col(Project.status).in_(RUNNING_STATUSES)
    title: SQLColumnExpression[str] = col(Task.title_en)
    title_ja: SQLColumnExpression[str] = col(Task.title_ja)
    if connection.dialect.name == "postgresql":  # code-point order, as Python's min (SQLite's)
        title, title_ja = title.collate("C"), title_ja.collate("C")
    totals = connection.execute(
        select(col(Task.key), func.min(title), func.count(), _count(late), func.min(title_ja))
        .join(Project, col(Project.id) == col(Task.project_id))
        .where(running, _reached(since, today))
        .group_by(col(Task.key))
    ).all()
    raw_reason = col(Event.after)["reason"].as_string()
    reasons: dict[str, Counter[str]] = {}
    for key, reason, count in connection.execute(
        select(col(Task.key), raw_reason, func.count())
        .select_from(Event)
        .join(Task, col(Task.id) == col(Event.task_id))
        .join(Project, col(Project.id) == col(Task.project_id))
        .where(col(Event.kind) == REPLANNED, running, _reached(since, today))
        .group_by(col(Task.key), raw_reason)
    ).all():
        if reason and reason.strip():
            reasons.setdefault(key, Counter())[reason.strip()] += count
    return {
        key: KeyTotals(
            key,
            title,
            int(reached),
            int(late_count),
            tuple(sorted(reasons.get(key, {}).items())),
            title_ja,
        )
        for key, title, reached, late_count, title_ja in totals
    }


def _ended_keys(
    connection: Connection,
    *,
    since: date,
    today: date,
    timezone: str,
    projects: Sequence[ProjectFacts],
) -> dict[str, KeyTotals]:
    """Key totals over ended projects, from their tasks in the window one by one: each one's
    cut-off is the day it ended in the report's zone (`kpi_facts.key_totals`)."""
    ended = col(Project.status).in_(ENDED_STATUSES)
    where = (ended, _reached(since, today))
    zone = ZoneInfo(timezone)
    replans = [
        ReplanFacts(task_id, project_id, key, at.astimezone(zone).date(), reason or "")
        for task_id, project_id, key, at, reason in connection.execute(
            select(
                col(Event.task_id),
                col(Task.project_id),
                col(Task.key),
                col(Event.at),
                col(Event.after)["reason"].as_string(),
            )
            .select_from(Event)
            .join(Task, col(Task.id) == col(Event.task_id))
            .join(Project, col(Project.id) == col(Task.project_id))
            .where(col(Event.kind) == REPLANNED, *where)
        ).all()
    ]
    # The tasks are streamed into the totals (never all held at once: at 50,000 projects
    # they were the digest's largest allocation), after the replans it looks them up in.
    tasks = (
        TaskFacts._make(row)
        for row in connection.execute(
            select(*FACT_COLUMNS, literal(0), TITLE_JA)
            .join(Project, col(Project.id) == col(Task.project_id))
            .where(*where)
            .execution_options(yield_per=STREAM_BATCH)
        )
    )
    days = (today - since).days
    return key_totals(projects, tasks, replans, today=today, days=days)
