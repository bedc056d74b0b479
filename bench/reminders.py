"""Section `reminders`: planning the day's reminders and escalations for a large portfolio.

The timed unit is what the morning jobs do before any rendering or Slack call: read what a
run at `now` can act on (`load_for_run`), plan reminders, decision-maker steps and the
CSMs' summaries, and ask the outbox which of the planned keys were already decided. The
baseline is one plain SQL statement through the DB-API cursor that plans the same
reminders (each key with its tasks) and decision-maker steps (`bench.plan_baseline`); a
run whose baseline plan differs from the project's fails.

Run alone: `python -m bench.reminders memory --url URL` is the child process the peak
memory is measured in (see `bench.common.run_child`).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from bench import portfolio
from bench.common import (
    MB,
    Row,
    against_baseline,
    backends,
    peak_rss,
    profile,
    run_child,
    runs_text,
)
from bench.plan_baseline import Plan, baseline_statements, project_plan, run_baseline
from bench.portfolio import NOW, bench_settings, drafts
from bot.config import Settings
from bot.domain.reminder_scope import scope_at
from bot.services.calendars import CountryCalendars
from storage.db import make_engine, session_scope
from storage.outbox import existing_keys

# Other sections and tests import the portfolio's names from here, as before it moved.
TODAY, fill, columns, write_rows = (
    portfolio.TODAY,
    portfolio.fill,
    portfolio.columns,
    portfolio.write_rows,
)
FillStats, Tables, sqlite_value = portfolio.FillStats, portfolio.Tables, portfolio.sqlite_value

TARGET_RATIO = 2.0
TARGET_SECONDS = 3.0
TARGET_PEAK_BYTES = 300 * MB


# -- the timed unit ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DayPlan:
    projects: int
    open_tasks: int
    reminders: int
    escalations: int
    already_decided: int  # planned keys the outbox already holds
    plan: Plan


def plan_day(engine: Engine, *, settings: Settings, now: datetime = NOW) -> DayPlan:
    """Everything the morning's reminder and escalation runs do before rendering and Slack."""
    portfolio, reminders, steps, summaries = drafts(engine, settings=settings, now=now)
    keys = [d.key for d in reminders] + [d.key for d in summaries]  # both are outbox keys
    with session_scope(engine) as session:
        known = existing_keys(session=session, keys=keys)
    return DayPlan(
        len(portfolio.projects),
        len(portfolio.tasks),
        len(reminders),
        len(steps) + len(summaries),
        len(known),
        project_plan(reminders, steps),
    )


def baseline(engine: Engine, *, settings: Settings, now: datetime = NOW) -> Plan:
    """The plan in plain SQL: two tiny reads (the zones and lead days in use) to write the
    statements' rows, then `bench.plan_baseline`'s statements, every row fetched."""
    calendars = CountryCalendars(settings)
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(
            "SELECT timezone FROM project UNION SELECT tz FROM stakeholder WHERE tz IS NOT NULL"
        )
        zones = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT DISTINCT holiday_country, reminder_lead_days FROM project")
        leads = [(row[0], row[1]) for row in cursor.fetchall()]
        cursor.close()
        connection.commit()
    finally:
        connection.close()
    scope = scope_at(
        now=now,
        zones=zones,
        leads=leads,
        calendar=lambda country: calendars(country),
        reminder_hour=settings.reminder_hour,
    )
    if scope is None:
        return Plan({}, {})
    statements = baseline_statements(
        engine,
        now=now,
        zones=zones,
        calendar=lambda country: calendars(country),
        countries={country for country, _ in leads},
        last_due=scope.last_due,
        reminder_hour=settings.reminder_hour,
    )
    return run_baseline(engine, statements)


def differences(project: Plan, base: Plan) -> str:
    """What differs between the two plans ('' when they are equal)."""
    lines = []
    for name in ("reminders", "steps"):
        ours, theirs = getattr(project, name), getattr(base, name)
        for key in sorted(set(ours) | set(theirs)):
            if ours.get(key) != theirs.get(key):
                lines.append(f"{name} {key}: project {ours.get(key)} baseline {theirs.get(key)}")
    return "\n".join(lines)


