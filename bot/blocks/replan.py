"""What the bot says when dates move: the re-plan summary, the note in the channel and the
CSM's alert when a task keeps slipping, so the CSM can see it before it is late."""

from __future__ import annotations

from collections.abc import Container
from datetime import date

from bot.blocks import limits
from bot.blocks.checklist import due_label, owner_label, short_date
from bot.blocks.escape import clip, escape, mention
from bot.blocks.fit import fit_lines
from bot.blocks.ids import ActionId, BlockId
from bot.blocks.message import Block, Message, button, channel_note, context, section
from bot.blocks.people import person
from bot.blocks.schedule import (
    TITLE_LIMIT,
    ScheduleBlockId,
    button_label,
    customer_text,
    optional_task_block_id,
    slip_reason_label,
)
from bot.domain.views import ProjectView, TaskView
from bot.i18n import t


def replan_summary(
    project: ProjectView,
    *,
    moved: list[tuple[TaskView, date, date, int]],
    plan_end: date,
    committed_go_live: date | None,
    initiatives: int,
    optional_open: list[TaskView],
) -> Message:
    """Thank the customer and say what the answers changed, in the channel.

    Args:
        project: The re-planned project.
        moved: (task, old due, new due, business days moved) for each task that moved.
        plan_end: The due date of the last open task after re-planning.
        committed_go_live: The go-live date the customer committed to, if any.
        initiatives: How many other initiatives the customer listed; 2 or more adds a
            note about the load.
        optional_open: Open optional tasks, each listed with a *Skip* button for the CSM.

    Returns:
        At most 50 blocks; long lists end with "…and N more".
    """
    locale = project.locale
    customer = customer_text(project)
    csm = (
        t(locale, "replan.summary.csm_user", user=mention(project.csm_user_id))
        if project.csm_user_id
        else t(locale, "replan.summary.csm_role")
    )
    end = short_date(plan_end, locale)
    blocks: list[Block] = [
        section(ScheduleBlockId.SUMMARY_INTRO, t(locale, "replan.summary.intro")),
        section(ScheduleBlockId.SUMMARY_MOVED, _moved_text(moved, locale)),
        context(ScheduleBlockId.SUMMARY_PLAN_END, _plan_end_text(end, committed_go_live, locale)),
    ]
    if initiatives >= 2:
        load = t(locale, "replan.summary.load", count=initiatives)
        blocks.append(section(ScheduleBlockId.SUMMARY_LOAD, load))
    if committed_go_live is not None and plan_end > committed_go_live:
        go_live = short_date(committed_go_live, locale)
        over = t(locale, "replan.summary.over_go_live", plan_end=end, go_live=go_live, csm=csm)
        blocks.append(section(ScheduleBlockId.SUMMARY_OVER_GO_LIVE, over))
    if optional_open:
        blocks += _optional_blocks(optional_open, csm=csm, room=len(blocks), locale=locale)
    blocks.append(context(ScheduleBlockId.SUMMARY_FOOTER, t(locale, "replan.summary.footer")))

    if moved:
        key = "replan.summary.text_one" if len(moved) == 1 else "replan.summary.text"
        text = t(locale, key, customer=customer, count=len(moved))
    else:
        text = t(locale, "replan.summary.text_none", customer=customer)
    return Message(text=text, blocks=blocks)


def _moved_text(moved: list[tuple[TaskView, date, date, int]], locale: str) -> str:
    if not moved:
        return t(locale, "replan.summary.nothing_moved")
    return fit_lines(
        t(locale, "replan.summary.moved_title", count=len(moved)),
        [_moved_line(task, old, new, days, locale) for task, old, new, days in moved],
        more=lambda n: t(locale, "replan.summary.more", count=n),
    )


def _plan_end_text(end: str, committed_go_live: date | None, locale: str) -> str:
    if committed_go_live is None:
        return t(locale, "replan.summary.plan_end", date=end)
    return t(
        locale,
        "replan.summary.plan_end_committed",
        date=end,
        go_live=short_date(committed_go_live, locale),
    )


