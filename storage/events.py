"""The append-only event log: rows are added, never changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.models import Event


def record(
    *,
    session: Session,
    kind: str,
    actor: str,
    at: datetime,
    project_id: int | None = None,
    task_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Event:
    """Append one event (who did what, when, before and after)."""
    event = Event(
        project_id=project_id,
        task_id=task_id,
        kind=kind,
        actor=actor,
        at=at,
        before=before,
        after=after,
    )
    session.add(event)
    return event


def for_project(*, session: Session, project_id: int, kind: str | None = None) -> list[Event]:
    query = select(Event).where(Event.project_id == project_id)
    if kind is not None:
        query = query.where(Event.kind == kind)
    return list(session.exec(query.order_by(Event.id)))  # type: ignore[arg-type]


def by_kind(*, session: Session, kind: str, limit: int = 200) -> list[Event]:
    """The latest events of one kind, newest first."""
    query = select(Event).where(Event.kind == kind).order_by(col(Event.id).desc()).limit(limit)
    return list(session.exec(query))
