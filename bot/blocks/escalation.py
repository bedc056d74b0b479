"""Escalation messages, one per rung of the ladder.

`csm`: a private alert to the CSM with each stuck task and three next steps.
`decision_maker`: a courteous request to the customer's decision-maker — what is waiting,
why it matters, what would help, and the CSM's offer of help; it never blames the champion.
It is always meant for her alone: a DM, or the CSM passes it on (bot.blocks.forward).
`decision_maker_notice`: tells the CSM that the decision-maker was contacted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum

from bot.blocks import limits
from bot.blocks.checklist import short_date
from bot.blocks.escape import channel_link, clip, escape, mention
from bot.blocks.message import Block, Message, context, section
from bot.domain.reminders import DueTask, EscalationDraft, ProjectInfo
from bot.i18n import t

CUSTOMER_LIMIT = 80
TITLE_LIMIT = 300
WHY_LIMIT = 1000
OWNER_LIMIT = 200


class EscalationBlockId(StrEnum):
    """Fixed `block_id`s of escalations; per-task ids come from `block_id`."""

    HEADER = "esc-header"
    TASKS_TITLE = "esc-tasks"
    MORE = "esc-more"
    STEPS = "esc-steps"
    ASK = "esc-ask"
    HELP = "esc-help"
    FOOTER = "esc-footer"


def block_id(project_id: int, task_id: int) -> str:
    """`esc-3-12`: the line of task 12 of project 3."""
    return f"esc-{project_id}-{task_id}"


def escalation_message(
    draft: EscalationDraft, *, owner_labels: Mapping[int, str], reminders_sent: Mapping[int, int]
) -> Message:
    """Render one escalation in the project's locale.

    Args:
        draft: The rung (`draft.level`), the project and its overdue tasks.
        owner_labels: Each task's owner, already formatted (a mention or a role label), by
            task id; shown to the CSM only.
        reminders_sent: How many reminders each task's owner got, by task id.

    Raises:
        ValueError: For an unknown level.
    """
    if draft.level == "csm":
        return _csm_alert(draft, owner_labels=owner_labels, reminders_sent=reminders_sent)
    if draft.level == "decision_maker":
        return _decision_maker_request(draft)
    if draft.level == "decision_maker_notice":
        return _decision_maker_notice(
            draft, owner_labels=owner_labels, reminders_sent=reminders_sent
        )
    raise ValueError(f"unknown escalation level: {draft.level!r}")


# --- to the CSM -------------------------------------------------------------------------


def _csm_alert(
    draft: EscalationDraft, *, owner_labels: Mapping[int, str], reminders_sent: Mapping[int, int]
) -> Message:
    project, locale = draft.project, draft.project.locale
    customer = _customer(project)
    count = len(draft.tasks)
    lines = [
        t(locale, "escalation.csm.title", customer=customer),
        _counted(locale, "escalation.csm.intro", count, count=count),
    ]
    if project.channel_id:
        lines.append(t(locale, "escalation.channel", channel=channel_link(project.channel_id)))
    vendor_only = all(item.task.owner_side != "customer" for item in draft.tasks)
    # A task of our own side is ours to finish: no talk with the customer's champion.
    first = "escalation.csm.step.finish" if vendor_only else "escalation.csm.step.call"
    steps = [
        t(locale, "escalation.csm.steps_title"),
        "1. " + t(locale, first),
        "2. "
        + t(
            locale,
            "escalation.csm.step.replan",
            more_time=t(locale, "checklist.button.more_time"),
        ),
        "3. " + _last_step(draft),
    ]
    blocks = _with_tasks(
        draft,
        head=[section(EscalationBlockId.HEADER, "\n".join(lines))],
        line=lambda item: _status_line(item, owner_labels, reminders_sent, locale=locale),
        tail=[section(EscalationBlockId.STEPS, "\n".join(steps))],
    )
    text = _counted(locale, "escalation.csm.text", count, customer=customer, count=count)
    return Message(text=text, blocks=blocks)


def _last_step(draft: EscalationDraft) -> str:
    """What happens if the task stays stuck: the decision-maker's turn, or our own team's."""
    project, locale = draft.project, draft.project.locale
    customer_tasks = [item for item in draft.tasks if item.task.owner_side == "customer"]
    if not customer_tasks:
        return t(locale, "escalation.csm.step.vendor")
    if not project.has_decision_maker:
        return t(locale, "escalation.csm.step.no_decision_maker")
    if max(item.days_overdue for item in customer_tasks) >= project.decision_maker_after_days:
        return t(locale, "escalation.csm.step.decision_maker_now")
    days = project.decision_maker_after_days
    return _counted(locale, "escalation.csm.step.decision_maker", days, days=days)


def _decision_maker_notice(
    draft: EscalationDraft, *, owner_labels: Mapping[int, str], reminders_sent: Mapping[int, int]
) -> Message:
    project, locale = draft.project, draft.project.locale
    customer = _customer(project)
    count = len(draft.tasks)
    # Mirrors the domain's choice: a DM when she has Slack, else the CSM passes it on.
    dm_user = project.decision_maker_user_id
    who = mention(dm_user) if dm_user else t(locale, "escalation.notice.who_role")
    where = t(locale, "escalation.notice.where_dm" if dm_user else "escalation.notice.where_you")
    lines = [
        t(locale, "escalation.notice.title", customer=customer),
        _counted(locale, "escalation.notice.intro", count, count=count, who=who),
        where,
    ]
    blocks = _with_tasks(
        draft,
        head=[section(EscalationBlockId.HEADER, "\n".join(lines))],
        line=lambda item: _status_line(item, owner_labels, reminders_sent, locale=locale),
        tail=[context(EscalationBlockId.FOOTER, t(locale, "escalation.notice.follow_up"))],
    )
    text = _counted(locale, "escalation.notice.text", count, customer=customer, count=count)
    return Message(text=text, blocks=blocks)


def _status_line(
    item: DueTask,
    owner_labels: Mapping[int, str],
    reminders_sent: Mapping[int, int],
    *,
    locale: str,
) -> str:
    """`*Title*` then owner · due date · days overdue · reminders sent."""
    task = item.task
    owner = owner_labels.get(task.id) or t(locale, f"side.{task.owner_side}")
    sent = reminders_sent.get(task.id, 0)
    parts = [
        t(locale, "escalation.task.owner", owner=clip(owner, OWNER_LIMIT)),
        t(locale, "escalation.task.due", date=short_date(task.due, locale)),
        _counted(locale, "escalation.task.overdue", item.days_overdue, days=item.days_overdue),
        t(locale, "escalation.task.no_reminders")
        if sent == 0
        else _counted(locale, "escalation.task.reminders", sent, count=sent),
    ]
    return f"*{_title(item)}*\n" + " · ".join(parts)


# --- to the decision-maker ----------------------------------------------------------------


def _decision_maker_request(draft: EscalationDraft) -> Message:
    project, locale = draft.project, draft.project.locale
    customer = _customer(project)
    greeting = t(locale, "escalation.dm.greeting", customer=customer)
    if project.csm_user_id:
        offer = t(locale, "escalation.dm.help", csm=mention(project.csm_user_id))
    else:
        offer = t(locale, "escalation.dm.help_team")
    blocks = _with_tasks(
        draft,
        head=[
            section(EscalationBlockId.HEADER, greeting),
            section(EscalationBlockId.TASKS_TITLE, t(locale, "escalation.dm.tasks_title")),
        ],
        line=lambda item: _request_line(item, locale=locale),
        tail=[
            section(EscalationBlockId.ASK, t(locale, "escalation.dm.ask")),
            section(EscalationBlockId.HELP, offer),
            context(EscalationBlockId.FOOTER, t(locale, "escalation.dm.footer")),
        ],
    )
    text = t(locale, "escalation.dm.text", customer=customer)
    return Message(text=text, blocks=blocks)


def _request_line(item: DueTask, *, locale: str) -> str:
    """What is waiting and why it matters; no owner, so nobody is singled out."""
    days = item.days_overdue
    line = _counted(
        locale,
        "escalation.dm.task",
        days,
        title=_title(item),
        date=short_date(item.task.due, locale),
        days=days,
    )
    why = clip(escape(item.task.why.strip()), WHY_LIMIT)
    if why:
        line += "\n" + t(locale, "escalation.dm.why", why=why)
    return line


# --- shared -------------------------------------------------------------------------------


def _with_tasks(
    draft: EscalationDraft,
    *,
    head: list[Block],
    line: Callable[[DueTask], str],
    tail: list[Block],
) -> list[Block]:
    """`head`, one section per task (as many as fit, then "…and N more"), `tail`."""
    project = draft.project
    task_blocks = [
        section(block_id(project.id, item.task.id), clip(line(item), limits.TEXT))
        for item in draft.tasks
    ]
    room = limits.MESSAGE_BLOCKS - len(head) - len(tail)
    if len(task_blocks) > room:
        shown = task_blocks[: room - 1]
        more = _more_line(project, len(task_blocks) - len(shown))
        task_blocks = [*shown, context(EscalationBlockId.MORE, more)]
    return [*head, *task_blocks, *tail]


def _more_line(project: ProjectInfo, count: int) -> str:
    if project.channel_id:
        return t(
            project.locale,
            "escalation.more",
            count=count,
            channel=channel_link(project.channel_id),
        )
    return t(project.locale, "escalation.more_no_channel", count=count)


def _customer(project: ProjectInfo) -> str:
    return clip(escape(project.customer_name), CUSTOMER_LIMIT)


def _title(item: DueTask) -> str:
    return clip(escape(item.task.title), TITLE_LIMIT)


def _counted(locale: str, key: str, n: int, /, **values: object) -> str:
    """`key_one` when `n` is 1 (English singulars), else `key`."""
    return t(locale, f"{key}_one" if n == 1 else key, **values)
