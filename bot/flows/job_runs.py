"""Running a scheduled job once per slot: with several replicas only the first to record
a slot runs it; each run's outcome (its report's summary, or the error) is recorded."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from bot import metrics
from bot.deps import Deps
from bot.flows.job_report import JobReport
from bot.gc_pause import give_back_memory
from bot.services import job_runs as service
from bot.services.session import unit_of_work

logger = logging.getLogger(__name__)
# A run this long read enough (a portfolio) to be worth a full collection and handing
# its pages back to the OS (~0.1 s); a short run's few objects are not.
LEAN_AFTER = 1.0


def run_once(
    deps: Deps,
    job: str,
    run: Callable[[], JobReport],
    *,
    slot: datetime,
    now: datetime,
    runner: str,
) -> JobReport | None:
    """`run()` for `job`'s `slot`, unless another runner (or an earlier run) already did."""
    with unit_of_work(deps.engine) as session:
        if not service.try_start(session=session, job=job, slot=slot, runner=runner, now=now):
            logger.info("%s for %s already ran", job, slot.isoformat())
            return None
    started = time.perf_counter()
    try:
        report = run()
    except Exception as exc:
        metrics.JOB_RUNS.labels(job, "error").inc()
        _finish(deps, job, slot, f"error: {type(exc).__name__}")
        raise
    finally:
        if time.perf_counter() - started >= LEAN_AFTER:
            give_back_memory()  # what the run read is garbage now: the next one starts lean
    metrics.JOB_RUNS.labels(job, "ok").inc()
    metrics.JOB_DURATION.labels(job).observe(time.perf_counter() - started)
    _finish(deps, job, slot, report.summary())
    logger.info(report.summary())
    return report


def last_slot(deps: Deps, job: str) -> datetime | None:
    """The latest slot `job` was recorded for (None: it never ran)."""
    with unit_of_work(deps.engine) as session:
        return service.last_slot(session=session, job=job)


def mark_not_run(
    deps: Deps, job: str, *, slot: datetime, now: datetime, runner: str, outcome: str
) -> None:
    """Record `slot` as passed without a run, saying why."""
    with unit_of_work(deps.engine) as session:
        service.mark_not_run(
            session=session, job=job, slot=slot, runner=runner, now=now, outcome=outcome
        )


def _finish(deps: Deps, job: str, slot: datetime, outcome: str) -> None:
    with unit_of_work(deps.engine) as session:
        service.finish(session=session, job=job, slot=slot, now=deps.clock(), outcome=outcome)
