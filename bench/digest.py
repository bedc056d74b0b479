"""Section `digest`: computing the weekly digest (and `onboardbot report`) for a large portfolio.

The timed unit is `bot.flows.digest.compute`, which is what the Monday job and `report`
run before rendering: `load_facts` + `undelivered_reminders` in one session, then the pure
`build_digest`. The tasks reach Python already summed up by the database (per project, per
completion day, per playbook task key; see `bot.services.task_totals`), with only open
overdue tasks and the bottleneck window of ended projects one by one. The baseline sends
the same statements, written by hand in plain SQL, through the DB-API cursor and fetches
every row: projects with their CSM, blackouts, the task totals, escalation events, open
risks, survey answers and the week's reminder outbox rows.

The portfolio is the `reminders` fill plus what the KPIs need to have something to count:
completed and cancelled projects (with survey answers), committed go-live dates,
`task.replanned` events for re-planned tasks, `escalation.sent` events for overdue tasks,
and risks (every blackout as a busy period, slip reasons, other initiatives).

Besides the time, the section checks that the digest asks the database a fixed number of
statements: it counts them with a `before_cursor_execute` listener over the full portfolio
and over a tiny one, and fails the row when the two differ.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.cache import filled_copy
from bench.common import (
    Row,
    against_baseline,
    backends,
    profile,
    runs_text,
    scratch_database,
)
from bench.reminders import (
    NOW,
    TODAY,
    FillStats,
    Tables,
    bench_settings,
    columns,
    fill,
    sqlite_value,
)
from bot.app import build_deps
from bot.config import Settings
from bot.deps import Deps
from bot.domain.digest import Digest
from bot.domain.kpi_facts import BOTTLENECK_DAYS
from bot.domain.schedule import SLIP_REASONS
from bot.flows.digest import compute, week_of
from storage.db import make_engine

TARGET_RATIO = 2.0
TARGET_SECONDS = 10.0
MAX_STATEMENTS = 20  # "a handful of queries": far below one per project
SMALL_PORTFOLIO = 20  # the second count of statements runs over this many projects
SEED = 20270405

EVENT_COLUMNS = columns("id project_id task_id kind actor at before after")
RISK_COLUMNS = columns("""
    id project_id kind reason text period_start period_end said_by said_at status closed_by
    closed_at