# -- the section -----------------------------------------------------------------------------
def section(options: argparse.Namespace, *, log: Callable[[str], None] = print) -> list[Row]:
    """At each `--scales` size and backend (the kept digest portfolio, bench.cache): time
    planning against the baseline, measure the peak memory of a process planning once."""
    from bench.cache import filled_copy
    from bench.digest import fill_digest

    settings = bench_settings()
    rows: list[Row] = []
    for projects in scales(options):
        for backend, problem in backends(options.backend):
            if problem:
                log(f"reminders/{backend}: skipped: {problem}")
                continue
            with (
                tempfile.TemporaryDirectory(prefix="onboardbot-bench-") as workdir,
                filled_copy(
                    backend,
                    Path(workdir),
                    f"digest-{projects}",
                    lambda url, n=projects: fill_digest(url, projects=n, settings=settings),
                    fresh=options.fresh,
                    log=log,
                ) as url,
            ):
                engine = make_engine(url)
                try:
                    rows += _measure(engine, url, backend, projects, options, settings, log)
                finally:
                    engine.dispose()
    return rows


def scales(options: argparse.Namespace) -> list[int]:
    """The portfolio sizes of `--scales` (comma-separated)."""
    return [int(n) for n in str(options.scales).split(",") if n.strip()]


def _measure(
    engine: Engine,
    url: str,
    backend: str,
    projects: int,
    options: argparse.Namespace,
    settings: Settings,
    log: Callable[[str], None],
) -> list[Row]:
    tag = f"reminders/{backend}/{projects:,}"
    planned: list[Plan] = []
    plan, base, result = against_baseline(
        lambda: plan_day(engine, settings=settings),
        lambda: planned.append(baseline(engine, settings=settings)),
        repeat=options.repeat,
    )
    differ = differences(result.plan, planned[-1])
    log(
        f"{tag}: planned {result.reminders:,} reminders and {result.escalations:,}"
        f" escalations from {result.open_tasks:,} open tasks read ({result.already_decided:,}"
        f" keys already in the outbox); baseline planned {len(planned[-1].reminders):,}"
        f" reminders and {len(planned[-1].steps):,} decision-maker steps,"
        f" {'equal to the project' if not differ else 'NOT EQUAL to the project'};"
        f" runs: plan {runs_text(plan.runs)}, baseline {runs_text(base.runs)}"
    )
    if differ:
        log(f"{tag}: first differences:\n" + "\n".join(differ.splitlines()[:10]))
    if options.profile:
        log(f"{tag}: cProfile of one plan_day run (by own time):")
        log(profile(lambda: plan_day(engine, settings=settings), limit=options.profile))
    child = run_child("bench.reminders", ["memory", "--url", url])
    log(
        f"{tag}: peak RSS of a fresh process planning once:"
        f" {child['peak_rss'] / MB:.0f} MB ({child['rss_before'] / MB:.0f} MB before planning)"
    )
    return [
        Row(
            "reminders.plan",
            backend,
            plan.median,
            baseline=base.median,
            max_ratio=TARGET_RATIO,
            max_value=TARGET_SECONDS,
            note=f"{projects:,} projects, {result.open_tasks:,} open tasks read;"
            f" plan {'equal to' if not differ else 'differs from'} the baseline's",
            check=not differ,
        ),
        Row(
            "reminders.peak_rss",
            backend,
            child["peak_rss"],
            unit="bytes",
            max_value=TARGET_PEAK_BYTES,
            note=f"{projects:,} projects: child process planning once",
        ),
    ]


def _memory_child(url: str) -> None:
    """Plan once in this fresh process; print the counts and its peak RSS as JSON."""
    settings = bench_settings()
    engine = make_engine(url)
    with engine.connect() as conn:
        conn.execute(text("select 1"))
    before = peak_rss()
    result = plan_day(engine, settings=settings)
    engine.dispose()
    counts = {k: v for k, v in result.__dict__.items() if k != "plan"}
    print(json.dumps({"rss_before": before, "peak_rss": peak_rss(), **counts}))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders")
    parser.add_argument("mode", choices=("memory",))
    parser.add_argument("--url", required=True)
    args = parser.parse_args(argv)
    _memory_child(args.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
