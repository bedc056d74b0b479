"""Turning any failure into the one message the person sees, in their language."""

from __future__ import annotations

import logging

from bot.blocks.message import Message
from bot.blocks.refusals import slack_refusal
from bot.blocks.replies import reply
from bot.errors import UserError
from bot.services.results import Refused
from bot.slack.gateway import SlackError

logger = logging.getLogger("onboardbot.handlers")


def error_message(error: Exception, locale: str) -> Message:
    """A refusal says why; Slack's refusals say what happened and what an admin can change
    (or that trying again helps); anything else is "something went wrong", logged in full."""
    if isinstance(error, UserError):
        return reply(locale, error.key, **error.values)
    if isinstance(error, SlackError):
        # Not a defect of ours (the gateway logged the call): no stack trace.
        logger.warning("Slack refused %s: %s", error.method, error.code)
        needed = error.response.get("needed")
        return slack_refusal(
            locale, code=error.code, method=error.method, needed=str(needed) if needed else None
        )
    if isinstance(error, OSError):
        logger.warning("could not reach Slack: %s: %s", type(error).__name__, error)
        return slack_refusal(locale, code="connection_error", method="")
    logger.error("unhandled error", exc_info=error)
    return reply(locale, "error.unexpected")


def refused_here(refused: Refused) -> list[Message]:
    """A refusal about a project, answered in the project's language; when no project was
    found it goes up to the error handler (the person's language)."""
    if refused.locale is None:
        raise UserError(refused.key, **refused.values)
    return [reply(refused.locale, refused.key, **refused.values)]
