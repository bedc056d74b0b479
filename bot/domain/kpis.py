"""Project health, the portfolio, the weekly summary, onboarding KPIs and schedule bottlenecks.

Pure: plain facts in, numbers out. Nothing here reads the clock or the database; ``today``
and the reporting window are passed in, and business-day counts (``days_overdue``,
``days_late``) arrive already computed with each project's calendar.

Windows are half-open, ``[start, end)``: a day belongs to the window when
``start <= day < end``, so consecutive weeks or months never count a day twice.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import TypeVar

ON_TRACK = "on_track"
AT_RISK = "at_risk"
LATE = "late"
PAUSED = "paused"
COMPLETED = "completed"
CANCELLED = "cancelled"

RUNNING = ("active", "paused")  # project statuses that count as "running"
ENDED = (COMPLETED, CANCELLED)

REASON_OVERDUE = "overdue"
REASON_BUSY_PERIOD = "busy_period"
REASON_GO_LIVE = "go_live"


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    id: int
    customer_name: str
    csm_user_id: str | None
    status: str  # active | paused | completed | cancelled
    kickoff: date
    created_on: date
    completed_on: date | None  # the day it was completed or cancelled
    committed_go_live: date | None
    target_go_live: date | None
    decision_maker_after_days: int  # business days overdue at which a task counts as "late"


@dataclass(frozen=True, slots=True)
class TaskFacts:
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
    days_late: int  # business days the completion came after planned_due; 0 if on time or open


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


_Row = TypeVar("_Row", "TaskFacts", "RiskFacts")


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


@dataclass(frozen=True, slots=True)
class Portfolio:
    on_track: int
    at_risk: int
    late: int
    paused: int
    lines: tuple[PortfolioLine, ...]  # late first, then at risk; most overdue first

    @property
    def running(self) -> int:
        return self.on_track + self.at_risk + self.late + self.paused


@dataclass(frozen=True, slots=True)
class WeekSummary:
    start: date
    end: date  # exclusive
    tasks_completed: int
    projects_started: int
    projects_completed: int
    projects_cancelled: int
    escalations_sent: int
    undelivered_reminders: int


@dataclass(frozen=True, slots=True)
class Kpis:
    start: date
    end: date  # exclusive
    projects_completed: int
    projects_cancelled: int
    completion_rate: float | None
    churn_rate: float | None
    days_to_complete_median: float | None
    days_to_complete_p80: float | None
    tasks_completed: int
    tasks_on_time: int
    on_time_task_rate: float | None
    projects_running: int
    projects_late: int
    late_share: float | None
    first_value_reached: int
    time_to_first_value_median: float | None
    csat_count: int
    csat_average: float | None
    nps_count: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None


@dataclass(frozen=True, slots=True)
class Bottleneck:
    """A playbook task that customers keep missing."""

    key: str
    title: str  # the title of one of the reached tasks, for display
    reached: int
    late: int
    share: float  # late / reached, for display; `review` is decided on the exact fraction
    top_reason: str | None
    review: bool


def assess(
    project: ProjectFacts,
    tasks_of_project: Iterable[TaskFacts],
    risks_of_project: Iterable[RiskFacts],
    *,
    today: date,
) -> Assessment:
    """Assess one project; see `project_state` for the rules."""
    tasks = list(tasks_of_project)
    open_tasks = [t for t in tasks if t.status == "open"]
    projected_end = max([today, *(t.due for t in open_tasks)])
    if project.status in (PAUSED, *ENDED):
        return Assessment(project.status, (), projected_end)

    overdue = [t.days_overdue for t in open_tasks if t.required and t.days_overdue >= 1]
    if overdue and max(overdue) >= project.decision_maker_after_days:
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
    tasks: Iterable[TaskFacts],
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
    tasks_by, risks_by = _by_project(tasks), _by_project(risks)
    last_escalation: dict[int, date] = {}
    for e in escalations:
        last_escalation[e.project_id] = max(e.on, last_escalation.get(e.project_id, e.on))

    counts: Counter[str] = Counter()
    lines: list[PortfolioLine] = []
    for project in projects:
        if project.status not in RUNNING:
            continue
        its_tasks = tasks_by[project.id]
        verdict = assess(project, its_tasks, risks_by[project.id], today=today)
        counts[verdict.state] += 1
        if verdict.state not in (AT_RISK, LATE):
            continue
        worst = _most_overdue(its_tasks)
        lines.append(
            PortfolioLine(
                project_id=project.id,
                customer_name=project.customer_name,
                csm_user_id=project.csm_user_id,
                state=verdict.state,
                reasons=verdict.reasons,
                done=sum(t.status == "done" for t in its_tasks),
                total=sum(t.status != "skipped" for t in its_tasks),
                worst_task_title=worst.title if worst else None,
                worst_days_overdue=worst.days_overdue if worst else 0,
                last_escalation_on=last_escalation.get(project.id),
            )
        )
    lines.sort(key=lambda line: (line.state != LATE, -line.worst_days_overdue, line.customer_name))
    return Portfolio(
        on_track=counts[ON_TRACK],
        at_risk=counts[AT_RISK],
        late=counts[LATE],
        paused=counts[PAUSED],
        lines=tuple(lines),
    )


def week_summary(
    projects: Iterable[ProjectFacts],
    tasks: Iterable[TaskFacts],
    escalations: Iterable[EscalationFacts],
    undelivered: int,
    *,
    start: date,
    end: date,
) -> WeekSummary:
    """What happened in ``[start, end)``.

    Counts tasks done (``completed_on`` in the window), projects started (``created_on`` in
    the window), projects completed and cancelled (``completed_on`` in the window),
    escalations sent (``on`` in the window); ``undelivered`` reminders are passed through.
    """
    _check_window(start, end)
    projects = list(projects)
    ended = Counter(p.status for p in projects if _in(p.completed_on, start, end))
    return WeekSummary(
        start=start,
        end=end,
        tasks_completed=sum(t.status == "done" and _in(t.completed_on, start, end) for t in tasks),
        projects_started=sum(_in(p.created_on, start, end) for p in projects),
        projects_completed=ended[COMPLETED],
        projects_cancelled=ended[CANCELLED],
        escalations_sent=sum(_in(e.on, start, end) for e in escalations),
        undelivered_reminders=undelivered,
    )


def kpis(
    projects: Iterable[ProjectFacts],
    tasks: Iterable[TaskFacts],
    surveys: Iterable[SurveyFacts],
    *,
    start: date,
    end: date,
    today: date,
) -> Kpis:
    """Onboarding KPIs for the window ``[start, end)``; a rate with nothing to divide is None.

    - completion_rate: completed ÷ (completed + cancelled), over projects that ended
      (``completed_on``) in the window.
    - churn_rate (churn during onboarding): cancelled ÷ (completed + cancelled), same projects.
    - days_to_complete_median / _p80: calendar days from kickoff to ``completed_on`` of the
      projects completed in the window; median as in `statistics.median` (mean of the two
      middle values for an even count), p80 by nearest rank (`percentile_nearest_rank`).
    - on_time_task_rate: tasks done in the window with ``completed_on`` ≤ ``planned_due`` ÷
      tasks done in the window.
    - late_share: projects ``late`` today ÷ running (active + paused) projects today; paused
      projects count in the denominator but are never late.
    - time_to_first_value_median: calendar days from kickoff to the first completion of a
      first-value task, over projects whose first value was reached in the window.
    - csat_average: mean of the CSAT answers (1–5) given in the window, rounded to 2 decimals.
    - nps: % promoters (9–10) − % detractors (0–6) among the NPS answers given in the window,
      rounded to 1 decimal (halves away from zero); passives (7–8) count only in the total.
    """
    _check_window(start, end)
    projects, tasks, surveys = list(projects), list(tasks), list(surveys)
    kickoff = {p.id: p.kickoff for p in projects}

    ended = [p for p in projects if p.status in ENDED and _in(p.completed_on, start, end)]
    completed = [p for p in ended if p.status == COMPLETED]
    cancelled = len(ended) - len(completed)
    durations = [(p.completed_on - p.kickoff).days for p in completed if p.completed_on]

    done = [t for t in tasks if t.status == "done" and _in(t.completed_on, start, end)]
    on_time = sum(t.completed_on is not None and t.completed_on <= t.planned_due for t in done)

    running = [p for p in projects if p.status in RUNNING]
    tasks_by = _by_project(tasks)
    late = sum(project_state(p, tasks_by[p.id], (), today=today) == LATE for p in running)

    first_value: dict[int, date] = {}
    for t in tasks:
        if t.first_value and t.status == "done" and t.completed_on and t.project_id in kickoff:
            first_value[t.project_id] = min(t.completed_on, first_value.get(t.project_id, date.max))
    to_value = [(d - kickoff[pid]).days for pid, d in first_value.items() if _in(d, start, end)]

    answered = [s for s in surveys if _in(s.on, start, end)]
    csat = [s.csat for s in answered if s.csat is not None]
    scores = [s.nps for s in answered if s.nps is not None]
    promoters = sum(score >= 9 for score in scores)
    detractors = sum(score <= 6 for score in scores)

    return Kpis(
        start=start,
        end=end,
        projects_completed=len(completed),
        projects_cancelled=cancelled,
        completion_rate=_rate(len(completed), len(ended)),
        churn_rate=_rate(cancelled, len(ended)),
        days_to_complete_median=_median(durations),
        days_to_complete_p80=percentile_nearest_rank(durations, 80),
        tasks_completed=len(done),
        tasks_on_time=on_time,
        on_time_task_rate=_rate(on_time, len(done)),
        projects_running=len(running),
        projects_late=late,
        late_share=_rate(late, len(running)),
        first_value_reached=len(to_value),
        time_to_first_value_median=_median(to_value),
        csat_count=len(csat),
        csat_average=_round_half_up(Fraction(sum(csat), len(csat)), 2) if csat else None,
        nps_count=len(scores),
        promoters=promoters,
        passives=len(scores) - promoters - detractors,
        detractors=detractors,
        nps=_round_half_up(Fraction(100 * (promoters - detractors), len(scores)), 1)
        if scores
        else None,
    )


def bottlenecks(
    projects: Iterable[ProjectFacts],
    tasks: Iterable[TaskFacts],
    replans: Iterable[ReplanFacts],
    *,
    today: date,
    days: int = 90,
    threshold: float | Fraction = 0.30,
) -> list[Bottleneck]:
    """Playbook tasks whose schedule customers keep missing (review at ≥ 30 % by default).

    Per playbook task key, a task *reached* its schedule when its ``planned_due`` lies in
    ``[today - days, today]`` and it was not skipped (for an ended project, only if
    ``planned_due`` is on or before the day it ended; tasks of projects not given are left
    out). A reached task is *late* when it was completed after ``planned_due``, is still open
    after ``planned_due``, or was re-planned at least once.

    - share = late ÷ reached.
    - top_reason: the most common reason among the re-plans of the reached tasks (ties:
      alphabetical; blank reasons ignored), None when there is none.
    - review: share ≥ threshold, compared as exact fractions (``threshold`` is read as the
      decimal it is written as, so 3 of 10 fires at 0.30 and 29 of 100 does not).

    Only keys with at least one late task are returned: most late first, then highest
    share, then key.
    """
    if days < 0:
        raise ValueError(f"days must not be negative: {days}")
    bar = threshold if isinstance(threshold, Fraction) else Fraction(str(threshold))
    ended_on = {p.id: p.completed_on if p.status in ENDED else None for p in projects}
    since = today - timedelta(days=days)
    replanned: dict[int, list[str]] = defaultdict(list)
    for r in replans:
        replanned[r.task_id].append(r.reason.strip())

    reached: dict[str, list[TaskFacts]] = defaultdict(list)
    for t in tasks:
        if t.project_id not in ended_on or t.status == "skipped":
            continue
        if not since <= t.planned_due <= today:
            continue
        end = ended_on[t.project_id]
        if end is not None and t.planned_due > end:
            continue
        reached[t.key].append(t)

    found: list[Bottleneck] = []
    for key, group in reached.items():
        late = sum(_missed(t, today=today, replanned=t.id in replanned) for t in group)
        if late == 0:
            continue
        reasons = Counter(reason for t in group for reason in replanned.get(t.id, ()) if reason)
        top = min(reasons, key=lambda r: (-reasons[r], r)) if reasons else None
        found.append(
            Bottleneck(
                key=key,
                title=group[0].title,
                reached=len(group),
                late=late,
                share=late / len(group),
                top_reason=top,
                review=Fraction(late, len(group)) >= bar,
            )
        )
    found.sort(key=lambda b: (-b.late, -Fraction(b.late, b.reached), b.key))
    return found


def percentile_nearest_rank(values: Iterable[float], p: float) -> float | None:
    """The p-th percentile (0 < p ≤ 100) by the nearest-rank method, None for no values.

    It is the value at rank ``ceil(p / 100 · n)`` (1-based) of the values sorted ascending:
    always one of the values, never an interpolation. For p = 80 and 10 values, rank 8.
    """
    if not 0 < p <= 100:
        raise ValueError(f"percentile must be in (0, 100]: {p}")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = math.ceil(Fraction(str(p)) * len(ordered) / 100)
    return float(ordered[rank - 1])


def _missed(task: TaskFacts, *, today: date, replanned: bool) -> bool:
    if replanned:
        return True
    if task.status == "open":
        return task.planned_due < today
    return task.completed_on is not None and task.completed_on > task.planned_due


def _busy_overlaps(risk: RiskFacts, first: date, last: date) -> bool:
    if risk.kind != "busy_period" or risk.period_start is None or risk.period_end is None:
        return False
    return risk.period_start <= last and first <= risk.period_end


def _most_overdue(tasks: Sequence[TaskFacts]) -> TaskFacts | None:
    overdue = [t for t in tasks if t.status == "open" and t.days_overdue >= 1]
    if not overdue:
        return None
    return min(overdue, key=lambda t: (-t.days_overdue, not t.required, t.due, t.id))


def _by_project(items: Iterable[_Row]) -> defaultdict[int, list[_Row]]:
    grouped: defaultdict[int, list[_Row]] = defaultdict(list)
    for item in items:
        grouped[item.project_id].append(item)
    return grouped


def _in(day: date | None, start: date, end: date) -> bool:
    return day is not None and start <= day < end


def _check_window(start: date, end: date) -> None:
    if end < start:
        raise ValueError(f"window ends before it starts: {start} > {end}")


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _median(values: Sequence[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _round_half_up(value: Fraction, digits: int) -> float:
    """Round to ``digits`` decimals, halves away from zero (``round`` would go to even)."""
    scaled = value * 10**digits
    magnitude = math.floor(abs(scaled) + Fraction(1, 2))
    return (magnitude if scaled >= 0 else -magnitude) / 10**digits
