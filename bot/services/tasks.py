"""Use cases on tasks: complete and undo, exactly once, with the permission rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from bot.domain.permissions import Actor, can_complete, can_undo
from bot.services.projects import OPEN_STATUSES, customer_member, local_today
from storage import events
from storage import projects as project_rows
from storage import tasks as task_rows
from storage.models import Project, ProjectStatus, Task, TaskStatus


class Outcome(StrEnum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"  # already in that state: a double click, a retry, a stale message
    REFUSED = "refused"


@dataclass(frozen=True)
class TaskChange:
    outcome: Outcome
    project: Project | None = None
    task: Task | None = None
    reason: str | None = None  # message key when refused


def complete_task(*, session: Session, task_id: int, actor: Actor, now: datetime) -> TaskChange:
    """Mark a task done once; later clicks on it change nothing."""
    found = _load(session, task_id)
    if isinstance(found, TaskChange):
        return found
    project, task = found
    is_member = customer_member(session=session, project_id=project.id, user_id=actor.user_id)  # type: ignore[arg-type]
    decision = can_complete(
        actor, task_side=task.owner_side, is_customer_member=is_member is not None
    )
    if not decision:
        return TaskChange(Outcome.REFUSED, project, task, decision.reason)
    if not task_rows.mark_done(
        session=session, task_id=task_id, by=actor.user_id, at=now, on=local_today(project, now)
    ):
        return TaskChange(Outcome.UNCHANGED, project, task)
    events.record(
        session=session,
        kind="task.completed",
        actor=actor.user_id,
        at=now,
        project_id=project.id,
        task_id=task_id,
        before={"status": TaskStatus.OPEN},
        after={"status": TaskStatus.DONE, "due": task.due.isoformat()},
    )
    session.refresh(task)
    return TaskChange(Outcome.CHANGED, project, task)


def undo_task(*, session: Session, task_id: int, actor: Actor, now: datetime) -> TaskChange:
    """Re-open a completed task (CS staff, or whoever completed it)."""
    found = _load(session, task_id)
    if isinstance(found, TaskChange):
        return found
    project, task = found
    is_member = customer_member(session=session, project_id=project.id, user_id=actor.user_id)  # type: ignore[arg-type]
    decision = can_undo(
        actor, completed_by=task.completed_by, is_customer_member=is_member is not None
    )
    if task.status == TaskStatus.DONE and not decision:
        return TaskChange(Outcome.REFUSED, project, task, decision.reason)
    before = {
        "status": task.status,
        "completed_by": task.completed_by,
        "completed_at": task.completed_at.isoformat() if task.completed_at else None,
    }
    if not task_rows.mark_open(session=session, task_id=task_id):
        return TaskChange(Outcome.UNCHANGED, project, task)
    events.record(
        session=session,
        kind="task.reopened",
        actor=actor.user_id,
        at=now,
        project_id=project.id,
        task_id=task_id,
        before=before,
        after={"status": TaskStatus.OPEN},
    )
    session.refresh(task)
    return TaskChange(Outcome.CHANGED, project, task)


def closed_reason(project: Project) -> str:
    """Why a project that is not running takes no changes (a message key)."""
    if project.status == ProjectStatus.STARTING:
        return "error.project_starting"
    return "error.project_closed"


def _load(session: Session, task_id: int) -> tuple[Project, Task] | TaskChange:
    task = task_rows.get(session=session, task_id=task_id)
    if task is None:
        return TaskChange(Outcome.REFUSED, reason="error.task_not_found")
    project = project_rows.get(session=session, project_id=task.project_id)
    assert project is not None
    if project.status not in OPEN_STATUSES:
        return TaskChange(Outcome.REFUSED, project, task, closed_reason(project))
    return project, task
