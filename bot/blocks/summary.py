"""The CSM's morning summary (bot.domain.summary): per customer what needs the CSM, with
advice by task side, buttons to send a waiting draft or open the channel; then the CSM's
own tasks with Done / Need more time."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from bot.blocks import limits
from bot.blocks.checklist import short_date
from bot.blocks.escape import channel_link, clip, escape, mention
from bot.blocks.ids import ActionId, escalation_send_action
from bot.blocks.message import Block, Message, actions, button, context, section
from bot.domain.reminders import DueTask
from bot.domain.summary import CustomerSummary, SummaryDraft
from bot.i18n import t

TITLE_LIMIT = 150
CUSTOMER_LIMIT = 80
TASKS_PER_LINE = 3  # titles named per side, then "+N"
DRAFT_BUTTONS = 3
OWN_TASKS = 8


class SummaryBlockId(StrEnum):
    HEAD = "summary-head"
    OWN_TITLE = "summary-own"
    MORE = "summary-more"
    FOOTER = "summary-footer"


def customer_block_id(project_id: int, part: str = "") -> str:
    return f"summary-{project_id}-{part}" if part else f"summary-{project_id}"


def own_block_id(task_id: int, part: str = "") -> str:
    return f"summary-task-{task_id}-{part}" if part else f"summary-task-{task_id}"


def summary_message(draft: SummaryDraft) -> Message:
    """One DM for the CSM's morning, in the CSM's projects' language."""
    locale = draft.locale
    head = t(locale, "summary.title", date=short_date(draft.local_date, locale))
    counts = t(
        locale,
        "summary.counts",
        customers=len(draft.customers),
        own=len(draft.own_tasks),
    )
    blocks: list[Block] = [section(SummaryBlockId.HEAD, f"{head}\n{counts}")]
    own = _own_blocks(draft)
    room = limits.MESSAGE_BLOCKS - len(blocks) - len(own) - 2  # the footer, and a "more" line
    shown = 0
    for customer in draft.customers:
        part = _customer_blocks(customer, locale)
        if len(part) > room:
            break
        blocks += part
        room -= len(part)
        shown += 1
    if shown < len(draft.customers):
        more = t(locale, "summary.more_customers", count=len(draft.customers) - shown)
        blocks.append(context(SummaryBlockId.MORE, more))
    blocks += own
    blocks.append(context(SummaryBlockId.FOOTER, t(locale, "summary.footer")))
    text = t(locale, "summary.text", customers=len(draft.customers), own=len(draft.own_tasks))
    return Message(text=text, blocks=blocks[: limits.MESSAGE_BLOCKS])


def _customer_blocks(item: CustomerSummary, locale: str) -> list[Block]:
    block_id = customer_block_id(item.project.id)
    text = clip("\n".join(_customer_lines(item, locale)), limits.TEXT)
    blocks: list[Block] = [section(block_id, text)]
    buttons = _customer_buttons(item, locale)
    if buttons:
        blocks.append(actions(customer_block_id(item.project.id, "actions"), *buttons))
    return blocks


