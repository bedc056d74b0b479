"""Sending replies to the one person who acted (ephemeral)."""

from __future__ import annotations

from collections.abc import Iterable

from slack_bolt import Respond

from bot.blocks.message import Message


def ephemeral(respond: Respond, messages: Iterable[Message]) -> None:
    for message in messages:
        respond(
            text=message.text,
            blocks=message.blocks,
            response_type="ephemeral",
            replace_original=False,
        )
