"""What the CSM sees of the decision-maker step: the draft to approve (Send / Edit / Skip),
the note that the step is waiting for a decision-maker to be linked, the note about tasks
she owns herself, and the modals of Edit and Skip.

The message to the decision-maker itself is `bot.blocks.escalation` (level
`decision_maker`); a draft shows it in full, exactly as she would receive it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.blocks import limits
from bot.blocks.checklist import short_date
from bot.blocks.escape import channel_link, clip, escape, mention
from bot.blocks.ids import ActionId, CallbackId, EscalationField
from bot.blocks.message import Block, Message, actions, button, context, modal, plain, section
from bot.domain.reminders import DueTask, ProjectInfo
from bot.i18n import t

CUSTOMER_LIMIT = 80
TITLE_LIMIT = 300
REASON_LIMIT = 500
TASK_LINES = 20  # tasks listed by name in a note, then "…and N more"


class StepBlockId(StrEnum):
    HEAD = "dmstep-head"
    MESSAGE_TITLE = "dmstep-message"
    OWN = "dmstep-own"
    ACTIONS = "dmstep-actions"
    FOOTER = "dmstep-footer"
    DECIDED = "dmstep-decided"
    EDITED = "dmstep-edited"
    TASKS = "dmstep-tasks"
    HOW = "dmstep-how"


def draft_message(
    project: ProjectInfo,
    *,
    escalation_id: int,
    request: Message,
    tasks: Sequence[DueTask],
    own_tasks: Sequence[DueTask],
) -> Message:
    """The message to the decision-maker, to the CSM first: nothing reaches her until the
    CSM presses **Send** (or edits it and sends the edit); **Skip** asks why.

    Args:
        project: The project (its CSM reads this).
        escalation_id: The step, carried by the buttons.
        request: The message as the decision-maker would receive it.
        tasks: The tasks it lists.
        own_tasks: Late tasks she owns herself: not in the message, the CSM follows up.
    """
    locale = project.locale
    customer = _customer(project)
    who = _who(project)
    count = len(tasks)
    head = "\n".join(
        [
            t(locale, "dmstep.draft.title", customer=customer),
            _counted(locale, "dmstep.draft.intro", count, count=count, who=who),
        ]
    )
    tail: list[Block] = []
    if own_tasks:
        tail.append(section(StepBlockId.OWN, _own_text(project, own_tasks)))
    value = str(escalation_id)
    tail += [
        actions(
            StepBlockId.ACTIONS,
            button(
                t(locale, "dmstep.button.send"),
                action_id=ActionId.ESCALATION_SEND,
                value=value,
                style="primary",
            ),
            button(
                t(locale, "dmstep.button.edit"), action_id=ActionId.ESCALATION_EDIT, value=value
            ),
            button(
                t(locale, "dmstep.button.skip"), action_id=ActionId.ESCALATION_SKIP, value=value
            ),
        ),
        context(StepBlockId.FOOTER, t(locale, "dmstep.draft.footer")),
    ]
    shown = request.blocks[: limits.MESSAGE_BLOCKS - 2 - len(tail)]
    blocks = [
        section(StepBlockId.HEAD, head),
        context(StepBlockId.MESSAGE_TITLE, t(locale, "dmstep.draft.message_title", who=who)),
        *shown,
        *tail,
    ]
    text = _counted(locale, "dmstep.draft.text", count, customer=customer, count=count)
    return Message(text=text, blocks=blocks)


def decided_message(
    project_locale: str,
    *,
    customer: str,
    status: str,
    by: str | None,
    at: datetime | None,
    reason: str | None = None,
    edited: bool = False,
) -> Message:
    """What replaces a draft once it was answered: sent (as written or edited), skipped
    (with the reason), or withdrawn because the project ended."""
    locale = project_locale
    name = clip(escape(customer), CUSTOMER_LIMIT)
    when = at.strftime("%Y-%m-%d %H:%M UTC") if at else ""
    actor = mention(by) if by and by != "system" else t(locale, "dmstep.decided.system")
    key = f"dmstep.decided.{status}" + ("_edited" if status == "sent" and edited else "")
    lines = [t(locale, key, customer=name, actor=actor, at=when)]
    if reason:
        lines.append(t(locale, "dmstep.decided.reason", reason=clip(escape(reason), REASON_LIMIT)))
    text = lines[0]
    return Message(text=text, blocks=[section(StepBlockId.DECIDED, "\n".join(lines))])


def waiting_message(project: ProjectInfo, tasks: Sequence[DueTask]) -> Message:
    """No decision-maker is linked: the CSM hears that the step is waiting, and how to link
    one. Nothing goes to the customer."""
    locale = project.locale
    customer = _customer(project)
    count = len(tasks)
    where = (
        t(locale, "dmstep.waiting.where", channel=channel_link(project.channel_id))
        if project.channel_id
        else t(locale, "dmstep.waiting.where_no_channel")
    )
    blocks = [
        section(
            StepBlockId.HEAD,
            "\n".join(
                [
                    t(locale, "dmstep.waiting.title", customer=customer),
                    _counted(locale, "dmstep.waiting.intro", count, count=count),
                ]
            ),
        ),
        section(StepBlockId.TASKS, _task_lines(project, tasks)),
        section(StepBlockId.HOW, t(locale, "dmstep.waiting.how", where=where)),
        context(StepBlockId.FOOTER, t(locale, "dmstep.waiting.footer")),
    ]
    text = _counted(locale, "dmstep.waiting.text", count, customer=customer, count=count)
    return Message(text=text, blocks=blocks)


def own_tasks_message(project: ProjectInfo, own_tasks: Sequence[DueTask]) -> Message:
    """Only tasks the decision-maker owns herself reached the step: the CSM follows up."""
    locale = project.locale
    customer = _customer(project)
    blocks = [
        section(StepBlockId.HEAD, t(locale, "dmstep.own.title", customer=customer)),
        section(StepBlockId.OWN, _own_text(project, own_tasks)),
    ]
    count = len(own_tasks)
    text = _counted(locale, "dmstep.own.text", count, customer=customer, count=count)
    return Message(text=text, blocks=blocks)


def with_own_tasks(notice: Message, project: ProjectInfo, own_tasks: Sequence[DueTask]) -> Message:
    """The CSM's notice that the decision-maker was contacted, plus her own late tasks."""
    if not own_tasks:
        return notice
    own = section(StepBlockId.OWN, _own_text(project, own_tasks))
    return Message(notice.text, [*notice.blocks[: limits.MESSAGE_BLOCKS - 1], own])


