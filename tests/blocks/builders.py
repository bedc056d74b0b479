"""Building read models for rendering tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from bot.domain.views import TaskView


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
