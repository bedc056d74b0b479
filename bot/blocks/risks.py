"""Delay risks the customer named: the CSM's reminder the day before a busy period starts,
and the open risks on the status message."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.blocks.checklist import due_label, owner_label, short_date
from bot.blocks.escape import clip, escape, mention
from bot.blocks.fit import fit_lines
from bot.blocks.ids import ActionId
from bot.blocks.message import Block, Message, button, channel_note, context, section
from bot.blocks.schedule import (
    RISK_TEXT_LIMIT,
    TITLE_LIMIT,
    ScheduleBlockId,
    button_label,
    by_due,
    customer_text,
    risk_block_id,
    slip_reason_label,
)
from bot.domain.views import ProjectView, RiskView, TaskView
from bot.i18n import t

_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def risk_reminder(project: ProjectView, risk: RiskView) -> Message:
    """Tell the CSM (a DM), the day before, that a customer's busy period starts.

    Lists the open tasks due during the period (or the first one after it) and suggests
    checking in with the customer before it starts.

    Raises:
        ValueError: When the risk has no dates.
    """
    start_day = risk.period_start or risk.period_end
    end_day = risk.period_end or risk.period_start
    if start_day is None or end_day is None:
        raise ValueError(f"risk {risk.id} has no period to remind about")
    locale = project.locale
    customer = customer_text(project)
    start, end = short_date(start_day, locale), short_date(end_day, locale)

    title = t(locale, "risk.reminder.title", customer=customer, start=start, end=end)
    if risk.text and risk.text.strip():
        note = clip(escape(risk.text.strip()), RISK_TEXT_LIMIT)
        title += "\n" + t(locale, "risk.reminder.note", text=note)

    open_tasks = sorted((task for task in project.tasks if task.is_open), key=by_due)
    during = [task for task in open_tasks if start_day <= task.due <= end_day]
    if during:
        tasks_text = fit_lines(
            t(locale, "risk.reminder.tasks_title", count=len(during)),
            [_risk_task_line("risk.reminder.task", task, locale) for task in during],
            more=lambda n: t(locale, "risk.reminder.more", count=n),
        )
    else:
        tasks_text = t(locale, "risk.reminder.no_tasks")
        after = next((task for task in open_tasks if task.due > end_day), None)
        if after is not None:
            tasks_text += "\n" + _risk_task_line("risk.reminder.next", after, locale)

    blocks: list[Block] = [
        section(ScheduleBlockId.RISK_TITLE, title),
        section(ScheduleBlockId.RISK_TASKS, tasks_text),
        section(ScheduleBlockId.RISK_SUGGESTION, t(locale, "risk.reminder.suggestion")),
    ]
    blocks += channel_note(
        ScheduleBlockId.RISK_CHANNEL, locale, "risk.reminder.channel", project.channel_id
    )
    text = t(locale, "risk.reminder.text", customer=customer, start=start, end=end)
    return Message(text=text, blocks=blocks)


def risk_blocks(risks: Sequence[RiskView], *, locale: str, max_blocks: int) -> list[Block]:
    """Open risks for the status message, each with a *Close* button; at most `max_blocks`.

    Closed risks are left out; with no open risk (or no room for a heading and one risk)
    the result is empty.
    """
    open_risks = [risk for risk in risks if risk.status == "open"]
    if not open_risks or max_blocks < 2:
        return []
    room = max_blocks - 1  # the heading
    shown = open_risks if len(open_risks) <= room else open_risks[: room - 1]
    blocks: list[Block] = [
        section(
            ScheduleBlockId.STATUS_RISKS,
            t(locale, "risk.status.title", count=len(open_risks)),
        )
    ]
    for risk in shown:
        close = button(
            button_label(locale, "risk.status.close"),
            action_id=ActionId.RISK_CLOSE,
            value=str(risk.id),
        )
        blocks.append(section(risk_block_id(risk.id), _risk_text(risk, locale), accessory=close))
    if len(shown) < len(open_risks):
        blocks.append(
            context(
                ScheduleBlockId.STATUS_RISKS_MORE,
                t(locale, "risk.status.more", count=len(open_risks) - len(shown)),
            )
        )
    return blocks


def _risk_text(risk: RiskView, locale: str) -> str:
    start = risk.period_start or risk.period_end
    end = risk.period_end or risk.period_start
    if risk.kind == "busy_period":
        heading = (
            t(
                locale,
                "risk.status.busy_period",
                start=short_date(start, locale),
                end=short_date(end, locale),
            )
            if start and end
            else t(locale, "risk.status.busy_period_undated")
        )
    elif risk.kind == "slip_reason":
        heading = t(
            locale, "risk.status.slip_reason", reason=slip_reason_label(risk.reason or "", locale)
        )
    elif risk.kind == "initiatives":
        heading = t(locale, "risk.status.initiatives")
    elif risk.kind == "go_live":
        heading = (
            t(locale, "risk.status.go_live", date=short_date(start, locale))
            if start
            else t(locale, "risk.status.go_live_undated")
        )
    else:
        heading = t(locale, "risk.status.other")
    if _SLACK_USER_ID.match(risk.said_by):
        heading += " · " + t(locale, "risk.status.said_by", user=mention(risk.said_by))
    if risk.text and risk.text.strip():
        heading += "\n" + clip(escape(risk.text.strip()), RISK_TEXT_LIMIT)
    return heading


def _risk_task_line(key: str, task: TaskView, locale: str) -> str:
    return t(
        locale,
        key,
        title=clip(escape(task.title), TITLE_LIMIT),
        owner=owner_label(task, locale),
        due=due_label(task, locale),
    )


# --- shared helpers ----------------------------------------------------------------------
