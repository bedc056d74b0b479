"""Message metadata (`{"event_type": ..., "event_payload": {...}}`) as Slack accepts it."""

from __future__ import annotations

import copy
import re
from typing import Any

from slack_sandbox.errors import WebApiError
from slack_sandbox.models import Json

EVENT_TYPE_MAX = 255
_EVENT_TYPE = re.compile(r"[a-zA-Z0-9_]+")


def check_metadata(value: Any) -> Json | None:
    """The metadata to store, None when none was sent, or Slack's error.

    Args:
        value: the `metadata` argument, already JSON-decoded when it came as a string.

    Returns:
        `{"event_type": str, "event_payload": dict}`; other keys are dropped.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, dict):
        raise _error("invalid_metadata_format", "metadata must be a JSON object")
    event_type = value.get("event_type")
    if not isinstance(event_type, str) or not event_type:
        raise _error("invalid_metadata_schema", "metadata.event_type is required")
    if len(event_type) > EVENT_TYPE_MAX:
        raise _error(
            "invalid_metadata_schema",
            f"metadata.event_type must be at most {EVENT_TYPE_MAX} characters",
        )
    if not _EVENT_TYPE.fullmatch(event_type):
        raise _error(
            "invalid_metadata_schema",
            "metadata.event_type may only contain letters, digits and underscores",
        )
    payload = value.get("event_payload")
    if not isinstance(payload, dict):
        raise _error("invalid_metadata_schema", "metadata.event_payload must be a JSON object")
    return {"event_type": event_type, "event_payload": copy.deepcopy(payload)}


def without_metadata(message: Json) -> Json:
    """The message as history shows it when `include_all_metadata` is not set."""
    return {k: v for k, v in message.items() if k != "metadata"}


def _error(code: str, text: str) -> WebApiError:
    return WebApiError(code, response_metadata={"messages": [f"[ERROR] {text}"]})
