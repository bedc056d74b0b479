"""Rows for the storage tests: the fewest fields each table needs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session

from storage.models import Project, Stakeholder, Task

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
DAY = date(2026, 6, 1)


def add_project(session: Session, **values: Any) -> Project:
    row = Project(customer_name="Acme", playbook_name="standard", playbook_version=1, kickoff=DAY)
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    return row


def add_person(session: Session, project: Project, **values: Any) -> Stakeholder:
    row = Stakeholder(project_id=project.id, **{"role": "member", "side": "customer", **values})
    session.add(row)
    session.flush()
    return row


def add_task(session: Session, project: Project, key: str = "t1", **values: Any) -> Task:
    fields: dict[str, Any] = {
        "position": 1,
        "phase": "setup",
        "title_ja": "タスク",
        "title_en": "Task",
        "why_ja": "",
        "why_en": "",
        "owner_side": "customer",
        "owner_role": "champion",
        "start_date": DAY,
        "planned_due": DAY,
        "due": DAY,
    }
    row = Task(project_id=project.id, key=key, **{**fields, **values})
    session.add(row)
    session.flush()
    return row
