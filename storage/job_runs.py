"""Job runs: one row per job and fire time, so a run happens once across replicas."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from storage.models import JobRun


def try_start(*, session: Session, job: str, slot: datetime, runner: str, now: datetime) -> bool:
    """Record that `runner` runs `job` for `slot`; False when someone already did."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(JobRun)
        .values(job=job, slot=slot, runner=runner, started_at=now)
        .on_conflict_do_nothing(index_elements=["job", "slot"])
        .returning(col(JobRun.id))
    )
    # RETURNING, not rowcount: drivers disagree on rowcount for a skipped conflict.
    return session.execute(statement).first() is not None


def finish(*, session: Session, job: str, slot: datetime, now: datetime, outcome: str) -> None:
    session.execute(
        update(JobRun)
        .where(col(JobRun.job) == job, col(JobRun.slot) == slot)
        .values(finished_at=now, outcome=outcome[:200])
    )


def last_slot(*, session: Session, job: str) -> datetime | None:
    return session.exec(select(func.max(JobRun.slot)).where(JobRun.job == job)).one()


def recent(*, session: Session, job: str, limit: int = 10) -> list[JobRun]:
    query = select(JobRun).where(JobRun.job == job).order_by(col(JobRun.slot).desc()).limit(limit)
    return list(session.exec(query))
