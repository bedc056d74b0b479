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
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bench.cache import filled_copy
from bench.common import (
    Row,
    Timing,
    against_baselines,
    backends,
    profile,
    runs_text,
    scratch_database,
)
from bench.digest_fill import fill_digest
from bench.reminders import (
    NOW,
    bench_settings,
    sqlite_value,
)
from bot.app import build_deps
from bot.config import Settings
from bot.deps import Deps
from bot.domain.digest import Digest
from bot.domain.kpi_facts import BOTTLENECK_DAYS
from bot.flows.digest import compute, week_of

TARGET_RATIO = 2.0
TARGET_SECONDS = 10.0
MAX_STATEMENTS = 20  # "a handful of queries": far below one per project
SMALL_PORTFOLIO = 20  # the second count of statements runs over this many projects


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
            timing, (base, raw), full, digest = _time(deps, settings, repeat=options.repeat)
            log(f"digest/{backend}: {_describe(digest)}")
            log(
                f"digest/{backend}: runs: digest {runs_text(timing.runs)}, baseline"
                f" {runs_text(base.runs)}, every raw row (for information) {runs_text(raw.runs)}"
            )
            if options.profile:
                log(f"digest/{backend}: cProfile of one digest computation (by own time):")
                log(profile(lambda: compute_digest(deps), limit=options.profile))
        finally:
            deps.engine.dispose()
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
            timing.median,
            baseline=raw.median,
            note="information: the same digest against reading every raw row plainly",
        ),
    ]


def _time(
    deps: Deps, settings: Settings, *, repeat: int
) -> tuple[Timing, list[Timing], list[str], Digest]:
    """The digest against its baseline and against reading every raw row, in the same
    turns; also the statements of the digest's first (untimed) computation."""
    zone = settings.default_timezone
    statements: list[str] = []
    digests: list[Digest] = []

    def digest() -> Digest:
        if digests:
            return compute_digest(deps)
        with counting_statements(deps.engine) as seen:  # the warm-up, after the baselines'
            digests.append(compute_digest(deps))
        statements.extend(seen)
        return digests[0]

    timing, bases, _ = against_baselines(
        digest,
        [
            lambda: baseline(deps.engine, timezone=zone),
            lambda: baseline(deps.engine, timezone=zone, statements=RAW_SQL),
        ],
        repeat=repeat,
    )
    return timing, bases, statements, digests[0]


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
