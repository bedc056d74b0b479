"""One-line replies to a person (ephemeral notes, refusals, confirmations)."""

from __future__ import annotations

from bot.blocks.message import Message, section
from bot.i18n import t


def reply(locale: str, key: str, /, **values: object) -> Message:
    """A short localized message; callers escape user-supplied values before passing them."""
    text = t(locale, key, **values)
    return Message(text=text, blocks=[section("reply", text)])
