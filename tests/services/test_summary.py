from datetime import UTC, date, datetime, timedelta

from bot.domain.calendar import BusinessCalendar
from bot.domain.command_text import Person
from bot.domain.playbook import load_playbooks
from bot.domain.summary import NO_EXTRAS
from bot.services.projects import NewProject, start_project
from bot.services.reminders import save_profile
from bot.services.summary import csm_locales, csm_zones, extras
from storage.db import session_scope

STARTED = datetime(2027, 4, 5, 1, 0, tzinfo=UTC)  # Monday 10:00 in Tokyo


def _start(  # type: ignore[no-untyped-def]
    engine, *, customer: str = "Acme", champion: Person | None = None, now: datetime = STARTED
) -> int:
    with session_scope(engine) as session:
        project = start_project(
            session=session,
            new=NewProject(
                customer_name=customer,
                playbook=load_playbooks()["low-touch"],
                kickoff=date(2027, 4, 5),
                locale="ja",
                timezone="Asia/Tokyo",
                csm_user_id="UCSM",
                created_by="UCSM",
                # Invited, not in the channel yet.
                champion=champion or Person(email="taro@acme.example"),
            ),
            calendar=BusinessCalendar(country="JP"),
            now=now,
        )
        assert project.id is not None
        return project.id


def test_nobody_joined_is_news_from_the_day_after_the_invitations(engine) -> None:  # type: ignore[no-untyped-def]
    project_id = _start(engine)
    with session_scope(engine) as session:
        same_day = extras(session=session, project_ids=[project_id], today=STARTED.date())
        next_day = extras(
            session=session, project_ids=[project_id], today=STARTED.date() + timedelta(days=1)
        )
    assert same_day.get(project_id, NO_EXTRAS).joined is True
    assert next_day[project_id].joined is False


def test_nobody_joined_is_told_per_project_among_many(engine) -> None:  # type: ignore[no-untyped-def]
    """Each project's own people and start day decide: one joined, one invited the day
    before, one invited today (not news yet)."""
    joined = _start(engine, customer="Joined", champion=Person(user_id="U0TARO"))
    waiting = _start(engine, customer="Waiting")
    today = STARTED + timedelta(days=1)
    fresh = _start(engine, customer="Fresh", now=today)
    ids = [joined, waiting, fresh]
    with session_scope(engine) as session:
        found = extras(session=session, project_ids=ids, today=today.date())
    assert [found.get(i, NO_EXTRAS).joined for i in ids] == [True, False, True]


def test_each_csm_zone_is_the_one_slack_last_told(engine) -> None:  # type: ignore[no-untyped-def]
    project_id = _start(engine)
    with session_scope(engine) as session:
        assert csm_zones(session=session, project_ids=[project_id]) == {"UCSM": None}
        assert csm_zones(session=session, project_ids=[]) == {}
        save_profile(
            session=session, user_id="UCSM", tz="Europe/Paris", locale="fr-FR", now=STARTED
        )
    with session_scope(engine) as session:
        assert csm_zones(session=session, project_ids=[project_id]) == {"UCSM": "Europe/Paris"}


def test_each_csm_language_is_the_one_slack_last_told(engine) -> None:  # type: ignore[no-untyped-def]
    _start(engine)
    with session_scope(engine) as session:
        assert csm_locales(session=session, user_ids=["UCSM"]) == {}  # not known yet
        assert csm_locales(session=session, user_ids=[]) == {}
        save_profile(session=session, user_id="UCSM", tz="Asia/Tokyo", locale="en-GB", now=STARTED)
    with session_scope(engine) as session:
        assert csm_locales(session=session, user_ids=["UCSM", "UOTHER"]) == {"UCSM": "en"}
        save_profile(session=session, user_id="UCSM", tz="Asia/Tokyo", locale="ja-JP", now=STARTED)
    with session_scope(engine) as session:
        assert csm_locales(session=session, user_ids=["UCSM"]) == {"UCSM": "ja"}
