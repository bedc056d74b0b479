"""The shape of a playbook: its pydantic models and the rules across their fields. Pure.

`bot.domain.playbook` loads playbooks and is where the rest of the bot imports these from.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Side = Literal["customer", "vendor"]
Role = Literal["champion", "decision_maker", "csm", "customer_member", "vendor_member"]
TouchModel = Literal["high", "low", "tech"]
Locale = Literal["ja", "en"]

ROLES_BY_SIDE: dict[str, tuple[str, ...]] = {
    "customer": ("champion", "decision_maker", "customer_member"),
    "vendor": ("csm", "vendor_member"),
}

_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")
ITEM_LABELS = {"tasks": "task", "phases": "phase", "adoption_habits": "habit"}

Loc = tuple[str | int, ...]


class PlaybookError(Exception):
    """Raised when a playbook cannot be loaded; `problems` holds one readable line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


class RuleViolations(ValueError):
    """Cross-field problems found by a model validator, each located relative to that model.

    Pydantic keeps the raised exception in the error's context, so the loader can turn each
    problem back into its own line with a precise location.
    """

    def __init__(self, problems: list[tuple[Loc, str]]) -> None:
        super().__init__("; ".join(f"{dotted(loc) or 'playbook'}: {msg}" for loc, msg in problems))
        self.problems = problems


def _check_slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid id: use lowercase letters, digits, '-' and '_'"
            " (e.g. 'invite-users')"
        )
    return value


class _Model(BaseModel):
    # Unknown keys are almost always typos in hand-written YAML; reject them.
    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalizedText(_Model):
    """A user-facing text in every supported locale."""

    ja: str
    en: str

    @field_validator("ja", "en")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be empty")
        return value

    def get(self, locale: Locale) -> str:
        """Return the text for `locale` ("ja" or "en")."""
        if locale == "ja":
            return self.ja
        if locale == "en":
            return self.en
        raise ValueError(f"unsupported locale {locale!r}; expected 'ja' or 'en'")


def _single_line(text: LocalizedText) -> LocalizedText:
    if "\n" in text.ja or "\n" in text.en:
        raise ValueError("must be a single line")
    return text


class Phase(_Model):
    """A stage of the onboarding (kickoff, setup, ...); tasks are grouped by phase."""

    id: str
    title: LocalizedText

    _id = field_validator("id")(_check_slug)


class EscalationPolicy(_Model):
    """When overdue customer tasks are escalated, in business days."""

    csm_after_days: int = Field(default=2, ge=1)
    decision_maker_after_days: int = Field(default=5, ge=1)
    decision_maker_overdue_tasks: int = Field(default=3, ge=1)

    @model_validator(mode="after")
    def _csm_hears_first(self) -> EscalationPolicy:
        if self.decision_maker_after_days < self.csm_after_days:
            raise RuleViolations(
                [
                    (
                        ("decision_maker_after_days",),
                        f"must not be less than csm_after_days ({self.csm_after_days}):"
                        " the CSM hears about an overdue task before the decision-maker",
                    )
                ]
            )
        return self


class AdoptionHabit(_Model):
    """A recurring practice suggested after go-live so that usage sticks."""

    id: str
    title: LocalizedText
    why: LocalizedText

    _id = field_validator("id")(_check_slug)
    _why = field_validator("why")(_single_line)


class TaskSpec(_Model):
    """One checklist task of a playbook; offsets are business days after kickoff."""

    id: str
    phase: str
    title: LocalizedText
    why: LocalizedText
    owner_side: Side
    owner_role: Role
    start_offset: int = Field(ge=0)
    duration: int = Field(ge=1)
    required: bool = True
    depends_on: list[str] = Field(default_factory=list)
    first_value: bool = False

    _id = field_validator("id")(_check_slug)
    _why = field_validator("why")(_single_line)

    @model_validator(mode="after")
    def _role_matches_side(self) -> TaskSpec:
        allowed = ROLES_BY_SIDE[self.owner_side]
        if self.owner_role not in allowed:
            raise RuleViolations(
                [
                    (
                        ("owner_role",),
                        f"'{self.owner_role}' is not a {self.owner_side}-side role;"
                        f" use one of: {', '.join(allowed)}",
                    )
                ]
            )
        return self

    @property
    def due_offset(self) -> int:
        """Business days after kickoff by which the task is due."""
        return self.start_offset + self.duration