""")
SURVEY_COLUMNS = columns("id project_id user_id csat nps comment answered_at")


# -- filling ---------------------------------------------------------------------------------
@dataclass
class DigestFill:
    """What `extend` added (counted while generating)."""

    completed: int = 0
    cancelled: int = 0
    replans: int = 0
    escalations: int = 0
    risks: int = 0
    surveys: int = 0


def _at(day: date, hour: int = 1) -> datetime:
    """A moment on `day` (01:00 UTC is 10:00 in Tokyo), never after NOW."""
    return min(datetime.combine(day, time(hour), UTC), NOW - timedelta(hours=1))


def _index(columns: list[str]) -> dict[str, int]:
    return {c: i for i, c in enumerate(columns)}


def extender(stats: DigestFill) -> Callable[[Tables], None]:
    """The `fill` hook that gives the KPIs their data (deterministic for the seed)."""

    def extend(tables: Tables) -> None:
        rng = random.Random(SEED)
        closed = _close_projects(tables, rng)
        stats.completed = sum(1 for state, _ in closed.values() if state == "completed")
        stats.cancelled = len(closed) - stats.completed
        tables["event"] = (EVENT_COLUMNS, _events(tables, rng, stats))
        tables["risk"] = (RISK_COLUMNS, _risks(tables, rng))
        tables["surveyanswer"] = (SURVEY_COLUMNS, _surveys(closed, rng))
        stats.risks, stats.surveys = len(tables["risk"][1]), len(tables["surveyanswer"][1])

    return extend


def _close_projects(tables: Tables, rng: random.Random) -> dict[int, tuple[str, datetime]]:
    """Complete (all tasks done) or cancel some older projects; commit a go-live date for
    some running ones. Returns {project id: (status, closed at)}."""
    p_cols, p_rows = tables["project"]
    t_cols, t_rows = tables["task"]
    p, t = _index(p_cols), _index(t_cols)
    closed: dict[int, tuple[str, datetime]] = {}
    projects = []
    for row in p_rows:
        pid, kickoff, r = row[p["id"]], row[p["kickoff"]], rng.random()
        age = (TODAY - kickoff).days
        committed = None
        if age >= 10 and r < 0.03:  # churned during onboarding
            closed[pid] = ("cancelled", _at(kickoff + timedelta(days=rng.randint(5, age)), 6))
        elif age >= 30 and r < 0.28:
            closed[pid] = ("completed", _at(kickoff + timedelta(days=rng.randint(25, age - 1)), 6))
        elif rng.random() < 0.3:  # planned with the customer: a committed go-live
            committed = row[p["target_go_live"]] + timedelta(days=rng.randint(-7, 10))
        values = list(row)
        state, at = closed.get(pid, (None, None))
        if state:
            values[p["status"]], values[p["paused_until"]] = state, None
        reason = "budget frozen" if state == "cancelled" else None
        projects.append((*values, at, reason, committed))
    tables["project"] = ([*p_cols, "completed_at", "close_reason", "committed_go_live"], projects)

    tasks = []
    for row in t_rows:
        state, at = closed.get(row[t["project_id"]], (None, None))
        if state == "completed" and at is not None and row[t["status"]] == "open":
            values = list(row)
            on = min(row[t["due"]], at.date())
            values[t["status"]], values[t["completed_on"]] = "done", on
            values[t["completed_at"]], values[t["completed_by"]] = _at(on, 5), "UCH000001"
            row = tuple(values)
        tasks.append(row)
    tables["task"] = (t_cols, tasks)
    return closed


def _events(tables: Tables, rng: random.Random, stats: DigestFill) -> list[tuple]:
    """`task.replanned` for every re-planned task; `escalation.sent` (the CSM, and for
    customer tasks the decision-maker and the CSM's notice) for most late tasks."""
    t_cols, t_rows = tables["task"]
    t = _index(t_cols)
    events: list[tuple] = []

    def add(pid: int, tid: int | None, kind: str, at: datetime, before: Any, after: Any) -> None:
        encoded = json.dumps(before) if before is not None else None
        events.append((len(events) + 1, pid, tid, kind, "system", at, encoded, json.dumps(after)))

    for row in t_rows:
        pid, tid, due, planned = (row[t[c]] for c in ("project_id", "id", "due", "planned_due"))
        if row[t["replan_count"]]:
            at = _at(min(planned, TODAY) - timedelta(days=rng.randint(1, 5)), 2)
            reason = rng.choice(SLIP_REASONS)
            after = {"due": due.isoformat(), "reason": reason, "source": "more_time"}
            add(pid, tid, "task.replanned", at, {"due": planned.isoformat()}, after)
            stats.replans += 1
        late_done = row[t["completed_on"]] is not None and row[t["completed_on"]] > due
        still_open = row[t["status"]] == "open" and due < TODAY - timedelta(days=3)
        if (late_done or still_open) and rng.random() < 0.8:
            levels = [("csm", 3)]
            if row[t["owner_side"]] == "customer" and due < TODAY - timedelta(days=8):
                levels += [("dm", 7), ("dm-notice", 7)]
            for level, days in levels:
                key = f"escalation:{level}:{tid}:{due.isoformat()}"
                after = {"key": key, "to": "UCSM0000", "via": "dm", "task_ids": [tid]}
                add(pid, None, "escalation.sent", _at(due + timedelta(days=days), 0), None, after)
                stats.escalations += 1
    return events


def _risks(tables: Tables, rng: random.Random) -> list[tuple]:
    """Every blackout as a busy period; slip reasons and other initiatives; a fifth closed."""
    risks: list[tuple] = []

    def add(pid: int, kind: str, *, reason=None, text=None, start=None, end=None) -> None:  # type: ignore[no-untyped-def]
        closed = rng.random() < 0.2
        said = _at(TODAY - timedelta(days=rng.randint(5, 80)), 3)
        closing = ("UCSM0000", said + timedelta(days=3)) if closed else (None, None)
        status = "closed" if closed else "open"
        risks.append(
            (len(risks) + 1, pid, kind, reason, text, start, end, "UCH000001", said, status,
             *closing)
        )  # fmt: skip

    b_cols, b_rows = tables["blackout"]
    b = _index(b_cols)
    for row in b_rows:
        add(row[b["project_id"]], "busy_period", text=row[b["label"]],
            start=row[b["start"]], end=row[b["end"]])  # fmt: skip
    p_cols, p_rows = tables["project"]
    p = _index(p_cols)
    for row in p_rows:
        if rng.random() < 0.3:
            add(row[p["id"]], "slip_reason", reason=rng.choice(SLIP_REASONS), text="人手が足りない")
        if rng.random() < 0.1:
            add(row[p["id"]], "initiatives", text="ERP migration in the same quarter")
    return risks


def _surveys(closed: dict[int, tuple[str, datetime]], rng: random.Random) -> list[tuple]:
    """The champion's answers for most completed projects, the day after completion."""
    surveys: list[tuple] = []
    for pid, (state, at) in sorted(closed.items()):
        if state == "completed" and rng.random() < 0.7:
            answered = min(at + timedelta(days=1), NOW - timedelta(hours=1))
            csat, nps = rng.choice((3, 4, 4, 5, 5, 2)), rng.choice((10, 9, 8, 7, 6, 9, 3))
            surveys.append((len(surveys) + 1, pid, f"UCH{pid:06d}", csat, nps, None, answered))
    return surveys


# -- the timed unit and its baseline ---------------------------------------------------------
def digest_deps(url: str, settings: Settings) -> Deps:
    """The bot's own dependencies (engine, calendars, settings) over the scratch database."""
    return build_deps(settings.model_copy(update={"database_url": url}))


def compute_digest(deps: Deps) -> Digest:
    """What the Monday job computes before rendering (see `bot.flows.digest.compute`)."""
    return compute(deps, now=NOW)


# The statements `load_facts` sends (see `bot.services.task_totals` for the task totals),
# written by hand. Placeholders: {today} {since} {start} {end} (bound values), {reason}
# and {key} (reading a field of an event's JSON, which the two databases spell differently).
TASK_COLUMNS = "t.id, t.project_id, t.key, t.title_en, t.required, t.first_value, t.status, t.planned_due, t.due, t.completed_on"  # fmt: skip
REACHED = "t.planned_due >= {since} AND t.planned_due <= {today} AND t.status <> 'skipped'"
RUNNING = "p.status IN ('active', 'paused')"
ENDED = "p.status IN ('completed', 'cancelled')"
BASELINE_SQL = (
    """SELECT id, customer_name, status, kickoff, created_at, completed_at, committed_go_live,
              target_go_live, decision_maker_after_days, holiday_country FROM project""",
    "SELECT project_id, slack_user_id FROM stakeholder WHERE role = 'csm'",
    'SELECT project_id, start, "end" FROM blackout',
    """SELECT project_id, sum(CASE WHEN status = 'done' THEN 1 ELSE 0 END),
              sum(CASE WHEN status <> 'skipped' THEN 1 ELSE 0 END),
              max(CASE WHEN status = 'open' THEN due END)
       FROM task GROUP BY project_id""",
    f"SELECT {TASK_COLUMNS} FROM task t WHERE t.status = 'open' AND t.due < {{today}}",
    """SELECT completed_on, count(*),
              sum(CASE WHEN completed_on <= planned_due THEN 1 ELSE 0 END)
       FROM task WHERE status = 'done' AND completed_on IS NOT NULL
       GROUP BY completed_on ORDER BY completed_on""",
    """SELECT project_id, min(completed_on) FROM task
       WHERE first_value IS TRUE AND status = 'done' AND completed_on IS NOT NULL
       GROUP BY project_id""",
    f"""SELECT t.key, min({{title}}), count(*),
               sum(CASE WHEN t.id IN (SELECT task_id FROM event
                                      WHERE kind = 'task.replanned' AND task_id IS NOT NULL)
                          OR (t.status = 'open' AND t.planned_due < {{today}})
                          OR (t.status = 'done' AND t.completed_on > t.planned_due)
                        THEN 1 ELSE 0 END)
        FROM task t JOIN project p ON p.id = t.project_id
        WHERE {RUNNING} AND {REACHED} GROUP BY t.key""",
    f"""SELECT t.key, {{reason}}, count(*)
        FROM event e JOIN task t ON t.id = e.task_id JOIN project p ON p.id = t.project_id
        WHERE e.kind = 'task.replanned' AND {RUNNING} AND {REACHED}
        GROUP BY t.key, {{reason}}""",
    f"""SELECT {TASK_COLUMNS}, 0 FROM task t JOIN project p ON p.id = t.project_id
        WHERE {ENDED} AND {REACHED}""",
    f"""SELECT e.task_id, t.project_id, t.key, e.at, {{reason}}
        FROM event e JOIN task t ON t.id = e.task_id JOIN project p ON p.id = t.project_id
        WHERE e.kind = 'task.replanned' AND {ENDED} AND {REACHED}""",
    "SELECT project_id, at, {key} FROM event WHERE kind = 'escalation.sent'",
    "SELECT project_id, kind, period_start, period_end FROM risk WHERE status = 'open'",
    "SELECT project_id, answered_at, csat, nps FROM surveyanswer",
    """SELECT status, delivered_via, recipient FROM outbox
       WHERE kind = 'reminder' AND created_at >= {start} AND created_at < {end}""",
)
JSON_FIELD = {"sqlite": "json_extract(e.after, '$.{field}')", "postgresql": "e.after ->> '{field}'"}
TITLE = {"sqlite": "t.title_en", "postgresql": 't.title_en COLLATE "C"'}  # code-point order
# For information (no target): every row of the tables the digest draws from, read plainly,
# as a digest that walked the tasks one by one would have to.
RAW_SQL = (
    """SELECT p.id, p.customer_name, p.status, p.kickoff, p.created_at, p.completed_at,
              p.committed_go_live, p.target_go_live, p.decision_maker_after_days,
              p.holiday_country, s.slack_user_id
       FROM project p LEFT JOIN stakeholder s ON s.project_id = p.id AND s.role = 'csm'""",
    'SELECT project_id, start, "end" FROM blackout',
    f"SELECT {TASK_COLUMNS} FROM task t",
    """SELECT task_id, project_id, at, after, kind FROM event
       WHERE kind IN ('task.replanned', 'escalation.sent')""",
    "SELECT project_id, kind, period_start, period_end FROM risk WHERE status = 'open'",
    "SELECT project_id, answered_at, csat, nps FROM surveyanswer",
    BASELINE_SQL[-1],  # the week's reminder outbox rows
)


def baseline(engine: Engine, *, timezone: str, statements: Sequence[str] = BASELINE_SQL) -> int:
    """The statements (by default the digest's own) through the DB-API cursor, every row
    fetched; returns the number of rows."""
    week_start, week_end, today = week_of(NOW, timezone)
    window = [datetime.combine(day, time.min, ZoneInfo(timezone)) for day in (week_start, week_end)]
    values: dict[str, Any] = {
        "today": today,
        "since": today - timedelta(days=BOTTLENECK_DAYS),
        "start": window[0],
        "end": window[1],
    }
    dialect = engine.dialect.name
    if dialect == "sqlite":  # named parameters: :name on SQLite, %(name)s on PostgreSQL
        values = {name: sqlite_value(value) for name, value in values.items()}
    marks = {name: (f":{name}" if dialect == "sqlite" else f"%({name})s") for name in values}
    fields = {name: JSON_FIELD[dialect].format(field=name) for name in ("reason", "key")}
    fields["key"] = fields["key"].replace("e.after", "after")
    fields["title"] = TITLE[dialect]
    connection = engine.raw_connection()
    count = 0
    try:
        cursor = connection.cursor()
        for sql in statements:
            cursor.execute(sql.format(**marks, **fields), values)
            count += len(cursor.fetchall())
        cursor.close()
        connection.commit()
    finally:
        connection.close()
    return count


@contextmanager
def counting_statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends while inside the block (the first 80 characters
    of each, whitespace collapsed)."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split())[:80])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def statements_for(url: str, settings: Settings) -> list[str]:
    """The statements one digest computation sends (deps built fresh, connection warmed)."""
    deps = digest_deps(url, settings)
    try:
        compute_digest(deps)  # warm-up: pool connection, SQLite pragmas, type caches
        with counting_statements(deps.engine) as seen:
            compute_digest(deps)
        return seen
    finally:
        deps.engine.dispose()


# -- the section -----------------------------------------------------------------------------
def section(options: argparse.Namespace, *, log: Callable[[str], None] = print) -> list[Row]:
    """Fill each backend once, time the digest against the baseline, count its statements."""
    settings = bench_settings()
    rows: list[Row] = []
    for backend, problem in backends(options.backend):
        if problem:
            log(f"digest/{backend}: skipped: {problem}")
            continue
        with tempfile.TemporaryDirectory(prefix="onboardbot-bench-") as workdir:
            rows += _measure(backend, Path(workdir), options, settings, log)
    return rows


def fill_digest(url: str, *, projects: int, settings: Settings) -> tuple[FillStats, DigestFill]:
    """The reminders portfolio plus the digest's extras, in the database at `url`."""
    extra = DigestFill()
    engine = make_engine(url)
    try:
        stats = fill(engine, projects=projects, settings=settings, extend=extender(extra))
    finally:
        engine.dispose()
    return stats, extra


def _measure(
    backend: str,
    workdir: Path,
    options: argparse.Namespace,
    settings: Settings,
    log: Callable[[str], None],
) -> list[Row]:
    with filled_copy(
        backend,
        workdir,
        f"digest-{options.projects}",
        lambda url: fill_digest(url, projects=options.projects, settings=settings),
        fresh=options.fresh,
        log=log,
    ) as url:
        deps = digest_deps(url, settings)
        try:
            counted: list[int] = []
            timing, base, digest = against_baseline(
                lambda: compute_digest(deps),
                lambda: counted.append(baseline(deps.engine, timezone=settings.default_timezone)),
                repeat=options.repeat,
            )
            log(
                f"digest/{backend}: {_describe(digest)}; baseline read {counted[-1]:,} rows;"
                f" runs: digest {runs_text(timing.runs)}, baseline {runs_text(base.runs)}"
            )
            raw_counted: list[int] = []
            versus_raw, raw, _ = against_baseline(
                lambda: compute_digest(deps),
                lambda: raw_counted.append(
                    baseline(deps.engine, timezone=settings.default_timezone, statements=RAW_SQL)
                ),
                repeat=options.repeat,
            )
            log(
                f"digest/{backend}: for information, reading every raw row instead"
                f" ({raw_counted[-1]:,} rows): digest {runs_text(versus_raw.runs)},"
                f" raw rows {runs_text(raw.runs)}"
            )
            if options.profile:
                log(f"digest/{backend}: cProfile of one digest computation (by own time):")
                log(profile(lambda: compute_digest(deps), limit=options.profile))
        finally:
            deps.engine.dispose()
        full = statements_for(url, settings)
    small_projects = min(SMALL_PORTFOLIO, options.projects)
    with scratch_database(backend, workdir, name="small") as small_url:
        fill_digest(small_url, projects=small_projects, settings=settings)
        small = statements_for(small_url, settings)
    log(f"digest/{backend}: {len(full)} statements at {options.projects:,} projects:")
    for statement in full:
        log(f"    {statement}")
    constant = len(full) == len(small) and len(full) <= MAX_STATEMENTS
    return [
        Row(
            "digest.compute",
            backend,
            timing.median,
            baseline=base.median,
            max_ratio=TARGET_RATIO,
            max_value=TARGET_SECONDS,
            check=constant,
            note=(
                f"{len(full)} SQL statements ({len(small)} at {small_projects} projects;"
                f" ≤{MAX_STATEMENTS}), {options.projects:,} projects"
            ),
        ),
        Row(
            "digest.raw_rows",
            backend,
            versus_raw.median,
            baseline=raw.median,
            note="information: the same digest against reading every raw row plainly",
        ),
    ]


def _describe(digest: Digest) -> str:
    """One line showing the KPIs had data to count (a KPI of "—" would mean the fill lacks it)."""
    portfolio, week, k = digest.portfolio, digest.week, digest.kpis

    def rate(value: float | None) -> str:
        return "—" if value is None else f"{value:.0%}"

    def number(value: float | None) -> str:
        return "—" if value is None else f"{value:g}"

    return (
        f"portfolio {portfolio.on_track:,} on track / {portfolio.at_risk:,} at risk /"
        f" {portfolio.late:,} late / {portfolio.paused:,} paused; week {week.start}:"
        f" {week.tasks_completed:,} tasks done, {week.projects_completed:,} completed,"
        f" {week.escalations_sent:,} escalations; KPIs: completion {rate(k.completion_rate)},"
        f" churn {rate(k.churn_rate)}, days to complete {number(k.days_to_complete_median)}"
        f" (p80 {number(k.days_to_complete_p80)}), on time {rate(k.on_time_task_rate)},"
        f" late share {rate(k.late_share)}, CSAT {number(k.csat_average)} ({k.csat_count}),"
        f" NPS {number(k.nps)}; {len(digest.bottlenecks)} bottlenecks"
        f" ({sum(b.review for b in digest.bottlenecks)} to review)"
    )
