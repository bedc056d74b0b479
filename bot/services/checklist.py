"""What a project's pinned checklist shows, read in one unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.domain.views import ProjectView
from bot.services.health import CalendarFor, view_with_health
from bot.services.projects import local_today
from storage import projects as project_rows


@dataclass(frozen=True)
class ChecklistState:
    view: ProjectView
    today: date
    channel_id: str
    stamps: list[str]  # the checklist messages, in order


def checklist_state(
    *, session: Session, project_id: int, now: datetime, calendar_for: CalendarFor
) -> ChecklistState | None:
    """The checklist to render, or None when the project is gone or has no channel."""
    project = project_rows.get(session=session, project_id=project_id)
    if project is None or not project.channel_id:
        return None
    return ChecklistState(
        view=view_with_health(session=session, project=project, now=now, calendar_for=calendar_for),
        today=local_today(project, now),
        channel_id=project.channel_id,
        stamps=list(project.checklist_ts),
    )
