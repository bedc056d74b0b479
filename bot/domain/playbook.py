"""Playbooks: the task templates an onboarding project is built from, and their loader.

A playbook is a YAML file (the shipped ones live in `bot/playbooks/`). Loading validates it
completely and reports every problem as one readable line that names the file, the task and
the field, so a CS team can edit playbooks without reading a Python traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.domain.playbook_problems import flatten, kind_of, locate
from bot.domain.playbook_schema import (
    ROLES_BY_SIDE,
    AdoptionHabit,
    EscalationPolicy,
    Locale,
    LocalizedText,
    Phase,
    Playbook,
    PlaybookError,
    Role,
    Side,
    TaskSpec,
    TouchModel,
)

__all__ = [  # the models are defined in playbook_schema and imported from here
    "ROLES_BY_SIDE",
    "AdoptionHabit",
    "EscalationPolicy",
    "Locale",
    "LocalizedText",
    "Phase",
    "Playbook",
    "PlaybookError",
    "Role",
    "Side",
    "TaskSpec",
    "TouchModel",
    "load_playbook",
    "load_playbooks",
    "parse_playbook",
    "shipped_playbook_dir",
]


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
        raise PlaybookError(
            [f"{source}: expected a mapping of playbook fields, got {kind_of(data)}"]
        )
    try:
        return Playbook.model_validate(data)
    except ValidationError as exc:
        problems = [f"{source}: {locate(loc, data)}{message}" for loc, message in flatten(exc)]
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
