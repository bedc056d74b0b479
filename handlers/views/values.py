"""Reading submitted values out of a view's state, whatever the element type."""

from __future__ import annotations

from typing import Any

from handlers.payload import without_nul


def field_value(view: dict[str, Any], block_id: str) -> str | None:
    """The value of the input whose block_id and action_id are both `block_id`."""
    element = (view.get("state", {}).get("values", {}).get(block_id) or {}).get(block_id) or {}
    for key in ("value", "selected_date", "selected_user", "selected_conversation"):
        if element.get(key):
            return without_nul(str(element[key]))
    option = element.get("selected_option")
    return str(option["value"]) if option else None
