"""`onboardbot jobs list | run`."""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.cli import context
from bot.cli.table import format_table
from schedules.jobs import JOBS
from schedules.scheduler import job_specs
from storage import job_runs
from storage.db import session_scope
from storage.models import JobRun


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


def run_list(_args: argparse.Namespace) -> int:
    deps = context.deps(context.settings())
    zone = ZoneInfo(deps.settings.default_timezone)
    now = datetime.now(UTC)
    rows = []
    with session_scope(deps.engine) as session:
        for spec in job_specs(deps):
            upcoming = spec.trigger.get_next_fire_time(None, now)
            last = job_runs.recent(session=session, job=spec.name, limit=1)
            rows.append(
                [
                    spec.name,
                    spec.schedule,
                    when(upcoming, zone) if upcoming else "-",
                    _last_run(last[0], zone) if last else "never",
                ]
            )
    deps.engine.dispose()
    print(f"times in {deps.settings.default_timezone} (DEFAULT_TIMEZONE)")
    print(format_table(["job", "schedule", "next run", "last run"], rows))
    return 0


def when(moment: datetime, zone: ZoneInfo) -> str:
    """`Mon 2027-04-12 09:00`, in the configured time zone."""
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")


def _last_run(run: JobRun, zone: ZoneInfo) -> str:
    """The slot it ran for; why not, when it did not run or failed."""
    text = when(run.slot, zone)
    if run.finished_at is None:
        return f"{text} (unfinished)"
    if run.outcome and run.outcome.startswith(("error", "not run")):
        return f"{text} ({run.outcome})"
    return text


def run_one(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING)
    # slack_sdk logs every failed attempt; the job's summary line says what failed.
    logging.getLogger("slack_sdk").setLevel(logging.CRITICAL)
    require = () if args.dry_run else ("slack_bot_token",)
    deps = context.deps(context.settings(require=require))
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
