"""Status answers: one project in detail, or every project on one line each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from bot.blocks import limits
from bot.blocks.checklist import due_label, owner_label, short_date
from bot.blocks.escape import channel_link, clip, escape
from bot.blocks.fit import fit_lines
from bot.blocks.health import health_label
from bot.blocks.ids import ActionId, BlockId, overview_block_id
from bot.blocks.message import Block, Message, actions, button, channel_note, section
from bot.blocks.progress import progress_bar
from bot.blocks.risks import risk_blocks
from bot.domain.views import ProjectView, RiskView, TaskView
from bot.i18n import t

TITLE_LIMIT = 150
CUSTOMER_LIMIT = 80


def project_status(
    project: ProjectView,
    *,
    today: date,
    overdue_days: Mapping[int, int] | None = None,
    risks: Sequence[RiskView] = (),
) -> Message:
    """Progress, overdue tasks (oldest first), the next task due and the open delay risks.

    Args:
        project: The project to describe.
        today: The date overdue and next-due are computed against.
        overdue_days: Business days each overdue task is late, by task id; computed by the
            caller with the project's calendar. Tasks missing from it show no day count.
        risks: The project's delay risks; the open ones are listed, each with a *Close*
            button. Closed ones are left out.
    """
    locale = project.locale
    overdue_days = overdue_days or {}
    customer = clip(escape(project.customer_name), CUSTOMER_LIMIT)
    done, total = project.progress

    header = t(
        locale,
        "status.header",
        customer=customer,
        playbook=clip(escape(project.playbook_title), 200),
        status=_state(project, locale),
    )
    dates = t(
        locale,
        "status.dates",
        kickoff=short_date(project.kickoff, locale),
        go_live=short_date(project.target_go_live, locale)
        if project.target_go_live
        else t(locale, "status.go_live_tbd"),
    )

    overdue = sorted(project.overdue(today), key=lambda task: (task.due, task.id))
    blocks: list[Block] = [
        section(BlockId.STATUS_HEADER, header),
        section(
            BlockId.STATUS_PROGRESS,
            t(locale, "status.progress", bar=progress_bar(done, total)) + "\n" + dates,
        ),
        section(BlockId.STATUS_OVERDUE, _overdue_text(overdue, overdue_days, locale)),
        section(BlockId.STATUS_NEXT, _next_text(project, today)),
    ]
    tail = _tail(project)
    blocks += risk_blocks(
        risks, locale=locale, max_blocks=limits.MESSAGE_BLOCKS - len(blocks) - len(tail)
    )
    blocks += tail
    text = t(locale, "status.text", customer=customer, done=done, total=total, overdue=len(overdue))
    return Message(text=text, blocks=blocks)


def _overdue_text(overdue: list[TaskView], overdue_days: Mapping[int, int], locale: str) -> str:
    if not overdue:
        return t(locale, "status.no_overdue")
    title = t(locale, "status.overdue_title", count=len(overdue))
    lines = [_overdue_line(task, overdue_days.get(task.id), locale) for task in overdue]
    return fit_lines(title, lines, more=lambda n: t(locale, "status.more", count=n))


def _next_text(project: ProjectView, today: date) -> str:
    upcoming = project.next_due(today)
    if upcoming is None:
        return t(project.locale, "status.no_next")
    return t(project.locale, "status.next_title") + "\n" + _task_line(upcoming, project.locale)


def _tail(project: ProjectView) -> list[Block]:
    """The link to the channel and, while there is open work, *Plan the schedule*."""
    locale = project.locale
    tail: list[Block] = []
    tail += channel_note(BlockId.STATUS_CHANNEL, locale, "status.channel", project.channel_id)
    if project.running and any(task.is_open for task in project.tasks):
        tail.append(
            actions(
                BlockId.STATUS_ACTIONS,
                button(
                    t(locale, "status.button.plan_schedule"),
                    action_id=ActionId.PLAN_SCHEDULE,
                    value=str(project.id),
                ),
            )
        )
    return tail


def projects_overview(projects: list[ProjectView], *, locale: str, today: date) -> Message:
    """One line per project, in the order given: customer, channel, progress, overdue count."""
    header = section(
        BlockId.OVERVIEW_HEADER, t(locale, "status.overview.title", count=len(projects))
    )
    text = t(locale, "status.overview.text", count=len(projects))
    if not projects:
        body = section(overview_block_id(1), t(locale, "status.overview.empty"))
        return Message(text=text, blocks=[header, body])

    lines = [_overview_line(project, locale=locale, today=today) for project in projects]
    sections: list[list[str]] = [[]]
    for line in lines:
        if len("\n".join([*sections[-1], line])) > limits.TEXT:
            sections.append([])
        sections[-1].append(line)
    blocks = [header]
    room = limits.MESSAGE_BLOCKS - 1
    if len(sections) > room:
        shown = sections[: room - 1]
        hidden = sum(len(chunk) for chunk in sections[room - 1 :])
        sections = [*shown, [t(locale, "status.more", count=hidden)]]
    for index, chunk in enumerate(sections, start=1):
        blocks.append(section(overview_block_id(index), "\n".join(chunk)))
    return Message(text=text, blocks=blocks)


def _overview_line(project: ProjectView, *, locale: str, today: date) -> str:
    done, total = project.progress
    parts = [f"*{clip(escape(project.customer_name), CUSTOMER_LIMIT)}*"]
    if project.channel_id:
        parts.append(channel_link(project.channel_id))
    parts.append(progress_bar(done, total))
    overdue = len(project.overdue(today))
    parts.append(
        t(locale, "status.overview.overdue", count=overdue)
        if overdue
        else t(locale, "status.overview.on_track")
    )
    if project.health is not None:
        parts.append(health_label(locale, project.health))
    elif project.status != "active":
        parts.append(t(locale, f"status.project.{project.status}"))
    return "• " + " · ".join(parts)


def _state(project: ProjectView, locale: str) -> str:
    """The project's health (the same rule as the digest), else its bare status."""
    if project.health is not None:
        return health_label(locale, project.health)
    return t(locale, f"status.project.{project.status}")


def _task_line(task: TaskView, locale: str) -> str:
    title = clip(escape(task.title), TITLE_LIMIT)
    return f"• *{title}* — {owner_label(task, locale)} · {due_label(task, locale)}"


def _overdue_line(task: TaskView, days: int | None, locale: str) -> str:
    line = _task_line(task, locale)
    if days is None:
        return line
    key = "status.days_overdue_one" if days == 1 else "status.days_overdue"
    return f"{line} · {t(locale, key, days=days)}"
