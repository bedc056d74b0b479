"""The question before a second project for one customer: start another one anyway?"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.blocks.checklist import long_date
from bot.blocks.escape import channel_link, escape
from bot.blocks.ids import ActionId
from bot.blocks.message import Message, actions, button, section
from bot.domain import start_again
from bot.domain.command_text import StartCommand
from bot.i18n import t


def duplicate_question(
    locale: str,
    command: StartCommand,
    running: Sequence[tuple[int, str | None, date]],
) -> Message:
    """To the CSM: the customer's running projects, and how to start another one anyway.

    Args:
        locale: The CSM's language.
        command: The start that was held back.
        running: (project id, channel id, kickoff) of each running project to mention.

    Returns:
        The question with a **Start another project** button (when the command fits in its
        value) and the `--again` hint; after a confirmation that met a project started
        meanwhile, a note saying so, without a button.
    """
    projects = t(locale, "digest.list_separator").join(
        t(
            locale,
            "duplicate.project",
            channel=channel_link(channel) if channel else t(locale, "duplicate.no_channel"),
            kickoff=long_date(kickoff, locale),
        )
        for _, channel, kickoff in running
    )
    customer = escape(command.customer_name or "")
    if command.again:
        text = t(locale, "duplicate.already_started", customer=customer, projects=projects)
        return Message(text=text, blocks=[section("duplicate", text)])
    text = t(locale, "duplicate.question", customer=customer, projects=projects)
    value = start_again.encode(command, seen=tuple(pid for pid, _, _ in running))
    hint = t(locale, "duplicate.again_hint" if value else "duplicate.again_only")
    blocks = [section("duplicate", f"{text}\n{hint}")]
    if value is not None:
        blocks.append(
            actions(
                "duplicate-actions",
                button(t(locale, "duplicate.button"), action_id=ActionId.START_AGAIN, value=value),
            )
        )
    return Message(text=text, blocks=blocks)
