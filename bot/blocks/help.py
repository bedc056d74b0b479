"""`/onboard help`: every command with an example, or one command in detail."""

from __future__ import annotations

from bot.blocks.escape import clip, escape
from bot.blocks.ids import BlockId
from bot.blocks.message import Message, context, section
from bot.domain.command_text import SUBCOMMANDS
from bot.i18n import t

# Command lines are the same in every language; only the prose around them is translated.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "start": (
        "/onboard start Acme Corp --playbook low-touch --kickoff 2027-04-05"
        " --champion taro@acme.example --decision-maker hanako@acme.example --lang ja",
        "/onboard start",
    ),
    "status": ("/onboard status",),
    "assign": ("/onboard assign @taro champion", "/onboard assign @hanako decision-maker"),
    "pause": ("/onboard pause", "/onboard pause until 2027-05-06"),
    "resume": ("/onboard resume",),
    "schedule": ("/onboard schedule",),
    "close": ("/onboard close completed", "/onboard close cancelled budget frozen"),
    "help": ("/onboard help", "/onboard help start"),
}
START_OPTIONS = (
    "playbook",
    "kickoff",
    "go_live",
    "champion",
    "decision_maker",
    "csm",
    "member",
    "fiscal_year_end",
    "lang",
    "channel",
    "again",
)
OVERVIEW_EXAMPLES = (
    EXAMPLES["start"][0],
    EXAMPLES["assign"][0],
    EXAMPLES["pause"][1],
    EXAMPLES["close"][1],
)


def help_message(locale: str, *, topic: str | None = None) -> Message:
    """Usage of every `/onboard` command, or of `topic` when it names one.

    An unknown topic gets the general help with a note saying so.
    """
    name = (topic or "").strip().lower()
    if name in SUBCOMMANDS:
        return _command_help(name, locale)
    message = _overview(locale)
    if name:
        note = t(locale, "help.unknown_topic", topic=clip(escape(topic or ""), 40))
        message.blocks.insert(0, context(BlockId.HELP_NOTE, note))
    return message


def _overview(locale: str) -> Message:
    commands = "\n".join(
        f"`{t(locale, f'help.{name}.usage')}`\n    {t(locale, f'help.{name}.summary')}"
        for name in SUBCOMMANDS
    )
    examples = "\n".join(f"`{example}`" for example in OVERVIEW_EXAMPLES)
    blocks = [
        section(BlockId.HELP_TITLE, t(locale, "help.title") + "\n" + t(locale, "help.intro")),
        section(BlockId.HELP_BODY, commands),
        section(BlockId.HELP_EXAMPLES, t(locale, "help.examples") + "\n" + examples),
        context(BlockId.HELP_MORE, t(locale, "help.more")),
    ]
    return Message(text=t(locale, "help.text"), blocks=blocks)


def _command_help(name: str, locale: str) -> Message:
    usage = t(locale, f"help.{name}.usage")
    if name == "start":
        details = (
            t(locale, "help.start.details")
            + "\n"
            + "\n".join(f"• {t(locale, f'help.start.option.{option}')}" for option in START_OPTIONS)
        )
    else:
        details = t(locale, f"help.{name}.details")
    examples = "\n".join(f"`{example}`" for example in EXAMPLES[name])
    blocks = [
        section(BlockId.HELP_TITLE, f"*`{usage}`*\n{t(locale, f'help.{name}.summary')}"),
        section(BlockId.HELP_BODY, details),
        section(BlockId.HELP_EXAMPLES, t(locale, "help.examples") + "\n" + examples),
    ]
    return Message(text=t(locale, "help.command_text", usage=usage), blocks=blocks)
