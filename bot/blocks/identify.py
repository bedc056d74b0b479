"""The CSM's question about someone who joined a project channel: "who is this?"."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from bot.blocks.escape import channel_link, clip, escape, mention
from bot.blocks.ids import IDENTIFY_ANSWERS, identify_action
from bot.blocks.message import Message, actions, button, context, section
from bot.i18n import t

CUSTOMER_LIMIT = 80


class IdentifyBlockId(StrEnum):
    QUESTION = "identify-question"
    WHY = "identify-why"
    ANSWERS = "identify-answers"
    DONE = "identify-done"


def who_is_this(
    *,
    locale: str,
    project_id: int,
    user_id: str,
    customer: str,
    channel_id: str,
    open_seats: Sequence[str],
) -> Message:
    """Ask the CSM which of the customer's people someone is, with one button per answer.

    Args:
        locale: The project's language.
        project_id: The project they joined.
        user_id: Who joined.
        customer: The customer's name (user text: escaped here).
        channel_id: The project channel.
        open_seats: Invited roles nobody has taken yet (`champion`, `decision_maker`).
    """
    name = clip(escape(customer), CUSTOMER_LIMIT)
    values = {
        "user": mention(user_id),
        "customer": name,
        "channel": channel_link(channel_id),
    }
    seats = t(locale, "identify.list_separator").join(t(locale, f"role.{r}") for r in open_seats)
    value = f"{project_id}:{user_id}"
    buttons = [
        button(
            t(locale, f"identify.button.{answer}"),
            action_id=identify_action(answer),
            value=value,
            style="danger" if answer == "not_part" else None,
        )
        for answer in IDENTIFY_ANSWERS
    ]
    blocks = [
        section(IdentifyBlockId.QUESTION, t(locale, "identify.question", **values)),
        context(IdentifyBlockId.WHY, t(locale, "identify.why", seats=seats, customer=name)),
        actions(IdentifyBlockId.ANSWERS, *buttons),
    ]
    return Message(text=t(locale, "identify.text", **values), blocks=blocks)


def identified(*, locale: str, user_id: str, customer: str, answer: str) -> Message:
    """What replaces the question once the CSM answered."""
    text = t(
        locale,
        f"identify.done.{answer}",
        user=mention(user_id),
        customer=clip(escape(customer), CUSTOMER_LIMIT),
    )
    return Message(text=text, blocks=[section(IdentifyBlockId.DONE, text)])
