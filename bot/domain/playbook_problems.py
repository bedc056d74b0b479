"""A playbook's problems as readable lines: one line a problem, naming the file, the task and
the field, so a CS team can fix a playbook without reading a Python traceback. Pure."""

from __future__ import annotations

import difflib
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from bot.domain.playbook_schema import (
    ITEM_LABELS,
    Loc,
    LocalizedText,
    Playbook,
    RuleViolations,
    dotted,
)


def flatten(exc: ValidationError) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, RuleViolations):
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
            return f"needs 'ja' and 'en' texts, got {kind_of(value)}"
        return f"expected a mapping of fields, got {kind_of(value)}"
    if kind == "list_type":
        return f"expected a list, got {kind_of(value)}"
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


def locate(loc: Loc, data: dict[str, Any]) -> str:
    """Render a pydantic location as "task 'invite-users': field 'why.en': "."""
    parts: list[str] = []
    rest = loc
    if len(loc) >= 2 and loc[0] in ITEM_LABELS and isinstance(loc[1], int):
        parts.append(_item_name(str(loc[0]), loc[1], data))
        rest = loc[2:]
    if rest:
        parts.append(f"field '{dotted(rest)}'")
    return "".join(f"{part}: " for part in parts)


def _item_name(section: str, index: int, data: dict[str, Any]) -> str:
    label = ITEM_LABELS[section]
    items = data.get(section)
    if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
        item_id = items[index].get("id")
        if isinstance(item_id, str) and item_id:
            return f"{label} '{item_id}'"
    return f"{label} #{index + 1}"


def kind_of(value: object) -> str:
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
