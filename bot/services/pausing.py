"""`/onboard pause` and `/onboard resume`: CS staff hold a running project's reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.domain.permissions import Actor, can_use_cs_commands
from bot.services import access
from bot.services.projects import local_today
from bot.services.results import Changed, Refused, Result
from storage import events
from storage.models import RUNNING_STATUSES, Project, ProjectStatus


@dataclass(frozen=True)
class Held:
    """The project that was paused or resumed."""

    project_id: int
    customer_name: str
    locale: str


def pause(
    *, session: Session, channel_id: str | None, actor: Actor, until: date | None, now: datetime
) -> Result[Held]:
    """Stop the channel's project's reminders and escalations (until a date, or until
    resumed)."""
    project = _running_project(session=session, channel_id=channel_id, actor=actor)
    if isinstance(project, Refused):
        return project
    if until is not None and until <= local_today(project, now):
        return Refused("error.pause_until_past", {"date": until.isoformat()})
    before = {"status": project.status, "paused_until": _iso(project.paused_until)}
    project.status, project.paused_until = ProjectStatus.PAUSED, until
    events.record(
        session=session,
        kind="project.paused",
        actor=actor.user_id,
        at=now,
        project_id=project.id,
        before=before,
        after={"status": "paused", "paused_until": _iso(until)},
    )
    return Changed(_held(project))


def resume(
    *, session: Session, channel_id: str | None, actor: Actor, now: datetime
) -> Result[Held]:
    """Start the channel's project's reminders again (refused when it was not paused)."""
    project = _running_project(session=session, channel_id=channel_id, actor=actor)
    if isinstance(project, Refused):
        return project
    if project.status != ProjectStatus.PAUSED:
        return Refused("error.not_paused")
    mark_resumed(session=session, project=project, actor=actor.user_id, now=now)
    return Changed(_held(project))


def mark_resumed(*, session: Session, project: Project, actor: str, now: datetime) -> None:
    """A paused project runs again: by `/onboard resume`, or by the job when its date passed."""
    project.status, project.paused_until = ProjectStatus.ACTIVE, None
    events.status_changed(
        session=session,
        kind="project.resumed",
        actor=actor,
        at=now,
        project_id=project.id,
        before="paused",
        after="active",
    )


def _running_project(
    *, session: Session, channel_id: str | None, actor: Actor
) -> Project | Refused:
    decision = can_use_cs_commands(actor)
    if not decision:
        return Refused(decision.reason or "deny.not_staff")
    project = access.channel_project(session=session, channel_id=channel_id)
    if project is None:
        return Refused("deny.not_a_project_channel")
    if project.status not in RUNNING_STATUSES:
        return Refused("error.project_closed")
    return project


def _held(project: Project) -> Held:
    assert project.id is not None
    return Held(project_id=project.id, customer_name=project.customer_name, locale=project.locale)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None
