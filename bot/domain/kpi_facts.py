"""What the KPIs are computed from: facts read from storage, and the task totals.

A portfolio has hundreds of thousands of tasks, so the digest does not walk them one by
one: the database sums them up into `TaskTotals` (see `bot.services.task_totals`). `summarize`
sums up plain task rows the same way; the rules in `bot.domain.kpis` are tested through
it, and the SQL is checked against it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

BOTTLENECK_DAYS = 90  # the window bottlenecks are looked for in, up to today
ENDED_STATUSES = ("completed", "cancelled")  # pinned to storage.models by a test


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    id: int
    customer_name: str
    csm_user_id: str | None
    status: str  # active | paused | completed | cancelled | deleted
    running: bool  # the caller's word (storage.models.RUNNING_STATUSES): jobs still run for it
    kickoff: date
    created_on: date
    completed_on: date | None  # the day it was completed or cancelled
    committed_go_live: date | None
    target_go_live: date | None
    decision_maker_after_days: int  # business days overdue at which a task counts as "late"


class TaskFacts(NamedTuple):
    """One task as the KPIs see it."""

    id: int
    project_id: int
    key: str  # the playbook task id
    title: str
    required: bool
    first_value: bool
    status: str  # open | done | skipped
    planned_due: date  # the due date of the original plan
    due: date  # the current due date, after any re-planning
    completed_on: date | None
    days_overdue: int  # business days past `due` as of today for open tasks; 0 if not overdue
    title_ja: str = ""  # `title` is English; readers of the digest get their own language


@dataclass(frozen=True, slots=True)
class ReplanFacts:
    task_id: int
    project_id: int
    key: str
    on: date
    reason: str


@dataclass(frozen=True, slots=True)
class RiskFacts:
    """An open risk of a project (closed risks are not passed in)."""

    project_id: int
    kind: str  # busy_period | slip_reason | initiatives | go_live
    period_start: date | None
    period_end: date | None


@dataclass(frozen=True, slots=True)
class SurveyFacts:
    project_id: int
    on: date
    csat: int | None  # 1-5
    nps: int | None  # 0-10


@dataclass(frozen=True, slots=True)
class EscalationFacts:
    project_id: int
    on: date
    level: str


class Progress(NamedTuple):
    """One project's tasks, counted."""

    done: int
    counted: int  # tasks that are not skipped
    last_open_due: date | None  # the latest current due date of its open tasks


class Completions(NamedTuple):
    """The tasks completed on one day."""

    done: int
    on_time: int  # completed on or before their planned due date


class KeyTotals(NamedTuple):
    """One playbook task key over the bottleneck window (see `kpis.bottlenecks`)."""

    key: str
    title: str  # the smallest title among the reached tasks (deterministic, for display)
    reached: int
    late: int
    reasons: tuple[tuple[str, int], ...]  # re-plan reasons of the reached tasks, with counts
    title_ja: str = ""  # the smallest Japanese title, chosen like `title`


@dataclass(frozen=True)
class TaskTotals:
    """Everything the digest needs from the tasks."""

    progress: Mapping[int, Progress]  # per project id
    overdue: Sequence[TaskFacts]  # open tasks at least one business day past their due date
    completions: Mapping[date, Completions]  # per completion day
    first_value: Mapping[int, date]  # per project id: first completion of a first-value task
    keys: Mapping[str, KeyTotals]  # the bottleneck window: [today - days, today]


