"""Finding the interactive elements an app really put in a message or a view."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slack_sandbox.errors import DriverError
from slack_sandbox.models import Json

_OPTION_ELEMENTS = {
    "static_select",
    "overflow",
    "radio_buttons",
    "checkboxes",
    "multi_static_select",
}


# Elements that send block_actions with what was picked (a date, a person, a channel).
_PICKED = {
    "datepicker": "selected_date",
    "timepicker": "selected_time",
    "users_select": "selected_user",
    "conversations_select": "selected_conversation",
    "channels_select": "selected_channel",
}


def interactive_elements(blocks: list[Json] | None) -> Iterator[tuple[str, Json]]:
    """(block_id, element) for every element a user can act on."""
    for block in blocks or []:
        block_id = str(block.get("block_id", ""))
        kind = block.get("type")
        if kind == "actions":
            for element in block.get("elements") or []:
                yield block_id, element
        elif kind == "section" and isinstance(block.get("accessory"), dict):
            yield block_id, block["accessory"]
        elif kind == "input" and isinstance(block.get("element"), dict):
            yield block_id, block["element"]


def _option_values(element: Json) -> list[Any]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return [o.get("value") for o in options]


def matches(element: Json, *, action_id: str, value: str | None) -> bool:
    if element.get("action_id") != action_id:
        return False
    if value is None:
        return True
    if element.get("type") in _OPTION_ELEMENTS:
        return value in _option_values(element)
    return element.get("value") == value


def find_one(
    blocks: list[Json] | None, *, action_id: str, value: str | None, where: str
) -> tuple[str, Json] | None:
    """The single element with this action_id (and value); DriverError when ambiguous."""
    found = [
        (b, e)
        for b, e in interactive_elements(blocks)
        if matches(e, action_id=action_id, value=value)
    ]
    if len(found) > 1:
        values = [e.get("value") for _, e in found]
        raise DriverError(
            f"{len(found)} elements with action_id {action_id!r} in {where}; "
            f"pass value= (one of {values})"
        )
    return found[0] if found else None


def describe(blocks: list[Json] | None) -> list[str]:
    """`action_id=value` for every element, for error messages."""
    return [f"{e.get('action_id')}={e.get('value')!r}" for _, e in interactive_elements(blocks)]


def action_payload(element: Json, *, block_id: str, value: str | None, action_ts: str) -> Json:
    """The `actions[0]` entry Slack sends for one element."""
    kind = element.get("type")
    action: Json = {
        "action_id": element.get("action_id"),
        "block_id": block_id,
        "type": kind,
        "action_ts": action_ts,
    }
    if kind == "button":
        action["text"] = element.get("text")
        if "value" in element:
            action["value"] = element["value"]
        if "style" in element:
            action["style"] = element["style"]
        return action
    if kind in {"static_select", "overflow", "radio_buttons"}:
        if value is None:
            raise DriverError(f"choose an option: value= one of {_option_values(element)}")
        options = list(element.get("options") or [])
        for group in element.get("option_groups") or []:
            options.extend(group.get("options") or [])
        action["selected_option"] = next(o for o in options if o.get("value") == value)
        return action
    if kind in _PICKED:
        if value is None:
            raise DriverError(f"pick a value for the {kind}")
        action[_PICKED[kind]] = value
        return action
    raise DriverError(f"the driver cannot click a {kind} element")
