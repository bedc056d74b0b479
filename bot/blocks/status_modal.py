"""A message shown in a modal (e.g. a project's status opened from the App Home)."""

from __future__ import annotations

from typing import Any

from bot.blocks import limits
from bot.blocks.escape import clip
from bot.blocks.message import Message
from bot.blocks.message import plain as plain_text


def message_modal(message: Message, *, title: str, close: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain_text(clip(title, limits.VIEW_TITLE)),
        "close": plain_text(clip(close, limits.VIEW_TITLE)),
        "blocks": [b for b in message.blocks if b.get("type") != "actions"][: limits.VIEW_BLOCKS],
    }
