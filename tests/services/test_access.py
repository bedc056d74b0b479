from sqlalchemy import Engine

from bot.services import access
from storage.db import session_scope
from tests.services.seeds import CHANNEL, CSM, CUSTOMER, INTERNAL, OTHER_CUSTOMER, running_project


def test_a_customer_sees_only_their_own_project_and_staff_see_every_one(engine: Engine) -> None:
    project_id = running_project(engine)
    with session_scope(engine) as session:
        project = access.project(session=session, project_id=project_id)
        assert project is not None
        seen = {
            a.user_id: access.sees_project(session=session, project=project, actor=a)
            for a in (CSM, CUSTOMER, OTHER_CUSTOMER, INTERNAL)
        }
    assert seen == {"UCSM": True, "WCUST": True, "WOTHER": False, "UINT": False}


def test_a_payload_names_a_project_by_id_else_by_its_channel(engine: Engine) -> None:
    project_id = running_project(engine)
    with session_scope(engine) as session:
        by_id = access.named_project(session=session, project_id=project_id, channel_id=None)
        by_channel = access.named_project(session=session, project_id=None, channel_id=CHANNEL)
        elsewhere = access.named_project(session=session, project_id=None, channel_id="CGENERAL")
        gone = access.named_project(session=session, project_id=project_id + 1, channel_id=CHANNEL)
        assert by_id is not None and by_channel is not None
        assert by_id.id == by_channel.id == project_id
        assert elsewhere is None and gone is None


def test_the_language_of_a_channel_is_its_projects(engine: Engine) -> None:
    running_project(engine)
    with session_scope(engine) as session:
        assert access.channel_locale(session=session, channel_id=CHANNEL) == "ja"
        assert access.channel_locale(session=session, channel_id="CGENERAL") is None


def test_a_csms_open_projects(engine: Engine) -> None:
    project_id = running_project(engine)
    with session_scope(engine) as session:
        mine = access.open_projects_of(session=session, user_id="UCSM")
        assert [p.id for p in mine] == [project_id]
        assert access.open_projects_of(session=session, user_id="WCUST") == []
