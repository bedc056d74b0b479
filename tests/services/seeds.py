"""A running project in a channel, made through the services, for service tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.command_text import Person
from bot.domain.permissions import Actor
from bot.domain.playbook import Playbook, load_playbooks
from bot.services.projects import NewProject, attach_channel, start_project
from storage.db import session_scope
from storage.models import Project, Risk, Task

NOW = datetime(2027, 4, 6, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
CHANNEL = "CACME"
CSM = Actor("UCSM", "T1", is_staff=True, is_external=False)
CUSTOMER = Actor("WCUST", "T2", is_staff=False, is_external=True)
OTHER_CUSTOMER = Actor("WOTHER", "T3", is_staff=False, is_external=True)
INTERNAL = Actor("UINT", "T1", is_staff=False, is_external=False)


def calendar_for(country: str, blackouts: list[DateRange] | None = None) -> BusinessCalendar:
    return BusinessCalendar(country=country, blackouts=list(blackouts or []))


def running_project(
    engine: Engine, *, channel_id: str | None = CHANNEL, playbook: Playbook | None = None
) -> int:
    """Acme's low-touch project (or `playbook`'s; Japanese), its champion WCUST, in
    `channel_id`."""
    with session_scope(engine) as session:
        project = start_project(
            session=session,
            new=NewProject(
                customer_name="Acme",
                playbook=playbook or load_playbooks()["low-touch"],
                kickoff=date(2027, 4, 5),
                locale="ja",
                timezone="Asia/Tokyo",
                csm_user_id="UCSM",
                created_by="UCSM",
                champion=Person(user_id="WCUST"),
                decision_maker=Person(email="boss@acme.example"),
            ),
            calendar=BusinessCalendar(country="JP"),
            now=NOW,
        )
        assert project.id is not None
        if channel_id is not None:
            attach_channel(
                session=session,
                project_id=project.id,
                channel_id=channel_id,
                channel_name="acme",
                now=NOW,
            )
        return project.id


def set_project(engine: Engine, project_id: int, **values: object) -> None:
    """Write fields of the project as a test's precondition (a status, a date)."""
    with session_scope(engine) as session:
        project = session.get(Project, project_id)
        assert project is not None
        for name, value in values.items():
            setattr(project, name, value)


def set_task(engine: Engine, project_id: int, key: str, **values: object) -> int:
    """Write fields of the project's task `key`; its id."""
    with session_scope(engine) as session:
        task = session.exec(
            select(Task).where(Task.project_id == project_id, Task.key == key)
        ).one()
        for name, value in values.items():
            setattr(task, name, value)
        assert task.id is not None
        return task.id


def add_risk(engine: Engine, project_id: int, *, kind: str = "slip_reason", **values: Any) -> None:
    """A risk the champion named on the project (open unless `status` says otherwise)."""
    with session_scope(engine) as session:
        session.add(Risk(project_id=project_id, kind=kind, said_by="WCUST", said_at=NOW, **values))
