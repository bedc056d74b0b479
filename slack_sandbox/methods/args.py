"""A Web API call's arguments, however the client encoded them."""

from __future__ import annotations

import json
from typing import Any

from slack_sandbox.errors import WebApiError

_JSON_FIELDS = {"blocks", "attachments", "view", "files", "metadata"}
# What Slack answers when a JSON field is not JSON at all; anything else is `invalid_arguments`.
_BAD_JSON_ERRORS = {"blocks": "invalid_blocks_format", "metadata": "invalid_metadata_format"}


def normalize(raw: dict[str, Any]) -> dict[str, Any]:
    """Decode JSON-in-a-string fields (`blocks`, `view`...) the way Slack reads them."""
    args = dict(raw)
    for name in _JSON_FIELDS:
        value = args.get(name)
        if isinstance(value, str) and value.strip():
            try:
                args[name] = json.loads(value)
            except json.JSONDecodeError as exc:
                error = _BAD_JSON_ERRORS.get(name, "invalid_arguments")
                raise WebApiError(
                    error, response_metadata={"messages": [f"[ERROR] {name} must be valid JSON"]}
                ) from exc
        elif isinstance(value, str):
            args[name] = None
    return args


class Args:
    """Typed access to one call's (already normalized) arguments."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def text(self, name: str, default: str = "") -> str:
        value = self.values.get(name)
        return default if value is None else str(value)

    def opt(self, name: str) -> str | None:
        value = self.values.get(name)
        return None if value in (None, "") else str(value)

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in {"1", "true", "yes"}

    def number(self, name: str, default: int) -> int:
        value = self.values.get(name)
        if value in (None, ""):
            return default
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise WebApiError("invalid_arguments") from exc

    def many(self, name: str) -> list[str]:
        """A comma-separated string or a JSON array, as a list of strings."""
        value = self.values.get(name)
        if value in (None, ""):
            return []
        if isinstance(value, list):
            return [str(v).strip() for v in value if str(v).strip()]
        text = str(value).strip()
        if text.startswith("["):
            try:
                return [str(v).strip() for v in json.loads(text)]
            except json.JSONDecodeError as exc:
                raise WebApiError("invalid_array_arg") from exc
        return [part.strip() for part in text.split(",") if part.strip()]

    def json(self, name: str) -> Any:
        return self.values.get(name)
