"""One-line replies to a person (ephemeral notes, refusals, confirmations)."""

from __future__ import annotations

from bot.blocks import limits
from bot.blocks.escape import clip
from bot.blocks.message import Message, section
from bot.i18n import t


def reply(locale: str, key: str, /, **values: object) -> Message:
    """A short localized message; callers escape user-supplied values before passing them."""
    text = t(locale, key, **values)
    return Message(text=text, blocks=[section("reply", text)])


def merged(messages: list[Message]) -> Message:
    """Several notes to one person as one message (one section each, in order).

    Notes beyond what one message holds share its last section, cut at Slack's limits, as
    is the fallback text that joins them all.
    """
    if len(messages) == 1:
        return messages[0]
    texts = [m.text for m in messages]
    if len(texts) > limits.MESSAGE_BLOCKS:
        texts = [
            *texts[: limits.MESSAGE_BLOCKS - 1],
            "\n\n".join(texts[limits.MESSAGE_BLOCKS - 1 :]),
        ]
    blocks = [section(f"reply-{n}", clip(text, limits.TEXT)) for n, text in enumerate(texts)]
    return Message(text=clip("\n\n".join(m.text for m in messages), limits.TEXT), blocks=blocks)
