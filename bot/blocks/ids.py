"""Identifiers shared by the renderers and the handlers: action, callback and block ids.

Handlers route on these values, so they are enums rather than string literals scattered
through the code.
"""

from __future__ import annotations

from enum import StrEnum


class ActionId(StrEnum):
    """`action_id` of interactive elements; a task button's `value` is the task id."""

    TASK_DONE = "task_done"
    TASK_UNDO = "task_undo"
    TASK_MORE_TIME = "task_more_time"
    PLAN_SCHEDULE = "plan_schedule"  # value: project id
    OPEN_STATUS = "open_status"  # value: project id


class CallbackId(StrEnum):
    """`callback_id` of modal views."""

    START_PROJECT = "start_project"


class StartField(StrEnum):
    """Inputs of the start modal: each is both the input's `block_id` and its `action_id`."""

    CUSTOMER_NAME = "customer_name"
    PLAYBOOK = "playbook"
    KICKOFF = "kickoff"
    GO_LIVE = "go_live"
    CHAMPION = "champion"
    DECISION_MAKER = "decision_maker"
    CSM = "csm"
    LANG = "lang"


class BlockId(StrEnum):
    """Fixed `block_id`s; per-task and per-phase ids come from the functions below."""

    CHECKLIST_HEADER = "checklist-header"
    CHECKLIST_PROGRESS = "checklist-progress"
    CHECKLIST_LEGEND = "checklist-legend"
    CHECKLIST_CONTINUED = "checklist-continued"
    CHECKLIST_EMPTY = "checklist-empty"
    WELCOME_TITLE = "welcome-title"
    WELCOME_TEAM = "welcome-team"
    WELCOME_GOAL = "welcome-goal"
    WELCOME_CRITERIA = "welcome-criteria"
    WELCOME_DATES = "welcome-dates"
    WELCOME_HOW = "welcome-how"
    STATUS_HEADER = "status-header"
    STATUS_PROGRESS = "status-progress"
    STATUS_OVERDUE = "status-overdue"
    STATUS_NEXT = "status-next"
    STATUS_CHANNEL = "status-channel"
    STATUS_ACTIONS = "status-actions"
    OVERVIEW_HEADER = "overview-header"
    HELP_TITLE = "help-title"
    HELP_BODY = "help-body"
    HELP_EXAMPLES = "help-examples"
    HELP_NOTE = "help-note"
    HELP_MORE = "help-more"
    NOTE = "note"


def task_block_id(task_id: int, part: str = "") -> str:
    """`task-12` for a task's main section, `task-12-why` etc. for its other blocks."""
    return f"task-{task_id}-{part}" if part else f"task-{task_id}"


def phase_block_id(phase_no: int, *, continued: bool = False) -> str:
    """Block id of a phase heading; `phase_no` is the 1-based position in the checklist."""
    return f"phase-{phase_no}-cont" if continued else f"phase-{phase_no}"


def overview_block_id(index: int) -> str:
    return f"overview-{index}"
