"""The morning reminder: one message listing a person's open tasks, grouped by project.

It is a DM when the owner has Slack, else a threaded mention in the project channel.
Each task says why it matters and carries the checklist's own *Done* / *Need more time*
buttons. When the list is too long for one message, the most urgent tasks are shown and
the rest are counted, pointing to the checklist.
"""

from __future__ import annotations

from enum import StrEnum

from bot.blocks import limits
from bot.blocks.checklist import short_date
from bot.blocks.escape import channel_link, clip, escape, mention
from bot.blocks.ids import ActionId
from bot.blocks.message import Block, Message, actions, button, context, section
from bot.domain.reminders import DueTask, ProjectInfo, ReminderDraft
from bot.i18n import t

CUSTOMER_LIMIT = 80
TITLE_LIMIT = 300
WHY_LIMIT = 1000
FIXED_BLOCKS = 2  # the opening line and the closing hint
PROJECT_BLOCKS = 1  # the customer heading


class ReminderBlockId(StrEnum):
    """Fixed `block_id`s of a reminder; per-project and per-task ids come from `block_id`."""

    INTRO = "rem-intro"
    MORE = "rem-more"
    FOOTER = "rem-footer"


def block_id(project_id: int, task_id: int | None = None, part: str = "") -> str:
    """`rem-3` for a project heading, `rem-3-12` for a task, `rem-3-12-why` for its parts."""
    base = f"rem-{project_id}" if task_id is None else f"rem-{project_id}-{task_id}"
    return f"{base}-{part}" if part else base


def reminder_message(draft: ReminderDraft, *, today_label: str | None = None) -> Message:
    """Render one reminder.

    Args:
        draft: Who gets it, where, and their due tasks grouped by project.
        today_label: The day named in the opening line (mrkdwn, not escaped); defaults to
            `draft.local_date` as a short date.

    Returns:
        At most 50 blocks: the opening line, each project with its tasks (overdue first),
        a "…and N more" line when some tasks don't fit, and a closing hint.
    """
    locale = draft.locale
    groups = [(project, _by_urgency(tasks)) for project, tasks in draft.items]
    shown, hidden = _fit(groups)

    snooze = None
    if draft.user_id and draft.channel_id is None and draft.forward_to is None:
        # Only in the person's own DM: they may snooze their own reminders (≤ a month).
        snooze = button(
            _label(locale, "snooze.button"), action_id=ActionId.REMINDER_SNOOZE, value="snooze"
        )
    blocks: list[Block] = [
        section(ReminderBlockId.INTRO, _intro(draft, today_label=today_label), accessory=snooze)
    ]
    for project, tasks in shown:
        blocks.append(section(block_id(project.id), _project_heading(project, draft)))
        for item in tasks:
            blocks.extend(_task_blocks(project, item, locale=locale))
    if hidden:
        lines = [_more_line(project, count, locale=locale) for project, count in hidden]
        blocks.append(context(ReminderBlockId.MORE, clip("\n".join(lines), limits.TEXT)))
    blocks.append(context(ReminderBlockId.FOOTER, _footer(locale, snooze=snooze is not None)))
    return Message(text=_fallback_text(draft, groups), blocks=blocks)


def _by_urgency(tasks: tuple[DueTask, ...]) -> tuple[DueTask, ...]:
    """Overdue first (longest overdue on top), then by due date; stable for equal tasks."""
    return tuple(
        sorted(
            tasks,
            key=lambda d: (0 if d.days_overdue else 1, -d.days_overdue, d.task.due, d.task.id),
        )
    )


def _task_cost(item: DueTask) -> int:
    return 3 if item.task.why.strip() else 2


def _fit(
    groups: list[tuple[ProjectInfo, tuple[DueTask, ...]]],
) -> tuple[list[tuple[ProjectInfo, tuple[DueTask, ...]]], list[tuple[ProjectInfo, int]]]:
    """The tasks that fit in one message, in order, and how many of each project don't."""
    total = FIXED_BLOCKS + sum(
        PROJECT_BLOCKS + sum(_task_cost(item) for item in tasks) for _, tasks in groups
    )
    room = limits.MESSAGE_BLOCKS - FIXED_BLOCKS - (0 if total <= limits.MESSAGE_BLOCKS else 1)
    shown: list[tuple[ProjectInfo, tuple[DueTask, ...]]] = []
    hidden: list[tuple[ProjectInfo, int]] = []
    full = False
    for project, tasks in groups:
        kept: list[DueTask] = []
        for item in tasks:
            cost = _task_cost(item) + (0 if kept else PROJECT_BLOCKS)
            if full or cost > room:
                full = True  # keep the urgency order: nothing after this one is shown either
                break
            kept.append(item)
            room -= cost
        if kept:
            shown.append((project, tuple(kept)))
        if len(kept) < len(tasks):
            hidden.append((project, len(tasks) - len(kept)))
    return shown, hidden


