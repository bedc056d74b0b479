from datetime import date

from sqlalchemy import Engine

from bot.services import pausing
from bot.services.results import Changed, Refused
from storage import events
from storage.db import session_scope
from storage.projects import get
from tests.services.seeds import CHANNEL, CSM, CUSTOMER, INTERNAL, NOW, running_project


def test_staff_pause_until_a_date_and_resume(engine: Engine) -> None:
    project_id = running_project(engine)
    with session_scope(engine) as session:
        held = pausing.pause(
            session=session, channel_id=CHANNEL, actor=CSM, until=date(2027, 5, 1), now=NOW
        )
    assert held == Changed(pausing.Held(project_id=project_id, customer_name="Acme", locale="ja"))
    with session_scope(engine) as session:
        project = get(session=session, project_id=project_id)
        assert project is not None and project.status == "paused"
        assert project.paused_until == date(2027, 5, 1)
        assert pausing.resume(session=session, channel_id=CHANNEL, actor=CSM, now=NOW) == held
    with session_scope(engine) as session:
        project = get(session=session, project_id=project_id)
        assert project is not None and project.status == "active"
        kinds = [e.kind for e in events.for_project(session=session, project_id=project_id)]
        assert kinds[-2:] == ["project.paused", "project.resumed"]


def test_refusals_name_why_and_change_nothing(engine: Engine) -> None:
    running_project(engine)
    with session_scope(engine) as session:

        def pause(actor=CSM, channel=CHANNEL, until=None):  # type: ignore[no-untyped-def]
            return pausing.pause(
                session=session, channel_id=channel, actor=actor, until=until, now=NOW
            )

        assert pause(actor=CUSTOMER) == Refused("deny.external_cs_command")
        assert pause(actor=INTERNAL) == Refused("deny.not_staff")
        assert pause(channel="CGENERAL") == Refused("deny.not_a_project_channel")
        # 2027-04-06 is today in Tokyo: a pause "until today" has already ended.
        assert pause(until=date(2027, 4, 6)) == Refused(
            "error.pause_until_past", {"date": "2027-04-06"}
        )
        assert pausing.resume(session=session, channel_id=CHANNEL, actor=CSM, now=NOW) == (
            Refused("error.not_paused")
        )


def test_a_closed_project_is_neither_paused_nor_resumed(engine: Engine) -> None:
    project_id = running_project(engine)
    with session_scope(engine) as session:
        project = get(session=session, project_id=project_id)
        assert project is not None
        project.status = "completed"
    with session_scope(engine) as session:
        refused = pausing.pause(session=session, channel_id=CHANNEL, actor=CSM, until=None, now=NOW)
        assert refused == Refused("error.project_closed")
