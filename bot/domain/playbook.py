"""Playbooks: the task templates an onboarding project is built from, and their loader.

A playbook is a YAML file (the shipped ones live in `bot/playbooks/`). Loading validates it
completely and reports every problem as one readable line that names the file, the task and
the field, so a CS team can edit playbooks without reading a Python traceback.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

Side = Literal["customer", "vendor"]
Role = Literal["champion", "decision_maker", "csm", "customer_member", "vendor_member"]
TouchModel = Literal["high", "low", "tech"]
Locale = Literal["ja", "en"]

ROLES_BY_SIDE: dict[str, tuple[str, ...]] = {
    "customer": ("champion", "decision_maker", "customer_member"),
    "vendor": ("csm", "vendor_member"),
}

_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*")
_ITEM_LABELS = {"tasks": "task", "phases": "phase", "adoption_habits": "habit"}

Loc = tuple[str | int, ...]


class PlaybookError(Exception):
    """Raised when a playbook cannot be loaded; `problems` holds one readable line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


class _RuleViolations(ValueError):
    """Cross-field problems found by a model validator, each located relative to that model.

    Pydantic keeps the raised exception in the error's context, so the loader can turn each
    problem back into its own line with a precise location.
    """

    def __init__(self, problems: list[tuple[Loc, str]]) -> None:
        super().__init__("; ".join(f"{_dotted(loc) or 'playbook'}: {msg}" for loc, msg in problems))
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
            raise _RuleViolations(
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
            raise _RuleViolations(
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
            raise _RuleViolations(problems)
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

    @property
    def first_value_task(self) -> TaskSpec:
        """The task whose completion counts as the customer's first success."""
        return next(task for task in self.tasks if task.first_value)


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


# --- loading -------------------------------------------------------------------------------


class _UniqueKeyLoader(yaml.SafeLoader):
    """`yaml.SafeLoader` that rejects duplicate keys instead of silently keeping the last one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:  # unhashable key; the base class reports it
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def shipped_playbook_dir() -> Path:
    """The directory holding the playbooks that ship with the bot."""
    return Path(__file__).resolve().parent.parent / "playbooks"


def load_playbook(path: Path) -> Playbook:
    """Read and validate one playbook file.

    Raises:
        PlaybookError: the file is unreadable, not valid YAML, or not a valid playbook;
            each problem line starts with the file name.
    """
    source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PlaybookError([f"{source}: not UTF-8 text"]) from None
    except OSError as exc:
        raise PlaybookError([f"{source}: cannot read file: {exc.strerror or exc}"]) from None
    try:
        # Same as yaml.safe_load, but duplicate keys (a typo that silently drops a value) fail.
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise PlaybookError([f"{source}: {where}invalid YAML: {_yaml_hint(exc.problem)}"]) from None
    except yaml.YAMLError as exc:
        raise PlaybookError([f"{source}: invalid YAML: {exc}"]) from None
    return parse_playbook(data, source=source)


def _yaml_hint(problem: str | None) -> str:
    # PyYAML reports the two most common hand-editing mistakes in parser terms.
    problem = problem or "unreadable"
    if "'\\t'" in problem:
        return f"{problem} (indent with spaces, not tabs)"
    if "<block" in problem:
        return f"{problem} (check the indentation)"
    return problem


def parse_playbook(data: object, *, source: str) -> Playbook:
    """Validate already-parsed playbook data (e.g. from YAML).

    Args:
        data: the parsed document; must be a mapping of playbook fields.
        source: how to name the origin in problem lines, usually the file name.

    Raises:
        PlaybookError: one line per problem, e.g.
            "low-touch.yaml: task 'invite-users': field 'why.en': field required".
    """
    if data is None:
        raise PlaybookError([f"{source}: the file is empty"])
    if not isinstance(data, dict):
        raise PlaybookError([f"{source}: expected a mapping of playbook fields, got {_kind(data)}"])
    try:
        return Playbook.model_validate(data)
    except ValidationError as exc:
        problems = [f"{source}: {_locate(loc, data)}{message}" for loc, message in _flatten(exc)]
        raise PlaybookError(problems) from None


def load_playbooks(extra_dir: Path | None = None) -> dict[str, Playbook]:
    """Load the shipped playbooks plus those in `extra_dir` (`*.yaml`, `*.yml`), by name.

    A playbook in `extra_dir` replaces the shipped one of the same name only when it says
    `overrides: <that name>`; otherwise the clash is refused, so a team never loses a
    shipped playbook by choosing the same name by chance.

    Raises:
        PlaybookError: with the problems of every invalid file, each naming its file.
    """
    playbooks = _load_dir(shipped_playbook_dir())
    if extra_dir is None:
        return playbooks
    if not extra_dir.is_dir():
        raise PlaybookError([f"{extra_dir}: not a directory"])
    custom, files = _load_dir_with_files(extra_dir)
    problems = [
        problem
        for name, playbook in custom.items()
        for problem in _override_problems(playbook, files[name], shipped=playbooks)
    ]
    if problems:
        raise PlaybookError(problems)
    playbooks.update(custom)
    return playbooks


def _override_problems(playbook: Playbook, file: str, *, shipped: dict[str, Playbook]) -> list[str]:
    name, overrides = playbook.name, playbook.overrides
    if overrides is None:
        if name in shipped:
            return [
                f"{file}: playbook '{name}' is shipped with the bot: add `overrides: {name}`"
                " to replace it, or give this playbook another name"
            ]
        return []
    if overrides not in shipped:
        return [
            f"{file}: field 'overrides': no shipped playbook is named '{overrides}'"
            f" (shipped: {', '.join(sorted(shipped))})"
        ]
    if overrides != name:
        return [
            f"{file}: field 'overrides': a playbook replaces the shipped one of its own name;"
            f" set `name: {overrides}` or remove `overrides`"
        ]
    return []


def _load_dir(directory: Path) -> dict[str, Playbook]:
    return _load_dir_with_files(directory)[0]


def _load_dir_with_files(directory: Path) -> tuple[dict[str, Playbook], dict[str, str]]:
    paths = sorted(
        path
        for path in directory.iterdir()
        if path.suffix in (".yaml", ".yml") and path.is_file() and not path.name.startswith(".")
    )
    found: dict[str, Playbook] = {}
    file_of: dict[str, str] = {}
    problems: list[str] = []
    for path in paths:
        try:
            playbook = load_playbook(path)
        except PlaybookError as exc:
            problems.extend(exc.problems)
            continue
        if playbook.name in found:
            problems.append(
                f"{path.name}: playbook name '{playbook.name}' is already used by"
                f" {file_of[playbook.name]}"
            )
            continue
        found[playbook.name] = playbook
        file_of[playbook.name] = path.name
    if problems:
        raise PlaybookError(problems)
    return found, file_of


# --- readable problems ---------------------------------------------------------------------


def _flatten(exc: ValidationError) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, _RuleViolations):
            problems.extend((loc + rel, message) for rel, message in cause.problems)
        else:
            problems.append((loc, _message(error)))
    return problems


def _message(error: Any) -> str:
    kind, loc, value = error["type"], tuple(error["loc"]), error.get("input")
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        return _unknown_key(loc)
    if kind in ("value_error", "assertion_error"):
        return str(error["ctx"]["error"])
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        if _model_at(loc) is LocalizedText:
            return f"needs 'ja' and 'en' texts, got {_kind(value)}"
        return f"expected a mapping of fields, got {_kind(value)}"
    if kind == "list_type":
        return f"expected a list, got {_kind(value)}"
    message = error["msg"][:1].lower() + error["msg"][1:]
    if isinstance(value, str | int | float | bool):
        message += f" (got {value!r})"
    return message


def _unknown_key(loc: Loc) -> str:
    model = _model_at(loc[:-1])
    allowed = list(model.model_fields) if model else []
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
    if close:
        return f"unknown key; did you mean '{close[0]}'?"
    if allowed:
        return f"unknown key; allowed keys: {', '.join(allowed)}"
    return "unknown key"


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The model that validates the value at `loc`, walking the field annotations."""
    model: type[BaseModel] = Playbook
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        annotation = field.annotation
        if get_origin(annotation) is list:
            annotation = get_args(annotation)[0]
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model


def _locate(loc: Loc, data: dict[str, Any]) -> str:
    """Render a pydantic location as "task 'invite-users': field 'why.en': "."""
    parts: list[str] = []
    rest = loc
    if len(loc) >= 2 and loc[0] in _ITEM_LABELS and isinstance(loc[1], int):
        parts.append(_item_name(str(loc[0]), loc[1], data))
        rest = loc[2:]
    if rest:
        parts.append(f"field '{_dotted(rest)}'")
    return "".join(f"{part}: " for part in parts)


def _item_name(section: str, index: int, data: dict[str, Any]) -> str:
    label = _ITEM_LABELS[section]
    items = data.get(section)
    if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
        item_id = items[index].get("id")
        if isinstance(item_id, str) and item_id:
            return f"{label} '{item_id}'"
    return f"{label} #{index + 1}"


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return f"a string ({value!r})"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
