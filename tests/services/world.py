"""A project in the database, started by the service that starts one: no Slack."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine

from bot.domain.calendar import BusinessCalendar
from bot.domain.command_text import Person
from bot.domain.playbook import load_playbooks
from bot.services.projects import NewProject, start_project
from storage.db import session_scope
from storage.models import Project, ProjectStatus

STARTED = datetime(2027, 4, 5, 1, 0, tzinfo=UTC)  # Monday 10:00 in Tokyo
CSM = "UCSM"


def started(
    engine: Engine,
    *,
    customer: str = "Acme",
    champion: Person | None = None,
    decision_maker: Person | None = None,
    live: bool = True,
    now: datetime = STARTED,
) -> int:
    """A low-touch project started at `now` (kickoff that Monday), `live` in its channel
    (`channel_of(customer)`), or still starting."""
    with session_scope(engine) as session:
        project = start_project(
            session=session,
            new=NewProject(
                customer_name=customer,
                playbook=load_playbooks()["low-touch"],
                kickoff=date(2027, 4, 5),
                locale="en",
                timezone="Asia/Tokyo",
                csm_user_id=CSM,
                created_by=CSM,
                champion=champion or Person(email="taro@acme.example"),
                decision_maker=decision_maker,
            ),
            calendar=BusinessCalendar(country="JP"),
            now=now,
        )
        assert project.id is not None
        session.execute(
            update(Project)
            .where(Project.id == project.id)  # type: ignore[arg-type]  # sqlmodel types the column as int
            .values(
                status=ProjectStatus.ACTIVE if live else ProjectStatus.STARTING,
                channel_id=channel_of(customer) if live else None,
            )
        )
        return project.id


def channel_of(customer: str) -> str:
    return f"C0{customer.upper()}"
