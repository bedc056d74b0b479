"""What the plan's timeline picture shows: a pure description, drawn by `bot.blocks.timeline`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import cast

from bot.domain.calendar import BusinessCalendar, ClosedReason, DateRange
from bot.domain.planning import PlannedTask
from bot.domain.playbook import Locale, Playbook


@dataclass(frozen=True)
class TimelineTask:
    title: str  # in the picture's language
    phase: str  # the phase's title, in the picture's language
    side: str  # "customer" | "vendor"
    start: date
    due: date
    status: str = "open"  # open | done | skipped
    required: bool = True
    planned_due: date | None = None  # when it moved: the date first planned


@dataclass(frozen=True)
class Timeline:
    """One project's (or one playbook preview's) plan: tasks in checklist order."""

    playbook: str  # the playbook's title, in the picture's language
    locale: str
    kickoff: date
    tasks: tuple[TimelineTask, ...]
    busy: tuple[DateRange, ...] = ()
    closed: tuple[tuple[date, ClosedReason], ...] = ()  # holidays, closures
    today: date | None = None
    go_live: date | None = None
    customer: str | None = None  # None: a playbook's preview

    @property
    def first(self) -> date:
        days = [self.kickoff, *(t.start for t in self.tasks)]
        if self.today is not None:
            days.append(self.today)  # a plan made before its kickoff shows today too
        return min(days)

    @property
    def last(self) -> date:
        days = [self.kickoff, *(t.due for t in self.tasks)]
        if self.go_live is not None:
            days.append(self.go_live)
        return max(days)


def closed_days(
    calendar: BusinessCalendar, start: date, end: date
) -> tuple[tuple[date, ClosedReason], ...]:
    """Holidays and closures in [start, end]: weekends are left out (the axis shows them),
    and so are blackouts (the picture shades them as busy periods)."""
    return tuple(
        (day, reason)
        for day, reason in calendar.closed_days(start, end)
        if reason.kind not in ("weekend", "blackout")
    )


def playbook_timeline(
    playbook: Playbook,
    planned: Sequence[PlannedTask],
    *,
    locale: str,
    kickoff: date,
    calendar: BusinessCalendar,
    busy: Sequence[DateRange] = (),
    today: date | None = None,
) -> Timeline:
    """A playbook's plan from `kickoff` (what `playbooks preview` prints), as a timeline."""
    lang = cast(Locale, locale)  # LocalizedText.get raises for any other
    tasks = []
    for item in planned:
        task = playbook.task(item.task_id)
        tasks.append(
            TimelineTask(
                title=task.title.get(lang),
                phase=playbook.phase(task.phase).title.get(lang),
                side=task.owner_side,
                start=item.start,
                due=item.due,
                required=task.required,
            )
        )
    end = max([kickoff, *(t.due for t in tasks)])
    return Timeline(
        playbook=playbook.title.get(lang),
        locale=locale,
        kickoff=kickoff,
        tasks=tuple(tasks),
        busy=tuple(busy),
        closed=closed_days(calendar, kickoff, end + timedelta(days=6)),
        today=today,
    )


def project_timeline(
    *,
    customer: str,
    playbook: str,
    locale: str,
    kickoff: date,
    tasks: Sequence[TimelineTask],
    calendar: BusinessCalendar,
    busy: Sequence[DateRange],
    today: date,
    go_live: date | None,
) -> Timeline:
    """A running project's plan as it stands `today` (skipped tasks left out)."""
    shown = tuple(t for t in tasks if t.status != "skipped")
    timeline = Timeline(
        playbook=playbook,
        locale=locale,
        kickoff=kickoff,
        tasks=shown,
        busy=tuple(busy),
        today=today,
        go_live=go_live,
        customer=customer,
    )
    return replace(
        timeline, closed=closed_days(calendar, timeline.first, timeline.last + timedelta(days=6))
    )
