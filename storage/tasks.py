"""Queries and guarded updates on tasks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.bulk import chunks
from storage.models import Task, TaskStatus


def get(*, session: Session, task_id: int) -> Task | None:
    return session.get(Task, task_id)


def of_project(*, session: Session, project_id: int) -> list[Task]:
    query = select(Task).where(Task.project_id == project_id).order_by(col(Task.position))
    return list(session.exec(query))


def of_projects(*, session: Session, project_ids: Sequence[int]) -> list[Task]:
    """The tasks of all these projects, in checklist order per project."""
    found: list[Task] = []
    for piece in chunks(project_ids):
        query = select(Task).where(col(Task.project_id).in_(list(piece)))
        found += session.exec(query.order_by(col(Task.project_id), col(Task.position)))
    return found


def mark_done(*, session: Session, task_id: int, by: str, at: datetime, on: date) -> bool:
    """Set an open task done; False when it was not open (a double click or a retry)."""
    result = session.exec(
        update(Task)
        .where(col(Task.id) == task_id, col(Task.status) == TaskStatus.OPEN)
        .values(status=TaskStatus.DONE, completed_at=at, completed_on=on, completed_by=by)
    )
    return result.rowcount == 1


def mark_open(*, session: Session, task_id: int) -> bool:
    """Re-open a done task; False when it was not done."""
    result = session.exec(
        update(Task)
        .where(col(Task.id) == task_id, col(Task.status) == TaskStatus.DONE)
        .values(status=TaskStatus.OPEN, completed_at=None, completed_on=None, completed_by=None)
    )
    return result.rowcount == 1
