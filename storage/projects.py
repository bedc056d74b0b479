"""Queries on projects and their stakeholders."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.models import Blackout, Project, Stakeholder


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


def stakeholders_of_user(*, session: Session, user_id: str) -> list[Stakeholder]:
    return list(session.exec(select(Stakeholder).where(Stakeholder.slack_user_id == user_id)))


def blackouts(*, session: Session, project_id: int) -> list[Blackout]:
    query = select(Blackout).where(Blackout.project_id == project_id)
    return list(session.exec(query.order_by(col(Blackout.start))))
