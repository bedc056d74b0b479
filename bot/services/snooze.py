"""A person snoozes their own morning reminders until a date (at most a month ahead)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from storage import events
from storage.models import RUNNING_STATUSES, Project, Stakeholder

MAX_DAYS = 31  # "at most a month"


def latest(today: date) -> date:
    return today + timedelta(days=MAX_DAYS)


def refusal(*, until: date, today: date) -> str | None:
    """A message key when `until` cannot be used, else None."""
    if until <= today:
        return "error.snooze_past"
    if until > latest(today):
        return "error.snooze_too_far"
    return None


def snooze(*, session: Session, user_id: str, until: date, today: date, now: datetime) -> int:
    """Snooze `user_id`'s reminders in every running project they are on; returns how many
    projects (0: they get no reminders from any). Escalations are not affected."""
    assert refusal(until=until, today=today) is None
    people = session.exec(
        select(Stakeholder)
        .join(Project, col(Project.id) == col(Stakeholder.project_id))
        .where(
            col(Stakeholder.slack_user_id) == user_id,
            col(Project.status).in_(RUNNING_STATUSES),
        )
    ).all()
    for person in people:
        person.snoozed_until = until
        events.record(
            session=session,
            kind="person.snoozed",
            actor=user_id,
            at=now,
            project_id=person.project_id,
            after={"until": until.isoformat(), "role": person.role},
        )
    return len({p.project_id for p in people})
