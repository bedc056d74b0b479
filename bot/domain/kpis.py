"""Project health, the portfolio, the weekly summary, onboarding KPIs and schedule bottlenecks.

Pure: plain facts in, numbers out. Nothing here reads the clock or the database; ``today``
and the reporting window are passed in, and business-day counts (``days_overdue``) arrive
already computed with each project's calendar.

Windows are half-open, ``[start, end)``: a day belongs to the window when
``start <= day < end``, so consecutive weeks or months never count a day twice.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from bot.domain.answers import NPS_DETRACTOR, NPS_PROMOTER
from bot.domain.kpi_facts import (
    ENDED_STATUSES,
    EscalationFacts,
    KeyTotals,
    Progress,
    ProjectFacts,
    ReplanFacts,
    RiskFacts,
    SurveyFacts,
    TaskFacts,
    TaskTotals,
    summarize,
)

__all__ = [  # the facts are defined in kpi_facts and used from here
    "EscalationFacts",
    "KeyTotals",
    "ProjectFacts",
    "ReplanFacts",
    "RiskFacts",
    "SurveyFacts",
    "TaskFacts",
    "TaskTotals",
    "summarize",
]

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
    title_ja: str = ""
    # Fewer than MIN_REACHED customers reached it: the share says little about the schedule.
    small_sample: bool = False


_NO_TASKS = Progress(0, 0, None)


class _Tally:
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


def _tallies(totals: TaskTotals) -> defaultdict[int, _Tally]:
    tallies: defaultdict[int, _Tally] = defaultdict(_Tally)
    for project_id, progress in totals.progress.items():
        tallies[project_id] = _Tally(progress)
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
    tally = _Tally()
    for task in tasks_of_project:
        tally.add(task)
    return _assess(project, tally, risks_of_project, today=today)


def _assess(
    project: ProjectFacts, tally: _Tally, risks_of_project: Iterable[RiskFacts], *, today: date
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
    tallies, risks_by = _tallies(totals), _by_project(risks)
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
        verdict = _assess(project, tally, risks_by[project.id], today=today)
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


def week_summary(
    projects: Iterable[ProjectFacts],
    totals: TaskTotals,
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
        tasks_completed=sum(
            c.done for day, c in totals.completions.items() if _in(day, start, end)
        ),
        projects_started=sum(_in(p.created_on, start, end) for p in projects),
        projects_completed=ended[COMPLETED],
        projects_cancelled=ended[CANCELLED],
        escalations_sent=sum(_in(e.on, start, end) for e in escalations),
        undelivered_reminders=undelivered,
    )


def kpis(
    projects: Iterable[ProjectFacts],
    totals: TaskTotals,
    surveys: Iterable[SurveyFacts],
    *,
    start: date,
    end: date,
    today: date,
    late_today: int | None = None,
) -> Kpis:
    """Onboarding KPIs for the window ``[start, end)``; a rate with nothing to divide is None.

    ``late_today``: the running projects that are ``late`` today when the caller has already
    assessed them (the digest passes its portfolio's count); worked out here otherwise.

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
    projects, surveys = list(projects), list(surveys)
    kickoff = {p.id: p.kickoff for p in projects}

    ended = [p for p in projects if p.status in ENDED_STATUSES and _in(p.completed_on, start, end)]
    completed = [p for p in ended if p.status == COMPLETED]
    cancelled = len(ended) - len(completed)
    durations = [(p.completed_on - p.kickoff).days for p in completed if p.completed_on]

    in_window = [c for day, c in totals.completions.items() if _in(day, start, end)]
    done, on_time = sum(c.done for c in in_window), sum(c.on_time for c in in_window)

    running = [p for p in projects if p.running]
    if late_today is None:
        tallies = _tallies(totals)
        late_today = sum(_assess(p, tallies[p.id], (), today=today).state == LATE for p in running)
    late = late_today

    to_value = [
        (day - kickoff[pid]).days
        for pid, day in totals.first_value.items()
        if pid in kickoff and _in(day, start, end)
    ]

    answered = [s for s in surveys if _in(s.on, start, end)]
    csat = [s.csat for s in answered if s.csat is not None]
    scores = [s.nps for s in answered if s.nps is not None]
    promoters = sum(score >= NPS_PROMOTER for score in scores)
    detractors = sum(score <= NPS_DETRACTOR for score in scores)

    return Kpis(
        start=start,
        end=end,
        projects_completed=len(completed),
        projects_cancelled=cancelled,
        completion_rate=_rate(len(completed), len(ended)),
        churn_rate=_rate(cancelled, len(ended)),
        days_to_complete_median=_median(durations),
        days_to_complete_p80=percentile_nearest_rank(durations, 80),
        tasks_completed=done,
        tasks_on_time=on_time,
        on_time_task_rate=_rate(on_time, done),
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


MIN_REACHED = 5  # customers who reached a task before its late share can flag the schedule


def bottlenecks(
    totals: TaskTotals, *, threshold: float | Fraction = 0.30, min_reached: int = MIN_REACHED
) -> list[Bottleneck]:
    """Playbook tasks whose schedule customers keep missing (review at ≥ 30 % by default).

    The rule, applied when the totals are made (`kpi_facts.key_totals`, and the same SQL in
    `bot.services.task_totals`): per playbook task key, a task *reached* its schedule when
    its ``planned_due`` lies in ``[today - days, today]`` (90 days by default) and it was not
    skipped (for an ended project, only if ``planned_due`` is on or before the day it ended;
    tasks of projects not in the facts are left out). A reached task is *late* when it was
    completed after ``planned_due``, is still open after ``planned_due``, or was re-planned
    at least once. From those totals:

    - share = late ÷ reached.
    - top_reason: the most common reason among the re-plans of the reached tasks (ties:
      alphabetical; blank reasons ignored), None when there is none.
    - review: share ≥ threshold, compared as exact fractions (``threshold`` is read as the
      decimal it is written as, so 3 of 10 fires at 0.30 and 29 of 100 does not), and at
      least ``min_reached`` customers reached the task: one late customer out of one says
      nothing about the schedule. Below that the task is marked ``small_sample``.

    Only keys with at least one late task are returned: most late first, then highest
    share, then key.
    """
    bar = threshold if isinstance(threshold, Fraction) else Fraction(str(threshold))
    found = [
        _bottleneck(k, bar, min_reached)
        for k in totals.keys.values()
        if k.late > 0 and k.reached > 0
    ]
    found.sort(key=lambda b: (-b.late, -Fraction(b.late, b.reached), b.key))
    return found


def _bottleneck(totals: KeyTotals, bar: Fraction, min_reached: int) -> Bottleneck:
    reasons = [(reason, count) for reason, count in totals.reasons if reason and count]
    top = min(reasons, key=lambda rc: (-rc[1], rc[0]))[0] if reasons else None
    small = totals.reached < min_reached
    return Bottleneck(
        key=totals.key,
        title=totals.title,
        reached=totals.reached,
        late=totals.late,
        share=totals.late / totals.reached,
        top_reason=top,
        review=not small and Fraction(totals.late, totals.reached) >= bar,
        title_ja=totals.title_ja,
        small_sample=small,
    )


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


def _busy_overlaps(risk: RiskFacts, first: date, last: date) -> bool:
    if risk.kind != "busy_period" or risk.period_start is None or risk.period_end is None:
        return False
    return risk.period_start <= last and first <= risk.period_end


def _by_project(items: Iterable[RiskFacts]) -> defaultdict[int, list[RiskFacts]]:
    grouped: defaultdict[int, list[RiskFacts]] = defaultdict(list)
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
