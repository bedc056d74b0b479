"""Identifiers shared by the renderers and the handlers: action, callback and block ids.

Handlers route on these values, so they are enums rather than string literals scattered
through the code.
"""

from __future__ import annotations

import re
from enum import StrEnum

from bot.domain.answers import CHECKIN_ANSWERS, CSAT, SURVEY_KINDS


class ActionId(StrEnum):
    """`action_id` of interactive elements; a task button's `value` is the task id."""

    TASK_DONE = "task_done"
    TASK_UNDO = "task_undo"
    TASK_MORE_TIME = "task_more_time"
    TASK_SKIP = "task_skip"
    PLAN_SCHEDULE = "plan_schedule"  # value: project id
    OPEN_STATUS = "open_status"  # value: project id
    RISK_CLOSE = "risk_close"  # value: risk id
    # The score buttons' action ids are `survey_action(...)`, the check-in buttons'
    # `checkin_action(...)`: Slack rejects two buttons with one action_id in a block.
    SURVEY_CSAT = "survey_csat"  # value: "<project id>:<score>"
    SURVEY_NPS = "survey_nps"  # value: "<project id>:<score>"
    SURVEY_COMMENT = "survey_comment"  # value: project id
    CHECKIN = "checkin"  # value: project id
    HOME_OPEN_STATUS = "home_open_status"  # value: project id
    HOME_OPEN_CHANNEL = "home_open_channel"  # value: channel id; a link button
    START_AGAIN = "start_again"  # value: the start command (bot.domain.start_again)
    # The CSM's answer to a draft for the decision-maker; value: the escalation id.
    ESCALATION_SEND = "escalation_send"
    ESCALATION_EDIT = "escalation_edit"
    ESCALATION_SKIP = "escalation_skip"
    REMINDER_SNOOZE = "reminder_snooze"  # value: "snooze"; the clicker snoozes their own


class CallbackId(StrEnum):
    """`callback_id` of modal views."""

    START_PROJECT = "start_project"
    SCHEDULE = "schedule"  # private_metadata: project id
    MORE_TIME = "more_time"  # private_metadata: task id
    SURVEY_COMMENT = "survey_comment"  # private_metadata: project id
    ESCALATION_EDIT = "escalation_edit"  # private_metadata: escalation id
    ESCALATION_SKIP = "escalation_skip"  # private_metadata: escalation id
    SNOOZE = "snooze"  # the person's own reminders


class SnoozeField(StrEnum):
    UNTIL = "snooze_until"


class EscalationField(StrEnum):
    """Inputs of the draft's Edit and Skip modals: each is both `block_id` and `action_id`."""

    TEXT = "escalation_text"
    REASON = "skip_reason"


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
    CHANNEL_NAME = "channel_name"


class ScheduleField(StrEnum):
    """Inputs of the scheduling modal: each is both the input's `block_id` and its `action_id`."""

    BUSY1_START = "busy1_start"
    BUSY1_END = "busy1_end"
    BUSY2_START = "busy2_start"
    BUSY2_END = "busy2_end"
    BUSY3_START = "busy3_start"
    BUSY3_END = "busy3_end"
    SLIP_REASON = "slip_reason"
    SLIP_NOTE = "slip_note"
    INITIATIVES = "initiatives"
    GO_LIVE = "go_live"


class MoreTimeField(StrEnum):
    """Inputs of the "need more time" modal: each is both `block_id` and `action_id`."""

    NEW_DUE = "new_due"
    REASON = "reason"
    NOTE = "note"


class SurveyField(StrEnum):
    """Inputs of the survey comment modal: each is both `block_id` and `action_id`."""

    COMMENT = "comment"


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


# What the CSM answers about someone who joined and could not be told apart.
IDENTIFY_ANSWERS = ("champion", "decision_maker", "member", "not_part")
IDENTIFY_ACTION = re.compile(rf"^identify:({'|'.join(IDENTIFY_ANSWERS)})$")
"""Matches `identify_action(...)`; group: the answer. The button's value: "<project>:<user>"."""

ESCALATION_SEND_ACTION = re.compile(r"^escalation_send(?::\d+)?$")
"""The draft's own Send button (`escalation_send`, it replaces the draft) and the morning
summary's (`escalation_send:1`, `:2`…: Slack rejects two buttons with one action_id in a
block; the summary stays). The value is the escalation id either way."""


def escalation_send_action(n: int) -> str:
    """`escalation_send:N`: the N-th Send button of a summary line (from 1)."""
    return f"{ActionId.ESCALATION_SEND}:{n}"


SURVEY_ACTION = re.compile(rf"^survey_({'|'.join(SURVEY_KINDS)}):(\d+)$")
"""Matches `survey_action(...)`; groups: the kind and the score."""
CHECKIN_ACTION = re.compile(rf"^checkin:({'|'.join(CHECKIN_ANSWERS)})$")
"""Matches `checkin_action(...)`; group: the answer."""


def survey_action(kind: str, n: int) -> str:
    """`survey_csat:4`, `survey_nps:9`: the action id of one score button; `kind` is csat or nps."""
    if kind not in SURVEY_KINDS:
        raise ValueError(f"unknown survey question: {kind!r}")
    return f"{ActionId.SURVEY_CSAT if kind == CSAT else ActionId.SURVEY_NPS}:{n}"


def checkin_action(answer: str) -> str:
    """`checkin:regularly` etc.: the action id of one check-in answer button."""
    if answer not in CHECKIN_ANSWERS:
        raise ValueError(f"unknown check-in answer: {answer!r}")
    return f"{ActionId.CHECKIN}:{answer}"


def identify_action(answer: str) -> str:
    """`identify:champion` etc.: one answer button of the CSM's "who is this?" question."""
    if answer not in IDENTIFY_ANSWERS:
        raise ValueError(f"unknown answer: {answer!r}")
    return f"identify:{answer}"
