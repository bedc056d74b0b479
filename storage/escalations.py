"""Decision-maker steps: one row per project and day, and the tasks each step covered."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from storage.models import (
    EscalatedTask,
    Escalation,
    EscalationStatus,
    Outbox,
    Task,
    TaskStatus,
)


def _insert(session: Session) -> Any:
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def reached(*, session: Session) -> set[tuple[int, date, str]]:
    """`(task id, due date, step)` of every open task that already reached a step."""
    query = (
        select(col(EscalatedTask.task_id), col(EscalatedTask.due), col(EscalatedTask.step))
        .join(Task, col(Task.id) == col(EscalatedTask.task_id))
        .where(col(Task.status) == TaskStatus.OPEN)
    )
    return {(row[0], row[1], row[2]) for row in session.exec(query)}


def insert_many(
    *,
    session: Session,
    steps: Sequence[tuple[dict[str, Any], Iterable[tuple[int, date, str]]]],
) -> dict[str, int]:
    """Insert the steps whose key is new, in the order given, and the tasks each covers
    (`(values, tasks)` pairs, every `values` with the same columns): one multi-row INSERT of
    steps and one of tasks, each split by SQLAlchemy into pieces under the parameter limits.
    Returns the new rows' ids by key; a key there already (another run or replica decided
    it first, or is deciding it now: PostgreSQL waits for that transaction) is left out."""
    if not steps:
        return {}
    insert = _insert(session)
    statement = (
        insert(Escalation)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(col(Escalation.id), col(Escalation.key))
    )
    found = {
        str(key): int(escalation_id)
        for escalation_id, key in session.execute(statement, [values for values, _ in steps])
    }
    covered = [
        {
            "escalation_id": found[values["key"]],
            "project_id": values["project_id"],
            "task_id": task_id,
            "due": due,
            "step": step,
        }
        for values, tasks in steps
        if values["key"] in found
        for task_id, due, step in tasks
    ]
    if covered:
        session.execute(
            insert(EscalatedTask).on_conflict_do_nothing(index_elements=["task_id", "due", "step"]),
            covered,
        )
    return found


def get(*, session: Session, escalation_id: int) -> Escalation | None:
    return session.get(Escalation, escalation_id)


def decide(
    *,
    session: Session,
    escalation_id: int,
    status: str,
    by: str,
    at: datetime,
    reason: str | None = None,
    text: str | None = None,
    blocks: list[dict[str, Any]] | None = None,
) -> bool:
    """Move a draft to `status` in one statement; False when it is no longer a draft
    (another click, retry or replica decided it first)."""
    values: dict[str, Any] = {"status": status, "decided_by": by, "decided_at": at}
    if reason is not None:
        values["reason"] = reason
    if text is not None:
        values.update(text=text, blocks=blocks or [], edited=True)
    result = session.exec(
        update(Escalation)
        .where(
            col(Escalation.id) == escalation_id,
            col(Escalation.status) == EscalationStatus.DRAFT,
        )
        .values(**values)
    )
    return result.rowcount == 1


def drafts(*, session: Session, project_ids: Sequence[int] | None = None) -> list[Escalation]:
    """Drafts nobody has answered yet, oldest first."""
    query = select(Escalation).where(col(Escalation.status) == EscalationStatus.DRAFT)
    if project_ids is not None:
        query = query.where(col(Escalation.project_id).in_(list(project_ids)))
    return list(session.exec(query.order_by(col(Escalation.id))))


def withdraw(*, session: Session, project_id: int, at: datetime) -> int:
    """Unanswered drafts of a project that ended can never be sent."""
    result = session.exec(
        update(Escalation)
        .where(
            col(Escalation.project_id) == project_id,
            col(Escalation.status) == EscalationStatus.DRAFT,
        )
        .values(status=EscalationStatus.WITHDRAWN, decided_by="system", decided_at=at)
    )
    return int(result.rowcount or 0)


def of_project(*, session: Session, project_id: int) -> list[Escalation]:
    query = select(Escalation).where(col(Escalation.project_id) == project_id)
    return list(session.exec(query.order_by(col(Escalation.id))))


def outbox_by_key(*, session: Session, key: str) -> Outbox | None:
    """The outbox row of one key (where a draft went, to show the CSM's answer there)."""
    return session.exec(select(Outbox).where(col(Outbox.key) == key)).first()
