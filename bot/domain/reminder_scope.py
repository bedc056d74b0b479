"""Which open tasks a reminders or escalations run at `now` can act on, as date bounds a
query can use. Pure: time zones, lead days and a calendar in, bounds out.

Every plan of a run looks at tasks through a person's or a project's local day:
reminders and the CSM's own tasks from the reminder hour for `window_hours` (the owner's,
the CSM's or the project's zone), the decision-maker step and overdue tasks from the
reminder hour to midnight (the project's zone, or the CSM's for the summary). A task due
after the last business day any of those days looks ahead to is in none of them, unless
a blackout of its project falls in the look-ahead and pushes it further: such projects
are read whole. The exact rule (business days, pauses, snoozes) stays in the planners.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.calendar import BusinessCalendar
from bot.domain.reminders import REMINDER_WINDOW_HOURS, local_moment

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Scope:
    """Open tasks due on or before `last_due`, and every open task of a project with a
    blackout between `first_day` and `last_due` (it may push the look-ahead further)."""

    first_day: date  # the earliest local day any zone is planning for
    last_due: date


def scope_at(
    *,
    now: datetime,
    zones: Iterable[str],
    leads: Iterable[tuple[str, int]],
    calendar: Callable[[str], BusinessCalendar],
    reminder_hour: int,
    window_hours: int = REMINDER_WINDOW_HOURS,
) -> Scope | None:
    """The bounds for `now` (None: no zone is past its reminder hour, nothing to read).

    `zones`: every time zone of a reminded project or person; `leads`: each (holiday
    country, reminder lead days) in use; `calendar(country)`: its calendar without blackouts.
    """
    window: set[date] = set()  # local days of zones within the reminder window
    later: set[date] = set()  # local days of zones past the reminder hour
    for zone in set(zones):
        local = local_moment(now, zone)
        if local.hour >= reminder_hour:
            later.add(local.date())
            if local.hour < reminder_hour + window_hours:
                window.add(local.date())
    if not later:
        return None
    last_due = max(later) - ONE_DAY  # overdue: due before the day
    for country, lead in set(leads):
        for day in window:
            last_due = max(last_due, calendar(country).add_business_days(day, lead))
    return Scope(first_day=min(later), last_due=last_due)
