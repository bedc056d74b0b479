"""Units of work on job runs: a run happens once per job and slot across replicas."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage import job_runs


def try_start(*, session: Session, job: str, slot: datetime, runner: str, now: datetime) -> bool:
    """Record that `runner` runs `job` for `slot`; False when someone already did."""
    return job_runs.try_start(session=session, job=job, slot=slot, runner=runner, now=now)


def finish(*, session: Session, job: str, slot: datetime, now: datetime, outcome: str) -> None:
    """Record how the run of `job` for `slot` ended."""
    job_runs.finish(session=session, job=job, slot=slot, now=now, outcome=outcome)


def last_slot(*, session: Session, job: str) -> datetime | None:
    """The latest slot `job` was recorded for (run, or marked not run)."""
    return job_runs.last_slot(session=session, job=job)


def mark_not_run(
    *, session: Session, job: str, slot: datetime, runner: str, now: datetime, outcome: str
) -> None:
    """Record `slot` as passed without a run (`outcome` says why), unless it was recorded."""
    if job_runs.try_start(session=session, job=job, slot=slot, runner=runner, now=now):
        job_runs.finish(session=session, job=job, slot=slot, now=now, outcome=outcome)
