from datetime import date, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from bot.domain.calendar import DateRange
from bot.domain.permissions import Actor
from bot.domain.schedule import ScheduleAnswers
from bot.services import schedule
from bot.services.results import Changed, Refused, Unchanged
from storage import events, tasks
from storage.db import session_scope
from storage.models import Blackout, Risk, Task
from storage.projects import get
from tests.services.seeds import (
    CSM,
    CUSTOMER,
    INTERNAL,
    NOW,
    OTHER_CUSTOMER,
    calendar_for,
    running_project,
    set_project,
)

BUSY = DateRange(date(2027, 4, 12), date(2027, 4, 16))  # Monday to Friday


def _answers(**values) -> ScheduleAnswers:
    fields = dict(
        busy_periods=(BUSY,),
        slip_reason="staffing",
        slip_note="two people on leave",
        initiatives="ERP rollout\nnew office",
        committed_go_live=date(2027, 6, 1),
    )
    return ScheduleAnswers(**{**fields, **values})


def _apply(engine: Engine, project_id: int, actor: Actor = CUSTOMER, **values):
    request = values.pop("request", "view:V1")
    with session_scope(engine) as session:
        return schedule.apply_answers(
            session=session,
            project_id=project_id,
            answers=_answers(**values),
            actor=actor,
            now=NOW,
            calendar_for=calendar_for,
            request=request,
        )


def _tasks(engine: Engine, project_id: int) -> dict[str, Task]:
    with session_scope(engine) as session:
        return {t.key: t for t in tasks.of_project(session=session, project_id=project_id)}


def test_answers_become_blackouts_and_risks_and_move_open_tasks(engine: Engine) -> None:
    project_id = running_project(engine)
    before = _tasks(engine, project_id)
    applied = _apply(engine, project_id)
    assert isinstance(applied, Changed)
    result = applied.value
    assert result.committed_go_live == date(2027, 6, 1) and result.initiatives == 2
    assert result.view is not None and result.view.id == project_id
    after = _tasks(engine, project_id)
    moved = {task.key: (old, new) for task, old, new, _ in result.moved}
    assert moved and {key for key, t in after.items() if t.due != before[key].due} == set(moved)
    assert all(
        before[key].due == old and after[key].due == new for key, (old, new) in moved.items()
    )
    assert not any(BUSY.contains(t.due) for t in after.values())
    assert result.plan_end == max(t.due for t in after.values())
    with session_scope(engine) as session:
        project = get(session=session, project_id=project_id)
        assert project is not None and project.committed_go_live == date(2027, 6, 1)
        [blackout] = session.exec(select(Blackout)).all()
        assert (blackout.start, blackout.end) == (BUSY.start, BUSY.end)
        risks = session.exec(select(Risk).order_by(col(Risk.id))).all()
        assert [(r.kind, r.said_by) for r in risks] == [
            ("busy_period", "WCUST"),
            ("slip_reason", "WCUST"),
            ("initiatives", "WCUST"),
        ]
        assert (risks[1].reason, risks[1].text) == ("staffing", "two people on leave")
        answered = events.for_project(
            session=session, project_id=project_id, kind="schedule.answered"
        )
        assert [(e.after or {})["committed_go_live"] for e in answered] == ["2027-06-01"]
        replanned = events.for_project(
            session=session, project_id=project_id, kind="task.replanned"
        )
        assert len(replanned) == len(moved)
        assert {(e.after or {})["reason"] for e in replanned} == {"busy_period"}


def test_a_submission_applied_twice_changes_nothing_more(engine: Engine) -> None:
    project_id = running_project(engine)
    assert isinstance(_apply(engine, project_id), Changed)
    assert _apply(engine, project_id) == Unchanged(None)
    # Another submission telling the same busy period adds no second blackout or risk.
    assert isinstance(
        _apply(
            engine,
            project_id,
            request="view:V2",
            slip_reason=None,
            slip_note=None,
            initiatives=None,
        ),
        Changed,
    )
    with session_scope(engine) as session:
        assert len(session.exec(select(Blackout)).all()) == 1
        kinds = [r.kind for r in session.exec(select(Risk)).all()]
        assert kinds.count("busy_period") == 1 and len(kinds) == 3
        answered = events.for_project(
            session=session, project_id=project_id, kind="schedule.answered"
        )
        assert len(answered) == 2


