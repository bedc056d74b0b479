"""Making user-supplied text safe for Slack, and the few Slack references we emit on purpose.

Slack parses `<…>` in `text` and mrkdwn as mentions and links, so a customer name such as
`<!channel>` would ping the whole channel. `escape` turns the three control characters into
entities (Slack's own rule); `mention` and `channel_link` are the only places that build
`<…>` on purpose, from ids Slack gave us.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"
_ENTITY_TAIL = re.compile(r"&[a-z]{0,3}$")
_REFERENCE_TAIL = re.compile(r"<[^<>]*$")  # a mention or link we wrote, cut before its `>`
# Characters that belong to the one before them (accents, emoji joiners and modifiers).
_JOINERS = re.compile("[\u0300-\u036f\u200d\ufe00-\ufe0f\U0001f3fb-\U0001f3ff\u3099\u309a]")


def escape(text: str) -> str:
    """Escape `&`, `<`, `>` so user text never mentions, links or pings."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, ending with `…` when cut.

    Never cuts an escaped entity (`&amp;`, `&lt;`, `&gt;`), a mention or link (`<@U1>`,
    `<#C1>`) or a character with its accents or emoji joiners in half, so it is safe after
    `escape` and on text with the bot's own mentions.
    """
    if len(text) <= limit:
        return text
    if limit < 1:
        return ""
    cut = limit - 1
    while cut > 0 and _JOINERS.match(text, cut):
        cut -= 1  # keep a character and what joins it together
    head = _REFERENCE_TAIL.sub("", _ENTITY_TAIL.sub("", text[:cut]))
    return head + ELLIPSIS


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def channel_link(channel_id: str) -> str:
    return f"<#{channel_id}>"
