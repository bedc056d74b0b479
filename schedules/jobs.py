"""The table of scheduled jobs: each job's id, when it runs, and the flow it calls with an
explicit `now` (`run(deps, *, now, dry_run) -> JobReport`). The flows decide what to send;
`schedules.scheduler` only decides when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.deps import Deps
from bot.flows import (
    adoption,
    digest,
    escalation_steps,
    join_check,
    outbox_job,
    reminders,
    risk_reminders,
    webhooks,
)
from bot.flows.job_report import JobReport


class Run(Protocol):
    def __call__(self, deps: Deps, /, *, now: datetime, dry_run: bool = False) -> JobReport: ...


# Which flow each job calls.
JOBS: dict[str, Run] = {
    "reminders": reminders.run,
    "escalations": escalation_steps.run,
    "outbox": outbox_job.run,
    "join_check": join_check.run,
    "risk_reminders": risk_reminders.run,
    "adoption": adoption.run,
    "digest": digest.run,
    "webhooks": webhooks.run,
}


@dataclass(frozen=True)
class JobSpec:
    name: str
    trigger: BaseTrigger
    period: timedelta  # the slot size: a run stands for the period it starts
    catch_up: bool = True
    schedule: str = ""  # for people: "every 10 minutes", "mon 09:00 (Asia/Tokyo)"


def job_specs(deps: Deps) -> list[JobSpec]:
    """When each job runs. Reminders and escalations run often because each person's 09:00
    comes at a different moment; their outbox keys make extra runs harmless."""
    settings = deps.settings
    digest_at = settings.digest_time
    return [
        _every(
            "reminders",
            CronTrigger(minute="*/10", timezone=UTC),
            timedelta(minutes=10),
            "every 10 minutes (each person at 09:00 their time)",
        ),
        _every(
            "escalations",
            CronTrigger(minute="5-59/10", timezone=UTC),
            timedelta(minutes=10),
            "every 10 minutes, at :05, :15, …",
        ),
        _sending("outbox", seconds=30),
        *([_sending("webhooks", seconds=10)] if settings.webhook_receivers else []),
        _hourly("join_check", minute=7),
        _hourly("risk_reminders", minute=9),
        _hourly("adoption", minute=11),
        _every(
            "digest",
            CronTrigger(
                day_of_week=digest_at.day_of_week,
                hour=digest_at.hour,
                minute=digest_at.minute,
                timezone=settings.default_timezone,
            ),
            timedelta(days=7),
            f"{settings.digest_cron} ({settings.default_timezone})",
        ),
    ]


def _every(
    name: str, trigger: BaseTrigger, period: timedelta, schedule: str, *, catch_up: bool = True
) -> JobSpec:
    assert name in JOBS, name
    return JobSpec(name, trigger, period, catch_up=catch_up, schedule=schedule)


def _sending(name: str, *, seconds: int) -> JobSpec:
    """A job that sends what is due: often, and nothing to catch up (the next run does)."""
    return _every(
        name,
        IntervalTrigger(seconds=seconds, timezone=UTC),
        timedelta(seconds=seconds),
        f"every {seconds} seconds",
        catch_up=False,
    )


def _hourly(name: str, *, minute: int) -> JobSpec:
    return _every(
        name,
        CronTrigger(minute=minute, timezone=UTC),
        timedelta(hours=1),
        f"hourly at :{minute:02d}",
    )


__all__ = ["JOBS", "JobReport", "JobSpec", "Run", "job_specs"]
