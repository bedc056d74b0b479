"""Opening a modal within the trigger's 3 seconds, whatever Slack's speed and our caches.

A trigger_id expires 3 seconds after Slack sent it (docs.slack.dev/surfaces/modals). The
lookups a form needs (who is asking, is that person CS staff, which project) may each cost
a Web API call, so the modal opens first with a short placeholder, and the form, or the
reason it is refused, replaces it with views.update.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.blocks.message import Message, section
from bot.blocks.status_modal import message_modal
from bot.deps import Deps
from bot.flows.context import Caller
from bot.flows.refusals import error_message
from bot.i18n import LOCALES, t
from bot.slack.gateway import SlackError

logger = logging.getLogger(__name__)

View = dict[str, Any]


def open_modal(deps: Deps, caller: Caller, *, trigger_id: str, build: Callable[[], View]) -> str:
    """Open a placeholder now, then show `build()`'s form in it (or why it can't be had).

    Returns the view id.
    """
    view_id, _ = deps.gateway.open_view(trigger_id, placeholder())
    try:
        view = build()
    except Exception as error:  # the person sees why in the modal they already have open
        locale = caller.locale
        view = message_modal(
            error_message(error, locale),
            title=t(locale, "modal.refused_title"),
            close=t(locale, "homeui.close"),
        )
    try:
        deps.gateway.update_view(view_id, view)
    except SlackError as exc:
        if exc.code != "not_found":
            raise
        logger.info("the modal was closed before its form was ready")
    return view_id


def placeholder() -> View:
    """Shown for the moment the form takes; before any lookup, so in both languages."""
    text = " / ".join(t(locale, "modal.preparing") for locale in LOCALES)
    close = " / ".join(t(locale, "homeui.close") for locale in LOCALES)
    return message_modal(
        Message(text=text, blocks=[section("modal-preparing", text)]),
        title="onboardbot",
        close=close,
    )
