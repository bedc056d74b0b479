"""A rendered Slack message, and the few Block Kit constructors every renderer uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Block = dict[str, Any]


@dataclass(frozen=True)
class Message:
    """What `chat.postMessage` / `chat.update` need: fallback `text` (always set) and blocks."""

    text: str
    blocks: list[Block]


def mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> Block:
    return {"type": "plain_text", "text": text, "emoji": True}


def section(block_id: str, text: str, *, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "block_id": block_id, "text": mrkdwn(text)}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def context(block_id: str, *texts: str) -> Block:
    return {"type": "context", "block_id": block_id, "elements": [mrkdwn(x) for x in texts]}


def actions(block_id: str, *elements: Block) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}


def button(text: str, *, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {"type": "button", "action_id": action_id, "text": plain(text), "value": value}
    if style is not None:
        element["style"] = style
    return element
