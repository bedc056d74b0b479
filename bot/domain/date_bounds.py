"""Which dates a person may give: close enough to today to be a plan, not a typo. Pure.

A kickoff of `0207-04-05` (meant: 2027) or `9999-12-31` is accepted by any date parser; the
first escalates centuries-overdue tasks the next morning, the second overflows the planner.
Every date a person types goes through one of these checks, which return a message key and
its values (the allowed range, as ISO dates) or None.
"""

from __future__ import annotations

from datetime import date

KICKOFF_YEARS = 2  # a kickoff within this many years before or after today
AHEAD_YEARS = 3  # go-live, busy periods and new due dates: at most this far ahead

Problem = tuple[str, dict[str, object]]


def years_from(day: date, years: int) -> date:
    """The same day `years` later (or earlier); 29 February becomes 28 February."""
    year = min(max(day.year + years, date.min.year), date.max.year)
    try:
        return day.replace(year=year)
    except ValueError:
        return day.replace(year=year, day=28)


def kickoff_problem(kickoff: date, *, today: date) -> Problem | None:
    earliest, latest = years_from(today, -KICKOFF_YEARS), years_from(today, KICKOFF_YEARS)
    if earliest <= kickoff <= latest:
        return None
    return "error.kickoff_out_of_range", {
        "date": kickoff.isoformat(),
        "earliest": earliest.isoformat(),
        "latest": latest.isoformat(),
    }


def go_live_problem(go_live: date, *, kickoff: date) -> Problem | None:
    """After the kickoff, and within AHEAD_YEARS of it."""
    if go_live <= kickoff:
        return "error.go_live_before_kickoff", {
            "go_live": go_live.isoformat(),
            "kickoff": kickoff.isoformat(),
        }
    latest = years_from(kickoff, AHEAD_YEARS)
    if go_live > latest:
        return "error.go_live_too_far", {"date": go_live.isoformat(), "latest": latest.isoformat()}
    return None


def ahead_problem(day: date, *, today: date) -> Problem | None:
    """A date in a plan (busy period, committed go-live, new due date): not beyond
    AHEAD_YEARS from today. Whether it may lie in the past is the caller's rule."""
    latest = years_from(today, AHEAD_YEARS)
    if day > latest:
        return "error.date_too_far", {"date": day.isoformat(), "latest": latest.isoformat()}
    return None
