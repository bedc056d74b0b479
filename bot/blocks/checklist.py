"""The pinned kickoff checklist: every task by phase, with owner, due date, why and buttons.

A long playbook takes several messages. Where the messages split depends only on the task
list (phases and task order), never on task status, and every task takes the same number
of blocks in every state — so ticking tasks never changes the number of messages and the
bot can always edit each one in place with `chat.update`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.blocks import limits
from bot.blocks.escape import clip, escape, mention
from bot.blocks.health import health_label
from bot.blocks.ids import ActionId, BlockId, phase_block_id, task_block_id
from bot.blocks.message import Block, Message, actions, button, context, section
from bot.blocks.people import person
from bot.blocks.progress import progress_bar
from bot.domain.views import PhaseView, ProjectView, TaskView
from bot.i18n import t

TASK_BLOCKS = 3  # section, why context, buttons (a context for skipped tasks)
PHASE_BLOCKS = 1
FIRST_OVERHEAD = 3  # header, progress, legend
NEXT_OVERHEAD = 1  # "continued" line
MIN_TASKS_BEFORE_SPLIT = 3  # start a phase that must be split anyway only if this many fit

TITLE_LIMIT = 300
WHY_LIMIT = 1000

_ICONS = {"open": "⬜", "overdue": "⚠️", "done": "✅", "skipped": "➖"}


@dataclass(frozen=True)
class _Chunk:
    """A run of one phase's tasks placed in one message."""

    phase_no: int
    phase: PhaseView
    tasks: tuple[TaskView, ...]
    continued: bool


def checklist_messages(project: ProjectView, *, today: date) -> list[Message]:
    """Render the checklist as one or more messages, in posting order.

    Args:
        project: The project with its phases and tasks in playbook order.
        today: The date overdue marks are computed against.

    Returns:
        At least one message; the first holds the header and the progress bar.
    """
    locale = project.locale
    pages = _paginate(_group(project))
    customer = clip(escape(project.customer_name), 200)
    messages: list[Message] = []
    for page_no, chunks in enumerate(pages, start=1):
        if page_no == 1:
            blocks = _first_page_header(project, customer=customer, today=today)
            done, total = project.progress
            text = t(locale, "checklist.text", customer=customer, done=done, total=total)
            if not project.tasks:
                blocks.append(context(BlockId.CHECKLIST_EMPTY, t(locale, "checklist.empty")))
        else:
            line = t(
                locale, "checklist.continued", customer=customer, page=page_no, pages=len(pages)
            )
            blocks = [context(BlockId.CHECKLIST_CONTINUED, line)]
            text = t(
                locale,
                "checklist.text_continued",
                customer=customer,
                page=page_no,
                pages=len(pages),
            )
        for chunk in chunks:
            blocks.append(_phase_heading(chunk, locale=locale))
            for task in chunk.tasks:
                blocks.extend(
                    _task_blocks(
                        task, locale=locale, today=today, customers=project.customer_user_ids
                    )
                )
        messages.append(Message(text=text, blocks=blocks))
    return messages


def short_date(d: date, locale: str) -> str:
    """`4/12 (月)` in Japanese, `Mon 4/12` in English."""
    return t(locale, "checklist.date", month=d.month, day=d.day, weekday=_weekday(d, locale))


def long_date(d: date, locale: str) -> str:
    """`2027/4/12 (月)` in Japanese, `Mon 4/12/2027` in English."""
    return t(
        locale,
        "checklist.date_long",
        year=d.year,
        month=d.month,
        day=d.day,
        weekday=_weekday(d, locale),
    )


def owner_label(task: TaskView, locale: str) -> str:
    """The owner as a mention when known, else the role and side (`Champion (Customer)`)."""
    if task.owner_user_id:
        return mention(task.owner_user_id)
    return t(
        locale,
        "checklist.owner_role",
        role=t(locale, f"role.{task.owner_role}"),
        side=t(locale, f"side.{task.owner_side}"),
    )


def task_state(task: TaskView, today: date) -> str:
    """`open`, `overdue`, `done` or `skipped`."""
    if task.status in ("done", "skipped"):
        return task.status
    return "overdue" if task.due < today else "open"


def due_label(task: TaskView, locale: str) -> str:
    """`due Mon 4/12`, or `due Mon 4/12 (was Mon 4/5)` when the task was re-planned."""
    due = short_date(task.due, locale)
    if task.due == task.planned_due:
        return t(locale, "checklist.task.due", date=due)
    return t(
        locale,
        "checklist.task.due_replanned",
        date=due,
        planned=short_date(task.planned_due, locale),
    )


def _weekday(d: date, locale: str) -> str:
    return t(locale, "checklist.weekdays").split(",")[d.weekday()]


def _group(project: ProjectView) -> list[tuple[PhaseView, tuple[TaskView, ...]]]:
    """Tasks by phase in the playbook's phase order; tasks of unknown phases come last."""
    order = [phase.id for phase in project.phases]
    phases = {phase.id: phase for phase in project.phases}
    for task in project.tasks:
        if task.phase not in phases:
            phases[task.phase] = PhaseView(id=task.phase, title=task.phase)
            order.append(task.phase)
    groups = []
    for phase_id in order:
        tasks = tuple(task for task in project.tasks if task.phase == phase_id)
        if tasks:
            groups.append((phases[phase_id], tasks))
    return groups


