"""Task history for analysis: planned vs final vs actual dates, re-plans and their reasons."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from bot.domain.calendar import BusinessCalendar, DateRange
from bot.services.projects import local_today
from storage.models import Blackout, Event, Project, Task, TaskStatus

COLUMNS = (
    "customer",
    "project_id",
    "playbook",
    "phase",
    "task",
    "title",
    "owner_side",
    "required",
    "status",
    "planned_due",
    "final_due",
    "completed_on",
    "days_late",
    "replans",
    "reasons",
)


def task_history(
    *,
    session: Session,
    since: date,
    now: datetime,
    calendar_for: Callable[[str, list[DateRange]], BusinessCalendar],
) -> Iterator[dict[str, Any]]:
    """One row per task planned or completed on/after `since`.

    `days_late` counts business days from the planned due date to the completion (or, for an
    open task, to today): 0 when done on time.
    """
    rows = session.exec(
        select(Task, Project)
        .join(Project, col(Project.id) == col(Task.project_id))
        .where(or_(col(Task.planned_due) >= since, col(Task.completed_on) >= since))
        .order_by(col(Project.id), col(Task.position))
    ).all()
    project_ids = sorted({p.id for _, p in rows if p.id is not None})
    replans: dict[int, list[str]] = defaultdict(list)
    blackouts: dict[int, list[DateRange]] = defaultdict(list)
    if project_ids:
        for event in session.exec(
            select(Event)
            .where(col(Event.project_id).in_(project_ids), Event.kind == "task.replanned")
            .order_by(col(Event.id))
        ):
            if event.task_id is not None:
                replans[event.task_id].append(str((event.after or {}).get("reason") or ""))
        for blackout in session.exec(
            select(Blackout).where(col(Blackout.project_id).in_(project_ids))
        ):
            blackouts[blackout.project_id].append(DateRange(blackout.start, blackout.end))
    for task, project in rows:
        calendar = calendar_for(project.holiday_country, blackouts.get(project.id, []))  # type: ignore[arg-type]  # a stored row's id is never None (the model types it int | None for new rows)
        if task.status == TaskStatus.DONE and task.completed_on:
            until = task.completed_on
        elif task.status == TaskStatus.OPEN:
            until = local_today(project, now)
        else:
            until = task.planned_due
        reasons = replans.get(task.id, [])  # type: ignore[arg-type]  # a stored row's id is never None (the model types it int | None for new rows)
        yield {
            "customer": project.customer_name,
            "project_id": project.id,
            "playbook": project.playbook_name,
            "phase": task.phase,
            "task": task.key,
            "title": task.title_ja if project.locale == "ja" else task.title_en,
            "owner_side": task.owner_side,
            "required": task.required,
            "status": task.status,
            "planned_due": task.planned_due.isoformat(),
            "final_due": task.due.isoformat(),
            "completed_on": task.completed_on.isoformat() if task.completed_on else "",
            "days_late": max(0, calendar.business_days_between(task.planned_due, until)),
            "replans": len(reasons),
            "reasons": ";".join(dict.fromkeys(r for r in reasons if r)),
        }
