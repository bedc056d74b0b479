"""Queries on a project's risk register."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import Project, ProjectStatus, Risk, RiskStatus


def of_project(*, session: Session, project_id: int, open_only: bool = True) -> list[Risk]:
    query = select(Risk).where(Risk.project_id == project_id)
    if open_only:
        query = query.where(Risk.status == RiskStatus.OPEN)
    return list(session.exec(query.order_by(col(Risk.id))))


def get(*, session: Session, risk_id: int) -> Risk | None:
    return session.get(Risk, risk_id)


def close(*, session: Session, risk_id: int, by: str, at: datetime) -> bool:
    """Close an open risk; False when it was already closed."""
    result = session.execute(
        update(Risk)
        .where(col(Risk.id) == risk_id, col(Risk.status) == RiskStatus.OPEN)
        .values(status=RiskStatus.CLOSED, closed_by=by, closed_at=at)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def open_periods(*, session: Session) -> list[tuple[Risk, Project]]:
    """Open busy-period risks of running projects, with their project."""
    query = (
        select(Risk, Project)
        .join(Project, col(Project.id) == col(Risk.project_id))
        .where(Risk.status == RiskStatus.OPEN, Risk.kind == "busy_period")
        .where(col(Project.status).in_((ProjectStatus.ACTIVE, ProjectStatus.PAUSED)))
    )
    return [(risk, project) for risk, project in session.exec(query)]
