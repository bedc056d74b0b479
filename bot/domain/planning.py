"""Deterministic planner: task start and due dates in business days from the kickoff.

Pure: same tasks, kickoff, calendar, fixed dates and ``not_before`` give the same plan.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.domain.calendar import BusinessCalendar


class TaskLike(Protocol):
    """What the planner needs from a playbook task (read-only, so frozen models fit)."""

    @property
    def id(self) -> str: ...
    @property
    def start_offset(self) -> int: ...
    @property
    def duration(self) -> int: ...
    @property
    def depends_on(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class PlannedTask:
    task_id: str
    start: date
    due: date


@dataclass(frozen=True)
class Shift:
    """A task whose due date moved; ``business_days`` is positive when it moved later."""

    task_id: str
    old_due: date
    new_due: date
    business_days: int


def plan(
    tasks: Sequence[TaskLike],
    *,
    kickoff: date,
    calendar: BusinessCalendar,
    fixed: Mapping[str, date] | None = None,
    not_before: date | None = None,
) -> list[PlannedTask]:
    """Plan every task; the result is in input order.

    Args:
        tasks: Task specs; ``start_offset`` counts business days from the kickoff.
        kickoff: The project's kickoff date (offset 0 is the first business day on/after it).
        calendar: The business-day calendar, blackouts included.
        fixed: Due dates kept as they are (done tasks, dates moved by hand); dependents
            are planned after them.
        not_before: Open (non-fixed) tasks start no earlier than this, e.g. today.

    Raises:
        ValueError: On duplicate ids, unknown dependencies or fixed ids, a cycle, a
            negative offset or a duration below 1.
    """
    fixed = fixed or {}
    by_id = _index(tasks, fixed=fixed)
    planned: dict[str, PlannedTask] = {}
    for task in _topological(tasks, by_id=by_id):
        earliest = calendar.add_business_days(kickoff, task.start_offset)
        if task.depends_on:
            latest_due = max(planned[dep].due for dep in task.depends_on)
            earliest = max(earliest, calendar.next_business_day(latest_due, include_self=False))
        if task.id in fixed:
            due = fixed[task.id]
            planned[task.id] = PlannedTask(task_id=task.id, start=min(earliest, due), due=due)
            continue
        if not_before is not None:
            earliest = max(earliest, not_before)
        start = calendar.next_business_day(earliest)
        due = calendar.add_business_days(start, task.duration - 1)
        planned[task.id] = PlannedTask(task_id=task.id, start=start, due=due)
    return [planned[task.id] for task in tasks]


def shifts(
    before: Sequence[PlannedTask],
    after: Sequence[PlannedTask],
    *,
    calendar: BusinessCalendar,
) -> list[Shift]:
    """Tasks in both plans whose due date moved, in ``after`` order.

    ``business_days`` is counted on ``calendar`` (normally the one ``after`` was planned
    with); tasks present in only one plan are left out.
    """
    old_due = {task.task_id: task.due for task in before}
    moved = []
    for task in after:
        old = old_due.get(task.task_id)
        if old is None or old == task.due:
            continue
        moved.append(
            Shift(
                task_id=task.task_id,
                old_due=old,
                new_due=task.due,
                business_days=calendar.business_days_between(old, task.due),
            )
        )
    return moved


def _index(tasks: Sequence[TaskLike], *, fixed: Mapping[str, date]) -> dict[str, TaskLike]:
    """Tasks by id, after checking ids, dependencies, offsets and durations."""
    by_id: dict[str, TaskLike] = {}
    for task in tasks:
        if task.id in by_id:
            raise ValueError(f"duplicate task id {task.id!r}")
        if task.start_offset < 0:
            raise ValueError(f"task {task.id!r}: start_offset must be >= 0")
        if task.duration < 1:
            raise ValueError(f"task {task.id!r}: duration must be >= 1")
        by_id[task.id] = task
    for task in tasks:
        unknown = [dep for dep in task.depends_on if dep not in by_id]
        if unknown:
            raise ValueError(f"task {task.id!r} depends on unknown task(s): {unknown}")
    unknown_fixed = sorted(set(fixed) - set(by_id))
    if unknown_fixed:
        raise ValueError(f"fixed dates given for unknown task(s): {unknown_fixed}")
    return by_id


def _topological(tasks: Sequence[TaskLike], *, by_id: Mapping[str, TaskLike]) -> list[TaskLike]:
    """Kahn's algorithm; among ready tasks the earliest in input order goes first."""
    position = {task.id: index for index, task in enumerate(tasks)}
    waiting_on = {task.id: len(set(task.depends_on)) for task in tasks}
    dependents: dict[str, list[str]] = {task.id: [] for task in tasks}
    for task in tasks:
        for dep in set(task.depends_on):
            dependents[dep].append(task.id)
    ready = [position[task_id] for task_id, count in waiting_on.items() if count == 0]
    heapq.heapify(ready)
    order: list[TaskLike] = []
    while ready:
        task = tasks[heapq.heappop(ready)]
        order.append(task)
        for dependent in dependents[task.id]:
            waiting_on[dependent] -= 1
            if waiting_on[dependent] == 0:
                heapq.heappush(ready, position[dependent])
    if len(order) < len(tasks):
        cyclic = sorted(
            (tid for tid, count in waiting_on.items() if count), key=position.__getitem__
        )
        raise ValueError(f"dependency cycle among tasks: {cyclic}")
    return order
