"""A project's health today, and the portfolio of running projects by health. Pure.

Plain facts in, states out: nothing here reads the clock or the database; ``today`` is
passed in, and business-day counts (``days_overdue``) arrive already computed with each
project's calendar. `bot.domain.kpis` is where the rest of the bot imports these from.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.domain.kpi_facts import (
    ENDED_STATUSES,
    EscalationFacts,
    Progress,
    ProjectFacts,
    RiskFacts,
    TaskFacts,
    TaskTotals,
)

# A project's state. The last four are its status, as the caller passes it in
# `ProjectFacts.status` (tests/storage/test_statuses.py pins them to `storage.models`); whether
# a status is running is the caller's to say (`ProjectFacts.running`).
ON_TRACK = "on_track"
AT_RISK = "at_risk"
LATE = "late"
PAUSED = "paused"
COMPLETED = "completed"
CANCELLED = "cancelled"
DELETED = "deleted"
RUNNING_STATES = (ON_TRACK, AT_RISK, LATE, PAUSED)  # the portfolio's columns, in this order
STATES = (*RUNNING_STATES, COMPLETED, CANCELLED)  # every state a project's health can have


REASON_OVERDUE = "overdue"
REASON_BUSY_PERIOD = "busy_period"
REASON_GO_LIVE = "go_live"


@dataclass(frozen=True, slots=True)
class Assessment:
    """A project's state, why it is in that state, and when its open work is due to end."""

    state: str
    reasons: tuple[str, ...]  # for at_risk and late: overdue, busy_period, go_live
    projected_end: date


@dataclass(frozen=True, slots=True)
class PortfolioLine:
    """One at-risk or late project in the portfolio."""

    project_id: int
    customer_name: str
    csm_user_id: str | None
    state: str
    reasons: tuple[str, ...]
    done: int
    total: int  # tasks that are not skipped
    worst_task_title: str | None  # the most overdue open task; None when nothing is overdue
    worst_days_overdue: int  # 0 when nothing is overdue
    last_escalation_on: date | None
    worst_task_title_ja: str | None = None  # the same task's Japanese title


@dataclass(frozen=True, slots=True)
class Portfolio:
    on_track: int
    at_risk: int
    late: int
    paused: int
    lines: tuple[PortfolioLine, ...]  # late first, then at risk; most overdue first
    deleted: int = 0  # forgotten with `onboardbot project delete`: never running

    @property
    def running(self) -> int:
        return self.on_track + self.at_risk + self.late + self.paused


_NO_TASKS = Progress(0, 0, None)


class Tally:
    """What the state rules need from one project's tasks."""

    __slots__ = ("counted", "done", "last_open_due", "required_overdue", "worst")

    def __init__(self, progress: Progress = _NO_TASKS) -> None:
        self.done, self.counted, self.last_open_due = progress
        self.required_overdue = 0  # the most business days an open required task is overdue
        self.worst: TaskFacts | None = None  # the most overdue open task

    def add(self, task: TaskFacts) -> None:
        status = task.status
        if status == "skipped":
            return
        self.counted += 1
        if status == "done":
            self.done += 1
        elif status == "open":
            if self.last_open_due is None or task.due > self.last_open_due:
                self.last_open_due = task.due
            self.add_overdue(task)

    def add_overdue(self, task: TaskFacts) -> None:
        days = task.days_overdue
        if task.status != "open" or days < 1:
            return
        if task.required and days > self.required_overdue:
            self.required_overdue = days
        if self.worst is None or _urgency(task) < _urgency(self.worst):
            self.worst = task


def _urgency(task: TaskFacts) -> tuple[int, bool, date, int]:
    """Most overdue first; ties: required first, then earliest due, then id."""
    return (-task.days_overdue, not task.required, task.due, task.id)


def tally_projects(totals: TaskTotals) -> defaultdict[int, Tally]:
    tallies: defaultdict[int, Tally] = defaultdict(Tally)
    for project_id, progress in totals.progress.items():
        tallies[project_id] = Tally(progress)
    for task in totals.overdue:
        tallies[task.project_id].add_overdue(task)
    return tallies


def assess(
    project: ProjectFacts,
    tasks_of_project: Iterable[TaskFacts],
    risks_of_project: Iterable[RiskFacts],
    *,
    today: date,
) -> Assessment:
    """Assess one project; see `project_state` for the rules."""
    tally = Tally()
    for task in tasks_of_project:
        tally.add(task)
    return assess_tally(project, tally, risks_of_project, today=today)


