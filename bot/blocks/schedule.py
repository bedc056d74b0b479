"""Planning the schedule with the customer: the prompt, the planning form and *Need more time*.

Delays are cheaper to prevent than to recover from: at kickoff we ask the champion about
busy periods such as the fiscal year-end and what would make the schedule slip, and plan due
dates around the answers. What the bot says when dates move is in `bot.blocks.replan`; the
delay risks the answers leave are in `bot.blocks.risks`.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from bot.blocks import limits
from bot.blocks.checklist import short_date
from bot.blocks.escape import clip, escape, mention
from bot.blocks.ids import ActionId, CallbackId, MoreTimeField, ScheduleField
from bot.blocks.message import Block, Message, actions, button, context, modal, plain, section
from bot.domain.calendar import DateRange
from bot.domain.schedule import BUSY_SLOTS, MAX_TEXT, SLIP_REASONS
from bot.domain.views import ProjectView, TaskView
from bot.i18n import t

CUSTOMER_LIMIT = 80
TITLE_LIMIT = 150
RISK_TEXT_LIMIT = 500
SUGGESTION_TASKS = 10  # tasks listed under the suggested busy period
MORE_TIME_NOTE_MAX = 500


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
    customer = customer_text(project)
    if project.champion_user_id:
        champion = t(locale, "schedule.prompt.address_user", user=mention(project.champion_user_id))
    else:
        champion = t(locale, "schedule.prompt.address_role", role=t(locale, "role.champion"))
    blocks = [
        section(ScheduleBlockId.PROMPT, t(locale, "schedule.prompt.body", champion=champion)),
        actions(
            ScheduleBlockId.PROMPT_ACTIONS,
            button(
                button_label(locale, "schedule.prompt.button"),
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
            t(locale, "schedule.modal.intro", customer=customer_text(project)),
        ),
        section(ScheduleBlockId.MODAL_BUSY, t(locale, "schedule.modal.busy_title")),
        *_busy_inputs(suggestion, in_suggestion, locale),
        section(ScheduleBlockId.MODAL_SLIP, t(locale, "schedule.modal.slip_title")),
        *_slip_inputs(locale),
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


def _busy_inputs(suggestion: DateRange, in_suggestion: list[TaskView], locale: str) -> list[Block]:
    """`BUSY_SLOTS` start and end dates; the first pre-filled with `suggestion`, its tasks under it."""
    blocks: list[Block] = []
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
    return blocks


def _slip_inputs(locale: str) -> list[Block]:
    """What could make the schedule slip, a note, and the customer's other initiatives."""
    return [
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
    ]


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


# --- shared by the schedule messages ---------------------------------------------------


def customer_text(project: ProjectView) -> str:
    return clip(escape(project.customer_name), CUSTOMER_LIMIT)


def button_label(locale: str, key: str) -> str:
    return clip(t(locale, key), limits.BUTTON_TEXT)


def by_due(task: TaskView) -> tuple[date, int]:
    return task.due, task.id


def _modal(
    *, callback_id: str, private_metadata: str, locale: str, prefix: str, blocks: list[Block]
) -> dict[str, Any]:
    return modal(
        callback_id,
        title=t(locale, f"{prefix}.title"),
        submit=t(locale, f"{prefix}.submit"),
        close=t(locale, f"{prefix}.close"),
        private_metadata=private_metadata,
        blocks=blocks,
    )


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