def _optional_blocks(
    optional_open: list[TaskView], *, csm: str, room: int, locale: str
) -> list[Block]:
    """The open optional tasks with their *Skip* buttons, after `room` blocks already used."""
    blocks = [
        section(
            ScheduleBlockId.SUMMARY_OPTIONAL,
            t(locale, "replan.summary.optional_title", count=len(optional_open), csm=csm),
        )
    ]
    left = limits.MESSAGE_BLOCKS - room - len(blocks) - 1  # the footer
    shown = optional_open if len(optional_open) <= left else optional_open[: left - 1]
    blocks += [_optional_task_block(task, locale) for task in shown]
    if len(shown) < len(optional_open):
        blocks.append(
            context(
                ScheduleBlockId.SUMMARY_OPTIONAL_MORE,
                t(locale, "replan.summary.optional_more", count=len(optional_open) - len(shown)),
            )
        )
    return blocks


def _moved_line(task: TaskView, old: date, new: date, days: int, locale: str) -> str:
    key = "replan.summary.moved_line_one" if abs(days) == 1 else "replan.summary.moved_line"
    return t(
        locale,
        key,
        title=clip(escape(task.title), TITLE_LIMIT),
        old=short_date(old, locale),
        new=short_date(new, locale),
        change=f"{days:+d}",
    )


def _optional_task_block(task: TaskView, locale: str) -> Block:
    text = t(
        locale,
        "replan.summary.optional_task",
        title=clip(escape(task.title), TITLE_LIMIT),
        owner=owner_label(task, locale),
        due=due_label(task, locale),
    )
    skip = button(
        button_label(locale, "replan.summary.skip"),
        action_id=ActionId.TASK_SKIP,
        value=str(task.id),
    )
    return section(optional_task_block_id(task.id), text, accessory=skip)


def replan_note(
    task: TaskView,
    *,
    old_due: date,
    new_due: date,
    reason: str,
    actor_user_id: str,
    locale: str,
    customers: Container[str] = (),
) -> Message:
    """`🗓️ @taro moved "Import data" from Mon 4/5 to Mon 4/12 — reason: Other priorities`."""
    text = t(
        locale,
        "replan.note",
        user=person(locale, actor_user_id, customers=customers),
        title=clip(escape(task.title), TITLE_LIMIT),
        old=short_date(old_due, locale),
        new=short_date(new_due, locale),
        reason=slip_reason_label(reason, locale),
    )
    return Message(text=text, blocks=[context(BlockId.NOTE, text)])


def replan_alert(
    project: ProjectView, task: TaskView, *, count: int, reasons: list[str]
) -> Message:
    """Tell the CSM (a DM) that a task keeps moving, with the reasons given each time.

    Args:
        project: The task's project.
        task: The task, with its current due date.
        count: How many times its due date has been moved.
        reasons: The `SLIP_REASONS` value given for each move, oldest first.
    """
    locale = project.locale
    customer = customer_text(project)
    title = clip(escape(task.title), TITLE_LIMIT)
    owner = owner_label(task, locale)
    tally: dict[str, int] = {}
    for reason in reasons:
        label = slip_reason_label(reason, locale)
        tally[label] = tally.get(label, 0) + 1
    if tally:
        lines = [
            t(locale, "replan.alert.reason_many", reason=label, count=n)
            if n > 1
            else t(locale, "replan.alert.reason", reason=label)
            for label, n in tally.items()
        ]
        reasons_text = "\n".join([t(locale, "replan.alert.reasons_title"), *lines])
    else:
        reasons_text = t(locale, "replan.alert.no_reasons")
    blocks: list[Block] = [
        section(
            ScheduleBlockId.ALERT_TITLE,
            t(
                locale,
                "replan.alert.title",
                count=count,
                customer=customer,
                title=title,
                owner=owner,
                due=due_label(task, locale),
            ),
        ),
        section(ScheduleBlockId.ALERT_REASONS, reasons_text),
        section(
            ScheduleBlockId.ALERT_SUGGESTION, t(locale, "replan.alert.suggestion", owner=owner)
        ),
    ]
    blocks += channel_note(
        ScheduleBlockId.ALERT_CHANNEL, locale, "replan.alert.channel", project.channel_id
    )
    text = t(locale, "replan.alert.text", customer=customer, title=title, count=count)
    return Message(text=text, blocks=blocks)
