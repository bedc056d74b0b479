"""storage.escalations: one step per key, its tasks once per step, drafts decided once."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import select

from storage import escalations
from storage.db import session_scope
from storage.models import EscalatedTask, EscalationStatus, TaskStatus
from tests.storage.rows import DAY, NOW, add_project, add_task


def step(project_id: int, key: str = "dm:1:2026-06-01") -> dict[str, Any]:
    return {
        "key": key,
        "project_id": project_id,
        "local_date": DAY,
        "approval": "csm",
        "task_ids": [],
        "own_task_ids": [],
        "blocks": [],
    }


def _insert_once(*, session, values, tasks):  # type: ignore[no-untyped-def]
    """One step: its new id, or None when its key was there already."""
    return escalations.insert_many(session=session, steps=[(values, tasks)]).get(values["key"])


def test_a_key_makes_one_step_and_its_tasks_reach_it_once(engine: Engine) -> None:
    with session_scope(engine) as session:
        project = add_project(session)
        open_task, done_task = add_task(session, project, "a"), add_task(session, project, "b")
        done_task.status = TaskStatus.DONE
        pid, covered = project.id or 0, [(open_task.id or 0, DAY, "decision_maker")]
        covered.append((done_task.id or 0, DAY, "decision_maker"))
    with session_scope(engine) as session:
        first = _insert_once(session=session, values=step(pid), tasks=covered)
        again = _insert_once(session=session, values=step(pid), tasks=covered)
        assert first is not None and again is None
        other = _insert_once(session=session, values=step(pid, "dm:1:2026-06-02"), tasks=covered)
        assert other is not None
        # the tasks were covered by the first step already: no error, and no second row
        assert len(session.exec(select(EscalatedTask)).all()) == 2
    with session_scope(engine) as session:
        assert escalations.reached(session=session) == {covered[0]}  # open tasks only
        assert [e.id for e in escalations.drafts(session=session)] == [first, other]
        assert escalations.drafts(session=session, project_ids=[pid + 1]) == []


def test_a_draft_is_decided_once_and_withdrawn_drafts_count(engine: Engine) -> None:
    with session_scope(engine) as session:
        pid = add_project(session).id or 0
        sent = _insert_once(session=session, values=step(pid, "k1"), tasks=[])
        _insert_once(session=session, values=step(pid, "k2"), tasks=[])
        assert sent is not None
    with session_scope(engine) as session:
        decide = {"session": session, "escalation_id": sent, "by": "U1", "at": NOW}
        assert escalations.decide(**decide, status=EscalationStatus.SENT, text="Hi", blocks=[])
        assert not escalations.decide(**decide, status=EscalationStatus.SKIPPED, reason="no")
        assert escalations.withdraw(session=session, project_id=pid, at=NOW) == 1
        assert escalations.withdraw(session=session, project_id=pid, at=NOW) == 0
    with session_scope(engine) as session:
        rows = escalations.of_project(session=session, project_id=pid)
        assert [(e.status, e.decided_by, e.edited) for e in rows] == [
            (EscalationStatus.SENT, "U1", True),
            (EscalationStatus.WITHDRAWN, "system", False),
        ]
        assert escalations.get(session=session, escalation_id=sent) is not None
        assert escalations.outbox_by_key(session=session, key="k1") is None


def test_reached_ignores_due_dates_it_was_not_given(engine: Engine) -> None:
    with session_scope(engine) as session:
        project = add_project(session)
        task_id = add_task(session, project).id or 0
        covered = [(task_id, date(2026, 5, 29), "waiting")]
        _insert_once(session=session, values=step(project.id or 0), tasks=covered)
    with session_scope(engine) as session:
        assert escalations.reached(session=session) == {(task_id, date(2026, 5, 29), "waiting")}
