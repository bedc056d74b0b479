"""The bounds a run reads open tasks within: every zone's day, the business-day look-ahead."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.calendar import BusinessCalendar
from bot.domain.reminder_scope import Scope, scope_at

JP = BusinessCalendar(country="JP")
US = BusinessCalendar(country="US")


def calendar(country: str) -> BusinessCalendar:
    return {"JP": JP, "US": US}[country]


def test_nothing_is_read_while_no_zone_is_past_its_reminder_hour() -> None:
    at_eight_in_tokyo = datetime(2027, 4, 6, 23, 0, tzinfo=UTC)
    assert (
        scope_at(
            now=at_eight_in_tokyo,
            zones=["Asia/Tokyo"],
            leads=[("JP", 2)],
            calendar=calendar,
            reminder_hour=9,
        )
        is None
    )
    at_nine = datetime(2027, 4, 7, 0, 0, tzinfo=UTC)
    assert scope_at(
        now=at_nine, zones=["Asia/Tokyo"], leads=[("JP", 2)], calendar=calendar, reminder_hour=9
    ) == Scope(first_day=date(2027, 4, 7), last_due=date(2027, 4, 9))  # Wed + 2 business days


def test_the_look_ahead_counts_business_days_so_golden_week_makes_it_longer() -> None:
    friday = datetime(2027, 4, 30, 0, 5, tzinfo=UTC)  # 09:05 in Tokyo, before Golden Week
    scope = scope_at(
        now=friday, zones=["Asia/Tokyo"], leads=[("JP", 2)], calendar=calendar, reminder_hour=9
    )
    # Sat, Sun, then 3-5 May are holidays: the second business day is Friday 7 May.
    assert scope == Scope(first_day=date(2027, 4, 30), last_due=date(2027, 5, 7))


def test_after_the_window_only_overdue_tasks_matter_and_every_zone_day_is_covered() -> None:
    # 17:05 in Los Angeles (past the window: only the decision-maker step and overdue
    # tasks), 09:05 the next day in Tokyo (within it).
    now = datetime(2027, 4, 7, 0, 5, tzinfo=UTC)
    both = scope_at(
        now=now,
        zones=["Asia/Tokyo", "America/Los_Angeles"],
        leads=[("JP", 2), ("US", 5)],
        calendar=calendar,
        reminder_hour=9,
    )
    # The earliest day is Los Angeles' Tuesday; the look-ahead is the longest lead from
    # Tokyo's Wednesday (US calendar: five business days on is Wednesday 14 April).
    assert both == Scope(first_day=date(2027, 4, 6), last_due=date(2027, 4, 14))
    only_la = scope_at(
        now=now,
        zones=["America/Los_Angeles"],
        leads=[("US", 5)],
        calendar=calendar,
        reminder_hour=9,
    )
    assert only_la == Scope(first_day=date(2027, 4, 6), last_due=date(2027, 4, 5))


def test_a_zone_reaches_its_hour_by_its_own_clock_across_daylight_saving() -> None:
    def scope(now: datetime) -> Scope | None:
        return scope_at(
            now=now,
            zones=["America/Los_Angeles"],
            leads=[("US", 2)],
            calendar=calendar,
            reminder_hour=9,
        )

    # The same 16:05 UTC is 08:05 on Friday (PST) and 09:05 on Monday (PDT since Sunday).
    assert scope(datetime(2027, 3, 12, 16, 5, tzinfo=UTC)) is None
    assert scope(datetime(2027, 3, 15, 16, 5, tzinfo=UTC)) == Scope(
        first_day=date(2027, 3, 15), last_due=date(2027, 3, 17)
    )