def _address(draft: ReminderDraft) -> str | None:
    """How a channel mention starts; a DM needs no address."""
    if draft.channel_id is None:
        return None
    if draft.user_id:
        return t(draft.locale, "reminder.address.user", user=mention(draft.user_id))
    return t(draft.locale, "reminder.address.anyone")


def _intro(draft: ReminderDraft, *, today_label: str | None) -> str:
    label = today_label or short_date(draft.local_date, draft.locale)
    intro = t(draft.locale, "reminder.intro", date=label)
    address = _address(draft)
    return f"{address}\n{intro}" if address else intro


def _customer(project: ProjectInfo) -> str:
    return clip(escape(project.customer_name), CUSTOMER_LIMIT)


def _project_heading(project: ProjectInfo, draft: ReminderDraft) -> str:
    """The customer, linked to its channel unless the reminder is posted in that very channel."""
    customer = _customer(project)
    if project.channel_id and project.channel_id != draft.channel_id:
        return t(
            draft.locale,
            "reminder.project",
            customer=customer,
            channel=channel_link(project.channel_id),
        )
    return t(draft.locale, "reminder.project_no_channel", customer=customer)


def _counted(locale: str, key: str, n: int, /, **values: object) -> str:
    """`key_one` when `n` is 1 (English singulars), else `key`."""
    return t(locale, f"{key}_one" if n == 1 else key, **values)


def _standing(item: DueTask, *, title: str, locale: str) -> str:
    due = short_date(item.task.due, locale)
    if item.days_overdue:
        days = item.days_overdue
        return _counted(locale, "reminder.task.overdue", days, title=title, days=days, date=due)
    if item.days_left == 0:
        return t(locale, "reminder.task.today", title=title, date=due)
    days = item.days_left
    return _counted(locale, "reminder.task.soon", days, title=title, days=days, date=due)


def _task_blocks(project: ProjectInfo, item: DueTask, *, locale: str) -> list[Block]:
    task = item.task
    title = clip(escape(task.title), TITLE_LIMIT)
    blocks = [section(block_id(project.id, task.id), _standing(item, title=title, locale=locale))]
    why = clip(escape(task.why.strip()), WHY_LIMIT)
    if why:
        blocks.append(
            context(block_id(project.id, task.id, "why"), t(locale, "reminder.task.why", why=why))
        )
    value = str(task.id)
    blocks.append(
        actions(
            block_id(project.id, task.id, "actions"),
            button(
                _label(locale, "checklist.button.done"),
                action_id=ActionId.TASK_DONE,
                value=value,
                style="primary",
            ),
            button(
                _label(locale, "checklist.button.more_time"),
                action_id=ActionId.TASK_MORE_TIME,
                value=value,
            ),
        )
    )
    return blocks


def _label(locale: str, key: str) -> str:
    return clip(t(locale, key), limits.BUTTON_TEXT)


def _more_line(project: ProjectInfo, count: int, *, locale: str) -> str:
    customer = _customer(project)
    if project.channel_id:
        return t(
            locale,
            "reminder.more",
            count=count,
            customer=customer,
            channel=channel_link(project.channel_id),
        )
    return t(locale, "reminder.more_no_channel", count=count, customer=customer)


def _footer(locale: str, *, snooze: bool) -> str:
    """How to answer; with the snooze button, how to pause (else: ask the CSM)."""
    labels = {
        "done": _label(locale, "checklist.button.done"),
        "more_time": _label(locale, "checklist.button.more_time"),
    }
    if snooze:
        return t(locale, "reminder.footer_snooze", snooze=_label(locale, "snooze.button"), **labels)
    return t(locale, "reminder.footer", **labels)


def _fallback_text(
    draft: ReminderDraft, groups: list[tuple[ProjectInfo, tuple[DueTask, ...]]]
) -> str:
    """The notification line: `3 onboarding tasks need you today (1 overdue)`."""
    items = [item for _, tasks in groups for item in tasks]
    count = len(items)
    overdue = sum(1 for item in items if item.days_overdue)
    key = "reminder.text_overdue" if overdue else "reminder.text"
    text = _counted(draft.locale, key, count, count=count, overdue=overdue)
    address = _address(draft)
    return f"{address} {text}" if address else text
