"""Sending replies to the one person who acted (ephemeral)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from slack_bolt import Respond

from bot.blocks.message import Message

logger = logging.getLogger(__name__)


def ephemeral(respond: Respond, messages: Iterable[Message]) -> None:
    for message in messages:
        if respond.response_url is None:
            # Slack sends a response_url with every message button and slash command; a
            # request without one was not sent by Slack, and there is nowhere to answer it.
            logger.info("no response_url to answer on: the reply is dropped")
            return
        respond(
            text=message.text,
            blocks=message.blocks,
            response_type="ephemeral",
            replace_original=False,
        )
