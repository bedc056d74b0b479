"""Is this customer already being onboarded? Asked before `/onboard start` makes a project."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from bot.domain.customers import customer_key
from storage.models import ENDED_STATUSES, Project


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
        select(
            col(Project.id),
            col(Project.customer_name),
            col(Project.channel_id),
            col(Project.kickoff),
        )
        .where(col(Project.status).not_in(ENDED_STATUSES))
        .order_by(col(Project.id))
    ).all()
    return [
        RunningProject(pid, name, channel, kickoff)  # type: ignore[arg-type]  # a stored row's id is never None
        for pid, name, channel, kickoff in rows
        if customer_key(name) == key
    ]