def assess_tally(
    project: ProjectFacts, tally: Tally, risks_of_project: Iterable[RiskFacts], *, today: date
) -> Assessment:
    last = tally.last_open_due
    projected_end = last if last is not None and last > today else today
    if project.status in (PAUSED, *ENDED_STATUSES):
        return Assessment(project.status, (), projected_end)

    overdue = tally.required_overdue
    if overdue and overdue >= project.decision_maker_after_days:
        return Assessment(LATE, (REASON_OVERDUE,), projected_end)

    reasons: list[str] = []
    if overdue:
        reasons.append(REASON_OVERDUE)
    if any(_busy_overlaps(r, today, projected_end) for r in risks_of_project):
        reasons.append(REASON_BUSY_PERIOD)
    go_live = project.committed_go_live or project.target_go_live
    if go_live is not None and projected_end > go_live:
        reasons.append(REASON_GO_LIVE)
    return Assessment(AT_RISK if reasons else ON_TRACK, tuple(reasons), projected_end)


def project_state(
    project: ProjectFacts,
    tasks_of_project: Iterable[TaskFacts],
    risks_of_project: Iterable[RiskFacts],
    *,
    today: date,
) -> str:
    """The state of one project today, checked in this order:

    - ``completed`` / ``cancelled`` / ``paused``: the project's status says so.
    - ``late``: an open required task is overdue (``days_overdue`` ≥ 1) by at least the
      project's ``decision_maker_after_days`` business days.
    - ``at_risk``: any of
      (1) an open required task is overdue (``days_overdue`` ≥ 1);
      (2) an open ``busy_period`` risk overlaps ``[today, projected_end]`` (all ends
      inclusive; a busy period without both dates is ignored);
      (3) ``projected_end`` is after the committed go-live date, or after the target
      go-live date when nothing is committed.
    - ``on_track`` otherwise.

    ``projected_end`` is the latest current due date of the open tasks (done and skipped
    tasks do not count), and never earlier than today: open work cannot finish in the past.
    """
    return assess(project, tasks_of_project, risks_of_project, today=today).state


def portfolio(
    projects: Iterable[ProjectFacts],
    totals: TaskTotals,
    risks: Iterable[RiskFacts],
    *,
    today: date,
    escalations: Iterable[EscalationFacts] = (),
) -> Portfolio:
    """Count running (active and paused) projects by state, with a line per at-risk or late one.

    A line gives the customer, the CSM, progress as done tasks out of all tasks that are not
    skipped, the most overdue open task (ties: required first, then earliest due) and the
    date of the project's last escalation.
    """
    tallies, risks_by = tally_projects(totals), _by_project(risks)
    last_escalation: dict[int, date] = {}
    for e in escalations:
        last_escalation[e.project_id] = max(e.on, last_escalation.get(e.project_id, e.on))

    counts: Counter[str] = Counter()
    lines: list[PortfolioLine] = []
    for project in projects:
        if project.status == DELETED:
            counts[DELETED] += 1
        if not project.running:
            continue
        tally = tallies[project.id]
        verdict = assess_tally(project, tally, risks_by[project.id], today=today)
        counts[verdict.state] += 1
        if verdict.state not in (AT_RISK, LATE):
            continue
        worst = tally.worst
        lines.append(
            PortfolioLine(
                project_id=project.id,
                customer_name=project.customer_name,
                csm_user_id=project.csm_user_id,
                state=verdict.state,
                reasons=verdict.reasons,
                done=tally.done,
                total=tally.counted,
                worst_task_title=worst.title if worst else None,
                worst_days_overdue=worst.days_overdue if worst else 0,
                last_escalation_on=last_escalation.get(project.id),
                worst_task_title_ja=worst.title_ja if worst else None,
            )
        )
    lines.sort(key=lambda line: (line.state != LATE, -line.worst_days_overdue, line.customer_name))
    return Portfolio(
        on_track=counts[ON_TRACK],
        at_risk=counts[AT_RISK],
        late=counts[LATE],
        paused=counts[PAUSED],
        lines=tuple(lines),
        deleted=counts[DELETED],
    )


def _busy_overlaps(risk: RiskFacts, first: date, last: date) -> bool:
    if risk.kind != "busy_period" or risk.period_start is None or risk.period_end is None:
        return False
    return risk.period_start <= last and first <= risk.period_end


def _by_project(items: Iterable[RiskFacts]) -> defaultdict[int, list[RiskFacts]]:
    grouped: defaultdict[int, list[RiskFacts]] = defaultdict(list)
    for item in items:
        grouped[item.project_id].append(item)
    return grouped
