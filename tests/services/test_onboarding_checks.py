"""Nobody from the customer joined: told after 3 business days, not before."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from bot.domain.calendar import BusinessCalendar
from bot.domain.command_text import Person
from bot.services.onboarding_checks import nobody_joined
from storage.db import session_scope
from tests.services.world import CSM, started


def _waiting(engine: Engine, now: datetime) -> list[int]:
    with session_scope(engine) as session:
        found = nobody_joined(
            session=session, now=now, calendar_for=lambda country: BusinessCalendar(country=country)
        )
    return [item.project_id for item in found]


def test_the_csm_hears_of_a_project_nobody_joined_after_3_business_days(engine: Engine) -> None:
    acme = started(engine)
    joined = started(engine, customer="Globex", champion=Person(user_id="U0JANE"))
    assert _waiting(engine, datetime(2027, 4, 7, 3, tzinfo=UTC)) == []  # Wednesday: 2 days
    assert _waiting(engine, datetime(2027, 4, 8, 3, tzinfo=UTC)) == [acme]  # Thursday: 3
    with session_scope(engine) as session:
        [item] = nobody_joined(
            session=session,
            now=datetime(2027, 4, 8, 3, tzinfo=UTC),
            calendar_for=lambda country: BusinessCalendar(country=country),
        )
    assert (item.customer_name, item.csm_user_id, item.emails) == (
        "Acme",
        CSM,
        ("taro@acme.example",),
    )
    assert joined not in _waiting(engine, datetime(2027, 4, 20, 3, tzinfo=UTC))
