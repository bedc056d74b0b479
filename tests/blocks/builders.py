"""Building read models for rendering tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from bot.domain.views import PhaseView, ProjectView, TaskView
from storage.models import RUNNING_STATUSES


def task_view(task_id: int, *, due: date, status: str = "open", **changes: Any) -> TaskView:
    """A customer task owned by the champion; override any field with `changes`."""
    base = TaskView(
        id=task_id,
        key=f"task-{task_id}",
        phase="setup",
        title=f"Task {task_id}",
        why="Because",
        owner_side="customer",
        owner_role="champion",
        owner_user_id=None,
        due=due,
        planned_due=due,
        status=status,
    )
    return replace(base, **changes)


def project_view(**changes: Any) -> ProjectView:
    """An active English project of the CSM `UCSM` with the champion `UTARO`, one "setup"
    phase and no tasks; override any field with `changes`."""
    base = ProjectView(
        id=42,
        customer_name="Acme Corp",
        locale="en",
        playbook_title="Low-touch onboarding",
        status="active",
        kickoff=date(2027, 4, 5),
        target_go_live=date(2027, 6, 30),
        csm_user_id="UCSM",
        champion_user_id="UTARO",
        decision_maker_user_id=None,
        channel_id="CACME",
        phases=(PhaseView(id="setup", title="Setup"),),
        tasks=(),
        running=True,
    )
    changes.setdefault("running", changes.get("status", base.status) in RUNNING_STATUSES)
    return replace(base, **changes)
