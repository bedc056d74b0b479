from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from bot.services import snooze
from storage import events
from storage.db import session_scope
from storage.models import Stakeholder
from storage.projects import get
from tests.services.seeds import NOW, running_project, set_project
from tests.services.world import started

TODAY = date(2027, 4, 6)


@pytest.mark.parametrize(
    ("until", "key"),
    [
        (TODAY - timedelta(days=1), "error.snooze_past"),
        (TODAY, "error.snooze_past"),
        (TODAY + timedelta(days=1), None),
        (TODAY + timedelta(days=31), None),
        (TODAY + timedelta(days=32), "error.snooze_too_far"),
    ],
)
def test_snooze_bounds_are_tomorrow_to_a_month(until: date, key: str | None) -> None:
    assert snooze.latest(TODAY) == date(2027, 5, 7)
    assert snooze.refusal(until=until, today=TODAY) == key


def _snoozed(engine: Engine, user_id: str) -> dict[int, date | None]:
    with session_scope(engine) as session:
        rows = session.exec(select(Stakeholder).where(Stakeholder.slack_user_id == user_id)).all()
        return {row.project_id: row.snoozed_until for row in rows}


def test_snoozes_the_person_in_every_running_project_and_logs_each(engine: Engine) -> None:
    acme = running_project(engine)
    globex = started(engine, customer="Globex", champion=None)
    with session_scope(engine) as session:
        # WCUST is also a member of Globex (a paused project still reminds them).
        session.add(
            Stakeholder(project_id=globex, role="member", side="customer", slack_user_id="WCUST")
        )
        project = get(session=session, project_id=globex)
        assert project is not None
        project.status = "paused"
    until = date(2027, 4, 20)
    with session_scope(engine) as session:
        count = snooze.snooze(session=session, user_id="WCUST", until=until, today=TODAY, now=NOW)
    assert count == 2
    assert _snoozed(engine, "WCUST") == {acme: until, globex: until}
    assert _snoozed(engine, "UCSM") == {acme: None, globex: None}  # nobody else
    with session_scope(engine) as session:
        logged = events.for_project(session=session, project_id=acme, kind="person.snoozed")
        assert [(e.actor, e.after) for e in logged] == [
            ("WCUST", {"until": "2027-04-20", "role": "champion"})
        ]
        logged = events.for_project(session=session, project_id=globex, kind="person.snoozed")
        assert [e.after for e in logged] == [{"until": "2027-04-20", "role": "member"}]


def test_closed_projects_are_left_alone(engine: Engine) -> None:
    project_id = running_project(engine)
    for closed in ("completed", "deleted", "starting"):
        set_project(engine, project_id, status=closed)
        with session_scope(engine) as session:
            count = snooze.snooze(
                session=session, user_id="WCUST", until=date(2027, 4, 20), today=TODAY, now=NOW
            )
        assert count == 0
        assert _snoozed(engine, "WCUST") == {project_id: None}
    with session_scope(engine) as session:
        assert (
            events.for_project(session=session, project_id=project_id, kind="person.snoozed") == []
        )


def test_someone_on_no_project_snoozes_nothing(engine: Engine) -> None:
    running_project(engine)
    with session_scope(engine) as session:
        count = snooze.snooze(
            session=session, user_id="WNOBODY", until=date(2027, 4, 20), today=TODAY, now=NOW
        )
    assert count == 0


def test_a_refused_date_is_never_written(engine: Engine) -> None:
    running_project(engine)
    with session_scope(engine) as session, pytest.raises(AssertionError):
        snooze.snooze(session=session, user_id="WCUST", until=TODAY, today=TODAY, now=NOW)