def test_who_may_answer_for_which_project(engine: Engine) -> None:
    project_id = running_project(engine)
    assert _apply(engine, 4242) == Refused("error.project_not_found")
    assert _apply(engine, project_id, OTHER_CUSTOMER) == Refused("deny.not_this_project")
    assert _apply(engine, project_id, INTERNAL) == Refused("deny.not_this_project")
    set_project(engine, project_id, status="completed")
    assert _apply(engine, project_id, CSM) == Refused("error.project_closed", locale="ja")
    set_project(engine, project_id, status="starting")
    assert _apply(engine, project_id, CSM) == Refused("error.project_starting", locale="ja")
    with session_scope(engine) as session:
        assert session.exec(select(Blackout)).all() == [] and session.exec(select(Risk)).all() == []
    set_project(engine, project_id, status="paused")
    assert isinstance(_apply(engine, project_id, CSM), Changed)


def _more_time(engine: Engine, task_id: int, new_due: date | None, actor: Actor = CUSTOMER):
    with session_scope(engine) as session:
        return schedule.request_more_time(
            session=session,
            task_id=task_id,
            actor=actor,
            new_due=new_due,
            reason="busy",
            note="month end",
            now=NOW,
            calendar_for=calendar_for,
        )


def test_more_time_moves_the_task_and_alerts_on_the_third_time(engine: Engine) -> None:
    project_id = running_project(engine)
    task = _tasks(engine, project_id)["import-data"]  # the champion's, due 2027-04-15
    assert task.id is not None and task.due == date(2027, 4, 15)
    first = _more_time(engine, task.id, date(2027, 4, 20))
    assert isinstance(first, Changed)
    assert (first.value.old_due, first.value.alert, first.value.reasons) == (
        date(2027, 4, 15),
        False,
        ("busy",),
    )
    assert _more_time(engine, task.id, date(2027, 4, 20)) == Unchanged(None)
    assert isinstance(_more_time(engine, task.id, date(2027, 4, 21), CSM), Changed)
    third = _more_time(engine, task.id, date(2027, 4, 22))
    assert isinstance(third, Changed) and third.value.alert
    assert third.value.reasons == ("busy", "busy", "busy")
    moved = _tasks(engine, project_id)["import-data"]
    assert (moved.due, moved.planned_due, moved.replan_count) == (
        date(2027, 4, 22),
        date(2027, 4, 15),
        3,
    )
    with session_scope(engine) as session:
        logged = events.for_project(session=session, project_id=project_id, kind="task.replanned")
        moves = [
            (e.actor, (e.before or {})["due"], (e.after or {})["due"], (e.after or {})["note"])
            for e in logged
        ]
        assert moves == [
            ("WCUST", "2027-04-15", "2027-04-20", "month end"),
            ("UCSM", "2027-04-20", "2027-04-21", "month end"),
            ("WCUST", "2027-04-21", "2027-04-22", "month end"),
        ]


@pytest.mark.parametrize(
    ("new_due", "key"),
    [
        (None, "form.required"),
        (date(2027, 4, 6), "more_time.not_after_today"),
        (date(2027, 4, 24), "more_time.closed_weekend"),
        (date(2027, 4, 29), "more_time.closed_holiday"),  # Showa Day
        (date(2035, 4, 20), "more_time.too_far"),
    ],
)
def test_more_time_refuses_unusable_dates(engine: Engine, new_due: date | None, key: str) -> None:
    project_id = running_project(engine)
    task_id = _tasks(engine, project_id)["import-data"].id
    assert task_id is not None
    assert _more_time(engine, task_id, new_due) == Refused(key, locale="ja")
    assert _tasks(engine, project_id)["import-data"].due == date(2027, 4, 15)


def test_more_time_refuses_others_and_closed_work(engine: Engine) -> None:
    project_id = running_project(engine)
    found = _tasks(engine, project_id)
    vendor, mine = found["kickoff-call"].id, found["import-data"].id
    assert vendor is not None and mine is not None
    later = date(2027, 4, 20)
    assert _more_time(engine, vendor, later) == Refused("deny.vendor_task", locale="ja")
    assert _more_time(engine, mine, later, OTHER_CUSTOMER) == Refused(
        "deny.not_project_member", locale="ja"
    )
    assert _more_time(engine, 4242, later) == Refused("error.task_not_found")
    with session_scope(engine) as session:
        row = tasks.get(session=session, task_id=mine)
        assert row is not None
        row.status = "done"
    assert _more_time(engine, mine, later) == Refused("error.task_not_open", locale="ja")
    set_project(engine, project_id, status="completed")
    assert _more_time(engine, vendor, later, CSM) == Refused("error.project_closed", locale="ja")


