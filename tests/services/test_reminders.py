"""What reminders and escalations are planned from, read without Slack."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.command_text import Person
from bot.services import reminders
from storage.db import session_scope
from storage.models import Blackout, Project, ProjectStatus, Stakeholder
from tests.services.world import CSM, STARTED, channel_of, started


def test_the_portfolio_holds_running_projects_their_open_tasks_and_owners(engine: Engine) -> None:
    acme = started(engine, decision_maker=Person(email="boss@acme.example"))
    starting = started(engine, customer="Globex", live=False)
    with session_scope(engine) as session:
        session.add(Blackout(project_id=acme, start=date(2027, 4, 29), end=date(2027, 5, 5)))
    with session_scope(engine) as session:
        portfolio = reminders.load_portfolio(session=session)
    assert set(portfolio.projects) == {acme}  # not one still starting
    info = portfolio.projects[acme]
    assert (info.csm_user_id, info.decision_maker_user_id, info.decision_maker_email) == (
        CSM,
        None,
        "boss@acme.example",
    )
    assert info.channel_id == channel_of("Acme") and info.timezone == "Asia/Tokyo"
    assert portfolio.tasks and {t.project_id for t in portfolio.tasks} == {acme}
    assert all(t.project_id != starting for t in portfolio.tasks)
    assert portfolio.blackouts == {acme: [DateRange(date(2027, 4, 29), date(2027, 5, 5))]}
    built: list[str] = []

    def calendar(country: str, blackouts: list[DateRange] | None) -> BusinessCalendar:
        built.append(country)
        return BusinessCalendar(country=country, blackouts=blackouts or [])

    calendar_for = reminders.project_calendars(portfolio, calendar)
    assert calendar_for(info) is calendar_for(info) and built == ["JP"]  # built once
    assert not calendar_for(info).is_business_day(date(2027, 4, 30))  # the blackout


def test_a_pause_ends_once_its_last_day_is_over_everywhere(engine: Engine) -> None:
    acme = started(engine)
    with session_scope(engine) as session:
        session.execute(
            update(Project)
            .where(Project.id == acme)  # type: ignore[arg-type]  # sqlmodel types the column as int
            .values(status=ProjectStatus.PAUSED, paused_until=date(2027, 4, 9))
        )
    with session_scope(engine) as session:
        assert (
            reminders.resume_due(session=session, now=datetime(2027, 4, 10, 12, tzinfo=UTC)) == []
        )
        assert reminders.resume_due(session=session, now=datetime(2027, 4, 11, 1, tzinfo=UTC)) == [
            acme
        ]
        project = session.get(Project, acme)
        assert project is not None
        assert (project.status, project.paused_until) == (ProjectStatus.ACTIVE, None)


def test_profiles_not_checked_lately_are_refreshed_first_never_looked_up_first(
    engine: Engine,
) -> None:
    started(engine, champion=Person(user_id="U0TARO"))
    now = STARTED + timedelta(days=2)
    with session_scope(engine) as session:
        stale = reminders.people_to_refresh(session=session, before=now, limit=10)
        assert sorted(user for _, user in stale) == sorted([CSM, "U0TARO"])
        reminders.save_profile(
            session=session, user_id="U0TARO", tz="Asia/Tokyo", locale="ja-JP", now=now
        )
        assert [
            user
            for _, user in reminders.people_to_refresh(
                session=session, before=now + timedelta(seconds=1), limit=10
            )
        ] == [CSM, "U0TARO"]
        assert [
            user for _, user in reminders.people_to_refresh(session=session, before=now, limit=10)
        ] == [CSM]
        taro = session.exec(select(Stakeholder).where(Stakeholder.slack_user_id == "U0TARO")).one()
        assert (taro.tz, taro.locale, taro.profile_checked_at) == ("Asia/Tokyo", "ja-JP", now)
