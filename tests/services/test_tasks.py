from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from bot.domain.permissions import Actor
from bot.services.projects import project_view
from bot.services.results import Changed, Refused, Unchanged
from bot.services.tasks import closed_reason, complete_task, undo_task
from storage import events, tasks
from storage.db import session_scope
from storage.models import Task
from storage.projects import get
from tests.services.seeds import (
    CSM,
    CUSTOMER,
    INTERNAL,
    NOW,
    OTHER_CUSTOMER,
    running_project,
    set_project,
)


@pytest.fixture
def project_id(engine) -> int:  # type: ignore[no-untyped-def]
    return running_project(engine, channel_id=None)


def _task_id(engine, project_id: int, side: str) -> int:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        rows = tasks.of_project(session=session, project_id=project_id)
        return next(t.id for t in rows if t.owner_side == side)  # type: ignore[misc]


def test_start_project_dates_tasks_and_logs(engine, project_id: int) -> None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        rows = tasks.of_project(session=session, project_id=project_id)
        assert len(rows) >= 8
        assert all(r.due == r.planned_due and r.due >= date(2027, 4, 5) for r in rows)
        assert [e.kind for e in events.for_project(session=session, project_id=project_id)] == [
            "project.started"
        ]
        view = project_view(session=session, project=get(session=session, project_id=project_id))  # type: ignore[arg-type]
        assert view.csm_user_id == "UCSM" and view.champion_user_id == "WCUST"
        assert view.progress == (0, len(rows))


def test_customer_completes_customer_task_once(engine, project_id: int) -> None:  # type: ignore[no-untyped-def]
    task_id = _task_id(engine, project_id, "customer")
    with session_scope(engine) as session:
        first = complete_task(session=session, task_id=task_id, actor=CUSTOMER, now=NOW)
    with session_scope(engine) as session:
        second = complete_task(session=session, task_id=task_id, actor=CUSTOMER, now=NOW)
    assert isinstance(first, Changed) and isinstance(second, Unchanged)
    with session_scope(engine) as session:
        task = tasks.get(session=session, task_id=task_id)
        assert task.status == "done" and task.completed_by == "WCUST"  # type: ignore[union-attr]
        assert task.completed_at == NOW and task.completed_on == date(2027, 4, 6)  # type: ignore[union-attr]
        kinds = [e.kind for e in events.for_project(session=session, project_id=project_id)]
        assert kinds.count("task.completed") == 1


@pytest.mark.parametrize(
    ("actor", "side", "reason"),
    [
        (CUSTOMER, "vendor", "deny.vendor_task"),
        (OTHER_CUSTOMER, "customer", "deny.not_project_member"),
        (INTERNAL, "customer", "deny.not_project_member"),
    ],
)
def test_refusals_change_nothing(
    engine, project_id: int, actor: Actor, side: str, reason: str
) -> None:  # type: ignore[no-untyped-def]
    task_id = _task_id(engine, project_id, side)
    with session_scope(engine) as session:
        change = complete_task(session=session, task_id=task_id, actor=actor, now=NOW)
    assert change == Refused(reason, locale="ja")
    with session_scope(engine) as session:
        assert tasks.get(session=session, task_id=task_id).status == "open"  # type: ignore[union-attr]
        kinds = [e.kind for e in events.for_project(session=session, project_id=project_id)]
        assert "task.completed" not in kinds


def test_staff_completes_any_task_and_undo_rules(engine, project_id: int) -> None:  # type: ignore[no-untyped-def]
    task_id = _task_id(engine, project_id, "customer")
    with session_scope(engine) as session:
        changed = complete_task(session=session, task_id=task_id, actor=CSM, now=NOW)
        assert isinstance(changed, Changed)
    with session_scope(engine) as session:
        refused = undo_task(session=session, task_id=task_id, actor=CUSTOMER, now=NOW)
    assert refused == Refused("deny.undo_others", locale="ja")
    with session_scope(engine) as session:
        assert isinstance(undo_task(session=session, task_id=task_id, actor=CSM, now=NOW), Changed)
    with session_scope(engine) as session:
        again = undo_task(session=session, task_id=task_id, actor=CSM, now=NOW)
        assert isinstance(again, Unchanged)
        task = tasks.get(session=session, task_id=task_id)
        assert task.status == "open" and task.completed_by is None  # type: ignore[union-attr]
        reopened = events.for_project(session=session, project_id=project_id, kind="task.reopened")
        assert len(reopened) == 1 and reopened[0].before["completed_by"] == "UCSM"  # type: ignore[index]


