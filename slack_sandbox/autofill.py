"""The `block_id`s and `action_id`s Slack generates when the app leaves them out."""

from __future__ import annotations

import copy
import random
import string
from typing import Any

_ALNUM = string.ascii_letters + string.digits
# Ids only need to differ, not to be unguessable: a seeded generator instead of the OS's
# (secrets.choice reads the OS's random source for every character of every id).
_RANDOM = random.Random()


def _random_id() -> str:
    return "".join(_RANDOM.choices(_ALNUM, k=5))


def with_ids(blocks: list[Any] | None) -> list[Any] | None:
    """A copy of `blocks` where every block and interactive element has its id."""
    if blocks is None:
        return None
    filled = copy.deepcopy(blocks)
    for block in filled:
        if not isinstance(block, dict):
            continue
        block.setdefault("block_id", _random_id())
        for element in _elements(block):
            if isinstance(element, dict) and element.get("type") not in (
                "plain_text",
                "mrkdwn",
                "image",
            ):
                element.setdefault("action_id", _random_id())
    return filled


def _elements(block: dict[str, Any]) -> list[Any]:
    kind = block.get("type")
    if kind == "actions":
        return list(block.get("elements") or [])
    if kind == "section" and isinstance(block.get("accessory"), dict):
        return [block["accessory"]]
    if kind == "input" and isinstance(block.get("element"), dict):
        return [block["element"]]
    return []
