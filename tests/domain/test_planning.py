"""Planner: exact dates on the real JP calendar, worked out by hand in the comments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import holidays
import pytest

from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.planning import PlannedTask, Shift, plan, shifts

JP = BusinessCalendar()


@dataclass(frozen=True)
class Task:
    id: str
    start_offset: int
    duration: int
    depends_on: list[str] = field(default_factory=list)


def by_id(planned: list[PlannedTask]) -> dict[str, tuple[date, date]]:
    return {task.task_id: (task.start, task.due) for task in planned}


def test_kickoff_on_substitute_holiday_with_blackout() -> None:
    # Kickoff Mon 2027-03-22 is a 振替休日; blackout Thu 03-25..Wed 03-31.
    # Business days: 0=03-23, 1=03-24, 2=04-01, 3=04-02, 4=04-05, 5=04-06, ...
    # 21=04-28, 22=04-30 (04-29 昭和の日), 23=05-06 (05-01..05-05 weekend/GW).
    blackout = DateRange.parse("2027-03-25:2027-03-31")
    cal = JP.with_blackouts([blackout])
    tasks = [
        Task("kickoff", 0, 1),
        Task("sso", 1, 3),  # 03-24, 04-01, 04-02
        Task("import", 0, 2, ["sso"]),  # after 04-02 → 04-05, 04-06
        Task("training", 5, 1),  # offset 5 → 04-06
        Task("golive", 21, 3),  # 04-28, 04-30, 05-06
    ]
    planned = plan(tasks, kickoff=date(2027, 3, 22), calendar=cal)
    assert by_id(planned) == {
        "kickoff": (date(2027, 3, 23), date(2027, 3, 23)),
        "sso": (date(2027, 3, 24), date(2027, 4, 2)),
        "import": (date(2027, 4, 5), date(2027, 4, 6)),
        "training": (date(2027, 4, 6), date(2027, 4, 6)),
        "golive": (date(2027, 4, 28), date(2027, 5, 6)),
    }
    jp_holidays = holidays.country_holidays("JP", years=2027)
    for task in planned:
        for day in (task.start, task.due):
            assert day.weekday() < 5
            assert day not in jp_holidays
            assert not blackout.contains(day)


def test_nothing_due_in_year_end_closure() -> None:
    # Kickoff Fri 2026-12-25: 0=12-25, 1=12-28 (Mon), 2=2027-01-04 (Mon), 3=01-05.
    tasks = [
        Task("welcome", 0, 1),
        Task("setup", 1, 2),  # 12-28, 01-04
        Task("review", 2, 1),  # 01-04
        Task("signoff", 0, 1, ["setup"]),  # after 01-04 → 01-05
    ]
    planned = plan(tasks, kickoff=date(2026, 12, 25), calendar=JP)
    assert by_id(planned) == {
        "welcome": (date(2026, 12, 25), date(2026, 12, 25)),
        "setup": (date(2026, 12, 28), date(2027, 1, 4)),
        "review": (date(2027, 1, 4), date(2027, 1, 4)),
        "signoff": (date(2027, 1, 5), date(2027, 1, 5)),
    }
    closure = {date(2026, 12, 29) + timedelta(days=i) for i in range(6)}
    assert not closure & {task.due for task in planned}


def test_dependencies_push_start_after_latest_due() -> None:
    # Kickoff Mon 2027-04-05, no holidays until 04-29.
    # a: 04-05..04-07 (3 days); b: 04-05; c waits for both → after 04-07 → Thu 04-08.
    tasks = [
        Task("a", 0, 3),
        Task("b", 0, 1),
        Task("c", 1, 2, ["b", "a"]),  # offset 1 = 04-06, pushed to 04-08, due Fri 04-09
    ]
    planned = plan(tasks, kickoff=date(2027, 4, 5), calendar=JP)
    assert by_id(planned)["c"] == (date(2027, 4, 8), date(2027, 4, 9))


def test_offset_later_than_dependency_wins() -> None:
    # a due 04-05; c's offset 5 = Mon 04-12 is later than the day after a (04-06).
    tasks = [Task("a", 0, 1), Task("c", 5, 1, ["a"])]
    planned = plan(tasks, kickoff=date(2027, 4, 5), calendar=JP)
    assert by_id(planned)["c"] == (date(2027, 4, 12), date(2027, 4, 12))


FIXED_TASKS = [
    Task("a", 0, 2),  # 04-05..04-06
    Task("b", 0, 1, ["a"]),  # 04-07
    Task("c", 5, 1, ["b"]),  # offset 5 = Mon 04-12
]


def test_fixed_due_is_kept_and_dependents_pushed() -> None:
    # a moved by hand to Wed 04-14: start stays 04-05, b → Thu 04-15, c → Fri 04-16.
    planned = plan(
        FIXED_TASKS,
        kickoff=date(2027, 4, 5),
        calendar=JP,
        fixed={"a": date(2027, 4, 14)},
    )
    assert by_id(planned) == {
        "a": (date(2027, 4, 5), date(2027, 4, 14)),
        "b": (date(2027, 4, 15), date(2027, 4, 15)),
        "c": (date(2027, 4, 16), date(2027, 4, 16)),
    }


def test_fixed_due_before_computed_start() -> None:
    # b was done on 04-06 although it would start on 04-07: start = due = 04-06.
    planned = plan(
        FIXED_TASKS, kickoff=date(2027, 4, 5), calendar=JP, fixed={"b": date(2027, 4, 6)}
    )
    assert by_id(planned)["b"] == (date(2027, 4, 6), date(2027, 4, 6))
    assert by_id(planned)["c"] == (date(2027, 4, 12), date(2027, 4, 12))


def test_fixed_due_on_a_weekend_is_kept_as_is() -> None:
    # a moved to Sat 04-10; b starts the next business day, Mon 04-12.
    planned = plan(
        FIXED_TASKS, kickoff=date(2027, 4, 5), calendar=JP, fixed={"a": date(2027, 4, 10)}
    )
    assert by_id(planned)["a"] == (date(2027, 4, 5), date(2027, 4, 10))
    assert by_id(planned)["b"] == (date(2027, 4, 12), date(2027, 4, 12))


# Kickoff Mon 2027-03-15. Business days: 0=03-15, 1=03-16, 2=03-17, 3=03-18, 4=03-19,
# 5=03-23 (03-22 振替休日), 6=03-24, 7=03-25, 8=03-26.
REPLAN_TASKS = [
    Task("kickoff", 0, 1),  # 03-15
    Task("sso", 2, 3),  # 03-17..03-19
    Task("import", 6, 2),  # 03-24..03-25
    Task("training", 8, 1, ["import"]),  # 03-26
]
REPLAN_KICKOFF = date(2027, 3, 15)
LATE_BLACKOUT = JP.with_blackouts([DateRange.parse("2027-03-25:2027-03-31")])
DONE = {"kickoff": date(2027, 3, 15), "sso": date(2027, 3, 19)}


def test_not_before_keeps_open_tasks_out_of_the_past() -> None:
    before = plan(REPLAN_TASKS, kickoff=REPLAN_KICKOFF, calendar=JP)
    assert by_id(before)["import"] == (date(2027, 3, 24), date(2027, 3, 25))
    assert by_id(before)["training"] == (date(2027, 3, 26), date(2027, 3, 26))

    # On Fri 03-26 a blackout 03-25..03-31 is added. Without not_before, import keeps
    # its past start 03-24 and its second day slips to Thu 04-01.
    unbounded = plan(REPLAN_TASKS, kickoff=REPLAN_KICKOFF, calendar=LATE_BLACKOUT, fixed=DONE)
    assert by_id(unbounded)["import"] == (date(2027, 3, 24), date(2027, 4, 1))

    # With not_before=03-26 (inside the blackout) import starts Thu 04-01, due Fri 04-02;
    # training (offset 8 = 04-02) waits for import → Mon 04-05. Done tasks stay put.
    after = plan(
        REPLAN_TASKS,
        kickoff=REPLAN_KICKOFF,
        calendar=LATE_BLACKOUT,
        fixed=DONE,
        not_before=date(2027, 3, 26),
    )
    assert by_id(after) == {
        "kickoff": (date(2027, 3, 15), date(2027, 3, 15)),
        "sso": (date(2027, 3, 17), date(2027, 3, 19)),
        "import": (date(2027, 4, 1), date(2027, 4, 2)),
        "training": (date(2027, 4, 5), date(2027, 4, 5)),
    }


def test_shifts_lists_moved_tasks_with_business_days() -> None:
    before = plan(REPLAN_TASKS, kickoff=REPLAN_KICKOFF, calendar=JP)
    after = plan(
        REPLAN_TASKS,
        kickoff=REPLAN_KICKOFF,
        calendar=LATE_BLACKOUT,
        fixed=DONE,
        not_before=date(2027, 3, 26),
    )
    # (03-25, 04-02] on the blackout calendar: 04-01, 04-02 → 2.
    # (03-26, 04-05]: 04-01, 04-02, 04-05 → 3.
    assert shifts(before, after, calendar=LATE_BLACKOUT) == [
        Shift(
            task_id="import", old_due=date(2027, 3, 25), new_due=date(2027, 4, 2), business_days=2
        ),
        Shift(
            task_id="training", old_due=date(2027, 3, 26), new_due=date(2027, 4, 5), business_days=3
        ),
    ]
    # Moving back counts negative.
    assert [s.business_days for s in shifts(after, before, calendar=LATE_BLACKOUT)] == [-2, -3]
    assert shifts(before, before, calendar=JP) == []


def test_shifts_ignores_tasks_in_only_one_plan() -> None:
    before = [PlannedTask(task_id="gone", start=date(2027, 4, 5), due=date(2027, 4, 5))]
    after = [PlannedTask(task_id="new", start=date(2027, 4, 6), due=date(2027, 4, 6))]
    assert shifts(before, after, calendar=JP) == []


def test_deterministic_and_in_input_order() -> None:
    # The dependent comes first in the input; the result keeps the input order.
    tasks = [Task("b", 0, 1, ["a"]), Task("a", 0, 2), Task("c", 0, 1)]
    first = plan(tasks, kickoff=date(2027, 4, 5), calendar=JP)
    assert [task.task_id for task in first] == ["b", "a", "c"]
    assert by_id(first)["b"] == (date(2027, 4, 7), date(2027, 4, 7))
    assert plan(tasks, kickoff=date(2027, 4, 5), calendar=JP) == first


@pytest.mark.parametrize(
    ("tasks", "fixed", "message"),
    [
        ([Task("a", 0, 1, ["b"]), Task("b", 0, 1, ["a"])], None, "cycle"),
        ([Task("a", 0, 1, ["missing"])], None, "unknown task"),
        ([Task("a", 0, 1), Task("a", 1, 1)], None, "duplicate"),
        ([Task("a", 0, 0)], None, "duration"),
        ([Task("a", -1, 1)], None, "start_offset"),
        ([Task("a", 0, 1)], {"zzz": date(2027, 4, 5)}, "fixed dates"),
    ],
)
def test_invalid_input_raises(
    tasks: list[Task], fixed: dict[str, date] | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        plan(tasks, kickoff=date(2027, 4, 5), calendar=JP, fixed=fixed)
