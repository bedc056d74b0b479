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


def escape(text: str) -> str:
    """Escape `&`, `<`, `>` so user text never mentions, links or pings."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, ending with `…` when cut.

    Never cuts an escaped entity (`&amp;`, `&lt;`, `&gt;`) in half, so it is safe after `escape`.
    """
    if len(text) <= limit:
        return text
    if limit < 1:
        return ""
    head = _ENTITY_TAIL.sub("", text[: limit - 1])
    return head + ELLIPSIS


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def channel_link(channel_id: str) -> str:
    return f"<#{channel_id}>"
