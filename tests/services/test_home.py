from datetime import date

from sqlalchemy import Engine

from bot.domain.views import HomeProject
from bot.services.home import staff_home
from storage.db import session_scope
from tests.services.seeds import NOW, add_risk, calendar_for, running_project, set_project, set_task
from tests.services.world import started


def _home(engine: Engine, user_id: str = "UCSM") -> list[HomeProject]:
    with session_scope(engine) as session:
        return staff_home(session=session, user_id=user_id, now=NOW, calendar_for=calendar_for)


def test_one_line_per_running_project_of_the_csm(engine: Engine) -> None:
    acme = running_project(engine)
    globex = started(engine, customer="Globex")
    lines = _home(engine)
    assert [line.project.id for line in lines] == [acme, globex]
    assert all(line.state == line.project.health == "on_track" for line in lines)
    assert [(line.overdue, line.open_risks) for line in lines] == [(0, 0), (0, 0)]


def test_overdue_tasks_and_open_risks_are_counted(engine: Engine) -> None:
    project_id = running_project(engine)
    set_task(engine, project_id, "busy-periods", due=date(2027, 4, 5))
    set_task(engine, project_id, "kickoff-call", due=date(2027, 4, 5))
    add_risk(engine, project_id, reason="resources")
    add_risk(engine, project_id, status="closed")
    [line] = _home(engine)
    assert (line.overdue, line.open_risks, line.state) == (2, 1, "at_risk")


def test_paused_projects_stay_ended_ones_and_others_csms_do_not_show(engine: Engine) -> None:
    paused, completed = running_project(engine), started(engine, customer="Globex")
    started(engine, customer="Initech", live=False)  # still starting
    deleted = started(engine, customer="Umbrella")
    set_project(engine, paused, status="paused")
    set_project(engine, completed, status="completed")
    set_project(engine, deleted, status="deleted")
    lines = _home(engine)
    assert [(line.project.id, line.state) for line in lines] == [(paused, "paused")]
    assert _home(engine, user_id="UOTHER") == []