def _skip(engine: Engine, task_id: int, actor: Actor = CSM):
    with session_scope(engine) as session:
        return schedule.skip_task(session=session, task_id=task_id, actor=actor, now=NOW)


def test_staff_skip_an_optional_task_once(engine: Engine) -> None:
    project_id = running_project(engine)
    task = _tasks(engine, project_id)["webinar"]
    assert task.id is not None
    assert _skip(engine, task.id) == Refused("error.task_required", locale="ja")
    with session_scope(engine) as session:
        row = tasks.get(session=session, task_id=task.id)
        assert row is not None
        row.required = False
    assert _skip(engine, task.id, CUSTOMER) == Refused("deny.external_cs_command", locale="ja")
    assert _skip(engine, task.id, INTERNAL) == Refused("deny.not_staff", locale="ja")
    assert _skip(engine, 4242) == Refused("error.task_not_found")
    skipped = _skip(engine, task.id)
    assert isinstance(skipped, Changed) and skipped.value.id == project_id
    assert isinstance(_skip(engine, task.id), Unchanged)
    assert _tasks(engine, project_id)["webinar"].status == "skipped"
    with session_scope(engine) as session:
        assert (
            len(events.for_project(session=session, project_id=project_id, kind="task.skipped"))
            == 1
        )
    set_project(engine, project_id, status="completed")
    assert _skip(engine, task.id) == Refused("error.project_closed", locale="ja")


def _risk(engine: Engine, project_id: int, start: date) -> int:
    with session_scope(engine) as session:
        risk = Risk(
            project_id=project_id,
            kind="busy_period",
            period_start=start,
            period_end=start + timedelta(days=2),
            said_by="WCUST",
            said_at=NOW,
        )
        session.add(risk)
        session.flush()
        assert risk.id is not None
        return risk.id


def test_staff_close_a_risk_once(engine: Engine) -> None:
    project_id = running_project(engine)
    risk_id = _risk(engine, project_id, date(2027, 5, 1))
    with session_scope(engine) as session:

        def close(actor: Actor = CSM, risk: int = risk_id):
            return schedule.close_risk(session=session, risk_id=risk, actor=actor, now=NOW)

        assert close(risk=4242) == Refused("error.risk_not_found")
        assert close(CUSTOMER) == Refused("deny.external_cs_command", locale="ja")
        # Someone who may not close risks learns nothing of which exist.
        assert close(CUSTOMER, risk=4242) == Refused("deny.external_cs_command")
        assert [r.id for r in schedule.risk_views(session=session, project_id=project_id)] == [
            risk_id
        ]
        closed = close()
        assert isinstance(closed, Changed) and closed.value.id == project_id
        assert isinstance(close(), Unchanged)
        assert schedule.risk_views(session=session, project_id=project_id) == []
        risk = session.get(Risk, risk_id)
        assert risk is not None and (risk.status, risk.closed_by) == ("closed", "UCSM")
        logged = events.for_project(session=session, project_id=project_id, kind="risk.closed")
        assert [e.after for e in logged] == [{"status": "closed", "risk_id": risk_id}]


def test_a_risk_of_an_ended_project_stays_as_it_was(engine: Engine) -> None:
    project_id = running_project(engine)
    risk_id = _risk(engine, project_id, date(2027, 5, 1))
    set_project(engine, project_id, status="completed")
    with session_scope(engine) as session:
        closing = schedule.close_risk(session=session, risk_id=risk_id, actor=CSM, now=NOW)
        assert closing == Refused("error.project_closed", locale="ja")
        risk = session.get(Risk, risk_id)
        assert risk is not None and risk.status == "open"


def test_busy_periods_starting_tomorrow_from_the_reminder_hour(engine: Engine) -> None:
    project_id = running_project(engine)
    tomorrow = _risk(engine, project_id, date(2027, 4, 7))
    _risk(engine, project_id, date(2027, 4, 8))
    with session_scope(engine) as session:
        # NOW is 10:00 in Tokyo on 2027-04-06.
        due = schedule.periods_starting_tomorrow(session=session, now=NOW, reminder_hour=9)
        assert [(view.id, pid) for view, pid in due] == [(tomorrow, project_id)]
        assert schedule.periods_starting_tomorrow(session=session, now=NOW, reminder_hour=11) == []
