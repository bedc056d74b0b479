"""Which project a request names, and whether the person asking may see it."""

from __future__ import annotations

from sqlmodel import Session

from bot.domain.permissions import Actor
from bot.services.projects import customer_member
from storage import projects as project_rows
from storage.models import RUNNING_STATUSES, Project


def project(*, session: Session, project_id: int) -> Project | None:
    """The project a button or form was posted for, if it still exists."""
    return project_rows.get(session=session, project_id=project_id)


def channel_project(*, session: Session, channel_id: str | None) -> Project | None:
    """The project whose channel this is, if any."""
    return project_rows.by_channel(session=session, channel_id=channel_id or "")


def named_project(
    *, session: Session, project_id: int | None, channel_id: str | None
) -> Project | None:
    """The project a payload names by id, else the project of the channel it came from."""
    if project_id is not None:
        return project(session=session, project_id=project_id)
    return channel_project(session=session, channel_id=channel_id)


def sees_project(*, session: Session, project: Project, actor: Actor) -> bool:
    """A customer sees only their own project, and internal non-staff only what the
    channel already shows them; CS staff see every project."""
    assert project.id is not None
    if actor.is_staff:
        return True
    return (
        customer_member(session=session, project_id=project.id, user_id=actor.user_id) is not None
    )


def channel_locale(*, session: Session, channel_id: str) -> str | None:
    """The language of the project whose channel this is (None elsewhere)."""
    found = channel_project(session=session, channel_id=channel_id)
    return found.locale if found is not None else None


def open_projects_of(*, session: Session, user_id: str) -> list[Project]:
    """The running projects `user_id` is the CSM of."""
    return project_rows.by_csm(session=session, user_id=user_id, statuses=RUNNING_STATUSES)
