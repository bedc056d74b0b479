"""Job runs: one run per job and slot, across replicas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from bot.services import job_runs
from storage import job_runs as job_run_rows
from storage.db import session_scope

SLOT = datetime(2027, 4, 7, 0, 10, tzinfo=UTC)


def test_a_slot_is_started_once_and_its_outcome_recorded(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert job_runs.last_slot(session=session, job="reminders") is None
        assert job_runs.try_start(session=session, job="reminders", slot=SLOT, runner="a", now=SLOT)
        assert not job_runs.try_start(
            session=session, job="reminders", slot=SLOT, runner="b", now=SLOT
        )
        job_runs.finish(
            session=session,
            job="reminders",
            slot=SLOT,
            now=SLOT + timedelta(seconds=3),
            outcome="reminders: 1 planned, 1 new, 1 sent, 0 failed",
        )
    with session_scope(engine) as session:
        [run] = job_run_rows.recent(session=session, job="reminders")
        assert job_runs.last_slot(session=session, job="reminders") == SLOT
    assert run.runner == "a" and run.outcome and run.outcome.startswith("reminders: 1 planned")


def test_a_slot_marked_not_run_is_never_run_later(engine: Engine) -> None:
    with session_scope(engine) as session:
        job_runs.mark_not_run(
            session=session, job="digest", slot=SLOT, runner="start", now=SLOT, outcome="not run"
        )
        job_runs.mark_not_run(
            session=session, job="digest", slot=SLOT, runner="b", now=SLOT, outcome="again"
        )
        assert not job_runs.try_start(
            session=session, job="digest", slot=SLOT, runner="c", now=SLOT
        )
        [run] = job_run_rows.recent(session=session, job="digest")
    assert (run.runner, run.outcome) == ("start", "not run")
