from datetime import date

from bot.config import Settings
from bot.domain.calendar import DateRange, YearEndClosure
from bot.services.calendars import CountryCalendars, calendar_for


def _settings(**values: str) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]  # the values are str fields; mypy matches them to every keyword


def test_the_configured_country_and_year_end_closure() -> None:
    calendar = calendar_for(_settings(holiday_country="jp", year_end_closure="12-28:01-04"))
    assert calendar.country == "JP"
    assert calendar.year_end_closure == YearEndClosure(start=(12, 28), end=(1, 4))
    assert not calendar.is_business_day(date(2027, 12, 28))  # a Tuesday in the closure
    assert calendar.is_business_day(date(2027, 12, 27))


def test_a_country_and_blackouts_given_win_and_the_closure_can_be_off() -> None:
    busy = DateRange(date(2027, 4, 12), date(2027, 4, 13))
    calendar = calendar_for(
        _settings(holiday_country="JP", year_end_closure="off"), country="US", blackouts=[busy]
    )
    assert calendar.country == "US" and calendar.year_end_closure is None
    assert calendar.blackouts == (busy,)
    assert calendar.is_business_day(date(2027, 12, 29))  # a Wednesday: no closure
    reason = calendar.closed_reason(date(2027, 4, 12))
    assert reason is not None and reason.kind == "blackout"


def test_one_calendar_per_country_and_blackouts_on_a_copy() -> None:
    calendars = CountryCalendars(_settings(year_end_closure="off"))
    japan = calendars("JP")
    assert calendars("JP") is japan and calendars("JP", []) is japan
    assert calendars("US") is not japan and calendars("US").country == "US"
    busy = DateRange(date(2027, 4, 12), date(2027, 4, 12))
    held = calendars("JP", [busy])
    assert held is not japan and held.blackouts == (busy,)
    assert japan.blackouts == ()  # the shared one is untouched
    assert not held.is_business_day(date(2027, 4, 12)) and japan.is_business_day(date(2027, 4, 12))
    assert held.year_end_closure is None
