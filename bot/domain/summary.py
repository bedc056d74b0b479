"""The CSM's morning summary: one DM per CSM per business morning in their own time zone,
across all their projects. Pure: what the portfolio loader read in, summaries out.

Per customer: the overdue tasks by side, the tasks that reached the CSM step today, drafts
for the decision-maker still waiting for an answer, whether the customer has joined, busy
periods starting soon, open risks and who snoozed their reminders; then the CSM's own
tasks (which the summary carries instead of a separate reminder). Nothing to say: no DM.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.reminders import (
    REMINDER_WINDOW_HOURS,
    CalendarFor,
    DueTask,
    LocalClock,
    LookAhead,
    OpenTask,
    ProjectInfo,
    ZoneDays,
    standing,
)
from bot.gc_pause import gc_paused

BUSY_SOON_DAYS = 7  # calendar days ahead a busy period counts as "starting soon"


@dataclass(frozen=True, slots=True)
class WaitingDraft:
    """A draft for the decision-maker the CSM has not answered (from an earlier day)."""

    id: int
    local_date: date
    task_count: int


@dataclass(frozen=True, slots=True)
class ProjectExtras:
    """What the summary says about a project beyond its tasks (read by the service)."""

    drafts: tuple[WaitingDraft, ...] = ()
    joined: bool = True  # someone of the customer is in the channel
    busy_periods: tuple[tuple[date, date], ...] = ()  # open busy periods (start, end)
    open_risks: int = 0
    snoozed: tuple[tuple[str, date], ...] = ()  # (user id, until) of people who snoozed


NO_EXTRAS = ProjectExtras()  # a project with nothing beyond its tasks


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    project: ProjectInfo
    customer_overdue: tuple[DueTask, ...]
    vendor_overdue: tuple[DueTask, ...]
    reached_csm_today: tuple[DueTask, ...]
    drafts: tuple[WaitingDraft, ...]
    not_joined: bool
    busy_soon: tuple[tuple[date, date], ...]
    open_risks: int
    snoozed: tuple[tuple[str, date], ...]

    @property
    def has_news(self) -> bool:
        return bool(
            self.customer_overdue
            or self.vendor_overdue
            or self.drafts
            or self.not_joined
            or self.busy_soon
            or self.snoozed
        )


@dataclass(frozen=True, slots=True)
class SummaryDraft:
    key: str
    csm_user_id: str
    local_date: date
    locale: str
    customers: tuple[CustomerSummary, ...]
    own_tasks: tuple[tuple[ProjectInfo, DueTask], ...]  # the CSM's own open tasks due soon

    @property
    def task_ids(self) -> list[int]:
        ids = [d.task.id for c in self.customers for d in (*c.customer_overdue, *c.vendor_overdue)]
        return ids + [d.task.id for _, d in self.own_tasks if d.task.id not in ids]

    @property
    def project_id(self) -> int:
        if self.customers:
            return self.customers[0].project.id
        return self.own_tasks[0][0].id


@dataclass
class _Csm:
    locale: str
    day: date
    projects: dict[int, list[DueTask]] = field(default_factory=lambda: defaultdict(list))
    own: list[tuple[ProjectInfo, DueTask]] = field(default_factory=list)


@gc_paused()  # a CSM entry and a list per project in the window, no cycles
def plan_summaries(
    *,
    now: datetime,
    projects: Mapping[int, ProjectInfo],
    tasks: Iterable[OpenTask],
    calendar_for: CalendarFor,
    reminder_hour: int,
    extras: Mapping[int, ProjectExtras],
    csm_zones: Mapping[str, str | None],
    window_hours: int = REMINDER_WINDOW_HOURS,
) -> list[SummaryDraft]:
    """The summaries due at `now`: for each CSM whose local time is within the reminder
    window, on a business day of at least one of their projects, with something to say."""
    by_project: dict[int, list[OpenTask]] = defaultdict(list)
    for task in tasks:
        by_project[task.project_id].append(task)
    csms: dict[str, _Csm] = {}
    days, ahead = ZoneDays(now, reminder_hour, window_hours), LookAhead()
    for project in sorted(projects.values(), key=lambda p: p.id):
        csm = project.csm_user_id
        if not csm:
            continue
        today = days[csm_zones.get(csm) or project.timezone]  # as `csm_day`, once per zone
        if today is None:
            continue
        calendar = calendar_for(project)
        if project.paused_on(today) or not calendar.is_business_day(today):
            continue
        entry = csms.get(csm) or csms.setdefault(csm, _Csm(project.locale, today))
        overdue = entry.projects.setdefault(project.id, [])
        last_due = ahead[calendar, today, project.reminder_lead_days]
        for task in by_project.get(project.id, ()):
            theirs = task.owner_user_id == csm and task.due <= last_due
            if not theirs and task.due >= today:
                continue  # neither the CSM's own nor overdue
            item = standing(task, today=today, calendar=calendar)
            if theirs:
                entry.own.append((project, item))
            if item.days_overdue:
                overdue.append(item)
    drafts = []
    for csm, entry in sorted(csms.items()):
        customers = [
            summary
            for project_id, items in entry.projects.items()
            if (items or _may_have_news(extras.get(project_id)))
            and (summary := _customer(projects[project_id], items, entry.day, extras)).has_news
        ]
        if not customers and not entry.own:
            continue
        own = sorted(entry.own, key=lambda p: (-p[1].days_overdue, p[1].task.due, p[1].task.id))
        drafts.append(
            SummaryDraft(
                key=f"summary:{csm}:{entry.day.isoformat()}",
                csm_user_id=csm,
                local_date=entry.day,
                locale=entry.locale,
                customers=tuple(customers),
                own_tasks=tuple(own),
            )
        )
    return drafts


def csm_day(
    clock: LocalClock,
    project: ProjectInfo,
    csm_zones: Mapping[str, str | None],
    reminder_hour: int,
    window_hours: int = REMINDER_WINDOW_HOURS,
) -> date | None:
    """The CSM's local day when `clock.now` is within their reminder window (None otherwise, or
    without a CSM). Their zone as Slack last told it, else the project's."""
    if not project.csm_user_id:
        return None
    local = clock[csm_zones.get(project.csm_user_id) or project.timezone]
    if not reminder_hour <= local.hour < reminder_hour + window_hours:
        return None
    return local.date()


def _may_have_news(more: ProjectExtras | None) -> bool:
    """Whether a project without overdue tasks can still be news (most cannot)."""
    if more is None:
        return False
    return bool(more.drafts or not more.joined or more.busy_periods or more.snoozed)


def _customer(
    project: ProjectInfo, items: list[DueTask], day: date, extras: Mapping[int, ProjectExtras]
) -> CustomerSummary:
    """What the CSM hears of one project today (`has_news` says whether it is worth a line)."""
    more = extras.get(project.id) or NO_EXTRAS
    items.sort(key=lambda i: (-i.days_overdue, i.task.id))
    customer: list[DueTask] = []
    vendor: list[DueTask] = []
    for item in items:  # one pass: tens of thousands of projects a morning
        (customer if item.task.owner_side == "customer" else vendor).append(item)
    soon = tuple(
        (start, end)
        for start, end in more.busy_periods
        if end >= day and (start - day).days <= BUSY_SOON_DAYS
    )
    return CustomerSummary(
        project,
        tuple(customer),
        tuple(vendor),
        tuple(i for i in items if i.days_overdue == project.csm_after_days),
        tuple(d for d in more.drafts if d.local_date < day) if more.drafts else (),
        not more.joined,
        soon,
        more.open_risks,
        more.snoozed,
    )
