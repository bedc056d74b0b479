"""Is this customer already being onboarded? Asked before `/onboard start` makes a project."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from bot.domain.customers import customer_key
from storage.models import Project, ProjectStatus

ENDED = (ProjectStatus.COMPLETED.value, ProjectStatus.CANCELLED.value)


@dataclass(frozen=True)
class RunningProject:
    project_id: int
    customer_name: str
    channel_id: str | None
    kickoff: date


def running_for_customer(*, session: Session, customer_name: str) -> list[RunningProject]:
    """The customer's projects that have not ended, oldest first."""
    key = customer_key(customer_name)
    rows = session.exec(
        select(Project.id, Project.customer_name, Project.channel_id, Project.kickoff)
        .where(col(Project.status).not_in(ENDED))
        .order_by(col(Project.id))
    ).all()
    return [
        RunningProject(pid, name, channel, kickoff)  # type: ignore[arg-type]
        for pid, name, channel, kickoff in rows
        if customer_key(name) == key
    ]
