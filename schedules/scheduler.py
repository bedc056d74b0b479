"""APScheduler wiring: when each job runs (the table is `schedules.jobs`; what a job does,
its flow in `bot.flows`).

Every run is recorded under its slot (the fire time it stands for): with several replicas
only the first to record a slot runs it, and a slot missed while the bot was down is run
once on start-up (catch-up). A job that has never run owes nothing from before the bot's
first start: a new install does not post last Monday's digest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger

from bot.deps import Deps
from bot.flows import job_runs
from schedules.jobs import JOBS, JobReport, JobSpec, job_specs

__all__ = [
    "JOBS",
    "NOT_RUN_BEFORE_FIRST_START",
    "JobSpec",
    "build_scheduler",
    "catch_up",
    "job_specs",
    "previous_fire_time",
    "run_job",
    "slot_of",
]

logger = logging.getLogger(__name__)

NOT_RUN_BEFORE_FIRST_START = "not run: before the bot's first start"


def slot_of(now: datetime, period: timedelta) -> datetime:
    """The start of the period `now` falls in (UTC, aligned on the epoch)."""
    epoch = datetime(1970, 1, 5, tzinfo=UTC)  # a Monday, so weekly slots start on Mondays
    return epoch + ((now.astimezone(UTC) - epoch) // period) * period


def run_job(
    deps: Deps, name: str, *, now: datetime, slot: datetime | None = None, runner: str = ""
) -> JobReport | None:
    """Run `name` for its slot unless another runner (or an earlier run) already did."""
    spec = next(s for s in job_specs(deps) if s.name == name)
    return job_runs.run_once(
        deps,
        name,
        lambda: JOBS[name](deps, now=now),
        slot=slot or slot_of(now, spec.period),
        now=now,
        runner=runner or "scheduler",
    )


def catch_up(deps: Deps, *, now: datetime, runner: str = "") -> list[str]:
    """Run once every job whose last slot before `now` was missed (the bot was down).

    A job that has never run has missed nothing: its last slot is recorded as not run,
    so a brand-new install starts with the next slot and a later restart knows where
    it left off.
    """
    ran = []
    for spec in job_specs(deps):
        if not spec.catch_up:
            continue
        previous = previous_fire_time(spec.trigger, now, lookback=2 * spec.period)
        if previous is None:
            continue
        slot = slot_of(previous, spec.period)
        last = job_runs.last_slot(deps, spec.name)
        if last is None:
            job_runs.mark_not_run(
                deps,
                spec.name,
                slot=slot,
                now=now,
                runner=runner or "start",
                outcome=NOT_RUN_BEFORE_FIRST_START,
            )
            continue
        if last < slot and run_job(deps, spec.name, now=now, slot=slot, runner=runner):
            ran.append(spec.name)
    return ran


def previous_fire_time(
    trigger: BaseTrigger, now: datetime, *, lookback: timedelta = timedelta(days=8)
) -> datetime | None:
    """The trigger's last fire time at or before `now`."""
    start = now - lookback
    fire = trigger.get_next_fire_time(None, start)
    previous = None
    while fire is not None and fire <= now:
        previous = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return previous


def build_scheduler(deps: Deps, *, runner: str) -> BackgroundScheduler:
    """A scheduler with every job registered under an explicit id; not started."""
    scheduler = BackgroundScheduler(timezone=UTC)
    for spec in job_specs(deps):
        scheduler.add_job(
            _guarded(deps, spec.name, runner),
            trigger=spec.trigger,
            id=spec.name,
            name=spec.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(spec.period.total_seconds()),
            replace_existing=True,
        )
    return scheduler


def _guarded(deps: Deps, name: str, runner: str) -> Callable[[], None]:
    def run() -> None:
        try:
            run_job(deps, name, now=deps.clock(), runner=runner)
        except Exception:  # a failing run must not stop the scheduler; the next slot tries again
            logger.exception("job %s failed", name)

    return run
