"""Use cases on tasks: complete and undo, exactly once, with the permission rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.domain.permissions import Actor, can_complete, can_undo
from bot.services.projects import customer_member, local_today
from bot.services.results import Changed, Refused, Result, Unchanged, denied
from storage import events
from storage import projects as project_rows
from storage import tasks as task_rows
from storage.models import RUNNING_STATUSES, Project, ProjectStatus, Task, TaskStatus


@dataclass(frozen=True)
class OnTask:
    """The task a change was asked for, with its project."""

    project: Project
    task: Task


def complete_task(*, session: Session, task_id: int, actor: Actor, now: datetime) -> Result[OnTask]:
    """Mark a task done once; later clicks on it change nothing."""
    loaded = _load(session, task_id, actor=actor)
    if isinstance(loaded, Refused):
        return loaded
    found, is_member = loaded
    project, task = found.project, found.task
    decision = can_complete(actor, task_side=task.owner_side, is_customer_member=is_member)
    if not decision:
        return denied(decision, locale=project.locale)
    if not task_rows.mark_done(
        session=session, task_id=task_id, by=actor.user_id, at=now, on=local_today(project, now)
    ):
        return Unchanged(found)
    events.status_changed(
        session=session,
        kind="task.completed",
        actor=actor.user_id,
        at=now,
        project_id=project.id,
        task_id=task_id,
        before=TaskStatus.OPEN,
        after=TaskStatus.DONE,
        due=task.due.isoformat(),
    )
    session.refresh(task)
    return Changed(found)


def undo_task(*, session: Session, task_id: int, actor: Actor, now: datetime) -> Result[OnTask]:
    """Re-open a completed task (CS staff, or whoever completed it)."""
    loaded = _load(session, task_id, actor=actor)
    if isinstance(loaded, Refused):
        return loaded
    found, is_member = loaded
    project, task = found.project, found.task
    decision = can_undo(actor, completed_by=task.completed_by, is_customer_member=is_member)
    if task.status == TaskStatus.DONE and not decision:
        return denied(decision, locale=project.locale)
    before = {
        "status": task.status,
        "completed_by": task.completed_by,
        "completed_at": task.completed_at.isoformat() if task.completed_at else None,
    }
    if not task_rows.mark_open(session=session, task_id=task_id):
        return Unchanged(found)
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
    return Changed(found)


def closed_reason(project: Project) -> str:
    """Why a project that is not running takes no changes (a message key)."""
    if project.status == ProjectStatus.STARTING:
        return "error.project_starting"
    return "error.project_closed"


def _load(session: Session, task_id: int, *, actor: Actor) -> tuple[OnTask, bool] | Refused:
    """The task with its open project, and whether the actor is one of the customer's people."""
    task = task_rows.get(session=session, task_id=task_id)
    if task is None:
        return Refused("error.task_not_found")
    project = project_rows.get(session=session, project_id=task.project_id)
    assert project is not None
    if project.status not in RUNNING_STATUSES:
        return Refused(closed_reason(project), locale=project.locale)
    assert project.id is not None
    member = customer_member(session=session, project_id=project.id, user_id=actor.user_id)
    return OnTask(project, task), member is not None