def _customer_lines(item: CustomerSummary, locale: str) -> list[str]:
    """The customer's heading, then one line for each thing the CSM should know today."""
    project = item.project
    name = clip(escape(project.customer_name), CUSTOMER_LIMIT)
    heading = t(locale, "summary.customer", customer=name)
    if project.channel_id:
        heading += " · " + channel_link(project.channel_id)
    lines = [heading]
    # A task that reached the CSM's step today is told once, on its own line below.
    reached = {i.task.id for i in item.reached_csm_today}
    for key, overdue in (
        ("summary.customer_overdue", item.customer_overdue),
        ("summary.vendor_overdue", item.vendor_overdue),
    ):
        tasks = [i for i in overdue if i.task.id not in reached]
        if tasks:
            lines.append(t(locale, key, count=len(tasks), tasks=_titles(tasks, locale)))
    if item.reached_csm_today:
        titles = _titles(item.reached_csm_today, locale)
        lines.append(t(locale, "summary.reached_today", days=project.csm_after_days, tasks=titles))
    for draft in item.drafts:
        day = short_date(draft.local_date, locale)
        lines.append(t(locale, "summary.draft_waiting", date=day, count=draft.task_count))
    if item.not_joined:
        lines.append(t(locale, "summary.not_joined"))
    for start, end in item.busy_soon:
        first, last = short_date(start, locale), short_date(end, locale)
        lines.append(t(locale, "summary.busy_soon", start=first, end=last))
    if item.open_risks:
        lines.append(t(locale, "summary.open_risks", count=item.open_risks))
    for user_id, until in item.snoozed:
        day = short_date(until, locale)
        lines.append(t(locale, "summary.snoozed", user=mention(user_id), date=day))
    return lines


def _customer_buttons(item: CustomerSummary, locale: str) -> list[Block]:
    """*Send* for each waiting draft (the first few), and a link to the channel."""
    project = item.project
    buttons = [
        button(
            clip(
                t(locale, "summary.button.send_draft", date=short_date(d.local_date, locale)),
                limits.BUTTON_TEXT,
            ),
            action_id=escalation_send_action(n),
            value=str(d.id),
            style="primary",
        )
        for n, d in enumerate(item.drafts[:DRAFT_BUTTONS], start=1)
    ]
    if project.channel_id:
        link = button(
            clip(t(locale, "home.button.channel"), limits.BUTTON_TEXT),
            action_id=ActionId.HOME_OPEN_CHANNEL,
            value=project.channel_id,
        )
        link["url"] = f"https://slack.com/app_redirect?channel={project.channel_id}"
        buttons.append(link)
    return buttons


def _own_blocks(draft: SummaryDraft) -> list[Block]:
    if not draft.own_tasks:
        return []
    locale = draft.locale
    blocks: list[Block] = [section(SummaryBlockId.OWN_TITLE, t(locale, "summary.own_title"))]
    for project, item in draft.own_tasks[:OWN_TASKS]:
        task = item.task
        title = clip(escape(task.title), TITLE_LIMIT)
        customer = clip(escape(project.customer_name), CUSTOMER_LIMIT)
        if item.days_overdue:
            line = t(
                locale,
                "summary.own_overdue",
                title=title,
                customer=customer,
                days=item.days_overdue,
                date=short_date(task.due, locale),
            )
        else:
            line = t(
                locale,
                "summary.own_due",
                title=title,
                customer=customer,
                date=short_date(task.due, locale),
            )
        value = str(task.id)
        blocks += [
            section(own_block_id(task.id), line),
            actions(
                own_block_id(task.id, "actions"),
                button(
                    clip(t(locale, "checklist.button.done"), limits.BUTTON_TEXT),
                    action_id=ActionId.TASK_DONE,
                    value=value,
                    style="primary",
                ),
                button(
                    clip(t(locale, "checklist.button.more_time"), limits.BUTTON_TEXT),
                    action_id=ActionId.TASK_MORE_TIME,
                    value=value,
                ),
            ),
        ]
    if len(draft.own_tasks) > OWN_TASKS:
        blocks.append(
            context(
                own_block_id(0, "more"),
                t(locale, "summary.more_own", count=len(draft.own_tasks) - OWN_TASKS),
            )
        )
    return blocks


def _titles(items: Sequence[DueTask], locale: str) -> str:
    named = [
        t(
            locale,
            "summary.task",
            title=clip(escape(i.task.title), TITLE_LIMIT),
            days=i.days_overdue,
        )
        for i in items[:TASKS_PER_LINE]
    ]
    if len(items) > TASKS_PER_LINE:
        named.append(t(locale, "summary.task_more", count=len(items) - TASKS_PER_LINE))
    return t(locale, "summary.list_separator").join(named)