def summarize(
    projects: Iterable[ProjectFacts],
    tasks: Iterable[TaskFacts],
    replans: Iterable[ReplanFacts] = (),
    *,
    today: date,
    days: int = BOTTLENECK_DAYS,
) -> TaskTotals:
    """Sum up plain task rows (what the database does for a whole portfolio)."""
    projects, tasks = list(projects), list(tasks)
    progress: dict[int, tuple[int, int, date | None]] = {}
    completions: Counter[tuple[date, bool]] = Counter()
    first_value: dict[int, date] = {}
    for t in tasks:
        done, counted, last = progress.get(t.project_id, (0, 0, None))
        if t.status != "skipped":
            counted += 1
        if t.status == "done":
            done += 1
            if t.completed_on is not None:
                completions[t.completed_on, t.completed_on <= t.planned_due] += 1
                if t.first_value:
                    first = first_value.get(t.project_id, t.completed_on)
                    first_value[t.project_id] = min(first, t.completed_on)
        elif t.status == "open" and (last is None or t.due > last):
            last = t.due
        progress[t.project_id] = (done, counted, last)
    return TaskTotals(
        progress={pid: Progress(*counts) for pid, counts in progress.items()},
        overdue=[t for t in tasks if t.status == "open" and t.days_overdue >= 1],
        completions={
            day: Completions(
                completions[day, True] + completions[day, False], completions[day, True]
            )
            for day in sorted({day for day, _ in completions})
        },
        first_value=first_value,
        keys=key_totals(projects, tasks, replans, today=today, days=days),
    )


def key_totals(
    projects: Iterable[ProjectFacts],
    tasks: Iterable[TaskFacts],
    replans: Iterable[ReplanFacts],
    *,
    today: date,
    days: int = BOTTLENECK_DAYS,
) -> dict[str, KeyTotals]:
    """Per playbook task key: the tasks that *reached* their schedule in [today - days, today]
    and how many of them were *late* (see `kpis.bottlenecks` for both rules)."""
    if days < 0:
        raise ValueError(f"days must not be negative: {days}")
    ended_on = {p.id: p.completed_on if p.status in ENDED_STATUSES else None for p in projects}
    since = today - timedelta(days=days)
    replanned: dict[int, list[str]] = {}
    for r in replans:
        replanned.setdefault(r.task_id, []).append(r.reason.strip())
    reached: Counter[str] = Counter()
    late: Counter[str] = Counter()
    titles: dict[str, str] = {}
    titles_ja: dict[str, str] = {}
    reasons: dict[str, Counter[str]] = {}
    for t in tasks:
        if t.project_id not in ended_on or t.status == "skipped":
            continue
        end = ended_on[t.project_id]
        if not since <= t.planned_due <= today or (end is not None and t.planned_due > end):
            continue
        reached[t.key] += 1
        titles[t.key] = min(t.title, titles.get(t.key, t.title))
        titles_ja[t.key] = min(t.title_ja, titles_ja.get(t.key, t.title_ja))
        its_reasons = replanned.get(t.id)
        if its_reasons is not None or missed(t, today=today):
            late[t.key] += 1
        reasons.setdefault(t.key, Counter()).update(r for r in its_reasons or () if r)
    return {
        key: KeyTotals(
            key,
            titles[key],
            count,
            late[key],
            tuple(sorted(reasons[key].items())),
            titles_ja[key],
        )
        for key, count in sorted(reached.items())
    }


def merge_keys(*parts: Mapping[str, KeyTotals]) -> dict[str, KeyTotals]:
    """Key totals of disjoint sets of tasks, added up."""
    merged: dict[str, KeyTotals] = {}
    for part in parts:
        for key, more in part.items():
            have = merged.get(key)
            if have is None:
                merged[key] = more
                continue
            reasons = Counter(dict(have.reasons))
            reasons.update(dict(more.reasons))
            merged[key] = KeyTotals(
                key,
                min(have.title, more.title),
                have.reached + more.reached,
                have.late + more.late,
                tuple(sorted(reasons.items())),
                min(have.title_ja, more.title_ja),
            )
    return dict(sorted(merged.items()))


def missed(task: TaskFacts, *, today: date) -> bool:
    """Late on its original plan, re-plans aside: still open after its planned due date, or
    completed after it."""
    if task.status == "open":
        return task.planned_due < today
    return task.completed_on is not None and task.completed_on > task.planned_due
