"""Slack-style cursor pagination over an in-memory list."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import TypeVar

from slack_sandbox.errors import WebApiError

T = TypeVar("T")


def page(
    items: Sequence[T], *, cursor: str | None, limit: int, max_limit: int = 1000
) -> tuple[list[T], str]:
    """One page of `items` and the `next_cursor` ("" on the last page)."""
    start = 0
    if cursor:
        try:
            kind, _, offset = base64.b64decode(cursor.encode()).decode().partition(":")
            start = int(offset)
        except (ValueError, UnicodeDecodeError) as exc:
            raise WebApiError("invalid_cursor") from exc
        if kind != "next" or start < 0:
            raise WebApiError("invalid_cursor")
    size = max(1, min(limit, max_limit))
    chunk = list(items[start : start + size])
    end = start + size
    next_cursor = base64.b64encode(f"next:{end}".encode()).decode() if end < len(items) else ""
    return chunk, next_cursor