def editable_text(request: Message) -> str:
    """The request's words as one text the CSM can edit (section texts, blank lines between)."""
    parts = [
        str(b["text"]["text"])
        for b in request.blocks
        if b.get("type") == "section" and isinstance(b.get("text"), dict)
    ]
    parts += [
        str(e.get("text", ""))
        for b in request.blocks
        if b.get("type") == "context"
        for e in b.get("elements", [])
    ]
    return clip("\n\n".join(p for p in parts if p), limits.INPUT_TEXT)


def edited_request(text: str, *, fallback_text: str) -> Message:
    """The decision-maker's message as the CSM rewrote it (their words, sent as written;
    escaped so it can neither mention nor ping anyone)."""
    body = clip(escape(text.strip()), limits.TEXT)
    return Message(text=fallback_text, blocks=[section(StepBlockId.EDITED, body)])


def edit_modal(escalation_id: int, *, locale: str, text: str) -> dict[str, Any]:
    """The draft's text in a box; submitting sends the edited text to the decision-maker."""
    blocks: list[Block] = [
        section(StepBlockId.HEAD, t(locale, "dmstep.edit.intro")),
        {
            "type": "input",
            "block_id": EscalationField.TEXT,
            "label": plain(t(locale, "dmstep.edit.label")),
            "element": {
                "type": "plain_text_input",
                "action_id": EscalationField.TEXT,
                "multiline": True,
                "max_length": limits.INPUT_TEXT,
                "initial_value": text[: limits.INPUT_TEXT],
            },
        },
    ]
    return _modal(CallbackId.ESCALATION_EDIT, escalation_id, locale, "dmstep.edit", blocks)


def skip_modal(escalation_id: int, *, locale: str) -> dict[str, Any]:
    """Why the CSM does not send it (kept for CS staff; nothing goes to the customer)."""
    blocks: list[Block] = [
        section(StepBlockId.HEAD, t(locale, "dmstep.skip.intro")),
        {
            "type": "input",
            "block_id": EscalationField.REASON,
            "label": plain(t(locale, "dmstep.skip.label")),
            "element": {
                "type": "plain_text_input",
                "action_id": EscalationField.REASON,
                "multiline": True,
                "max_length": REASON_LIMIT,
                "placeholder": plain(t(locale, "dmstep.skip.placeholder")),
            },
        },
    ]
    return _modal(CallbackId.ESCALATION_SKIP, escalation_id, locale, "dmstep.skip", blocks)


def _modal(
    callback_id: str, escalation_id: int, locale: str, prefix: str, blocks: list[Block]
) -> dict[str, Any]:
    return modal(
        callback_id,
        title=t(locale, f"{prefix}.title"),
        submit=t(locale, f"{prefix}.submit"),
        close=t(locale, "dmstep.modal.close"),
        private_metadata=str(escalation_id),
        blocks=blocks,
    )


def _own_text(project: ProjectInfo, own_tasks: Sequence[DueTask]) -> str:
    locale = project.locale
    who = _who(project)
    count = len(own_tasks)
    head = _counted(locale, "dmstep.own.intro", count, count=count, who=who)
    return clip(head + "\n" + _task_lines(project, own_tasks), limits.TEXT)


def _task_lines(project: ProjectInfo, tasks: Sequence[DueTask]) -> str:
    locale = project.locale
    lines = [
        _counted(
            locale,
            "dmstep.task",
            item.days_overdue,
            title=clip(escape(item.task.title), TITLE_LIMIT),
            date=short_date(item.task.due, locale),
            days=item.days_overdue,
        )
        for item in tasks[:TASK_LINES]
    ]
    if len(tasks) > TASK_LINES:
        lines.append(t(locale, "dmstep.more", count=len(tasks) - TASK_LINES))
    return clip("\n".join(lines), limits.TEXT)


def _who(project: ProjectInfo) -> str:
    if project.decision_maker_user_id:
        return mention(project.decision_maker_user_id)
    return t(project.locale, "escalation.notice.who_role")


def _customer(project: ProjectInfo) -> str:
    return clip(escape(project.customer_name), CUSTOMER_LIMIT)


def _counted(locale: str, key: str, n: int, /, **values: object) -> str:
    return t(locale, f"{key}_one" if n == 1 else key, **values)
