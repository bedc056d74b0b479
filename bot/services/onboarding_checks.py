"""Checks on running projects that need no Slack: e.g. nobody from the customer joined yet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.domain.calendar import BusinessCalendar
from bot.services.projects import local_today
from storage import projects as project_rows
from storage.models import Project, ProjectStatus, StakeholderRole

JOIN_GRACE_BUSINESS_DAYS = 3


@dataclass(frozen=True)
class NobodyJoined:
    project_id: int
    customer_name: str
    locale: str
    channel_id: str
    csm_user_id: str | None
    emails: tuple[str, ...]


def nobody_joined(
    *, session: Session, now: datetime, calendar_for: Callable[[str], BusinessCalendar]
) -> list[NobodyJoined]:
    """Active projects started 3+ business days ago whose invited customers never joined."""
    found = []
    query = select(Project).where(
        col(Project.status) == ProjectStatus.ACTIVE, col(Project.channel_id).is_not(None)
    )
    for project in session.exec(query):
        assert project.id is not None and project.channel_id is not None
        people = project_rows.stakeholders(session=session, project_id=project.id)
        customers = [p for p in people if p.side == "customer"]
        if not customers or any(p.slack_user_id for p in customers):
            continue
        started = (
            project.created_at.astimezone(now.tzinfo).date()
            if now.tzinfo
            else project.created_at.date()
        )
        calendar = calendar_for(project.holiday_country)
        if (
            calendar.business_days_between(started, local_today(project, now))
            < JOIN_GRACE_BUSINESS_DAYS
        ):
            continue
        csm = next((p.slack_user_id for p in people if p.role == StakeholderRole.CSM), None)
        found.append(
            NobodyJoined(
                project_id=project.id,
                customer_name=project.customer_name,
                locale=project.locale,
                channel_id=project.channel_id,
                csm_user_id=csm,
                emails=tuple(p.email for p in customers if p.email),
            )
        )
    return found
