from datetime import date
from typing import Any

from sqlalchemy import Engine

from bot.services.export import COLUMNS, task_history
from storage import events
from storage.db import session_scope
from storage.models import Blackout
from tests.services.seeds import NOW, calendar_for, running_project, set_task
from tests.services.world import started

APRIL_1 = date(2027, 4, 1)  # a Thursday


def _rows(engine: Engine, since: date = APRIL_1) -> list[dict[str, Any]]:
    with session_scope(engine) as session:
        rows = list(task_history(session=session, since=since, now=NOW, calendar_for=calendar_for))
    assert all(tuple(row) == COLUMNS for row in rows)
    return rows


def _history(engine: Engine, since: date = APRIL_1) -> dict[str, dict[str, Any]]:
    """One project's rows by task."""
    return {row["task"]: row for row in _rows(engine, since)}


def _replanned(engine: Engine, project_id: int, task_id: int, *reasons: str | None) -> None:
    with session_scope(engine) as session:
        for reason in reasons:
            events.record(
                session=session,
                kind="task.replanned",
                actor="UCSM",
                at=NOW,
                project_id=project_id,
                task_id=task_id,
                after={"due": "2027-04-20", "reason": reason},
            )


def test_one_row_per_task_with_its_plan_and_outcome(engine: Engine) -> None:
    project_id = running_project(engine)
    set_task(
        engine,
        project_id,
        "kickoff-call",
        planned_due=APRIL_1,
        status="done",
        completed_on=date(2027, 4, 5),
    )
    set_task(engine, project_id, "busy-periods", planned_due=APRIL_1)  # still open
    set_task(engine, project_id, "confirm-goal", planned_due=APRIL_1, status="skipped")
    set_task(engine, project_id, "admin-settings", status="done", completed_on=APRIL_1)
    rows = _history(engine)
    done = rows["kickoff-call"]
    assert done["customer"] == "Acme" and done["project_id"] == project_id
    assert done["playbook"] == "low-touch" and done["phase"] == "kickoff"
    assert done["title"] == "オンラインキックオフ(30分)"  # the project's language
    assert done["owner_side"] == "vendor" and done["required"] is True
    assert done["planned_due"] == "2027-04-01" and done["completed_on"] == "2027-04-05"
    assert done["final_due"] != "" and done["status"] == "done"
    assert done["days_late"] == 2  # Friday and Monday
    assert rows["busy-periods"]["days_late"] == 3  # to today, Tuesday 6 April in Tokyo
    assert rows["busy-periods"]["completed_on"] == ""
    assert rows["confirm-goal"]["days_late"] == 0  # skipped: never late
    assert rows["admin-settings"]["days_late"] == 0  # done before its date
    assert (done["replans"], done["reasons"]) == (0, "")


def test_business_days_skip_the_projects_blackouts(engine: Engine) -> None:
    project_id = running_project(engine)
    set_task(engine, project_id, "busy-periods", planned_due=APRIL_1)
    with session_scope(engine) as session:
        session.add(Blackout(project_id=project_id, start=date(2027, 4, 2), end=date(2027, 4, 5)))
    assert _history(engine)["busy-periods"]["days_late"] == 1


def test_replans_are_counted_and_their_reasons_listed_once(engine: Engine) -> None:
    project_id = running_project(engine)
    task_id = set_task(engine, project_id, "import-data")
    _replanned(engine, project_id, task_id, "customer_busy", None, "scope", "customer_busy")
    row = _history(engine)["import-data"]
    assert (row["replans"], row["reasons"]) == (4, "customer_busy;scope")


def test_since_keeps_tasks_planned_or_completed_from_that_day(engine: Engine) -> None:
    project_id = running_project(engine)
    started(engine, customer="Globex")
    rows = _rows(engine)
    assert [row["customer"] for row in rows] == ["Acme"] * 12 + ["Globex"] * 12
    assert [row["title"] for row in rows][12] == "30-minute online kickoff"  # in English
    assert _history(engine, since=date(2028, 1, 1)) == {}
    set_task(engine, project_id, "kickoff-call", status="done", completed_on=date(2028, 1, 5))
    later = _history(engine, since=date(2028, 1, 1))
    assert list(later) == ["kickoff-call"] and later["kickoff-call"]["customer"] == "Acme"
