"""Planning the schedule with the customer, and what the bot says when dates move.

Delays are cheaper to prevent than to recover from: at kickoff we ask the champion about
busy periods such as the fiscal year-end and what would make the schedule slip, plan due
dates around the answers, and record every later change with its reason so the CSM can
see when a task keeps slipping.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from bot.blocks import limits
from bot.blocks.checklist import due_label, owner_label, short_date
from bot.blocks.escape import channel_link, clip, escape, mention
from bot.blocks.ids import ActionId, BlockId, CallbackId, MoreTimeField, ScheduleField
from bot.blocks.message import Block, Message, actions, button, context, plain, section
from bot.blocks.people import person
from bot.domain.calendar import DateRange
from bot.domain.schedule import BUSY_SLOTS, MAX_TEXT, SLIP_REASONS
from bot.domain.views import ProjectView, RiskView, TaskView
from bot.i18n import t

CUSTOMER_LIMIT = 80
TITLE_LIMIT = 150
RISK_TEXT_LIMIT = 500
SUGGESTION_TASKS = 10  # tasks listed under the suggested busy period
MORE_TIME_NOTE_MAX = 500

_SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


class ScheduleBlockId(StrEnum):
    """Fixed `block_id`s of the scheduling messages and modals."""

    PROMPT = "schedule-prompt"
    PROMPT_ACTIONS = "schedule-prompt-actions"
    PROMPT_HINT = "schedule-prompt-hint"
    MODAL_INTRO = "schedule-intro"
    MODAL_BUSY = "schedule-busy"
    MODAL_SUGGESTION = "schedule-suggestion"
    MODAL_SLIP = "schedule-slip"
    MODAL_PLAN_END = "schedule-plan-end"
    SUMMARY_INTRO = "replan-intro"
    SUMMARY_MOVED = "replan-moved"
    SUMMARY_PLAN_END = "replan-plan-end"
    SUMMARY_LOAD = "replan-load"
    SUMMARY_OVER_GO_LIVE = "replan-over-go-live"
    SUMMARY_OPTIONAL = "replan-optional"
    SUMMARY_OPTIONAL_MORE = "replan-optional-more"
    SUMMARY_FOOTER = "replan-footer"
    MORE_TIME_TASK = "more-time-task"
    MORE_TIME_FOOTER = "more-time-footer"
    ALERT_TITLE = "replan-alert-title"
    ALERT_REASONS = "replan-alert-reasons"
    ALERT_SUGGESTION = "replan-alert-suggestion"
    ALERT_CHANNEL = "replan-alert-channel"
    RISK_TITLE = "risk-reminder-title"
    RISK_TASKS = "risk-reminder-tasks"
    RISK_SUGGESTION = "risk-reminder-suggestion"
    RISK_CHANNEL = "risk-reminder-channel"
    STATUS_RISKS = "status-risks"
    STATUS_RISKS_MORE = "status-risks-more"


def optional_task_block_id(task_id: int) -> str:
    return f"replan-optional-{task_id}"


def risk_block_id(risk_id: int) -> str:
    return f"risk-{risk_id}"


def slip_reason_label(reason: str, locale: str) -> str:
    """The label of a `SLIP_REASONS` value in `locale`; anything else reads as "Other"."""
    return t(locale, f"slip.{reason if reason in SLIP_REASONS else 'other'}")


# --- the prompt and the planning modal -----------------------------------------------


def schedule_prompt(project: ProjectView) -> Message:
    """Ask the champion, in the channel, to plan the schedule together.

    Asks about busy periods such as the fiscal year-end, what could make the schedule slip
    and other initiatives; the button opens `schedule_modal`.
    """
    locale = project.locale
    customer = _customer(project)
    if project.champion_user_id:
        champion = t(locale, "schedule.prompt.address_user", user=mention(project.champion_user_id))
    else:
        champion = t(locale, "schedule.prompt.address_role", role=t(locale, "role.champion"))
    blocks = [
        section(ScheduleBlockId.PROMPT, t(locale, "schedule.prompt.body", champion=champion)),
        actions(
            ScheduleBlockId.PROMPT_ACTIONS,
            button(
                _label(locale, "schedule.prompt.button"),
                action_id=ActionId.PLAN_SCHEDULE,
                value=str(project.id),
                style="primary",
            ),
        ),
        context(ScheduleBlockId.PROMPT_HINT, t(locale, "schedule.prompt.csm_hint")),
    ]
    return Message(text=t(locale, "schedule.prompt.text", customer=customer), blocks=blocks)


def schedule_modal(
    project: ProjectView,
    *,
    suggestion: DateRange,
    in_suggestion: list[TaskView],
    plan_end: date,
    committed_go_live: date | None,
) -> dict[str, Any]:
    """The scheduling form, in the project's language; every input is optional.

    Args:
        project: The project being planned; its id travels in `private_metadata`.
        suggestion: The busy period to pre-fill as the first one (the fiscal year-end month).
        in_suggestion: Planned tasks due within `suggestion`, listed under it.
        plan_end: The due date of the last open task.
        committed_go_live: The go-live date committed earlier, if any; else the project's
            target go-live pre-fills the date.
    """
    locale = project.locale
    blocks: list[Block] = [
        section(
            ScheduleBlockId.MODAL_INTRO,
            t(locale, "schedule.modal.intro", customer=_customer(project)),
        ),
        section(ScheduleBlockId.MODAL_BUSY, t(locale, "schedule.modal.busy_title")),
    ]
    for number in range(1, BUSY_SLOTS + 1):
        start_field = ScheduleField(f"busy{number}_start")
        end_field = ScheduleField(f"busy{number}_end")
        first = number == 1
        blocks.append(
            _input(
                start_field,
                t(locale, "schedule.modal.busy_start", number=number),
                _datepicker(start_field, locale, initial=suggestion.start if first else None),
            )
        )
        blocks.append(
            _input(
                end_field,
                t(locale, "schedule.modal.busy_end", number=number),
                _datepicker(end_field, locale, initial=suggestion.end if first else None),
            )
        )
        if first:
            blocks.append(
                context(
                    ScheduleBlockId.MODAL_SUGGESTION,
                    _suggestion_text(suggestion, in_suggestion, locale),
                )
            )
    blocks += [
        section(ScheduleBlockId.MODAL_SLIP, t(locale, "schedule.modal.slip_title")),
        _input(
            ScheduleField.SLIP_REASON,
            t(locale, "schedule.modal.slip_reason"),
            _reason_select(
                ScheduleField.SLIP_REASON, locale, "schedule.modal.slip_reason_placeholder"
            ),
        ),
        _input(
            ScheduleField.SLIP_NOTE,
            t(locale, "schedule.modal.slip_note"),
            _text_input(
                ScheduleField.SLIP_NOTE,
                locale,
                "schedule.modal.slip_note_placeholder",
                max_length=MAX_TEXT,
            ),
        ),
        _input(
            ScheduleField.INITIATIVES,
            t(locale, "schedule.modal.initiatives"),
            _text_input(
                ScheduleField.INITIATIVES,
                locale,
                "schedule.modal.initiatives_placeholder",
                max_length=MAX_TEXT,
            ),
            hint=t(locale, "schedule.modal.initiatives_hint"),
        ),
        _input(
            ScheduleField.GO_LIVE,
            t(locale, "schedule.modal.go_live"),
            _datepicker(
                ScheduleField.GO_LIVE, locale, initial=committed_go_live or project.target_go_live
            ),
            hint=t(locale, "schedule.modal.go_live_hint"),
        ),
        context(
            ScheduleBlockId.MODAL_PLAN_END,
            t(locale, "schedule.modal.plan_end", date=short_date(plan_end, locale)),
        ),
    ]
    return _modal(
        callback_id=CallbackId.SCHEDULE,
        private_metadata=str(project.id),
        locale=locale,
        prefix="schedule.modal",
        blocks=blocks,
    )


def _suggestion_text(suggestion: DateRange, tasks: list[TaskView], locale: str) -> str:
    start, end = short_date(suggestion.start, locale), short_date(suggestion.end, locale)
    if not tasks:
        return t(locale, "schedule.modal.suggestion_none", start=start, end=end)
    lines = [
        t(
            locale,
            "schedule.modal.suggestion_task",
            title=clip(escape(task.title), TITLE_LIMIT),
            date=short_date(task.due, locale),
        )
        for task in tasks[:SUGGESTION_TASKS]
    ]
    if len(tasks) > SUGGESTION_TASKS:
        lines.append(
            t(locale, "schedule.modal.suggestion_more", count=len(tasks) - SUGGESTION_TASKS)
        )
    text = t(
        locale, "schedule.modal.suggestion_tasks", start=start, end=end, tasks="\n".join(lines)
    )
    return clip(text, limits.TEXT)


# --- after the answers -----------------------------------------------------------------


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
    customer = _customer(project)
    csm = (
        t(locale, "replan.summary.csm_user", user=mention(project.csm_user_id))
        if project.csm_user_id
        else t(locale, "replan.summary.csm_role")
    )

    if moved:
        lines = [_moved_line(task, old, new, days, locale) for task, old, new, days in moved]
        moved_text = _fit(
            t(locale, "replan.summary.moved_title", count=len(moved)),
            lines,
            more=lambda n: t(locale, "replan.summary.more", count=n),
        )
    else:
        moved_text = t(locale, "replan.summary.nothing_moved")
    end = short_date(plan_end, locale)
    plan_end_text = (
        t(
            locale,
            "replan.summary.plan_end_committed",
            date=end,
            go_live=short_date(committed_go_live, locale),
        )
        if committed_go_live
        else t(locale, "replan.summary.plan_end", date=end)
    )

    blocks: list[Block] = [
        section(ScheduleBlockId.SUMMARY_INTRO, t(locale, "replan.summary.intro")),
        section(ScheduleBlockId.SUMMARY_MOVED, moved_text),
        context(ScheduleBlockId.SUMMARY_PLAN_END, plan_end_text),
    ]
    if initiatives >= 2:
        blocks.append(
            section(
                ScheduleBlockId.SUMMARY_LOAD,
                t(locale, "replan.summary.load", count=initiatives),
            )
        )
    if committed_go_live is not None and plan_end > committed_go_live:
        blocks.append(
            section(
                ScheduleBlockId.SUMMARY_OVER_GO_LIVE,
                t(
                    locale,
                    "replan.summary.over_go_live",
                    plan_end=end,
                    go_live=short_date(committed_go_live, locale),
                    csm=csm,
                ),
            )
        )
    footer = context(ScheduleBlockId.SUMMARY_FOOTER, t(locale, "replan.summary.footer"))
    if optional_open:
        blocks.append(
            section(
                ScheduleBlockId.SUMMARY_OPTIONAL,
                t(locale, "replan.summary.optional_title", count=len(optional_open), csm=csm),
            )
        )
        room = limits.MESSAGE_BLOCKS - len(blocks) - 1  # the footer
        shown = optional_open if len(optional_open) <= room else optional_open[: room - 1]
        blocks += [_optional_task_block(task, locale) for task in shown]
        if len(shown) < len(optional_open):
            blocks.append(
                context(
                    ScheduleBlockId.SUMMARY_OPTIONAL_MORE,
                    t(
                        locale,
                        "replan.summary.optional_more",
                        count=len(optional_open) - len(shown),
                    ),
                )
            )
    blocks.append(footer)

    if moved:
        key = "replan.summary.text_one" if len(moved) == 1 else "replan.summary.text"
        text = t(locale, key, customer=customer, count=len(moved))
    else:
        text = t(locale, "replan.summary.text_none", customer=customer)
    return Message(text=text, blocks=blocks)


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
        _label(locale, "replan.summary.skip"), action_id=ActionId.TASK_SKIP, value=str(task.id)
    )
    return section(optional_task_block_id(task.id), text, accessory=skip)


# --- need more time ----------------------------------------------------------------------


def more_time_modal(task: TaskView, *, project_id: int, locale: str, today: date) -> dict[str, Any]:
    """Ask for a new due date and the reason; the task id travels in `private_metadata`.

    Args:
        task: The task that needs more time.
        project_id: The task's project. Not rendered: the handler finds the project
            from the task id.
        locale: The project's language.
        today: The current due date is pre-filled only when it is after `today`.
    """
    del project_id  # the task id is enough to find the project again
    task_text = t(
        locale,
        "more_time.modal.task",
        title=clip(escape(task.title), TITLE_LIMIT),
        date=short_date(task.due, locale),
    )
    blocks: list[Block] = [
        section(ScheduleBlockId.MORE_TIME_TASK, task_text),
        _input(
            MoreTimeField.NEW_DUE,
            t(locale, "more_time.modal.new_due"),
            _datepicker(
                MoreTimeField.NEW_DUE, locale, initial=task.due if task.due > today else None
            ),
            optional=False,
            hint=t(locale, "more_time.modal.new_due_hint"),
        ),
        _input(
            MoreTimeField.REASON,
            t(locale, "more_time.modal.reason"),
            _reason_select(MoreTimeField.REASON, locale, "more_time.modal.reason_placeholder"),
            optional=False,
        ),
        _input(
            MoreTimeField.NOTE,
            t(locale, "more_time.modal.note"),
            _text_input(
                MoreTimeField.NOTE,
                locale,
                "more_time.modal.note_placeholder",
                max_length=MORE_TIME_NOTE_MAX,
            ),
        ),
        context(ScheduleBlockId.MORE_TIME_FOOTER, t(locale, "more_time.modal.footer")),
    ]
    return _modal(
        callback_id=CallbackId.MORE_TIME,
        private_metadata=str(task.id),
        locale=locale,
        prefix="more_time.modal",
        blocks=blocks,
    )


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
    customer = _customer(project)
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
    if project.channel_id:
        blocks.append(
            context(
                ScheduleBlockId.ALERT_CHANNEL,
                t(locale, "replan.alert.channel", channel=channel_link(project.channel_id)),
            )
        )
    text = t(locale, "replan.alert.text", customer=customer, title=title, count=count)
    return Message(text=text, blocks=blocks)


# --- delay risks -------------------------------------------------------------------------


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
    customer = _customer(project)
    start, end = short_date(start_day, locale), short_date(end_day, locale)

    title = t(locale, "risk.reminder.title", customer=customer, start=start, end=end)
    if risk.text and risk.text.strip():
        note = clip(escape(risk.text.strip()), RISK_TEXT_LIMIT)
        title += "\n" + t(locale, "risk.reminder.note", text=note)

    open_tasks = sorted((task for task in project.tasks if task.is_open), key=_by_due)
    during = [task for task in open_tasks if start_day <= task.due <= end_day]
    if during:
        tasks_text = _fit(
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
    if project.channel_id:
        blocks.append(
            context(
                ScheduleBlockId.RISK_CHANNEL,
                t(locale, "risk.reminder.channel", channel=channel_link(project.channel_id)),
            )
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
            _label(locale, "risk.status.close"), action_id=ActionId.RISK_CLOSE, value=str(risk.id)
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


def _customer(project: ProjectView) -> str:
    return clip(escape(project.customer_name), CUSTOMER_LIMIT)


def _label(locale: str, key: str) -> str:
    return clip(t(locale, key), limits.BUTTON_TEXT)


def _by_due(task: TaskView) -> tuple[date, int]:
    return task.due, task.id


def _fit(title: str, lines: list[str], *, more: Callable[[int], str]) -> str:
    """`title` and as many lines as fit in one section, then `more(hidden)`."""
    kept: list[str] = []
    for index, line in enumerate(lines):
        left_after = len(lines) - index - 1
        tail = [more(left_after)] if left_after else []
        if len("\n".join([title, *kept, line, *tail])) > limits.TEXT:
            # The previous round checked that this very "more" line fits after `kept`.
            return "\n".join([title, *kept, more(len(lines) - index)])
        kept.append(line)
    return "\n".join([title, *kept])


def _modal(
    *, callback_id: str, private_metadata: str, locale: str, prefix: str, blocks: list[Block]
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(clip(t(locale, f"{prefix}.title"), limits.VIEW_TITLE)),
        "submit": plain(clip(t(locale, f"{prefix}.submit"), limits.VIEW_TITLE)),
        "close": plain(clip(t(locale, f"{prefix}.close"), limits.VIEW_TITLE)),
        "private_metadata": private_metadata,
        "blocks": blocks,
    }


def _input(
    field: str, label: str, element: Block, *, optional: bool = True, hint: str | None = None
) -> Block:
    block: Block = {"type": "input", "block_id": field, "label": plain(label), "element": element}
    if hint is not None:
        block["hint"] = plain(hint)
    if optional:
        block["optional"] = True
    return block


def _datepicker(field: str, locale: str, *, initial: date | None) -> Block:
    element: Block = {
        "type": "datepicker",
        "action_id": field,
        "placeholder": plain(t(locale, "schedule.modal.date_placeholder")),
    }
    if initial is not None:
        element["initial_date"] = initial.isoformat()
    return element


def _text_input(field: str, locale: str, placeholder_key: str, *, max_length: int) -> Block:
    return {
        "type": "plain_text_input",
        "action_id": field,
        "multiline": True,
        "max_length": max_length,
        "placeholder": plain(clip(t(locale, placeholder_key), limits.PLACEHOLDER)),
    }


def _reason_select(field: str, locale: str, placeholder_key: str) -> Block:
    return {
        "type": "static_select",
        "action_id": field,
        "placeholder": plain(clip(t(locale, placeholder_key), limits.PLACEHOLDER)),
        "options": [
            {"text": plain(clip(slip_reason_label(r, locale), limits.OPTION_TEXT)), "value": r}
            for r in SLIP_REASONS
        ],
    }
