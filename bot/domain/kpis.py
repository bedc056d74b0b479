"""The weekly summary, onboarding KPIs and schedule bottlenecks; a project's health and the
portfolio are in `bot.domain.health` and imported from here.

Pure: plain facts in, numbers out. Nothing here reads the clock or the database; ``today``
and the reporting window are passed in, and business-day counts (``days_overdue``) arrive
already computed with each project's calendar.

Windows are half-open, ``[start, end)``: a day belongs to the window when
``start <= day < end``, so consecutive weeks or months never count a day twice.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from bot.domain.answers import NPS_DETRACTOR, NPS_PROMOTER
from bot.domain.health import (
    AT_RISK,
    CANCELLED,
    COMPLETED,
    DELETED,
    LATE,
    ON_TRACK,
    PAUSED,
    REASON_BUSY_PERIOD,
    REASON_GO_LIVE,
    REASON_OVERDUE,
    RUNNING_STATES,
    STATES,
    Assessment,
    Portfolio,
    PortfolioLine,
    assess,
    assess_tally,
    portfolio,
    project_state,
    tally_projects,
)
from bot.domain.kpi_facts import (
    ENDED_STATUSES,
    EscalationFacts,
    KeyTotals,
    ProjectFacts,
    ReplanFacts,
    RiskFacts,
    SurveyFacts,
    TaskFacts,
    TaskTotals,
    summarize,
)

__all__ = [  # the facts (kpi_facts) and the health (health) are defined there, used from here
    "AT_RISK",
    "CANCELLED",
    "COMPLETED",
    "DELETED",
    "LATE",
    "ON_TRACK",
    "PAUSED",
    "REASON_BUSY_PERIOD",
    "REASON_GO_LIVE",
    "REASON_OVERDUE",
    "RUNNING_STATES",
    "STATES",
    "Assessment",
    "EscalationFacts",
    "KeyTotals",
    "Portfolio",
    "PortfolioLine",
    "ProjectFacts",
    "ReplanFacts",
    "RiskFacts",
    "SurveyFacts",
    "TaskFacts",
    "TaskTotals",
    "assess",
    "portfolio",
    "project_state",
    "summarize",
]


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
    projects = list(projects)
    in_window = [c for day, c in totals.completions.items() if _in(day, start, end)]
    done, on_time = sum(c.done for c in in_window), sum(c.on_time for c in in_window)

    running = [p for p in projects if p.running]
    if late_today is None:
        tallies = tally_projects(totals)
        late_today = sum(
            assess_tally(p, tallies[p.id], (), today=today).state == LATE for p in running
        )
    to_value = _days_to_first_value(projects, totals, start=start, end=end)
    return Kpis(
        start=start,
        end=end,
        **_ended_kpis(projects, start=start, end=end),
        tasks_completed=done,
        tasks_on_time=on_time,
        on_time_task_rate=_rate(on_time, done),
        projects_running=len(running),
        projects_late=late_today,
        late_share=_rate(late_today, len(running)),
        first_value_reached=len(to_value),
        time_to_first_value_median=_median(to_value),
        **_survey_kpis([s for s in surveys if _in(s.on, start, end)]),
    )


def _days_to_first_value(
    projects: list[ProjectFacts], totals: TaskTotals, *, start: date, end: date
) -> list[int]:
    """Calendar days from kickoff to first value, for projects that reached it in the window."""
    kickoff = {p.id: p.kickoff for p in projects}
    return [
        (day - kickoff[pid]).days
        for pid, day in totals.first_value.items()
        if pid in kickoff and _in(day, start, end)
    ]


def _ended_kpis(projects: list[ProjectFacts], *, start: date, end: date) -> dict[str, Any]:
    """The `Kpis` fields from the projects that ended in the window."""
    ended = [p for p in projects if p.status in ENDED_STATUSES and _in(p.completed_on, start, end)]
    completed = [p for p in ended if p.status == COMPLETED]
    cancelled = len(ended) - len(completed)
    durations = [(p.completed_on - p.kickoff).days for p in completed if p.completed_on]
    return {
        "projects_completed": len(completed),
        "projects_cancelled": cancelled,
        "completion_rate": _rate(len(completed), len(ended)),
        "churn_rate": _rate(cancelled, len(ended)),
        "days_to_complete_median": _median(durations),
        "days_to_complete_p80": percentile_nearest_rank(durations, 80),
    }


def _survey_kpis(answered: list[SurveyFacts]) -> dict[str, Any]:
    """The `Kpis` fields from the survey answers given in the window."""
    csat = [s.csat for s in answered if s.csat is not None]
    scores = [s.nps for s in answered if s.nps is not None]
    promoters = sum(score >= NPS_PROMOTER for score in scores)
    detractors = sum(score <= NPS_DETRACTOR for score in scores)
    return {
        "csat_count": len(csat),
        "csat_average": _round_half_up(Fraction(sum(csat), len(csat)), 2) if csat else None,
        "nps_count": len(scores),
        "promoters": promoters,
        "passives": len(scores) - promoters - detractors,
        "detractors": detractors,
        "nps": _round_half_up(Fraction(100 * (promoters - detractors), len(scores)), 1)
        if scores
        else None,
    }


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
