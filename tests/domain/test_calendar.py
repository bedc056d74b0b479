"""Business-day calendar: real JP/US dates, checked by hand against the 2026-2028 calendars."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.domain.calendar import (
    BusinessCalendar,
    ClosedReason,
    DateRange,
    YearEndClosure,
    validate_country,
)

JP = BusinessCalendar()


def test_monday_holiday_is_closed_and_skipped() -> None:
    # 2027-01-11 is a Monday, 成人の日; Fri 01-08 + 1 business day skips Sat, Sun, Mon.
    assert not JP.is_business_day(date(2027, 1, 11))
    assert JP.next_business_day(date(2027, 1, 9)) == date(2027, 1, 12)
    assert JP.add_business_days(date(2027, 1, 8), 1) == date(2027, 1, 12)


def test_substitute_and_citizens_holidays_come_from_the_package() -> None:
    # 2026-05-03 憲法記念日 is a Sunday and 05-04/05-05 are holidays, so 振替休日 is Wed 05-06.
    assert JP.closed_reason(date(2026, 5, 6)) == ClosedReason(
        kind="holiday", name_ja="振替休日", name_en="Substitute Holiday"
    )
    # 2027-03-21 春分の日 is a Sunday, so Mon 03-22 is a 振替休日.
    assert JP.closed_reason(date(2027, 3, 22)).name("ja") == "振替休日"
    # 2026-09-22 sits between 敬老の日 (09-21) and 秋分の日 (09-23): 国民の休日.
    assert JP.closed_reason(date(2026, 9, 22)).name("ja") == "国民の休日"


def test_golden_week() -> None:
    # 2026: 04-29 Wed 昭和の日; 05-02/03 weekend; 05-04 Mon, 05-05 Tue, 05-06 Wed holidays.
    assert [d for d, _ in JP.closed_days(date(2026, 4, 29), date(2026, 5, 6))] == [
        date(2026, 4, 29),
        date(2026, 5, 2),
        date(2026, 5, 3),
        date(2026, 5, 4),
        date(2026, 5, 5),
        date(2026, 5, 6),
    ]
    # Fri 05-01 + 1 business day → Thu 05-07.
    assert JP.add_business_days(date(2026, 5, 1), 1) == date(2026, 5, 7)
    # (04-28, 05-08]: 04-30, 05-01, 05-07, 05-08.
    assert JP.business_days_between(date(2026, 4, 28), date(2026, 5, 8)) == 4


def test_year_end_closure_default() -> None:
    # Mon 2026-12-28 is open; 12-29..12-31 closure, 01-01 元日, 01-02/03 weekend; Mon 01-04 opens.
    assert JP.is_business_day(date(2026, 12, 28))
    assert JP.closed_reason(date(2026, 12, 30)) == ClosedReason(kind="year_end")
    assert JP.next_business_day(date(2026, 12, 29)) == date(2027, 1, 4)
    assert JP.add_business_days(date(2026, 12, 28), 1) == date(2027, 1, 4)


def test_year_end_crossing_into_next_year() -> None:
    # 2027-12-29 Wed..2028-01-03 Mon closed; 2028-01-01 is a Saturday 元日 (no substitute),
    # and Mon 2028-01-03 is closed only by the year-end closure.
    assert JP.closed_reason(date(2028, 1, 1)).name("ja") == "元日"
    assert JP.closed_reason(date(2028, 1, 3)) == ClosedReason(kind="year_end")
    assert JP.next_business_day(date(2027, 12, 28), include_self=False) == date(2028, 1, 4)
    # (2026-12-25, 2027-01-05]: Mon 12-28, Mon 01-04, Tue 01-05.
    assert JP.business_days_between(date(2026, 12, 25), date(2027, 1, 5)) == 3


def test_year_end_closure_configurable_and_disabled() -> None:
    open_year_end = BusinessCalendar(year_end_closure=None)
    assert open_year_end.is_business_day(date(2026, 12, 29))
    assert open_year_end.add_business_days(date(2026, 12, 28), 1) == date(2026, 12, 29)
    # 12-28..01-04: Mon 2026-12-28 and Mon 2027-01-04 are closed too; first open day Tue 01-05.
    longer = BusinessCalendar(year_end_closure=YearEndClosure(start=(12, 28), end=(1, 4)))
    assert longer.closed_reason(date(2027, 1, 4)) == ClosedReason(kind="year_end")
    assert longer.next_business_day(date(2026, 12, 25), include_self=False) == date(2027, 1, 5)


def test_year_end_closure_without_wrap_and_validation() -> None:
    closure = YearEndClosure(start=(12, 24), end=(12, 31))
    assert closure.contains(date(2027, 12, 24))
    assert not closure.contains(date(2028, 1, 1))
    with pytest.raises(ValueError, match="invalid month/day"):
        YearEndClosure(start=(13, 1))


def test_blackout_spanning_a_month_end() -> None:
    # Blackout Mon 2027-06-28..Fri 07-02; Fri 06-25 + 1 business day → Mon 07-05.
    cal = JP.with_blackouts([DateRange.parse("2027-06-28:2027-07-02")])
    assert cal.closed_reason(date(2027, 6, 30)) == ClosedReason(kind="blackout")
    assert cal.closed_reason(date(2027, 7, 1)) == ClosedReason(kind="blackout")
    assert cal.add_business_days(date(2027, 6, 25), 1) == date(2027, 7, 5)
    assert cal.business_days_between(date(2027, 6, 25), date(2027, 7, 5)) == 1
    # The original calendar is unchanged.
    assert JP.is_business_day(date(2027, 6, 30))
    assert JP.blackouts == ()


def test_business_days_between_sign_and_values() -> None:
    assert JP.business_days_between(date(2027, 1, 12), date(2027, 1, 12)) == 0
    # (Fri 01-08, Mon 01-11 成人の日] holds no business day; (Sat 01-09, Tue 01-12] holds one.
    assert JP.business_days_between(date(2027, 1, 8), date(2027, 1, 11)) == 0
    assert JP.business_days_between(date(2027, 1, 9), date(2027, 1, 12)) == 1
    assert JP.business_days_between(date(2027, 1, 12), date(2027, 1, 9)) == -1
    # Due Fri 01-08, today Wed 01-13: overdue by Tue 01-12 and Wed 01-13.
    assert JP.business_days_between(date(2027, 1, 8), date(2027, 1, 13)) == 2
    assert JP.business_days_between(date(2027, 1, 13), date(2027, 1, 8)) == -2


def test_add_business_days_zero_and_negative() -> None:
    # Kickoff on the 振替休日 Mon 2027-03-22: offset 0 is Tue 03-23.
    assert JP.add_business_days(date(2027, 3, 22), 0) == date(2027, 3, 23)
    assert JP.add_business_days(date(2027, 3, 23), 0) == date(2027, 3, 23)
    with pytest.raises(ValueError, match=">= 0"):
        JP.add_business_days(date(2027, 3, 23), -1)


def test_closed_reason_kinds_and_priority() -> None:
    cal = JP.with_blackouts([DateRange(start=date(2027, 3, 25), end=date(2027, 3, 31))])
    assert cal.closed_reason(date(2027, 3, 23)) is None
    assert cal.closed_reason(date(2027, 3, 25)) == ClosedReason(kind="blackout")
    # A weekend inside a blackout reads as a weekend; 元日 inside the closure as a holiday.
    assert cal.closed_reason(date(2027, 3, 27)) == ClosedReason(kind="weekend")
    assert cal.closed_reason(date(2027, 1, 1)).kind == "holiday"


def test_holiday_names_in_ja_and_en() -> None:
    reason = JP.closed_reason(date(2027, 1, 1))
    assert (reason.name_ja, reason.name_en) == ("元日", "New Year's Day")
    assert reason.name("ja") == "元日"
    assert reason.name("ja_JP") == "元日"
    assert reason.name("en") == "New Year's Day"
    assert JP.closed_reason(date(2027, 1, 11)).name("en_US") == "Coming of Age Day"
    assert ClosedReason(kind="weekend").name("ja") is None


def test_us_calendar() -> None:
    us = BusinessCalendar(country="US", year_end_closure=None)
    # Independence Day 2027 is a Sunday; observed Mon 07-05.
    assert us.closed_reason(date(2027, 7, 5)).name("en") == "Independence Day (observed)"
    # The package has no Japanese names for the US: both fall back to English.
    assert us.closed_reason(date(2027, 11, 25)).name("ja") == "Thanksgiving Day"
    # JP's 成人の日 is an ordinary Monday in the US.
    assert us.is_business_day(date(2027, 1, 11))
    # Fri 2027-12-31 is New Year's Day (observed) for 2028-01-01, a Saturday.
    assert us.next_business_day(date(2027, 12, 31)) == date(2028, 1, 3)


def test_unknown_country_and_subdivision() -> None:
    validate_country("JP")
    validate_country("US", subdiv="CA")
    with pytest.raises(ValueError, match="unknown country code 'XX'"):
        BusinessCalendar(country="XX")
    with pytest.raises(ValueError, match="did you mean 'JP'"):
        validate_country("jp")
    with pytest.raises(ValueError, match="unknown subdivision"):
        BusinessCalendar(country="US", subdiv="XX")


def test_calendar_without_business_days_raises() -> None:
    cal = JP.with_blackouts([DateRange(start=date(2027, 1, 1), end=date(2031, 12, 31))])
    with pytest.raises(ValueError, match="no business day"):
        cal.next_business_day(date(2027, 1, 1))


def test_date_range_parse_and_contains() -> None:
    blackout = DateRange.parse(" 2027-03-25:2027-03-31 ")
    assert blackout == DateRange(start=date(2027, 3, 25), end=date(2027, 3, 31))
    assert str(blackout) == "2027-03-25:2027-03-31"
    assert blackout.contains(date(2027, 3, 25))
    assert blackout.contains(date(2027, 3, 31))
    assert not blackout.contains(date(2027, 4, 1))
    assert DateRange.parse("2027-05-06") == DateRange(start=date(2027, 5, 6), end=date(2027, 5, 6))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2027-03-31:2027-03-25", "starts after it ends"),
        ("2027-03-25..2027-03-31", "expected YYYY-MM-DD:YYYY-MM-DD"),
        ("2027-02-30:2027-03-01", "expected YYYY-MM-DD:YYYY-MM-DD"),
        ("2027-03-25:2027-03-31:2027-04-01", "expected YYYY-MM-DD:YYYY-MM-DD"),
        ("", "expected YYYY-MM-DD:YYYY-MM-DD"),
    ],
)
def test_date_range_parse_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DateRange.parse(text)


def test_a_copy_with_blackouts_counts_as_a_calendar_built_with_them() -> None:
    """`with_blackouts` asks the calendar it was made from and takes the blackouts' days
    off: every answer equals the calendar built with the same blackouts from scratch,
    over overlapping blackouts, Golden Week and the year-end closure, and a copy of a copy."""
    first = [
        DateRange(start=date(2027, 4, 28), end=date(2027, 5, 7)),  # Golden Week inside
        DateRange(start=date(2027, 5, 5), end=date(2027, 5, 12)),  # overlaps the first
        DateRange(start=date(2027, 12, 27), end=date(2028, 1, 6)),  # across the closure
    ]
    second = [DateRange(start=date(2027, 6, 1), end=date(2027, 6, 1))]
    days = [date(2027, 4, 20) + timedelta(days=n) for n in range(0, 270, 3)]
    for blackouts, copied in (
        (first, JP.with_blackouts(first)),
        (second, JP.with_blackouts(first).with_blackouts(second)),
    ):
        built = BusinessCalendar(blackouts=blackouts)
        assert [copied.is_business_day(d) for d in days] == [built.is_business_day(d) for d in days]
        pairs = [(a, b) for a in days[::4] for b in days[::5]]
        assert [copied.business_days_between(a, b) for a, b in pairs] == [
            built.business_days_between(a, b) for a, b in pairs
        ]
        assert copied.add_business_days(date(2027, 4, 27), 3) == built.add_business_days(
            date(2027, 4, 27), 3
        )
    assert JP.with_blackouts(first).business_days_between(date(2027, 4, 27), date(2027, 5, 13)) == 1
