"""Checks on running projects that need no Slack: e.g. nobody from the customer joined yet."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.calendar import BusinessCalendar
from storage import projects as project_rows
from storage.models import StakeholderRole

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
    """Active projects started 3+ business days ago whose invited customers never joined.

    Two statements whatever the portfolio (see `customers_not_joined`)."""
    # 3 business days are at least 3 calendar days: younger projects need no calendar.
    candidates, people = project_rows.customers_not_joined(
        session=session, started_before=now - timedelta(days=JOIN_GRACE_BUSINESS_DAYS)
    )
    found = []
    for project_id, name, locale, channel_id, created_at, country, timezone in candidates:
        zone = ZoneInfo(timezone)
        started = created_at.astimezone(now.tzinfo).date() if now.tzinfo else created_at.date()
        calendar = calendar_for(country)
        if calendar.business_days_between(started, now.astimezone(zone).date()) < (
            JOIN_GRACE_BUSINESS_DAYS
        ):
            continue
        mine = people.get(project_id, [])
        csm = next((user for role, _side, user, _e in mine if role == StakeholderRole.CSM), None)
        found.append(
            NobodyJoined(
                project_id=project_id,
                customer_name=name,
                locale=locale,
                channel_id=channel_id,
                csm_user_id=csm,
                emails=tuple(e for _r, side, _u, e in mine if side == "customer" and e),
            )
        )
    return found