def _paginate(groups: list[tuple[PhaseView, tuple[TaskView, ...]]]) -> list[list[_Chunk]]:
    """Pack phases into messages; split a phase only when it can't fit in a message of its own.

    Uses nothing but the number of tasks per phase, so the result is stable across task states.
    """
    pages: list[list[_Chunk]] = [[]]
    room = limits.MESSAGE_BLOCKS - FIRST_OVERHEAD
    fresh_room = limits.MESSAGE_BLOCKS - NEXT_OVERHEAD

    def new_page() -> int:
        pages.append([])
        return fresh_room

    for phase_no, (phase, tasks) in enumerate(groups, start=1):
        cost = PHASE_BLOCKS + TASK_BLOCKS * len(tasks)
        if cost > room and pages[-1]:
            fits_alone = cost <= fresh_room
            few_fit_here = (room - PHASE_BLOCKS) // TASK_BLOCKS < MIN_TASKS_BEFORE_SPLIT
            if fits_alone or few_fit_here:
                room = new_page()
        remaining, continued = tasks, False
        while remaining:
            take = remaining[: (room - PHASE_BLOCKS) // TASK_BLOCKS]
            pages[-1].append(_Chunk(phase_no, phase, take, continued))
            room -= PHASE_BLOCKS + TASK_BLOCKS * len(take)
            remaining, continued = remaining[len(take) :], True
            if remaining:
                room = new_page()
    return pages


def _first_page_header(
    project: ProjectView, *, customer: str, today: date | None = None
) -> list[Block]:
    locale = project.locale
    title = t(
        locale,
        "checklist.header",
        customer=customer,
        playbook=clip(escape(project.playbook_title), 200),
    )
    if project.health is not None and today is not None:
        # The same state as /onboard status, the App Home and the digest, dated: the
        # checklist is edited when something changes, not every morning.
        title += "\n" + t(
            locale,
            "checklist.health",
            state=health_label(locale, project.health),
            date=short_date(today, locale),
        )
    if project.status in ("paused", "completed", "cancelled"):
        title += "\n" + t(locale, f"checklist.project.{project.status}")
    done, total = project.progress
    status_button = button(
        t(locale, "checklist.button.status"),
        action_id=ActionId.OPEN_STATUS,
        value=str(project.id),
    )
    return [
        section(BlockId.CHECKLIST_HEADER, title),
        section(
            BlockId.CHECKLIST_PROGRESS,
            t(locale, "checklist.progress", bar=progress_bar(done, total)),
            accessory=status_button,
        ),
        context(BlockId.CHECKLIST_LEGEND, t(locale, "checklist.legend")),
    ]


def _phase_heading(chunk: _Chunk, *, locale: str) -> Block:
    title = clip(escape(chunk.phase.title), 200)
    key = "checklist.phase_continued" if chunk.continued else "checklist.phase"
    text = t(locale, key, number=chunk.phase_no, title=title)
    return section(phase_block_id(chunk.phase_no, continued=chunk.continued), text)


def _task_blocks(
    task: TaskView, *, locale: str, today: date, customers: Sequence[str] = ()
) -> list[Block]:
    """Exactly TASK_BLOCKS blocks, whatever the task's state."""
    state = task_state(task, today)
    title = clip(escape(task.title), TITLE_LIMIT)
    heading = f"~{title}~" if state == "skipped" else f"*{title}*"
    if not task.required:
        heading += " " + t(locale, "checklist.task.optional")
    details = [owner_label(task, locale)]
    if state == "done":
        if task.completed_by and task.completed_by == task.owner_user_id:
            details = []  # "done by @taro" names the owner already: not twice in one line
        details.append(_done_label(task, locale, customers))
    elif state == "skipped":
        details.append(t(locale, "checklist.task.skipped"))
    else:
        details.append(due_label(task, locale))
    if state == "overdue":
        details.append(t(locale, "checklist.task.overdue"))
    text = f"{_ICONS[state]} {heading}\n" + " · ".join(details)

    why = clip(escape(task.why.strip()), WHY_LIMIT)
    why_line = (
        t(locale, "checklist.task.why", why=why)
        if why
        else t(locale, "checklist.task.side", side=t(locale, f"side.{task.owner_side}"))
    )
    return [
        section(task_block_id(task.id), text),
        context(task_block_id(task.id, "why"), why_line),
        _task_controls(task, state=state, locale=locale),
    ]


def _task_controls(task: TaskView, *, state: str, locale: str) -> Block:
    block_id = task_block_id(task.id, "actions")
    value = str(task.id)

    def label(key: str) -> str:
        return clip(t(locale, key), limits.BUTTON_TEXT)

    if state == "skipped":
        return context(block_id, t(locale, "checklist.task.skipped_note"))
    if state == "done":
        return actions(
            block_id,
            button(label("checklist.button.undo"), action_id=ActionId.TASK_UNDO, value=value),
        )
    return actions(
        block_id,
        button(
            label("checklist.button.done"),
            action_id=ActionId.TASK_DONE,
            value=value,
            style="primary",
        ),
        button(label("checklist.button.more_time"), action_id=ActionId.TASK_MORE_TIME, value=value),
    )


def _done_label(task: TaskView, locale: str, customers: Sequence[str] = ()) -> str:
    when = short_date(task.completed_on, locale) if task.completed_on else None
    who = person(locale, task.completed_by, customers=customers) if task.completed_by else None
    if who and when:
        return t(locale, "checklist.task.done_by_on", user=who, date=when)
    if who:
        return t(locale, "checklist.task.done_by", user=who)
    if when:
        return t(locale, "checklist.task.done_on", date=when)
    return t(locale, "checklist.task.done")
