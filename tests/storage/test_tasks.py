"""storage.tasks: guarded updates change a task once, and lists come in checklist order."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from storage import tasks
from storage.db import session_scope
from storage.models import TaskStatus
from tests.storage.rows import DAY, NOW, add_project, add_task


def test_done_then_open_each_take_effect_once(engine: Engine) -> None:
    with session_scope(engine) as session:
        task_id = add_task(session, add_project(session)).id
        assert task_id is not None
    with session_scope(engine) as session:
        assert tasks.mark_done(session=session, task_id=task_id, by="U1", at=NOW, on=DAY)
        assert not tasks.mark_done(session=session, task_id=task_id, by="U2", at=NOW, on=DAY)
    with session_scope(engine) as session:
        done = tasks.get(session=session, task_id=task_id)
        assert done is not None
        assert (done.status, done.completed_by, done.completed_on) == (TaskStatus.DONE, "U1", DAY)
        assert tasks.mark_open(session=session, task_id=task_id)
        assert not tasks.mark_open(session=session, task_id=task_id)
    with session_scope(engine) as session:
        reopened = tasks.get(session=session, task_id=task_id)
        assert reopened is not None
        assert (reopened.status, reopened.completed_by) == (TaskStatus.OPEN, None)


def test_tasks_come_in_checklist_order_per_project(engine: Engine) -> None:
    with session_scope(engine) as session:
        first, second = add_project(session), add_project(session)
        add_task(session, second, "b2", position=2)
        add_task(session, first, "a2", position=2)
        add_task(session, second, "b1", position=1)
        add_task(session, first, "a1", position=1)
        ids = [first.id or 0, second.id or 0]
    with session_scope(engine) as session:
        assert [t.key for t in tasks.of_project(session=session, project_id=ids[1])] == [
            "b1",
            "b2",
        ]
        found = tasks.of_projects(session=session, project_ids=ids)
        assert [t.key for t in found] == ["a1", "a2", "b1", "b2"]