def _task(engine: Engine, task_id: int) -> Task:
    with session_scope(engine) as session:
        task = tasks.get(session=session, task_id=task_id)
        assert task is not None
        return task


def test_a_missing_task_is_not_found(engine: Engine, project_id: int) -> None:
    with session_scope(engine) as session:
        assert complete_task(session=session, task_id=4242, actor=CSM, now=NOW) == Refused(
            "error.task_not_found"
        )
        assert undo_task(session=session, task_id=4242, actor=CSM, now=NOW) == Refused(
            "error.task_not_found"
        )


def test_a_paused_project_still_takes_completions(engine: Engine, project_id: int) -> None:
    task_id = _task_id(engine, project_id, "customer")
    set_project(engine, project_id, status="paused")
    with session_scope(engine) as session:
        done = complete_task(session=session, task_id=task_id, actor=CUSTOMER, now=NOW)
        assert isinstance(done, Changed) and done.value.task.status == "done"


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        ("starting", "error.project_starting"),
        ("completed", "error.project_closed"),
        ("deleted", "error.project_closed"),
    ],
)
def test_a_project_not_running_takes_no_change(
    engine: Engine, project_id: int, status: str, reason: str
) -> None:
    task_id = _task_id(engine, project_id, "customer")
    other = _task_id(engine, project_id, "vendor")
    with session_scope(engine) as session:
        assert isinstance(
            complete_task(session=session, task_id=task_id, actor=CSM, now=NOW), Changed
        )
    set_project(engine, project_id, status=status)
    with session_scope(engine) as session:
        undo = undo_task(session=session, task_id=task_id, actor=CSM, now=NOW)
        complete = complete_task(session=session, task_id=other, actor=CSM, now=NOW)
    assert undo == complete == Refused(reason, locale="ja")
    assert _task(engine, task_id).status == "done" and _task(engine, other).status == "open"
    with session_scope(engine) as session:
        project = get(session=session, project_id=project_id)
        assert project is not None and closed_reason(project) == reason


def test_whoever_completed_a_task_may_undo_it(engine: Engine, project_id: int) -> None:
    task_id = _task_id(engine, project_id, "customer")
    with session_scope(engine) as session:
        complete_task(session=session, task_id=task_id, actor=CUSTOMER, now=NOW)
    with session_scope(engine) as session:
        undone = undo_task(session=session, task_id=task_id, actor=CUSTOMER, now=NOW)
        assert isinstance(undone, Changed)
        reopened = events.for_project(session=session, project_id=project_id, kind="task.reopened")
        assert [(e.actor, (e.before or {})["completed_by"]) for e in reopened] == [
            ("WCUST", "WCUST")
        ]


def test_undoing_an_open_task_changes_nothing_for_anyone(engine: Engine, project_id: int) -> None:
    task_id = _task_id(engine, project_id, "customer")
    with session_scope(engine) as session:
        again = undo_task(session=session, task_id=task_id, actor=OTHER_CUSTOMER, now=NOW)
        assert isinstance(again, Unchanged)
        assert (
            events.for_project(session=session, project_id=project_id, kind="task.reopened") == []
        )


def test_completed_on_is_the_projects_local_date(engine: Engine, project_id: int) -> None:
    task_id = _task_id(engine, project_id, "vendor")
    late = datetime(2027, 4, 6, 16, 30, tzinfo=UTC)  # 01:30 on the 7th in Tokyo
    with session_scope(engine) as session:
        complete_task(session=session, task_id=task_id, actor=CSM, now=late)
    assert _task(engine, task_id).completed_on == date(2027, 4, 7)
