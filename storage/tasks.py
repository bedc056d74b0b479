"""Queries and guarded updates on tasks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import Task, TaskStatus


def get(*, session: Session, task_id: int) -> Task | None:
    return session.get(Task, task_id)


def of_project(*, session: Session, project_id: int) -> list[Task]:
    query = select(Task).where(Task.project_id == project_id).order_by(col(Task.position))
    return list(session.exec(query))


def mark_done(*, session: Session, task_id: int, by: str, at: datetime, on: date) -> bool:
    """Set an open task done; False when it was not open (a double click or a retry)."""
    result = session.execute(
        update(Task)
        .where(col(Task.id) == task_id, col(Task.status) == TaskStatus.OPEN)
        .values(status=TaskStatus.DONE, completed_at=at, completed_on=on, completed_by=by)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def mark_open(*, session: Session, task_id: int) -> bool:
    """Re-open a done task; False when it was not done."""
    result = session.execute(
        update(Task)
        .where(col(Task.id) == task_id, col(Task.status) == TaskStatus.DONE)
        .values(status=TaskStatus.OPEN, completed_at=None, completed_on=None, completed_by=None)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]
