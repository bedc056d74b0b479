"""Queries on projects and their stakeholders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, exists, literal
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.bulk import chunks
from storage.models import (
    Blackout,
    Outbox,
    Project,
    ProjectStatus,
    Stakeholder,
    StakeholderRole,
)


def get(*, session: Session, project_id: int) -> Project | None:
    return session.get(Project, project_id)


def by_channel(*, session: Session, channel_id: str) -> Project | None:
    return session.exec(select(Project).where(Project.channel_id == channel_id)).first()


def by_csm(*, session: Session, user_id: str, statuses: tuple[str, ...]) -> list[Project]:
    query = (
        select(Project)
        .join(Stakeholder, col(Stakeholder.project_id) == col(Project.id))
        .where(Stakeholder.role == "csm", Stakeholder.slack_user_id == user_id)
        .where(col(Project.status).in_(statuses))
        .order_by(col(Project.id))
    )
    return list(session.exec(query))


def with_status(*, session: Session, statuses: tuple[str, ...]) -> list[Project]:
    query = select(Project).where(col(Project.status).in_(statuses)).order_by(col(Project.id))
    return list(session.exec(query))


def stakeholders(*, session: Session, project_id: int) -> list[Stakeholder]:
    query = select(Stakeholder).where(Stakeholder.project_id == project_id)
    return list(session.exec(query.order_by(col(Stakeholder.id))))


def blackouts(*, session: Session, project_id: int) -> list[Blackout]:
    query = select(Blackout).where(Blackout.project_id == project_id)
    return list(session.exec(query.order_by(col(Blackout.start))))


def many(*, session: Session, project_ids: Sequence[int]) -> list[Project]:
    """These projects, by id (bounded statements, however many)."""
    found: list[Project] = []
    for piece in chunks(project_ids):
        found += session.exec(select(Project).where(col(Project.id).in_(list(piece))))
    return sorted(found, key=lambda p: p.id or 0)


def stakeholders_of(*, session: Session, project_ids: Sequence[int]) -> list[Stakeholder]:
    """The stakeholders of all these projects, in one statement per bounded piece."""
    found: list[Stakeholder] = []
    for piece in chunks(project_ids):
        query = select(Stakeholder).where(col(Stakeholder.project_id).in_(list(piece)))
        found += session.exec(query.order_by(col(Stakeholder.id)))
    return found


def blackouts_of(*, session: Session, project_ids: Sequence[int]) -> list[Blackout]:
    found: list[Blackout] = []
    for piece in chunks(project_ids):
        query = select(Blackout).where(col(Blackout.project_id).in_(list(piece)))
        found += session.exec(query.order_by(col(Blackout.start)))
    return found


def customers_not_joined(
    *, session: Session, started_before: datetime
) -> tuple[list[Any], dict[int, list[tuple[str, str, str | None, str | None]]]]:
    """Active projects with a channel, created before `started_before`, with customers on
    record none of whom has joined: (id, customer_name, locale, channel_id, created_at,
    holiday_country, timezone) rows, and each one's CSM and customers as (role, side,
    slack_user_id, email). Two statements, only the columns the check needs."""
    customer = aliased(Stakeholder)
    joined = aliased(Stakeholder)
    waiting = (
        select(Project.id)
        .where(
            col(Project.status) == ProjectStatus.ACTIVE,
            col(Project.channel_id).is_not(None),
            col(Project.created_at) <= started_before,
            exists().where(
                col(customer.project_id) == col(Project.id), col(customer.side) == "customer"
            ),
            ~exists().where(
                col(joined.project_id) == col(Project.id),
                col(joined.side) == "customer",
                col(joined.slack_user_id).is_not(None),
            ),
        )
        .scalar_subquery()
    )
    candidates = list(
        session.exec(
            select(  # type: ignore[call-overload]  # sqlmodel's select() is typed up to 4 columns
                Project.id,
                Project.customer_name,
                Project.locale,
                Project.channel_id,
                Project.created_at,
                Project.holiday_country,
                Project.timezone,
            )
            .where(col(Project.id).in_(waiting))
            .order_by(col(Project.id))
        )
    )
    people: dict[int, list[tuple[str, str, str | None, str | None]]] = {}
    if not candidates:
        return candidates, people
    for project_id, role, side, user, email in session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel's select() is typed up to 4 columns
            Stakeholder.project_id,
            Stakeholder.role,
            Stakeholder.side,
            Stakeholder.slack_user_id,
            Stakeholder.email,
        )
        .where(col(Stakeholder.project_id).in_(waiting))
        .where((col(Stakeholder.role) == StakeholderRole.CSM) | (Stakeholder.side == "customer"))
        .order_by(col(Stakeholder.id))
    ):
        people.setdefault(project_id, []).append((role, side, user, email))
    return candidates, people


def completed_for_adoption(
    *, session: Session, since: datetime, checkin_key_prefix: str
) -> list[tuple[int, str, datetime, int]]:
    """Completed projects with a channel that may still get an adoption message: completed
    since `since` (their habit weeks), or whose check-in (outbox key `prefix` + id) was
    never decided. (id, timezone, completed_at, checkin_after_days) rows, one statement."""
    checkin_key = literal(checkin_key_prefix, String) + cast(col(Project.id), String)
    query = select(
        Project.id, Project.timezone, Project.completed_at, Project.checkin_after_days
    ).where(
        col(Project.status) == ProjectStatus.COMPLETED,
        col(Project.channel_id).is_not(None),
        col(Project.completed_at).is_not(None),
        (col(Project.completed_at) >= since) | ~exists().where(col(Outbox.key) == checkin_key),
    )
    return [
        (int(pid), str(tz), done, int(after))
        for pid, tz, done, after in session.exec(query.order_by(col(Project.id)))
        if pid is not None and done is not None  # never None here; this narrows the types
    ]
