"""APScheduler wiring: when each job runs. The jobs themselves live in schedules.jobs.

Every run is recorded under its slot (the fire time it stands for): with several replicas
only the first to record a slot runs it, and a slot missed while the bot was down is run
once on start-up (catch-up). A job that has never run owes nothing from before the bot's
first start: a new install does not post last Monday's digest.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import metrics
from bot.deps import Deps
from schedules.jobs import JOBS, JobReport
from storage import job_runs
from storage.db import session_scope

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    name: str
    trigger: BaseTrigger
    period: timedelta  # the slot size: a run stands for the period it starts
    catch_up: bool = True
    schedule: str = ""  # for people: "every 10 minutes", "mon 09:00 (Asia/Tokyo)"


NOT_RUN_BEFORE_FIRST_START = "not run: before the bot's first start"


def job_specs(deps: Deps) -> list[JobSpec]:
    """The schedule. Reminders and escalations run often because each person's 09:00
    comes at a different moment; their outbox keys make extra runs harmless."""
    digest = deps.settings.digest_time
    specs = [
        JobSpec(
            "reminders",
            CronTrigger(minute="*/10", timezone=UTC),
            timedelta(minutes=10),
            schedule="every 10 minutes (each person at 09:00 their time)",
        ),
        JobSpec(
            "escalations",
            CronTrigger(minute="5-59/10", timezone=UTC),
            timedelta(minutes=10),
            schedule="every 10 minutes, at :05, :15, …",
        ),
        JobSpec(
            "outbox",
            IntervalTrigger(seconds=30, timezone=UTC),
            timedelta(seconds=30),
            catch_up=False,
            schedule="every 30 seconds",
        ),
        *(
            [
                JobSpec(
                    "webhooks",
                    IntervalTrigger(seconds=10, timezone=UTC),
                    timedelta(seconds=10),
                    catch_up=False,
                    schedule="every 10 seconds",
                )
            ]
            if deps.settings.webhook_receivers
            else []
        ),
        _hourly("join_check", minute=7),
        _hourly("risk_reminders", minute=9),
        _hourly("adoption", minute=11),
    ]
    if "digest" in JOBS:
        specs.append(
            JobSpec(
                "digest",
                CronTrigger(
                    day_of_week=digest.day_of_week,
                    hour=digest.hour,
                    minute=digest.minute,
                    timezone=deps.settings.default_timezone,
                ),
                timedelta(days=7),
                schedule=f"{deps.settings.digest_cron} ({deps.settings.default_timezone})",
            )
        )
    return specs


def _hourly(name: str, *, minute: int) -> JobSpec:
    return JobSpec(
        name,
        CronTrigger(minute=minute, timezone=UTC),
        timedelta(hours=1),
        schedule=f"hourly at :{minute:02d}",
    )


def slot_of(now: datetime, period: timedelta) -> datetime:
    """The start of the period `now` falls in (UTC, aligned on the epoch)."""
    epoch = datetime(1970, 1, 5, tzinfo=UTC)  # a Monday, so weekly slots start on Mondays
    return epoch + ((now.astimezone(UTC) - epoch) // period) * period


def run_job(
    deps: Deps, name: str, *, now: datetime, slot: datetime | None = None, runner: str = ""
) -> JobReport | None:
    """Run `name` for its slot unless another runner (or an earlier run) already did."""
    spec = next(s for s in job_specs(deps) if s.name == name)
    slot = slot or slot_of(now, spec.period)
    with session_scope(deps.engine) as session:
        if not job_runs.try_start(
            session=session, job=name, slot=slot, runner=runner or "scheduler", now=now
        ):
            logger.info("%s for %s already ran", name, slot.isoformat())
            return None
    started = time.perf_counter()
    try:
        report = JOBS[name](deps, now=now)
    except Exception as exc:
        metrics.JOB_RUNS.labels(name, "error").inc()
        with session_scope(deps.engine) as session:
            job_runs.finish(
                session=session,
                job=name,
                slot=slot,
                now=deps.clock(),
                outcome=f"error: {type(exc).__name__}",
            )
        raise
    metrics.JOB_RUNS.labels(name, "ok").inc()
    metrics.JOB_DURATION.labels(name).observe(time.perf_counter() - started)
    with session_scope(deps.engine) as session:
        job_runs.finish(
            session=session, job=name, slot=slot, now=deps.clock(), outcome=report.summary()
        )
    logger.info(report.summary())
    return report


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
        with session_scope(deps.engine) as session:
            last = job_runs.last_slot(session=session, job=spec.name)
            if last is None:
                if job_runs.try_start(
                    session=session, job=spec.name, slot=slot, runner=runner or "start", now=now
                ):
                    job_runs.finish(
                        session=session,
                        job=spec.name,
                        slot=slot,
                        now=now,
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
