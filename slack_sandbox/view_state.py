"""`view.state.values` in Slack's shapes, from what a test says the user entered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from slack_sandbox.errors import DriverError
from slack_sandbox.models import Json

_TEXT_INPUTS = {"plain_text_input", "number_input", "email_text_input", "url_text_input"}
_SINGLE_OPTION = {"static_select", "external_select", "radio_buttons"}
_MULTI_OPTION = {"multi_static_select", "multi_external_select", "checkboxes"}
# element type -> (state key, initial_* key)
_PICKS = {
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "channels_select": ("selected_channel", "initial_channel"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
    "timepicker": ("selected_time", "initial_time"),
    "datetimepicker": ("selected_date_time", "initial_date_time"),
}


def stateful_elements(blocks: list[Json]) -> Iterator[tuple[Json, Json]]:
    """(block, element) for every element whose value Slack keeps in view state."""
    for block in blocks:
        kind = block.get("type")
        if kind == "input" and isinstance(block.get("element"), dict):
            yield block, block["element"]
        elif kind == "actions":
            for element in block.get("elements") or []:
                if element.get("type") not in {"button", "overflow"}:
                    yield block, element
        elif (
            kind == "section"
            and isinstance(block.get("accessory"), dict)
            and (block["accessory"].get("type") not in {"button", "overflow", "image"})
        ):
            yield block, block["accessory"]


def build_state(blocks: list[Json], values: dict[str, dict[str, Any]]) -> Json:
    """The whole `state.values` for a submission; raise DriverError for what Slack can't send."""
    known = {(b["block_id"], e["action_id"]) for b, e in stateful_elements(blocks)}
    for block_id, entries in values.items():
        for action_id in entries:
            if (block_id, action_id) not in known:
                raise DriverError(
                    f"no input {block_id}/{action_id} in this view; it has {sorted(known)}"
                )
    state: Json = {}
    for block, element in stateful_elements(blocks):
        block_id, action_id = block["block_id"], element["action_id"]
        given = values.get(block_id, {})
        entry = _entry(element, given[action_id]) if action_id in given else _initial(element)
        if block.get("type") == "input" and not block.get("optional") and _is_empty(entry):
            raise DriverError(f"Slack would not submit: required input {block_id} is empty")
        state.setdefault(block_id, {})[action_id] = entry
    return state


def _is_empty(entry: Json) -> bool:
    return all(v in (None, "", []) for k, v in entry.items() if k != "type")


def _options(element: Json) -> list[Json]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _option(element: Json, value: Any) -> Json:
    if isinstance(value, dict):
        value = value.get("value")
    for option in _options(element):
        if option.get("value") == value:
            return option
    if element.get("type", "").endswith("external_select"):
        return {"text": {"type": "plain_text", "text": str(value)}, "value": str(value)}
    raise DriverError(
        f"{element.get('action_id')} has no option {value!r}; options are "
        f"{[o.get('value') for o in _options(element)]}"
    )


def _entry(element: Json, value: Any) -> Json:
    kind = element.get("type", "")
    entry: Json = {"type": kind}
    if kind in _TEXT_INPUTS:
        entry["value"] = None if value is None else str(value)
    elif kind == "datepicker":
        entry["selected_date"] = value.isoformat() if isinstance(value, dt.date) else value
    elif kind in _SINGLE_OPTION:
        entry["selected_option"] = None if value is None else _option(element, value)
    elif kind in _MULTI_OPTION:
        entry["selected_options"] = [_option(element, v) for v in (value or [])]
    elif kind in _PICKS:
        key = _PICKS[kind][0]
        entry[key] = list(value or []) if kind.startswith("multi_") else value
    elif kind == "rich_text_input":
        entry["rich_text_value"] = value
    else:
        raise DriverError(f"the sandbox cannot fill a {kind} element")
    return entry


def _initial(element: Json) -> Json:
    kind = element.get("type", "")
    entry: Json = {"type": kind}
    if kind in _TEXT_INPUTS:
        entry["value"] = element.get("initial_value")
    elif kind == "datepicker":
        entry["selected_date"] = element.get("initial_date")
    elif kind in _SINGLE_OPTION:
        entry["selected_option"] = element.get("initial_option")
    elif kind in _MULTI_OPTION:
        entry["selected_options"] = list(element.get("initial_options") or [])
    elif kind in _PICKS:
        key, initial = _PICKS[kind]
        default: Any = [] if kind.startswith("multi_") else None
        entry[key] = element.get(initial, default)
    elif kind == "rich_text_input":
        entry["rich_text_value"] = element.get("initial_value")
    return entry
