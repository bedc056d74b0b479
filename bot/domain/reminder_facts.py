"""What reminders and escalations are planned from (a project, an open task) and what the
planning hands on (a due task, a reminder or escalation draft). Pure data;
`bot.domain.reminders` plans with them and is where the rest of the bot imports them from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from bot.domain.calendar import BusinessCalendar


@dataclass(frozen=True, slots=True)
class ProjectInfo:
    id: int
    customer_name: str
    locale: str
    timezone: str
    holiday_country: str
    channel_id: str | None
    thread_ts: str | None  # the first checklist message: threaded channel mentions go there
    reminder_lead_days: int
    csm_after_days: int
    decision_maker_after_days: int
    decision_maker_overdue_tasks: int
    csm_user_id: str | None
    decision_maker_user_id: str | None
    decision_maker_email: str | None = None  # an invited decision-maker not on Slack yet
    paused_until: date | None = None  # paused through this date (in each person's own day)
    escalation_approval: str | None = None  # "csm" | "auto"; None: the global setting

    @property
    def has_decision_maker(self) -> bool:
        return bool(self.decision_maker_user_id or self.decision_maker_email)

    def paused_on(self, day: date) -> bool:
        return self.paused_until is not None and day <= self.paused_until


class OpenTask(NamedTuple):
    """An open task with its owner, as read for planning (a plain row: tens of thousands)."""

    id: int
    project_id: int
    title: str  # in the project's locale
    why: str
    owner_side: str
    due: date
    owner_stakeholder_id: int | None
    owner_user_id: str | None  # None: no Slack account linked yet
    owner_external: bool = False
    owner_tz: str | None = None
    owner_is_decision_maker: bool = False
    owner_snoozed_until: date | None = None  # the owner snoozed their reminders through it


class DueTask(NamedTuple):
    """A task in a reminder, with how it stands on the recipient's day."""

    task: OpenTask
    days_overdue: int  # business days; 0 when not overdue
    days_left: int  # business days until due; 0 when due today or overdue


@dataclass(frozen=True, slots=True)
class ReminderDraft:
    """One reminder: a DM to a person, a threaded mention in one project channel (nobody to
    DM yet), or a note to the CSM to forward (a decision-maker not on Slack yet)."""

    key: str
    local_date: date
    user_id: str | None  # the person, when they have Slack
    channel_id: str | None  # set for a channel mention (no DM possible)
    thread_ts: str | None
    stakeholder_id: int | None
    locale: str
    items: tuple[tuple[ProjectInfo, tuple[DueTask, ...]], ...]  # grouped by project, overdue first
    is_decision_maker: bool = False  # if the DM is refused, the CSM forwards it (no channel)
    forward_to: str | None = None  # the CSM who forwards it (a decision-maker without Slack)

    @property
    def task_ids(self) -> list[int]:
        return [d.task.id for _, tasks in self.items for d in tasks]


@dataclass(frozen=True, slots=True)
class EscalationDraft:
    key: str
    level: str  # "csm" | "decision_maker" | "decision_maker_notice"
    project: ProjectInfo
    tasks: tuple[DueTask, ...]
    recipient_user_id: str | None
    # The decision-maker has no Slack account linked: the CSM gets the request to forward.
    forward: bool
    local_date: date

    @property
    def task_ids(self) -> list[int]:
        return [d.task.id for d in self.tasks]


CalendarFor = Callable[[ProjectInfo], BusinessCalendar]
