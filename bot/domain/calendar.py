"""Business-day calendar: weekends, public holidays, a year-end closure and blackouts.

Holidays come from the ``holidays`` package (Japan's 振替休日 and 国民の休日 included);
nothing here hand-writes a holiday table. Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import holidays

ClosedKind = Literal["weekend", "holiday", "year_end", "blackout"]

# How far to look for a business day before deciding the calendar has none.
MAX_SCAN_DAYS = 3 * 366

_ONE_DAY = timedelta(days=1)


def validate_country(code: str, *, subdiv: str | None = None) -> None:
    """Raise ValueError unless ``code`` (and ``subdiv``) is supported by ``holidays``."""
    supported = holidays.list_supported_countries()
    if code not in supported:
        hint = f" (did you mean {code.upper()!r}?)" if code.upper() in supported else ""
        raise ValueError(
            f"unknown country code {code!r}{hint}: use an ISO 3166-1 alpha-2 code "
            "supported by the holidays package, such as 'JP' or 'US'"
        )
    if subdiv is not None and subdiv not in supported[code]:
        raise ValueError(f"unknown subdivision {subdiv!r} for country {code!r}")


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of dates, e.g. a customer's blackout period."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"date range starts after it ends: {self.start} > {self.end}")

    @classmethod
    def parse(cls, text: str) -> DateRange:
        """Parse ``"YYYY-MM-DD:YYYY-MM-DD"``; a single ``"YYYY-MM-DD"`` is a one-day range."""
        parts = text.strip().split(":")
        if len(parts) not in (1, 2):
            raise ValueError(f"invalid date range {text!r}: expected YYYY-MM-DD:YYYY-MM-DD")
        try:
            days = [date.fromisoformat(part.strip()) for part in parts]
        except ValueError:
            raise ValueError(
                f"invalid date range {text!r}: expected YYYY-MM-DD:YYYY-MM-DD"
            ) from None
        return cls(start=days[0], end=days[-1])

    def contains(self, d: date) -> bool:
        """Whether ``d`` lies within the range, both ends included."""
        return self.start <= d <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()}:{self.end.isoformat()}"


@dataclass(frozen=True)
class YearEndClosure:
    """A yearly closure given as (month, day) bounds, inclusive; may wrap over the new year."""

    start: tuple[int, int] = (12, 29)
    end: tuple[int, int] = (1, 3)

    def __post_init__(self) -> None:
        for bound in (self.start, self.end):
            try:
                date(2000, *bound)  # a leap year, so (2, 29) is accepted
            except (TypeError, ValueError):
                raise ValueError(f"invalid month/day for year-end closure: {bound!r}") from None

    def contains(self, d: date) -> bool:
        """Whether ``d`` falls in the closure."""
        month_day = (d.month, d.day)
        if self.start <= self.end:
            return self.start <= month_day <= self.end
        return month_day >= self.start or month_day <= self.end


@dataclass(frozen=True)
class ClosedReason:
    """Why a day is not a business day; holidays carry their names in ja and en."""

    kind: ClosedKind
    name_ja: str | None = None
    name_en: str | None = None

    def name(self, locale: str) -> str | None:
        """The holiday name for ``locale`` ("ja", "en", "en_US", ...), or None."""
        if locale.lower().startswith("ja"):
            return self.name_ja or self.name_en
        return self.name_en or self.name_ja


DEFAULT_YEAR_END_CLOSURE = YearEndClosure()


class _HolidayCache:
    """Holiday names per year for one country/subdivision, in ja and en."""

    def __init__(self, *, country: str, subdiv: str | None) -> None:
        validate_country(country, subdiv=subdiv)
        self.country = country
        self.subdiv = subdiv
        probe = holidays.country_holidays(country, subdiv=subdiv)
        supported = tuple(probe.supported_languages)
        default = probe.default_language
        self._lang_ja = "ja" if "ja" in supported else default
        english = [lang for lang in supported if lang.startswith("en")]
        self._lang_en = "en_US" if "en_US" in english else (english[0] if english else default)
        self._years: dict[int, dict[date, tuple[str, str]]] = {}

    def names(self, d: date) -> tuple[str, str] | None:
        """(name_ja, name_en) if ``d`` is a public holiday, else None."""
        year = self._years.get(d.year)
        if year is None:
            year = self._load(d.year)
        return year.get(d)

    def _load(self, year: int) -> dict[date, tuple[str, str]]:
        ja = self._fetch(year, self._lang_ja)
        en = ja if self._lang_en == self._lang_ja else self._fetch(year, self._lang_en)
        loaded = {d: (name, en.get(d, name)) for d, name in ja.items()}
        self._years[year] = loaded
        return loaded

    def _fetch(self, year: int, language: str | None) -> dict[date, str]:
        found = holidays.country_holidays(
            self.country, subdiv=self.subdiv, years=year, language=language
        )
        return dict(found.items())


class BusinessCalendar:
    """Business days: not a weekend, public holiday, year-end closure day or blackout."""

    def __init__(
        self,
        *,
        country: str = "JP",
        subdiv: str | None = None,
        year_end_closure: YearEndClosure | None = DEFAULT_YEAR_END_CLOSURE,
        blackouts: Sequence[DateRange] = (),
    ) -> None:
        self._holidays = _HolidayCache(country=country, subdiv=subdiv)
        self.year_end_closure = year_end_closure
        self.blackouts: tuple[DateRange, ...] = tuple(blackouts)
        # Business days and their counts are asked for again and again (every open task).
        self._open: dict[date, bool] = {}
        self._between: dict[tuple[date, date], int] = {}
        # A copy made by `with_blackouts` asks the calendar it was made from (without
        # blackouts, shared by every project of the country) and takes its blackouts' days off.
        self._root: BusinessCalendar | None = None
        self._closed: frozenset[date] = frozenset()  # the root's business days blacked out

    @property
    def country(self) -> str:
        return self._holidays.country

    @property
    def subdiv(self) -> str | None:
        return self._holidays.subdiv

    def with_blackouts(self, blackouts: Sequence[DateRange]) -> BusinessCalendar:
        """A copy with ``blackouts`` instead of the current ones; shares the holiday cache."""
        other = copy(self)
        other.blackouts = tuple(blackouts)
        other._open, other._between = {}, {}  # both depend on the blackouts
        root = self._root if self._root is not None else None if self.blackouts else self
        if root is not None:
            other._root = root
            other._closed = frozenset(
                day
                for blackout in other.blackouts
                for day in _days(blackout.start, blackout.end)
                if root.is_business_day(day)
            )
        return other

    def closed_reason(self, d: date) -> ClosedReason | None:
        """Why ``d`` is not a business day, or None if it is one.

        When several apply, the most specific wins: holiday, weekend, year_end, blackout.
        """
        names = self._holidays.names(d)
        if names is not None:
            return ClosedReason(kind="holiday", name_ja=names[0], name_en=names[1])
        if d.weekday() >= 5:
            return ClosedReason(kind="weekend")
        if self.year_end_closure is not None and self.year_end_closure.contains(d):
            return ClosedReason(kind="year_end")
        if any(blackout.contains(d) for blackout in self.blackouts):
            return ClosedReason(kind="blackout")
        return None

    def is_business_day(self, d: date) -> bool:
        found = self._open.get(d)
        if found is None:
            found = self._open[d] = self._is_business_day(d)
        return found

    def _is_business_day(self, d: date) -> bool:
        if self._root is not None:
            return d not in self._closed and self._root.is_business_day(d)
        # The same tests as closed_reason, without building a reason: this is the hot path.
        if d.weekday() >= 5 or self._holidays.names(d) is not None:
            return False
        if self.year_end_closure is not None and self.year_end_closure.contains(d):
            return False
        return not any(blackout.contains(d) for blackout in self.blackouts)

    def next_business_day(self, d: date, *, include_self: bool = True) -> date:
        """The first business day on or after ``d`` (strictly after if not ``include_self``)."""
        first = d if include_self else d + _ONE_DAY
        for day in _days(first, first + timedelta(days=MAX_SCAN_DAYS)):
            if self.is_business_day(day):
                return day
        raise ValueError(f"no business day within {MAX_SCAN_DAYS} days after {first}")

    def add_business_days(self, d: date, n: int) -> date:
        """The business day ``n`` business days after the first business day on/after ``d``."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        day = self.next_business_day(d)
        for _ in range(n):
            day = self.next_business_day(day, include_self=False)
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Business days in (start, end]; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.business_days_between(end, start)
        key = (start, end)
        found = self._between.get(key)
        if found is None:
            if self._root is not None:
                found = self._root.business_days_between(start, end) - sum(
                    1 for day in self._closed if start < day <= end
                )
            else:
                found = sum(1 for day in _days(start + _ONE_DAY, end) if self.is_business_day(day))
            self._between[key] = found
        return found

    def closed_days(self, start: date, end: date) -> list[tuple[date, ClosedReason]]:
        """Every non-business day in [start, end] with its reason."""
        closed = []
        for day in _days(start, end):
            reason = self.closed_reason(day)
            if reason is not None:
                closed.append((day, reason))
        return closed


def _days(start: date, end: date) -> Iterator[date]:
    """Each date from ``start`` to ``end``, both included."""
    day = start
    while day <= end:
        yield day
        day += _ONE_DAY
