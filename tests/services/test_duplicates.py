from datetime import date

from sqlalchemy import Engine

from bot.services.duplicates import RunningProject, running_for_customer
from bot.services.privacy import forget
from storage.db import session_scope
from storage.models import Project
from tests.services.seeds import CHANNEL, NOW, running_project, set_project
from tests.services.world import channel_of, started


def _running(engine: Engine, name: str) -> list[RunningProject]:
    with session_scope(engine) as session:
        return running_for_customer(session=session, customer_name=name)


def test_a_running_project_is_found_however_the_name_is_typed(engine: Engine) -> None:
    project_id = running_project(engine)
    found = [RunningProject(project_id, "Acme", CHANNEL, date(2027, 4, 5))]
    for typed in ("Acme", "acme", "ＡＣＭＥ", "Acme Inc.", "  ACME  "):
        assert _running(engine, typed) == found, typed
    assert _running(engine, "Acme Bank") == []


def test_starting_and_paused_projects_count_ended_ones_do_not(engine: Engine) -> None:
    first = started(engine, live=False)  # still starting, no channel yet
    second = started(engine)
    assert [(p.project_id, p.channel_id) for p in _running(engine, "Acme")] == [
        (first, None),
        (second, channel_of("Acme")),
    ]
    set_project(engine, second, status="paused")
    assert [p.project_id for p in _running(engine, "Acme")] == [first, second]
    set_project(engine, first, status="completed")
    set_project(engine, second, status="cancelled")
    assert _running(engine, "Acme") == []


def test_other_customers_projects_are_not_this_ones(engine: Engine) -> None:
    started(engine, customer="Globex")
    assert _running(engine, "Acme") == []
    assert [p.customer_name for p in _running(engine, "globex")] == ["Globex"]


def test_a_forgotten_customer_is_not_running_any_more(engine: Engine) -> None:
    project_id = running_project(engine)
    with session_scope(engine) as session:
        project = session.get(Project, project_id)
        assert project is not None
        forget(session=session, project=project, now=NOW)
    assert _running(engine, "Acme") == []
