"""Who gets a reminder today, and which escalations are due. Pure: rows in, drafts out.

A person gets at most one reminder a day (in their own time zone, at the reminder hour, on
a business day of the task's project) listing their open tasks that are overdue or due
within the project's lead days. Escalations climb a ladder per task and due date:
the CSM first, then the customer's decision-maker.

Whatever is meant for one person goes to them by DM, customers included (Slack lets the
app DM someone of another organisation who shares a channel with it). Only someone with
no Slack account linked yet gets a threaded mention in the project channel instead, and
never a known decision-maker: what is meant for her goes to the CSM, to forward.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.calendar import BusinessCalendar
from bot.domain.reminder_facts import (
    CalendarFor,
    DueTask,
    EscalationDraft,
    OpenTask,
    ProjectInfo,
    ReminderDraft,
)
from bot.gc_pause import gc_paused

__all__ = [  # the rows in and the drafts out are defined in reminder_facts, used from here
    "CalendarFor",
    "DueTask",
    "EscalationDraft",
    "OpenTask",
    "ProjectInfo",
    "ReminderDraft",
]

# A reminder goes out from the reminder hour for this long (a bot down all morning catches
# up in the afternoon, but never wakes anyone at night).
REMINDER_WINDOW_HOURS = 8


@dataclass
class _Bucket:
    locale: str
    stakeholder_id: int | None
    by_project: dict[int, list[DueTask]] = field(default_factory=lambda: defaultdict(list))
    is_decision_maker: bool = False


def local_moment(now: datetime, tz: str) -> datetime:
    return now.astimezone(ZoneInfo(tz))


class LocalClock(dict[str, datetime]):
    """`now` in each time zone, converted once per zone rather than once per task."""

    def __init__(self, now: datetime) -> None:
        super().__init__()
        self.now = now

    def __missing__(self, tz: str) -> datetime:
        local = self[tz] = local_moment(self.now, tz)
        return local


class LookAhead(dict[tuple[BusinessCalendar, date, int], date]):
    """The last due date a reminder on a day lists (`lead_days` business days on), worked
    out once per calendar, day and lead: projects without blackouts share a calendar."""

    def __missing__(self, key: tuple[BusinessCalendar, date, int]) -> date:
        calendar, today, lead_days = key
        found = self[key] = calendar.add_business_days(today, lead_days)
        return found


class ZoneDays(dict[str, date | None]):
    """Each time zone's local day at `now` while it is within the reminder window (None
    outside it), worked out once per zone rather than once per task."""

    def __init__(self, now: datetime, reminder_hour: int, window_hours: int) -> None:
        super().__init__()
        self.now, self.first, self.last = now, reminder_hour, reminder_hour + window_hours

    def __missing__(self, tz: str) -> date | None:
        local = local_moment(self.now, tz)
        found = self[tz] = local.date() if self.first <= local.hour < self.last else None
        return found


def standing(task: OpenTask, *, today: date, calendar: BusinessCalendar) -> DueTask:
    due = task.due  # positional fields: this runs for every task of every plan
    if due < today:
        return DueTask(task, calendar.business_days_between(due, today), 0)
    return DueTask(task, 0, calendar.business_days_between(today, due))


@gc_paused()  # tens of thousands of short-lived rows, no cycles
def plan_reminders(
    *,
    now: datetime,
    projects: dict[int, ProjectInfo],
    tasks: Iterable[OpenTask],
    calendar_for: CalendarFor,
    reminder_hour: int,
    window_hours: int = REMINDER_WINDOW_HOURS,
) -> list[ReminderDraft]:
    """The reminders due at `now` (already-sent ones are filtered later by their keys).

    A reminder goes out from the reminder hour for `window_hours`: a bot that was down all
    morning catches up in the afternoon, but never wakes anyone at night.
    """
    buckets = _Buckets()
    # Per project day: the last due date to remind of and the project's calendar (None: no
    # reminder that day).
    horizon: dict[tuple[int, date], tuple[date, BusinessCalendar] | None] = {}
    days, ahead = ZoneDays(now, reminder_hour, window_hours), LookAhead()
    for task in tasks:
        project = projects[task.project_id]
        if task.owner_user_id is not None and task.owner_user_id == project.csm_user_id:
            continue  # the CSM's own tasks are in their morning summary (bot.domain.summary)
        today = days[task.owner_tz or project.timezone]
        if today is None:
            continue
        if task.owner_snoozed_until is not None and today <= task.owner_snoozed_until:
            continue  # snoozed by the owner (escalations still follow the ladder)
        day_key = (project.id, today)
        reach = horizon.get(day_key, _UNSEEN)
        if reach is _UNSEEN:
            calendar = calendar_for(project)
            working = not project.paused_on(today) and calendar.is_business_day(today)
            reach = horizon[day_key] = (
                (ahead[calendar, today, project.reminder_lead_days], calendar) if working else None
            )
        if reach is None or task.due > reach[0]:
            continue
        buckets.add(task, project, today, standing(task, today=today, calendar=reach[1]))
    return sorted(buckets.drafts(projects), key=lambda d: d.key)


_UNSEEN: Any = object()  # a project day not looked at yet


class _Buckets:
    """Due tasks gathered per reminder: a person's DM, a decision-maker's reminder forwarded
    by the CSM, or a mention in the project channel for someone not in Slack."""

    def __init__(self) -> None:
        self.dms: dict[tuple[str, date], _Bucket] = {}
        self.forwards: dict[tuple[int, int | None, date], _Bucket] = {}
        self.mentions: dict[tuple[int, int | None, str | None, date], _Bucket] = {}

    def add(self, task: OpenTask, project: ProjectInfo, today: date, item: DueTask) -> None:
        if task.owner_user_id:
            bucket = self.dms.setdefault(
                (task.owner_user_id, today), _Bucket(project.locale, task.owner_stakeholder_id)
            )
            bucket.is_decision_maker |= task.owner_is_decision_maker
        elif task.owner_is_decision_maker and project.has_decision_maker:
            if not project.csm_user_id:
                return
            bucket = self.forwards.setdefault(
                (project.id, task.owner_stakeholder_id, today),
                _Bucket(project.locale, task.owner_stakeholder_id, is_decision_maker=True),
            )
        elif project.channel_id:
            bucket = self.mentions.setdefault(
                (project.id, task.owner_stakeholder_id, task.owner_user_id, today),
                _Bucket(project.locale, task.owner_stakeholder_id),
            )
        else:
            return
        bucket.by_project[project.id].append(item)

    def drafts(self, projects: dict[int, ProjectInfo]) -> list[ReminderDraft]:
        drafts = [
            ReminderDraft(
                key=f"reminder:{user_id}:{day.isoformat()}",
                local_date=day,
                user_id=user_id,
                channel_id=None,
                thread_ts=None,
                stakeholder_id=bucket.stakeholder_id,
                locale=bucket.locale,
                items=_grouped(bucket, projects),
                is_decision_maker=bucket.is_decision_maker,
            )
            for (user_id, day), bucket in self.dms.items()
        ]
        for (project_id, stakeholder_id, day), bucket in self.forwards.items():
            drafts.append(
                ReminderDraft(
                    key=f"reminder-forward:{project_id}:{stakeholder_id}:{day.isoformat()}",
                    local_date=day,
                    user_id=None,
                    channel_id=None,
                    thread_ts=None,
                    stakeholder_id=stakeholder_id,
                    locale=bucket.locale,
                    items=_grouped(bucket, projects),
                    is_decision_maker=True,
                    forward_to=projects[project_id].csm_user_id,
                )
            )
        for (project_id, stakeholder_id, user_id, day), bucket in self.mentions.items():
            project = projects[project_id]
            drafts.append(
                ReminderDraft(
                    key=f"reminder-channel:{project_id}:{stakeholder_id}:{day.isoformat()}",
                    local_date=day,
                    user_id=user_id,
                    channel_id=project.channel_id,
                    thread_ts=project.thread_ts,
                    stakeholder_id=stakeholder_id,
                    locale=bucket.locale,
                    items=_grouped(bucket, projects),
                )
            )
        return drafts


def _grouped(
    bucket: _Bucket, projects: dict[int, ProjectInfo]
) -> tuple[tuple[ProjectInfo, tuple[DueTask, ...]], ...]:
    def urgency(item: DueTask) -> tuple[int, int, date, int]:
        return (0 if item.days_overdue else 1, -item.days_overdue, item.task.due, item.task.id)

    groups = [
        (projects[pid], tuple(sorted(items, key=urgency)))
        for pid, items in bucket.by_project.items()
    ]
    return tuple(sorted(groups, key=lambda g: (urgency(g[1][0]), g[0].id)))


# Steps a task can reach once per due date (see `DecisionMakerStep`).
STEP_DECISION_MAKER = "decision_maker"  # listed in a message (or draft) for the decision-maker
STEP_WAITING = "waiting"  # no decision-maker linked: the CSM was told the step is waiting
STEP_OWN = "own"  # a task she owns herself: the CSM was told, she was not


@dataclass(frozen=True, slots=True)
class DecisionMakerStep:
    """The decision-maker step of one project on one business day: every customer task
    that newly reached it, at most one such step per project and day.

    `tasks` go in the message to her (or, with no decision-maker linked, into the CSM's
    note that the step is waiting); `own_tasks` are tasks she owns herself, which only the
    CSM hears about.
    """

    project: ProjectInfo
    local_date: date
    tasks: tuple[DueTask, ...]
    own_tasks: tuple[DueTask, ...]

    @property
    def linked(self) -> bool:
        """A decision-maker is known (on Slack, or invited by e-mail: the CSM forwards)."""
        return self.project.has_decision_maker

    @property
    def key(self) -> str:
        return f"dm:{self.project.id}:{self.local_date.isoformat()}"

    @property
    def task_ids(self) -> list[int]:
        return [d.task.id for d in self.tasks]

    @property
    def own_task_ids(self) -> list[int]:
        return [d.task.id for d in self.own_tasks]


@gc_paused()
def plan_decision_maker_steps(
    *,
    now: datetime,
    projects: dict[int, ProjectInfo],
    tasks: Iterable[OpenTask],
    calendar_for: CalendarFor,
    reminder_hour: int,
    reached: Set[tuple[int, date, str]],
) -> list[DecisionMakerStep]:
    """Each project's decision-maker step due at `now`, listing only tasks new to it.

    A customer task reaches the step once it is `decision_maker_after_days` business days
    overdue, or when `decision_maker_overdue_tasks` customer tasks are overdue at once (then
    all of them). `reached` holds `(task id, due date, step)` already taken: a task is never
    listed twice at one step for one due date (a new due date starts a new ladder). With no
    decision-maker linked the tasks are `waiting`; they are new to the real step once she is.
    Nothing is planned for a project without a CSM (nobody could approve or be told).
    """
    by_project = _overdue_by_project(
        now=now,
        projects=projects,
        tasks=tasks,
        calendar_for=calendar_for,
        reminder_hour=reminder_hour,
    )
    steps = []
    for project_id, (today, items) in sorted(by_project.items()):
        project = projects[project_id]
        if not project.csm_user_id:
            continue
        customer = [i for i in items if i.task.owner_side == "customer"]
        many = len(customer) >= project.decision_maker_overdue_tasks
        due = [i for i in customer if many or i.days_overdue >= project.decision_maker_after_days]
        if not project.has_decision_maker:
            fresh = [i for i in due if (i.task.id, i.task.due, STEP_WAITING) not in reached]
            fresh = [
                i for i in fresh if (i.task.id, i.task.due, STEP_DECISION_MAKER) not in reached
            ]
            if fresh:
                steps.append(DecisionMakerStep(project, today, tuple(fresh), ()))
            continue
        theirs = [i for i in due if not i.task.owner_is_decision_maker]
        hers = [i for i in due if i.task.owner_is_decision_maker]
        new = tuple(
            i for i in theirs if (i.task.id, i.task.due, STEP_DECISION_MAKER) not in reached
        )
        own = tuple(i for i in hers if (i.task.id, i.task.due, STEP_OWN) not in reached)
        if new or own:
            steps.append(DecisionMakerStep(project, today, new, own))
    return steps


def _overdue_by_project(
    *,
    now: datetime,
    projects: dict[int, ProjectInfo],
    tasks: Iterable[OpenTask],
    calendar_for: CalendarFor,
    reminder_hour: int,
) -> dict[int, tuple[date, list[DueTask]]]:
    """Overdue open tasks per project on its working day (most overdue first)."""
    overdue: dict[int, list[DueTask]] = defaultdict(list)
    # Per project: its working day and calendar (None: not a working moment of the project).
    days: dict[int, tuple[date, BusinessCalendar] | None] = {}
    clock = LocalClock(now)
    for task in tasks:
        day = days.get(task.project_id, _UNSEEN)
        if day is _UNSEEN:
            project = projects[task.project_id]
            local = clock[project.timezone]
            calendar = calendar_for(project)
            working = (
                local.hour >= reminder_hour
                and not project.paused_on(local.date())
                and calendar.is_business_day(local.date())
            )
            day = days[project.id] = (local.date(), calendar) if working else None
        if day is None or task.due >= day[0]:
            continue
        item = standing(task, today=day[0], calendar=day[1])
        if item.days_overdue:
            overdue[task.project_id].append(item)
    result = {}
    for project_id, items in overdue.items():
        items.sort(key=lambda i: (-i.days_overdue, i.task.id))
        day = days[project_id]
        assert day is not None
        result[project_id] = (day[0], items)
    return result
