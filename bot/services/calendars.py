"""Builds the business-day calendar a project or a command plans with."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import Settings
from bot.config_values import parse_month_day_range
from bot.domain.calendar import BusinessCalendar, DateRange, YearEndClosure


def calendar_for(
    settings: Settings, *, country: str | None = None, blackouts: Sequence[DateRange] = ()
) -> BusinessCalendar:
    """The calendar of `country` (default: HOLIDAY_COUNTRY) with the configured year-end closure."""
    closure = None
    if settings.year_end_closure != "off":
        start, end = parse_month_day_range(settings.year_end_closure)
        closure = YearEndClosure(start=start, end=end)
    return BusinessCalendar(
        country=country or settings.holiday_country, year_end_closure=closure, blackouts=blackouts
    )


class CountryCalendars:
    """One calendar (and holiday cache) per country, shared by every project; a project's
    blackouts give a copy that shares the holidays."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._bases: dict[str, BusinessCalendar] = {}

    def __call__(
        self, country: str, blackouts: Sequence[DateRange] | None = None
    ) -> BusinessCalendar:
        base = self._bases.get(country)
        if base is None:
            base = self._bases[country] = calendar_for(self.settings, country=country)
        return base.with_blackouts(blackouts) if blackouts else base
