"""`onboardbot jobs list | run`."""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.app import build_deps
from bot.cli.errors import UsageError
from bot.cli.table import format_table
from bot.config import load_settings
from bot.deps import Deps
from schedules.jobs import JOBS
from schedules.scheduler import job_specs
from storage import job_runs
from storage.db import session_scope
from storage.migrate import SchemaBehindError


def register(subparsers: argparse._SubParsersAction) -> None:
    jobs = subparsers.add_parser("jobs", help="scheduled jobs")
    sub = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    sub.add_parser("list", help="each job, its schedule and its next run").set_defaults(
        handler=run_list
    )
    run = sub.add_parser("run", help="run one job now")
    run.add_argument("name", choices=sorted(JOBS))
    run.add_argument(
        "--now",
        type=_aware,
        default=None,
        metavar="ISO-DATETIME",
        help="the moment the job runs for, e.g. 2027-04-12T09:00+09:00 (default: now)",
    )
    run.add_argument(
        "--dry-run", action="store_true", help="print what would be sent; send nothing"
    )
    run.set_defaults(handler=run_one)


def _aware(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date-time like 2027-04-12T09:00+09:00"
        ) from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} needs a UTC offset, e.g. 2027-04-12T09:00+09:00"
        )
    return value


def running_from(start: datetime) -> Callable[[], datetime]:
    """A clock that reads `start` now and runs on from it: a job run for another moment
    (`--now`) still sees time pass, so its leases and retries run out as they would."""
    origin = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - origin)


def _deps() -> Deps:
    try:
        return build_deps(load_settings())
    except SchemaBehindError as exc:
        raise UsageError(str(exc)) from None


def run_list(_args: argparse.Namespace) -> int:
    deps = _deps()
    now = datetime.now(UTC)
    rows = []
    with session_scope(deps.engine) as session:
        for spec in job_specs(deps):
            upcoming = spec.trigger.get_next_fire_time(None, now)
            last = job_runs.last_slot(session=session, job=spec.name)
            rows.append(
                [
                    spec.name,
                    str(spec.trigger),
                    upcoming.isoformat() if upcoming else "-",
                    last.isoformat() if last else "never",
                ]
            )
    print(format_table(["job", "schedule", "next run", "last run"], rows))
    return 0


def run_one(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING)
    deps = _deps()
    now = args.now or datetime.now(UTC)
    if args.now is not None:
        deps.clock = running_from(args.now)
    report = JOBS[args.name](deps, now=now, dry_run=args.dry_run)
    if args.dry_run:
        print(f"{args.name} at {now.isoformat()} would send {len(report.planned)} message(s):")
    for line in report.planned:
        print(f"  {line}")
    print(report.summary())
    return 1 if report.failed else 0