class Playbook(_Model):
    """A complete onboarding plan: goal, completion criteria, phases and tasks."""

    name: str
    # A custom playbook replaces the shipped one of this name only when it says so.
    overrides: str | None = None
    version: int = Field(ge=1)
    touch_model: TouchModel
    title: LocalizedText
    goal: LocalizedText
    completion_criteria: list[LocalizedText] = Field(min_length=1)
    phases: list[Phase] = Field(min_length=1)
    tasks: list[TaskSpec] = Field(min_length=1, max_length=100)
    reminder_lead_days: int = Field(default=2, ge=0, le=30)
    escalation: EscalationPolicy = Field(default_factory=EscalationPolicy)
    # `csm`: the CSM approves each message to the decision-maker; None: ESCALATION_APPROVAL.
    escalation_approval: Literal["csm", "auto"] | None = None
    checkin_after_days: int = Field(default=30, ge=1)
    adoption_habits: list[AdoptionHabit] = Field(default_factory=list)

    _name = field_validator("name")(_check_slug)

    @model_validator(mode="after")
    def _check_rules(self) -> Playbook:
        problems = [
            *_duplicate_ids("phases", [phase.id for phase in self.phases]),
            *_duplicate_ids("tasks", [task.id for task in self.tasks]),
            *_duplicate_ids("adoption_habits", [habit.id for habit in self.adoption_habits]),
            *_reference_problems(self),
            *_first_value_problems(self),
        ]
        if not any(task.required for task in self.tasks):
            problems.append((("tasks",), "at least one task must be required"))
        if not problems:
            problems = _cycle_problems(self)
        if problems:
            raise RuleViolations(problems)
        return self

    def task(self, task_id: str) -> TaskSpec:
        """Return the task with `task_id`; raise KeyError if there is none."""
        for task in self.tasks:
            if task.id == task_id:
                return task
        raise KeyError(f"playbook {self.name!r} has no task {task_id!r}")

    def phase(self, phase_id: str) -> Phase:
        """Return the phase with `phase_id`; raise KeyError if there is none."""
        for phase in self.phases:
            if phase.id == phase_id:
                return phase
        raise KeyError(f"playbook {self.name!r} has no phase {phase_id!r}")


def _duplicate_ids(section: str, ids: list[str]) -> list[tuple[Loc, str]]:
    first_seen: dict[str, int] = {}
    problems: list[tuple[Loc, str]] = []
    for index, item_id in enumerate(ids):
        if item_id in first_seen:
            problems.append(
                (
                    (section, index, "id"),
                    f"duplicate id '{item_id}' (#{first_seen[item_id] + 1} and #{index + 1})",
                )
            )
        else:
            first_seen[item_id] = index
    return problems


def _reference_problems(playbook: Playbook) -> list[tuple[Loc, str]]:
    phase_ids = [phase.id for phase in playbook.phases]
    task_ids = {task.id for task in playbook.tasks}
    problems: list[tuple[Loc, str]] = []
    for index, task in enumerate(playbook.tasks):
        if task.phase not in phase_ids:
            problems.append(
                (
                    ("tasks", index, "phase"),
                    f"unknown phase '{task.phase}' (phases: {', '.join(phase_ids)})",
                )
            )
        for dep in task.depends_on:
            if dep == task.id:
                problems.append((("tasks", index, "depends_on"), "a task cannot depend on itself"))
            elif dep not in task_ids:
                problems.append((("tasks", index, "depends_on"), f"unknown task '{dep}'"))
    return problems


def _first_value_problems(playbook: Playbook) -> list[tuple[Loc, str]]:
    marked = [task for task in playbook.tasks if task.first_value]
    if not marked:
        return [
            (
                ("tasks",),
                "no task has first_value: true; mark the one task that counts as"
                " the customer's first success",
            )
        ]
    if len(marked) > 1:
        ids = ", ".join(f"'{task.id}'" for task in marked)
        return [(("tasks",), f"exactly one task may have first_value: true, found {ids}")]
    if not marked[0].required:
        index = playbook.tasks.index(marked[0])
        return [(("tasks", index, "required"), "the first_value task must be required")]
    return []


def _cycle_problems(playbook: Playbook) -> list[tuple[Loc, str]]:
    graph = {task.id: [dep for dep in task.depends_on if dep != task.id] for task in playbook.tasks}
    index_of = {task.id: index for index, task in enumerate(playbook.tasks)}
    done: set[str] = set()
    path: list[str] = []
    problems: list[tuple[Loc, str]] = []

    def visit(task_id: str) -> None:
        path.append(task_id)
        for dep in graph[task_id]:
            if dep in path:
                cycle = [*path[path.index(dep) :], dep]
                problems.append(
                    (
                        ("tasks", index_of[cycle[0]], "depends_on"),
                        f"dependency cycle: {' -> '.join(cycle)}",
                    )
                )
            elif dep not in done:
                visit(dep)
        path.pop()
        done.add(task_id)

    for task_id in graph:
        if task_id not in done:
            visit(task_id)
    return problems


def dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
