from sqlalchemy import Engine

from bot.domain.permissions import Actor
from bot.services import status
from bot.services.results import Refused
from storage.db import session_scope
from storage.projects import get
from tests.services.seeds import (
    CHANNEL,
    CSM,
    CUSTOMER,
    INTERNAL,
    NOW,
    OTHER_CUSTOMER,
    calendar_for,
    running_project,
)


def _status(engine: Engine, actor: Actor, *, project_id=None, channel_id=None):  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return status.status(
            session=session,
            project_id=project_id,
            channel_id=channel_id,
            actor=actor,
            now=NOW,
            calendar_for=calendar_for,
        )


def test_one_project_for_whoever_may_see_it(engine: Engine) -> None:
    project_id = running_project(engine)
    for actor in (CSM, CUSTOMER):
        shown = _status(engine, actor, channel_id=CHANNEL)
        assert isinstance(shown, status.OneProject)
        assert shown.view.id == project_id and shown.view.health == "on_track"
        assert str(shown.today) == "2027-04-06"
    for actor in (OTHER_CUSTOMER, INTERNAL):
        assert _status(engine, actor, project_id=project_id) == Refused("deny.not_this_project")


def test_a_forgotten_project_is_not_found(engine: Engine) -> None:
    project_id = running_project(engine)
    with session_scope(engine) as session:
        project = get(session=session, project_id=project_id)
        assert project is not None
        project.status = "deleted"
    assert _status(engine, CSM, project_id=project_id) == Refused("error.project_not_found")


def test_elsewhere_staff_see_their_running_projects(engine: Engine) -> None:
    project_id = running_project(engine)
    mine = _status(engine, CSM, channel_id="CGENERAL")
    assert isinstance(mine, status.MyProjects)
    assert [v.id for v in mine.views] == [project_id]
    assert _status(engine, INTERNAL) == Refused("deny.not_staff")
    assert _status(engine, CUSTOMER) == Refused("deny.external_cs_command")
