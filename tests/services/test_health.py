from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from bot.services.health import project_health, view_with_health
from storage.db import session_scope
from storage.models import Blackout, Project
from tests.services.seeds import NOW, add_risk, calendar_for, running_project, set_project, set_task

LAST_WEEK = date(2027, 3, 31)  # a Wednesday: 4 business days before Tuesday 6 April


def _health(engine: Engine, project_id: int, *, now: datetime = NOW) -> str:
    with session_scope(engine) as session:
        project = session.get(Project, project_id)
        assert project is not None
        view = view_with_health(
            session=session, project=project, now=now, calendar_for=calendar_for
        )
        assert view.id == project_id
        health = project_health(
            session=session, project=project, view=view, now=now, calendar_for=calendar_for
        )
        assert health == view.health
        return health


def _risk(engine: Engine, project_id: int, start: date, end: date, status: str = "open") -> None:
    add_risk(
        engine, project_id, kind="busy_period", period_start=start, period_end=end, status=status
    )


def test_a_project_on_plan_is_on_track(engine: Engine) -> None:
    assert _health(engine, running_project(engine)) == "on_track"


def test_an_overdue_required_task_puts_it_at_risk_then_late(engine: Engine) -> None:
    project_id = running_project(engine)
    set_task(engine, project_id, "busy-periods", due=LAST_WEEK)
    assert _health(engine, project_id) == "at_risk"  # 4 business days over
    # The fifth business day over is the project's decision-maker threshold.
    assert _health(engine, project_id, now=NOW + timedelta(days=1)) == "late"


def test_an_overdue_optional_or_done_task_does_not_count(engine: Engine) -> None:
    project_id = running_project(engine)
    set_task(engine, project_id, "busy-periods", due=LAST_WEEK, required=False)
    set_task(
        engine, project_id, "kickoff-call", due=LAST_WEEK, status="done", completed_on=NOW.date()
    )
    assert _health(engine, project_id) == "on_track"


def test_the_projects_blackouts_are_not_business_days(engine: Engine) -> None:
    project_id = running_project(engine)
    set_task(engine, project_id, "busy-periods", due=LAST_WEEK)
    assert _health(engine, project_id, now=NOW + timedelta(days=1)) == "late"
    with session_scope(engine) as session:
        session.add(Blackout(project_id=project_id, start=date(2027, 4, 1), end=date(2027, 4, 2)))
    assert _health(engine, project_id, now=NOW + timedelta(days=1)) == "at_risk"


def test_an_open_busy_period_ahead_is_a_risk_a_closed_one_is_not(engine: Engine) -> None:
    project_id = running_project(engine)
    _risk(engine, project_id, date(2027, 4, 12), date(2027, 4, 16), status="closed")
    _risk(engine, project_id, date(2026, 12, 1), date(2026, 12, 31))  # over before today
    assert _health(engine, project_id) == "on_track"
    _risk(engine, project_id, date(2027, 4, 12), date(2027, 4, 16))
    assert _health(engine, project_id) == "at_risk"


def test_a_committed_go_live_before_the_projected_end_is_a_risk(engine: Engine) -> None:
    project_id = running_project(engine)
    set_project(engine, project_id, committed_go_live=date(2027, 4, 20))
    assert _health(engine, project_id) == "at_risk"
    set_project(engine, project_id, committed_go_live=date(2027, 12, 31))
    assert _health(engine, project_id) == "on_track"


def test_a_project_not_running_shows_its_status(engine: Engine) -> None:
    project_id = running_project(engine)
    set_task(engine, project_id, "busy-periods", due=LAST_WEEK)  # late, were it running
    for status in ("paused", "completed", "cancelled"):
        set_project(engine, project_id, status=status)
        assert _health(engine, project_id, now=NOW + timedelta(days=7)) == status
