"""A message meant for one person whom Slack will not let the bot reach, handed to the CSM.

The decision-maker never gets a mention in the shared channel (everyone there would read
what was written for her): when her DM is impossible, the CSM passes the message on.
"""

from __future__ import annotations

from enum import StrEnum

from bot.blocks import limits
from bot.blocks.escape import clip, escape, mention
from bot.blocks.message import Message, section
from bot.i18n import t

CUSTOMER_LIMIT = 80
EMAIL_LIMIT = 254


class ForwardBlockId(StrEnum):
    HEAD = "fwd-head"


class Why(StrEnum):
    """Why the CSM has to pass it on."""

    NOT_ON_SLACK = "not_on_slack"  # invited by e-mail, no Slack account linked yet
    DM_REFUSED = "dm_refused"  # Slack refused the DM (e.g. the person left every channel)


def forward_message(
    inner: Message,
    *,
    locale: str,
    customer: str,
    why: Why,
    user_id: str | None = None,
    email: str | None = None,
) -> Message:
    """`inner` (written for the person) with a note asking the CSM to pass it on.

    Args:
        inner: The message as the person would have received it.
        locale: The project's language.
        customer: The customer's name (user text: escaped here).
        why: What stopped the bot.
        user_id: The person, when Slack knows them.
        email: Their e-mail address, when the project has one.
    """
    name = clip(escape(customer), CUSTOMER_LIMIT)
    if user_id:
        who = t(locale, "forward.who_user", user=mention(user_id))
    else:
        who = t(locale, "forward.who_decision_maker")
    lines = [t(locale, f"forward.{why.value}", who=who, customer=name)]
    if email:
        lines.append(t(locale, "forward.email", email=clip(escape(email), EMAIL_LIMIT)))
    lines.append(t(locale, "forward.below"))
    head = section(ForwardBlockId.HEAD, "\n".join(lines))
    blocks = [head, *inner.blocks[: limits.MESSAGE_BLOCKS - 1]]
    text = t(locale, "forward.text", who=who, customer=name)
    return Message(text=text, blocks=blocks)
