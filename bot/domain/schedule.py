"""Delay risks found at kickoff, re-planning around busy periods, and requests for more time.

Pure: the answers of the scheduling form, the checks on a requested date, and how open
tasks move when the calendar changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.date_bounds import ahead_problem
from bot.domain.planning import PlannedTask, TaskLike, plan
from bot.domain.start_form import FieldError

SLIP_REASONS = (
    "other_priorities",
    "people_approvals",
    "data_preparation",
    "unclear_tasks",
    "schedule_too_tight",
    "other",
)
BUSY_SLOTS = 3  # busy periods the form asks for
MAX_TEXT = 2000
REPLANS_BEFORE_ALERT = 2  # the CSM hears of the third re-plan of a task
MAX_BUSY_DAYS = 92  # a quarter: longer than that is not a busy period but a different plan


@dataclass(frozen=True)
class ScheduleAnswers:
    busy_periods: tuple[DateRange, ...]
    slip_reason: str | None
    slip_note: str | None
    initiatives: str | None
    committed_go_live: date | None


def fiscal_year_end(today: date, *, month: int = 3) -> DateRange:
    """The customer's next fiscal year-end month (the whole month), for the form's suggestion."""
    year = today.year if today.month <= month else today.year + 1
    start = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return DateRange(start, date.fromordinal(end.toordinal() - 1))


def schedule_answers(
    fields: Mapping[str, str | None], *, today: date
) -> ScheduleAnswers | list[FieldError]:
    """Validate the scheduling form: every wrong field is named."""
    errors: list[FieldError] = []
    periods = []
    for n in range(1, BUSY_SLOTS + 1):
        start, end = parse_day(fields.get(f"busy{n}_start")), parse_day(fields.get(f"busy{n}_end"))
        if start is None and end is None:
            continue
        if start is None or end is None:
            errors.append(
                FieldError(
                    f"busy{n}_end" if start else f"busy{n}_start", "form.range_incomplete", {}
                )
            )
        elif end < start:
            errors.append(FieldError(f"busy{n}_end", "form.range_backwards", {}))
        elif end < today:
            errors.append(FieldError(f"busy{n}_end", "form.range_past", {}))
        elif (end - start).days + 1 > MAX_BUSY_DAYS:
            errors.append(FieldError(f"busy{n}_end", "form.range_too_long", {"max": MAX_BUSY_DAYS}))
        elif problem := ahead_problem(end, today=today):
            errors.append(FieldError(f"busy{n}_end", *problem))
        else:
            periods.append(DateRange(start, end))
    reason = fields.get("slip_reason") or None
    if reason is not None and reason not in SLIP_REASONS:
        errors.append(FieldError("slip_reason", "form.required", {}))
    go_live = parse_day(fields.get("go_live"))
    if go_live is not None and go_live <= today:
        errors.append(FieldError("go_live", "form.date_not_future", {}))
    elif go_live is not None and (problem := ahead_problem(go_live, today=today)):
        errors.append(FieldError("go_live", *problem))
    texts = {key: (fields.get(key) or "").strip() or None for key in ("slip_note", "initiatives")}
    for key, value in texts.items():
        if value and len(value) > MAX_TEXT:
            errors.append(FieldError(key, "form.too_long", {"max": MAX_TEXT}))
    if errors:
        return errors
    return ScheduleAnswers(
        busy_periods=tuple(periods),
        slip_reason=reason,
        slip_note=texts["slip_note"],
        initiatives=texts["initiatives"],
        committed_go_live=go_live,
    )


def initiative_count(text: str | None) -> int:
    """How many initiatives a free-text answer lists (lines, bullets or commas)."""
    if not text:
        return 0
    parts = re.split(r"[\n,、;・]+|(?:^|\s)[-*•]\s", text)
    return len([p for p in parts if p.strip()])


def more_time_problem(
    new_due: date | None, *, today: date, calendar: BusinessCalendar
) -> str | None:
    """Why a requested new due date can't be used (a message key), or None."""
    if new_due is None:
        return "form.required"
    if new_due <= today:
        return "more_time.not_after_today"
    if ahead_problem(new_due, today=today):
        return "more_time.too_far"
    reason = calendar.closed_reason(new_due)
    if reason is not None:
        return f"more_time.closed_{reason.kind}"
    return None


def replan_open_tasks(
    tasks: Sequence[TaskLike],
    *,
    current_due: Mapping[str, date],
    fixed: Mapping[str, date],
    kickoff: date,
    calendar: BusinessCalendar,
    today: date,
) -> list[PlannedTask]:
    """New dates for open tasks after the calendar changed (e.g. new blackouts).

    Completed tasks (and any other `fixed` ones) keep their dates. Open tasks never move
    earlier than they are now, never into the past, never onto a closed day, and stay after
    the tasks they depend on.
    """
    planned = plan(tasks, kickoff=kickoff, calendar=calendar, fixed=fixed, not_before=today)
    by_id = {p.task_id: p for p in planned}
    result: dict[str, PlannedTask] = {}
    for spec in _in_dependency_order(tasks):
        item = by_id[spec.id]
        if spec.id in fixed:
            result[spec.id] = item
            continue
        due = max(item.due, current_due.get(spec.id, item.due))
        after = [result[d].due for d in spec.depends_on if d in result]
        if after and due <= max(after):
            due = calendar.add_business_days(max(after), 1)
        due = calendar.next_business_day(due)
        result[spec.id] = PlannedTask(spec.id, min(item.start, due), due)
    return [result[t.id] for t in tasks]


def _in_dependency_order(tasks: Sequence[TaskLike]) -> list[TaskLike]:
    done: dict[str, TaskLike] = {}
    pending = list(tasks)
    while pending:
        progressed = False
        for spec in list(pending):
            if all(d in done or d not in {t.id for t in tasks} for d in spec.depends_on):
                done[spec.id] = spec
                pending.remove(spec)
                progressed = True
        if not progressed:
            raise ValueError("dependency cycle")
    return list(done.values())


def parse_day(text: str | None) -> date | None:
    """A form's date (YYYY-MM-DD), or None for nothing or something that is no date."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
