"""Queries on a project's risk register."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.bulk import chunks
from storage.models import RUNNING_STATUSES, Project, Risk, RiskStatus


def of_project(*, session: Session, project_id: int, open_only: bool = True) -> list[Risk]:
    query = select(Risk).where(Risk.project_id == project_id)
    if open_only:
        query = query.where(Risk.status == RiskStatus.OPEN)
    return list(session.exec(query.order_by(col(Risk.id))))


def open_of(*, session: Session, project_ids: Sequence[int]) -> list[Risk]:
    """The open risks of all these projects."""
    found: list[Risk] = []
    for piece in chunks(project_ids):
        query = select(Risk).where(
            col(Risk.project_id).in_(list(piece)), Risk.status == RiskStatus.OPEN
        )
        found += session.exec(query.order_by(col(Risk.id)))
    return found


def periods_starting_between(
    *, session: Session, first: date, last: date
) -> list[tuple[Risk, int, str]]:
    """Open busy periods of running projects that start between `first` and `last`, with
    their project's id and time zone (not the whole project)."""
    query = (
        select(Risk, Risk.project_id, Project.timezone)
        .join(Project, col(Project.id) == col(Risk.project_id))
        .where(Risk.status == RiskStatus.OPEN, Risk.kind == "busy_period")
        .where(col(Risk.period_start) >= first, col(Risk.period_start) <= last)
        .where(col(Project.status).in_(RUNNING_STATUSES))
        .order_by(col(Risk.id))
    )
    return [(risk, int(pid), str(tz)) for risk, pid, tz in session.exec(query)]


def get(*, session: Session, risk_id: int) -> Risk | None:
    return session.get(Risk, risk_id)


def close(*, session: Session, risk_id: int, by: str, at: datetime) -> bool:
    """Close an open risk; False when it was already closed."""
    result = session.exec(
        update(Risk)
        .where(col(Risk.id) == risk_id, col(Risk.status) == RiskStatus.OPEN)
        .values(status=RiskStatus.CLOSED, closed_by=by, closed_at=at)
    )
    return result.rowcount == 1
