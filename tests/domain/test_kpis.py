"""KPIs, portfolio and bottlenecks on fixed data; every expected number is worked out by hand.

Today is Wed 2027-06-09. Business-day counts (``days_overdue``) are written into the
facts by hand, as the caller would compute them with the project's calendar.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction

import pytest

from bot.domain import kpis as rules
from bot.domain.kpi_facts import BOTTLENECK_DAYS, summarize
from bot.domain.kpis import (
    MIN_REACHED,
    Bottleneck,
    EscalationFacts,
    Kpis,
    Portfolio,
    PortfolioLine,
    ProjectFacts,
    ReplanFacts,
    RiskFacts,
    SurveyFacts,
    TaskFacts,
    WeekSummary,
    assess,
    percentile_nearest_rank,
    project_state,
)
from storage.models import RUNNING_STATUSES

TODAY = date(2027, 6, 9)  # a Wednesday
TITLES = {
    "kickoff": "Kickoff meeting",
    "setup": "Admin setup",
    "training": "Training",
    "import": "Data import",
}
TITLES_JA = {
    "kickoff": "キックオフ",
    "setup": "管理者設定",
    "training": "トレーニング",
    "import": "データ取り込み",
}


def d(month: int, day: int) -> date:
    return date(2027, month, day)


def project(pid: int, name: str, **changes) -> ProjectFacts:  # type: ignore[no-untyped-def]
    values = dict(
        id=pid,
        customer_name=name,
        csm_user_id="UCSM",
        status="active",
        kickoff=d(5, 3),
        created_on=d(4, 28),
        completed_on=None,
        committed_go_live=None,
        target_go_live=None,
        decision_maker_after_days=5,
    )
    values.update(changes)
    values.setdefault("running", values["status"] in RUNNING_STATUSES)
    return ProjectFacts(**values)  # type: ignore[arg-type]


def task(  # type: ignore[no-untyped-def]
    tid: int, pid: int, key: str, planned: date, status: str = "open", **changes
) -> TaskFacts:
    values = dict(
        id=tid,
        project_id=pid,
        key=key,
        title=TITLES.get(key, key),
        title_ja=TITLES_JA.get(key, key),
        required=True,
        first_value=key == "setup",
        status=status,
        planned_due=planned,
        due=planned,
        completed_on=None,
        days_overdue=0,
    )
    values.update(changes)
    return TaskFacts(**values)  # type: ignore[arg-type]


def busy(pid: int, start: date, end: date) -> RiskFacts:
    return RiskFacts(project_id=pid, kind="busy_period", period_start=start, period_end=end)


# The rules take the tasks summed up (as the database does for the digest); these wrappers
# sum the hand-written tasks up with `summarize` first.
def portfolio(projects, tasks, risks, *, today, escalations=()):  # type: ignore[no-untyped-def]
    totals = summarize(projects, tasks, today=today)
    return rules.portfolio(projects, totals, risks, today=today, escalations=escalations)


def week_summary(projects, tasks, escalations, undelivered, *, start, end):  # type: ignore[no-untyped-def]
    totals = summarize(projects, tasks, today=TODAY)
    return rules.week_summary(projects, totals, escalations, undelivered, start=start, end=end)


def kpis(projects, tasks, surveys, *, start, end, today):  # type: ignore[no-untyped-def]
    totals = summarize(projects, tasks, today=today)
    return rules.kpis(projects, totals, surveys, start=start, end=end, today=today)


def bottlenecks(projects, tasks, replans, *, today, days=BOTTLENECK_DAYS, **options):  # type: ignore[no-untyped-def]
    totals = summarize(projects, tasks, replans, today=today, days=days)
    return rules.bottlenecks(totals, **options)


# --- The fixed portfolio --------------------------------------------------------------------

PROJECTS = [
    # P1 on track: open work ends 06-18, before the committed go-live 07-30 (the earlier
    # target 06-01 is ignored because a date is committed); its busy period starts later.
    project(1, "Alpha", committed_go_live=d(7, 30), target_go_live=d(6, 1)),
    # P2 at risk: a required task 2 business days overdue (< 5).
    project(2, "Bravo", kickoff=d(5, 10), created_on=d(5, 6), committed_go_live=d(8, 31)),
    # P3 at risk: busy period 06-28..07-09 overlaps [06-09, 07-02].
    project(3, "Charlie", kickoff=d(5, 17), created_on=d(5, 12), committed_go_live=d(7, 30)),
    # P4 at risk: open work ends 07-09, after the target go-live 06-30 (nothing committed).
    project(4, "Delta", kickoff=d(6, 1), created_on=d(5, 31), target_go_live=d(6, 30)),
    # P5 late: a required task exactly 5 business days overdue (= decision_maker_after_days).
    project(5, "Echo", kickoff=d(4, 19), created_on=d(4, 15), committed_go_live=d(6, 30)),
    # P6 paused, even though a required task is 18 business days overdue.
    project(6, "Foxtrot", status="paused", kickoff=d(4, 12), created_on=d(4, 8)),
    # P7 completed 06-02, kicked off 04-05: 25 + 31 + 2 = 58 days.
    project(
        7, "Golf", status="completed", kickoff=d(4, 5), created_on=d(4, 1), completed_on=d(6, 2)
    ),
    # P8 cancelled 06-04.
    project(
        8, "Hotel", status="cancelled", kickoff=d(3, 1), created_on=d(2, 25), completed_on=d(6, 4)
    ),
    # P9 completed 06-07: exactly at the (exclusive) end of the windows below.
    project(
        9, "India", status="completed", kickoff=d(3, 15), created_on=d(3, 10), completed_on=d(6, 7)
    ),
    # P10 completed 05-01, kicked off 03-01: 31 + 30 = 61 days; exactly at a window start.
    project(
        10, "Juliet", status="completed", kickoff=d(3, 1), created_on=d(2, 20), completed_on=d(5, 1)
    ),
    # P11 on track: created 06-07, no tasks yet, no go-live date.
    project(11, "Kilo", kickoff=d(6, 14), created_on=d(6, 7)),
]

TASKS = [
    task(101, 1, "kickoff", d(5, 7), "done", completed_on=d(5, 7)),
    task(102, 1, "setup", d(5, 21), "done", completed_on=d(5, 24)),  # Fri → Mon
    task(103, 1, "training", d(6, 18)),
    task(104, 1, "import", d(6, 25), "skipped", required=False),
    task(201, 2, "kickoff", d(5, 14), "done", completed_on=d(5, 14)),
    task(202, 2, "setup", d(6, 4), due=d(6, 7), days_overdue=2),  # re-planned to Mon 06-07
    task(203, 2, "import", d(6, 1), required=False, days_overdue=6),  # Tue 06-01 → Wed 06-09
    task(301, 3, "kickoff", d(5, 21), "done", completed_on=d(5, 20)),  # early, but re-planned
    task(302, 3, "setup", d(6, 8), due=d(6, 11)),
    task(303, 3, "training", d(7, 2)),
    task(401, 4, "kickoff", d(6, 1), "done", completed_on=d(6, 3)),
    task(402, 4, "training", d(7, 9)),
    task(501, 5, "kickoff", d(4, 23), "done", completed_on=d(4, 23)),
    task(502, 5, "setup", d(6, 2), days_overdue=5),  # Wed 06-02 → Wed 06-09
    task(601, 6, "setup", d(5, 14), days_overdue=18),
    task(701, 7, "kickoff", d(4, 9), "done", completed_on=d(4, 9)),
    task(702, 7, "setup", d(5, 7), "done", completed_on=d(5, 12)),
    task(703, 7, "training", d(5, 28), "done", completed_on=d(6, 2)),
    task(801, 8, "kickoff", d(3, 5), "done", completed_on=d(3, 5)),
    task(802, 8, "setup", d(4, 2)),  # left open when the project was cancelled on 06-04
    task(803, 8, "training", d(6, 18)),
    task(901, 9, "kickoff", d(3, 19), "done", completed_on=d(3, 19)),
    task(902, 9, "setup", d(4, 16), "done", completed_on=d(4, 15)),
]

RISKS = [
    busy(1, d(8, 2), d(8, 13)),
    RiskFacts(project_id=1, kind="slip_reason", period_start=None, period_end=None),
    busy(3, d(6, 28), d(7, 9)),
    busy(5, d(6, 14), d(6, 18)),
]

REPLANS = [
    ReplanFacts(task_id=202, project_id=2, key="setup", on=d(6, 3), reason="customer_busy"),
    ReplanFacts(task_id=301, project_id=3, key="kickoff", on=d(5, 18), reason="customer_busy"),
    ReplanFacts(task_id=302, project_id=3, key="setup", on=d(6, 7), reason="waiting_it"),
    ReplanFacts(task_id=702, project_id=7, key="setup", on=d(5, 6), reason="waiting_it"),
]

ESCALATIONS = [
    EscalationFacts(project_id=2, on=d(5, 30), level="csm"),
    EscalationFacts(project_id=2, on=d(6, 3), level="csm"),
    EscalationFacts(project_id=2, on=d(6, 8), level="csm"),
    EscalationFacts(project_id=5, on=d(5, 31), level="csm"),
    EscalationFacts(project_id=5, on=d(6, 7), level="decision_maker"),
]

SURVEYS = [
    SurveyFacts(project_id=7, on=d(6, 2), csat=5, nps=10),
    SurveyFacts(project_id=10, on=d(5, 1), csat=4, nps=9),  # on the window start: in
    SurveyFacts(project_id=1, on=d(5, 20), csat=4, nps=8),
    SurveyFacts(project_id=8, on=d(6, 4), csat=2, nps=3),
    SurveyFacts(project_id=2, on=d(5, 25), csat=None, nps=10),
    SurveyFacts(project_id=3, on=d(5, 28), csat=3, nps=None),
    SurveyFacts(project_id=4, on=d(6, 1), csat=None, nps=7),
    SurveyFacts(project_id=9, on=d(6, 7), csat=1, nps=0),  # on the window end: out
    SurveyFacts(project_id=5, on=d(4, 30), csat=1, nps=0),  # before the window: out
]


def of(pid: int) -> tuple[ProjectFacts, list[TaskFacts], list[RiskFacts]]:
    facts = next(p for p in PROJECTS if p.id == pid)
    return (
        facts,
        [t for t in TASKS if t.project_id == pid],
        [r for r in RISKS if r.project_id == pid],
    )


# --- project_state ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pid", "state", "reasons", "projected_end"),
    [
        (1, "on_track", (), d(6, 18)),  # latest open due 06-18 (skipped 06-25 ignored)
        (2, "at_risk", ("overdue",), TODAY),  # open dues 06-07, 06-01 are past: today
        (3, "at_risk", ("busy_period",), d(7, 2)),
        (4, "at_risk", ("go_live",), d(7, 9)),
        (5, "late", ("overdue",), TODAY),
        (6, "paused", (), TODAY),
        (7, "completed", (), TODAY),  # no open tasks: today
        (8, "cancelled", (), d(6, 18)),
        (11, "on_track", (), TODAY),
    ],
)
def test_states_of_the_fixed_portfolio(
    pid: int, state: str, reasons: tuple[str, ...], projected_end: date
) -> None:
    facts, tasks, risks = of(pid)

    assert project_state(facts, tasks, risks, today=TODAY) == state
    assert assess(facts, tasks, risks, today=TODAY).reasons == reasons
    assert assess(facts, tasks, risks, today=TODAY).projected_end == projected_end


@pytest.mark.parametrize(("overdue", "state"), [(1, "at_risk"), (4, "at_risk"), (5, "late")])
def test_late_from_decision_maker_after_days(overdue: int, state: str) -> None:
    facts = project(1, "A")  # decision_maker_after_days=5
    tasks = [task(1, 1, "setup", d(6, 1), days_overdue=overdue)]

    assert project_state(facts, tasks, [], today=TODAY) == state


def test_optional_overdue_tasks_neither_late_nor_at_risk() -> None:
    facts = project(1, "A")
    tasks = [task(1, 1, "import", d(6, 1), required=False, days_overdue=6)]

    assert project_state(facts, tasks, [], today=TODAY) == "on_track"


def test_paused_wins_over_late() -> None:
    facts = project(1, "A", status="paused")
    tasks = [task(1, 1, "setup", d(5, 1), days_overdue=20)]

    assert project_state(facts, tasks, [], today=TODAY) == "paused"


@pytest.mark.parametrize(
    ("start", "end", "state"),
    [
        (d(6, 1), d(6, 8), "on_track"),  # ended yesterday
        (d(6, 1), d(6, 9), "at_risk"),  # ends today: both ends inclusive
        (d(6, 20), d(6, 30), "at_risk"),  # starts on projected_end 06-20
        (d(6, 21), d(6, 30), "on_track"),  # starts the day after projected_end
    ],
)
def test_busy_period_overlap_is_inclusive(start: date, end: date, state: str) -> None:
    facts = project(1, "A")
    tasks = [task(1, 1, "training", d(6, 20))]

    assert project_state(facts, tasks, [busy(1, start, end)], today=TODAY) == state


def test_busy_period_without_dates_and_other_risks_are_ignored() -> None:
    facts = project(1, "A")
    tasks = [task(1, 1, "training", d(6, 20))]
    risks = [
        RiskFacts(project_id=1, kind="busy_period", period_start=d(6, 10), period_end=None),
        RiskFacts(project_id=1, kind="go_live", period_start=d(6, 10), period_end=d(6, 12)),
    ]

    assert project_state(facts, tasks, risks, today=TODAY) == "on_track"


@pytest.mark.parametrize(
    ("committed", "target", "state"),
    [
        (d(6, 20), None, "on_track"),  # projected_end 06-20 = go-live: not after it
        (d(6, 19), None, "at_risk"),
        (None, d(6, 19), "at_risk"),  # the target counts when nothing is committed
        (d(6, 30), d(6, 19), "on_track"),  # a committed date overrides the target
        (None, None, "on_track"),
    ],
)
def test_go_live(committed: date | None, target: date | None, state: str) -> None:
    facts = project(1, "A", committed_go_live=committed, target_go_live=target)
    tasks = [
        task(1, 1, "training", d(6, 20)),
        task(2, 1, "import", d(7, 30), "skipped"),  # skipped and done tasks do not extend it
        task(3, 1, "setup", d(7, 30), "done", completed_on=d(6, 1)),
    ]

    assert project_state(facts, tasks, [], today=TODAY) == state


def test_open_work_past_its_due_projects_to_today() -> None:
    # Go-live was 06-05; the only open task (optional, so not "overdue") was due 06-01.
    # projected_end = max(06-01, today 06-09) = 06-09 > 06-05: at risk.
    facts = project(1, "A", committed_go_live=d(6, 5))
    tasks = [task(1, 1, "import", d(6, 1), required=False, days_overdue=6)]

    verdict = assess(facts, tasks, [], today=TODAY)

    assert (verdict.state, verdict.reasons, verdict.projected_end) == (
        "at_risk",
        ("go_live",),
        TODAY,
    )


def test_all_three_at_risk_reasons_together() -> None:
    facts = project(1, "A", committed_go_live=d(6, 15))
    tasks = [task(1, 1, "setup", d(6, 8), days_overdue=1), task(2, 1, "training", d(6, 20))]

    verdict = assess(facts, tasks, [busy(1, d(6, 10), d(6, 11))], today=TODAY)

    assert verdict.state == "at_risk"
    assert verdict.reasons == ("overdue", "busy_period", "go_live")


# --- portfolio -------------------------------------------------------------------------------


def test_portfolio_of_the_fixed_data() -> None:
    result = portfolio(PROJECTS, TASKS, RISKS, today=TODAY, escalations=ESCALATIONS)

    # Running: P1, P11 on track; P2, P3, P4 at risk; P5 late; P6 paused. P7-P10 have ended.
    assert (result.on_track, result.at_risk, result.late, result.paused) == (2, 3, 1, 1)
    assert result.running == 7
    assert result.lines == (
        # Late first. P5: T501 done, T502 open → 1 of 2; worst T502, 5 days; escalated
        # 05-31 and 06-07 → 06-07.
        PortfolioLine(
            5, "Echo", "UCSM", "late", ("overdue",), 1, 2, "Admin setup", 5, d(6, 7), "管理者設定"
        ),
        # Then at risk, most overdue first. P2: 1 done of 3; the optional import (6 days)
        # is more overdue than the required setup (2 days); escalations 05-30, 06-03, 06-08.
        PortfolioLine(
            2,
            "Bravo",
            "UCSM",
            "at_risk",
            ("overdue",),
            1,
            3,
            "Data import",
            6,
            d(6, 8),
            "データ取り込み",
        ),
        # P3 and P4: nothing overdue, so by name. P3: 1 of 3. P4: 1 of 2.
        PortfolioLine(3, "Charlie", "UCSM", "at_risk", ("busy_period",), 1, 3, None, 0, None),
        PortfolioLine(4, "Delta", "UCSM", "at_risk", ("go_live",), 1, 2, None, 0, None),
    )


def test_portfolio_progress_excludes_skipped_and_worst_prefers_required() -> None:
    facts = project(1, "A", csm_user_id=None)
    tasks = [
        task(1, 1, "kickoff", d(5, 7), "done", completed_on=d(5, 7)),
        task(2, 1, "import", d(5, 20), "skipped"),
        task(3, 1, "setup", d(6, 7), days_overdue=2),
        task(4, 1, "training", d(6, 8), required=False, days_overdue=2),
    ]

    (line,) = portfolio([facts], tasks, [], today=TODAY).lines

    # 1 done of 3 (the skipped task does not count); a 2-day tie goes to the required task.
    assert (line.done, line.total, line.worst_task_title, line.worst_days_overdue) == (
        1,
        3,
        "Admin setup",
        2,
    )
    assert (line.csm_user_id, line.last_escalation_on) == (None, None)


def test_empty_portfolio() -> None:
    assert portfolio([], [], [], today=TODAY) == Portfolio(0, 0, 0, 0, ())


# --- week_summary ----------------------------------------------------------------------------


def test_week_summary_of_the_fixed_data() -> None:
    # Week [Mon 05-31, Mon 06-07).
    result = week_summary(PROJECTS, TASKS, ESCALATIONS, 3, start=d(5, 31), end=d(6, 7))

    assert result == WeekSummary(
        start=d(5, 31),
        end=d(6, 7),
        tasks_completed=2,  # T401 (06-03), T703 (06-02); T102 05-24 and T702 05-12 are before
        projects_started=1,  # P4 (created 05-31, the start); P11 (06-07, the end) is not in
        projects_completed=1,  # P7 (06-02); P9 (06-07) is not in
        projects_cancelled=1,  # P8 (06-04)
        escalations_sent=2,  # 05-31 and 06-03; 05-30, 06-07 and 06-08 are outside
        undelivered_reminders=3,
    )


def test_empty_week() -> None:
    assert week_summary([], [], [], 0, start=d(5, 31), end=d(6, 7)) == WeekSummary(
        d(5, 31), d(6, 7), 0, 0, 0, 0, 0, 0
    )


def test_window_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="ends before"):
        week_summary([], [], [], 0, start=d(6, 7), end=d(5, 31))
    with pytest.raises(ValueError, match="ends before"):
        kpis([], [], [], start=d(6, 7), end=d(5, 31), today=TODAY)


# --- kpis ------------------------------------------------------------------------------------


def test_kpis_of_the_fixed_data() -> None:
    # Window [05-01, 06-07).
    result = kpis(PROJECTS, TASKS, SURVEYS, start=d(5, 1), end=d(6, 7), today=TODAY)

    assert result == Kpis(
        start=d(5, 1),
        end=d(6, 7),
        # Ended in the window: P10 (05-01) and P7 (06-02) completed, P8 (06-04) cancelled;
        # P9 (06-07) is on the exclusive end.
        projects_completed=2,
        projects_cancelled=1,
        completion_rate=2 / 3,
        churn_rate=1 / 3,
        # Days: P7 58, P10 61 → median (58 + 61) / 2 = 59.5; p80 rank ceil(0.8 · 2) = 2 → 61.
        days_to_complete_median=59.5,
        days_to_complete_p80=61.0,
        # Done in the window: T101, T102, T201, T301, T401, T702, T703 = 7; on or before the
        # planned due: T101 (05-07 = 05-07), T201 (05-14 = 05-14), T301 (05-20 < 05-21) = 3.
        tasks_completed=7,
        tasks_on_time=3,
        on_time_task_rate=3 / 7,
        # Running today: P1-P6, P11 = 7; late: P5.
        projects_running=7,
        projects_late=1,
        late_share=1 / 7,
        # First value in the window: P1 T102 05-24 − kickoff 05-03 = 21 days; P7 T702 05-12 −
        # 04-05 = 37 days (P9's 04-15 is before) → median (21 + 37) / 2 = 29.
        first_value_reached=2,
        time_to_first_value_median=29.0,
        # CSAT in the window: 5, 4, 4, 2, 3 → 18 / 5 = 3.6.
        csat_count=5,
        csat_average=3.6,
        # NPS in the window: 10, 9, 8, 3, 10, 7 → promoters 10, 9, 10 = 3; passives 8, 7 = 2;
        # detractors 3 = 1 → (3 − 1) / 6 · 100 = 33.33… → 33.3.
        nps_count=6,
        promoters=3,
        passives=2,
        detractors=1,
        nps=33.3,
    )


def test_days_to_complete_median_and_nearest_rank_p80() -> None:
    durations = [58, 20, 100, 45, 61, 30, 90, 40, 70, 50]
    projects = [
        project(
            n,
            f"C{n}",
            status="completed",
            kickoff=d(5, 1) - timedelta(days=days),
            completed_on=d(5, 1),
        )
        for n, days in enumerate(durations, start=1)
    ]
    projects.append(project(99, "Gone", status="cancelled", kickoff=d(1, 4), completed_on=d(5, 2)))

    result = kpis(projects, [], [], start=d(5, 1), end=d(6, 1), today=TODAY)

    # Sorted: 20 30 40 45 50 58 61 70 90 100.
    # Median: (50 + 58) / 2 = 54. p80: rank ceil(0.8 · 10) = 8 → 70 (interpolation would say 74).
    # The cancelled project counts as ended (churn) but has no days to complete.
    assert (result.days_to_complete_median, result.days_to_complete_p80) == (54.0, 70.0)
    assert (result.projects_completed, result.projects_cancelled) == (10, 1)
    assert (result.completion_rate, result.churn_rate) == (10 / 11, 1 / 11)


def test_first_value_is_the_first_completion_of_a_first_value_task() -> None:
    facts = project(1, "A", kickoff=d(5, 3))
    tasks = [
        task(1, 1, "setup", d(5, 10), "done", completed_on=d(5, 12)),  # 9 days: the first
        task(2, 1, "go_live", d(5, 20), "done", first_value=True, completed_on=d(5, 21)),
        task(3, 1, "report", d(5, 20), "done", first_value=False, completed_on=d(5, 4)),
    ]

    result = kpis([facts], tasks, [], start=d(5, 1), end=d(6, 1), today=TODAY)
    assert (result.first_value_reached, result.time_to_first_value_median) == (1, 9.0)

    # Reached before the window: not counted, even though a later first-value task is in it.
    later = kpis([facts], tasks, [], start=d(5, 15), end=d(6, 1), today=TODAY)
    assert (later.first_value_reached, later.time_to_first_value_median) == (0, None)


def nps_of(scores: list[int]) -> tuple[int, int, int, float | None]:
    surveys = [SurveyFacts(project_id=1, on=d(5, 10), csat=None, nps=s) for s in scores]
    result = kpis([], [], surveys, start=d(5, 1), end=d(6, 1), today=TODAY)
    return result.promoters, result.passives, result.detractors, result.nps


def test_nps_promoters_passives_detractors() -> None:
    # 9, 10, 9 promoters; 7, 8 passives; 6, 3 detractors: (3 − 2) / 7 · 100 = 14.285… → 14.3.
    assert nps_of([9, 10, 7, 6, 9, 8, 3]) == (3, 2, 2, 14.3)
    # 10, 9 promoters; 0, 6, 5 detractors: (2 − 3) / 5 · 100 = −20.
    assert nps_of([10, 0, 6, 9, 5]) == (2, 0, 3, -20.0)
    assert nps_of([7, 8]) == (0, 2, 0, 0.0)
    assert nps_of([10]) == (1, 0, 0, 100.0)
    assert nps_of([0]) == (0, 0, 1, -100.0)


def test_nps_rounds_halves_away_from_zero() -> None:
    # 1 promoter, 15 passives: 1 / 16 · 100 = 6.25 → 6.3 (round-half-even would give 6.2).
    assert nps_of([10] + [8] * 15)[3] == 6.3
    # 1 detractor, 15 passives: −6.25 → −6.3.
    assert nps_of([0] + [8] * 15)[3] == -6.3


def test_csat_average_rounded_to_two_decimals() -> None:
    def csat_of(scores: list[int]) -> float | None:
        surveys = [SurveyFacts(project_id=1, on=d(5, 10), csat=s, nps=None) for s in scores]
        return kpis([], [], surveys, start=d(5, 1), end=d(6, 1), today=TODAY).csat_average

    assert csat_of([5, 4, 4]) == 4.33  # 13 / 3 = 4.333…
    assert csat_of([5, 5, 4]) == 4.67  # 14 / 3 = 4.666…
    assert csat_of([1]) == 1.0


def test_empty_inputs_give_none_not_zero_division() -> None:
    result = kpis([], [], [], start=d(5, 1), end=d(6, 1), today=TODAY)

    assert result == Kpis(
        start=d(5, 1),
        end=d(6, 1),
        projects_completed=0,
        projects_cancelled=0,
        completion_rate=None,
        churn_rate=None,
        days_to_complete_median=None,
        days_to_complete_p80=None,
        tasks_completed=0,
        tasks_on_time=0,
        on_time_task_rate=None,
        projects_running=0,
        projects_late=0,
        late_share=None,
        first_value_reached=0,
        time_to_first_value_median=None,
        csat_count=0,
        csat_average=None,
        nps_count=0,
        promoters=0,
        passives=0,
        detractors=0,
        nps=None,
    )


def test_an_empty_window_gives_none_too() -> None:
    result = kpis(PROJECTS, TASKS, SURVEYS, start=d(6, 7), end=d(6, 7), today=TODAY)

    assert result.completion_rate is None
    assert result.on_time_task_rate is None
    assert result.nps is None
    assert result.late_share == 1 / 7  # measured today, not in the window


# --- bottlenecks -----------------------------------------------------------------------------


def test_bottlenecks_of_the_fixed_data() -> None:
    # Reached: planned_due in [03-11, 06-09], not skipped; for P8 (cancelled 06-04) only up to
    # 06-04, so T803 (06-18) is out; T801 (03-05) is before the window.
    result = bottlenecks(PROJECTS, TASKS, REPLANS, today=TODAY)

    assert result == [
        # setup reached: T102 T202 T302 T502 T601 T702 T802 T902 = 8. Late: T102 done after
        # planned; T202 re-planned and open; T302 re-planned and open; T502, T601, T802 open
        # past planned; T702 done late and re-planned = 7 (T902 was early). 7/8 ≥ 30 %.
        # Reasons: customer_busy 1, waiting_it 2.
        Bottleneck("setup", "Admin setup", 8, 7, 7 / 8, "waiting_it", True, "管理者設定"),
        # kickoff reached: T101 T201 T301 T401 T501 T701 T901 = 7. Late: T301 (re-planned,
        # even though done early), T401 (done 06-03 > 06-01) = 2. 2/7 = 28.6 % < 30 %.
        Bottleneck("kickoff", "Kickoff meeting", 7, 2, 2 / 7, "customer_busy", False, "キックオフ"),
        # Same late count and share: by key. import: T203 open past 06-01 (T104 skipped).
        # One customer of one says nothing about the schedule: no review, a small sample.
        Bottleneck("import", "Data import", 1, 1, 1.0, None, False, "データ取り込み", True),
        # training: T703 done 06-02 > 05-28 (T103, T303, T402 are not due yet).
        Bottleneck("training", "Training", 1, 1, 1.0, None, False, "トレーニング", True),
    ]


def keyed(reached: int, late: int, key: str = "setup") -> list[TaskFacts]:
    """``reached`` tasks of ``key`` due 06-01, the first ``late`` of them still open."""
    open_ones = [task(n, n, key, d(6, 1)) for n in range(1, late + 1)]
    done = [
        task(n, n, key, d(6, 1), "done", completed_on=d(6, 1)) for n in range(late + 1, reached + 1)
    ]
    return open_ones + done


def projects_for(tasks: list[TaskFacts]) -> list[ProjectFacts]:
    return [project(pid, f"C{pid}") for pid in {t.project_id for t in tasks}]


@pytest.mark.parametrize(
    ("reached", "late", "review"),
    [
        (10, 3, True),  # exactly 30 %
        (10, 2, False),
        (100, 30, True),  # exactly 30 %
        (100, 29, False),  # 29 %
    ],
)
def test_thirty_percent_rule(reached: int, late: int, review: bool) -> None:
    tasks = keyed(reached, late)

    (found,) = bottlenecks(projects_for(tasks), tasks, [], today=TODAY)

    assert (found.reached, found.late, found.review) == (reached, late, review)


def test_threshold_is_read_as_the_decimal_it_is_written_as() -> None:
    # As binary floats 0.1 and 0.2 are a hair above 1/10 and 1/5; compared as written,
    # 1 of 10 fires at 0.1 and 2 of 10 at 0.2.
    tasks = keyed(10, 1)
    assert bottlenecks(projects_for(tasks), tasks, [], today=TODAY, threshold=0.1)[0].review
    tasks = keyed(10, 2)
    assert bottlenecks(projects_for(tasks), tasks, [], today=TODAY, threshold=0.2)[0].review
    tasks = keyed(6, 2)
    (found,) = bottlenecks(projects_for(tasks), tasks, [], today=TODAY, threshold=Fraction(1, 3))
    assert found.review


@pytest.mark.parametrize(
    ("reached", "late", "review", "small"),
    [
        (1, 1, False, True),  # one customer of one: says nothing about the schedule
        (4, 4, False, True),  # still fewer than five
        (5, 2, True, False),  # five reached, 40 %
        (5, 1, False, False),  # five reached, 20 %
    ],
)
def test_review_needs_at_least_five_customers(
    reached: int, late: int, review: bool, small: bool
) -> None:
    tasks = keyed(reached, late)

    (found,) = bottlenecks(projects_for(tasks), tasks, [], today=TODAY)

    assert (found.review, found.small_sample) == (review, small)
    assert MIN_REACHED == 5


def test_window_of_days() -> None:
    # today − 10 days = 05-30: planned 05-30 is in, 05-29 is out; planned today is reached
    # but, still open on its due day, not late.
    tasks = [
        task(1, 1, "setup", d(5, 30)),
        task(2, 1, "setup", d(5, 29)),
        task(3, 1, "setup", TODAY),
        task(4, 1, "setup", d(6, 10)),  # not yet due
    ]

    (found,) = bottlenecks([project(1, "A")], tasks, [], today=TODAY, days=10)

    assert (found.reached, found.late, found.share) == (2, 1, 0.5)


def test_tasks_of_projects_not_given_are_left_out() -> None:
    tasks = keyed(4, 2)

    (found,) = bottlenecks(projects_for(tasks)[:2], tasks, [], today=TODAY)

    assert (found.reached, found.late) == (2, 2)  # projects 1 and 2 only


def test_top_reason_ties_go_alphabetical_and_blanks_are_ignored() -> None:
    tasks = keyed(5, 0)
    reasons = [
        (1, "waiting_it"),
        (2, "customer_busy"),
        (3, "waiting_it"),
        (4, "customer_busy"),
        (5, " "),
        (5, ""),
        (5, ""),
    ]
    replans = [
        ReplanFacts(task_id=n, project_id=n, key="setup", on=d(5, 20), reason=reason)
        for n, reason in reasons
    ]

    (found,) = bottlenecks(projects_for(tasks), tasks, replans, today=TODAY)

    # Every task was re-planned, so all 5 are late; 2 v 2 → customer_busy.
    assert (found.late, found.top_reason) == (5, "customer_busy")


def test_order_by_late_then_share_then_key() -> None:
    tasks = [
        *keyed(4, 2, "a"),  # 2 late, 1/2
        *[task(10 + n, 10 + n, "b", d(6, 1)) for n in range(2)],  # 2 late, 1/1
        *[task(20 + n, 20 + n, "c", d(6, 1)) for n in range(3)],  # 3 late, 1/1
        *[task(30, 30, "d", d(6, 1))],  # 1 late, 1/1
        *[task(40, 40, "e", d(6, 1), "done", completed_on=d(6, 1))],  # none late: left out
    ]

    found = bottlenecks(projects_for(tasks), tasks, [], today=TODAY)

    assert [(b.key, b.late, b.reached) for b in found] == [
        ("c", 3, 3),
        ("b", 2, 2),
        ("a", 2, 4),
        ("d", 1, 1),
    ]


def test_no_bottlenecks_from_nothing() -> None:
    assert bottlenecks([], [], [], today=TODAY) == []


# --- percentile_nearest_rank -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([58, 20, 100, 45, 61, 30, 90, 40, 70, 50], 80, 70.0),  # rank ceil(8) = 8
        ([58, 20, 100, 45, 61, 30, 90, 40, 70, 50], 70, 61.0),  # rank ceil(7) = 7
        (list(range(1, 101)), 7, 7.0),  # rank 7: in floats 7 / 100 · 100 = 7.000…01 → 8
        ([58, 20, 100, 45, 61, 30, 90, 40, 70, 50], 100, 100.0),
        ([58, 20, 100, 45, 61, 30, 90, 40, 70, 50], 1, 20.0),  # rank ceil(0.1) = 1
        ([3, 1, 2, 5, 4], 80, 4.0),  # rank ceil(4) = 4
        ([3, 1, 2, 5, 4], 50, 3.0),  # rank ceil(2.5) = 3
        ([7], 80, 7.0),
        ([], 80, None),
    ],
)
def test_percentile_nearest_rank(values: list[int], p: float, expected: float | None) -> None:
    assert percentile_nearest_rank(values, p) == expected


@pytest.mark.parametrize("p", [0, -1, 101])
def test_percentile_out_of_range(p: float) -> None:
    with pytest.raises(ValueError, match="percentile"):
        percentile_nearest_rank([1, 2], p)


def test_a_negative_bottleneck_window_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        bottlenecks([], [], [], today=TODAY, days=-1)


def test_kpis_take_the_late_count_from_the_caller_when_given() -> None:
    totals = summarize(PROJECTS, TASKS, today=TODAY)
    worked_out = rules.kpis(PROJECTS, totals, SURVEYS, start=d(5, 1), end=d(6, 7), today=TODAY)
    passed = rules.kpis(
        PROJECTS, totals, SURVEYS, start=d(5, 1), end=d(6, 7), today=TODAY, late_today=3
    )

    assert worked_out.projects_late == 1 and worked_out.late_share == 1 / 7  # P5 alone
    # A count the caller already has is taken as it is (the digest passes its portfolio's).
    assert passed.projects_late == 3 and passed.late_share == 3 / 7
    assert replace(passed, projects_late=1, late_share=1 / 7) == worked_out
