from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from bot.services.checklist import ChecklistState, checklist_state
from bot.services.projects import record_messages
from storage.db import session_scope
from tests.services.seeds import (
    CHANNEL,
    NOW,
    calendar_for,
    running_project,
    set_project,
    set_task,
)


def _state(engine: Engine, project_id: int, *, now: datetime = NOW) -> ChecklistState | None:
    with session_scope(engine) as session:
        return checklist_state(
            session=session, project_id=project_id, now=now, calendar_for=calendar_for
        )


def test_the_checklist_of_a_project_in_its_channel(engine: Engine) -> None:
    project_id = running_project(engine)
    state = _state(engine, project_id)
    assert state is not None
    assert state.view.id == project_id and state.view.customer_name == "Acme"
    assert state.view.health == "on_track"
    assert state.today == date(2027, 4, 6)  # Tokyo's date at 01:00 UTC
    assert state.channel_id == CHANNEL
    assert state.stamps == []
    assert [t.key for t in state.view.tasks][:2] == ["kickoff-call", "busy-periods"]


def test_the_stamps_are_the_posted_messages_in_order(engine: Engine) -> None:
    project_id = running_project(engine)
    with session_scope(engine) as session:
        record_messages(
            session=session, project_id=project_id, welcome_ts="1.0", checklist_ts=["2.0", "3.0"]
        )
    state = _state(engine, project_id)
    assert state is not None and state.stamps == ["2.0", "3.0"]


def test_health_reflects_overdue_required_tasks_and_a_pause(engine: Engine) -> None:
    project_id = running_project(engine)
    set_task(engine, project_id, "busy-periods", due=date(2027, 4, 1))  # overdue 3 business days
    state = _state(engine, project_id)
    assert state is not None and state.view.health == "at_risk"
    later = _state(engine, project_id, now=NOW + timedelta(days=7))
    assert later is not None and later.view.health == "late"
    set_project(engine, project_id, status="paused")
    paused = _state(engine, project_id)
    assert paused is not None and paused.view.health == "paused"


def test_nothing_to_render_without_a_channel_or_a_project(engine: Engine) -> None:
    project_id = running_project(engine, channel_id=None)
    assert _state(engine, project_id) is None
    assert _state(engine, project_id + 1000) is None
