"""Parsing the text of `/onboard …` into typed commands. Pure.

Slack escapes what users type when the command has "escape channels, users and links":
`<@U123|taro>` for a mention and `<mailto:a@b.example|a@b.example>` for an e-mail address.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from datetime import date

from bot.domain.channel_names import chosen_channel_name

SUBCOMMANDS = ("start", "status", "assign", "pause", "resume", "schedule", "close", "help")
ASSIGN_ROLES = {"champion": "champion", "decision-maker": "decision_maker", "member": "member"}
CLOSE_OUTCOMES = ("completed", "cancelled")
MAX_CUSTOMER_NAME = 80

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_MAILTO = re.compile(r"^<mailto:([^|>]+)(?:\|[^>]*)?>$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


class ParseError(Exception):
    """A user mistake in the command text; `key` names a message, `values` fill it."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Person:
    """Someone named in a command: a Slack user id and/or an e-mail address."""

    user_id: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class StartCommand:
    customer_name: str | None = None  # None: open the modal
    playbook: str | None = None
    kickoff: date | None = None
    go_live: date | None = None
    champion: Person | None = None
    decision_maker: Person | None = None
    csm: Person | None = None
    lang: str | None = None
    members: tuple[Person, ...] = ()
    fiscal_year_end_month: int | None = None
    channel_name: str | None = None  # None: made from the customer's name
    again: bool = False  # confirmed: start even though this customer has a running project
    # With `again` from the confirmation button: the running projects the CSM saw then.
    seen_projects: tuple[int, ...] = ()


@dataclass(frozen=True)
class StatusCommand:
    pass


@dataclass(frozen=True)
class HelpCommand:
    topic: str | None = None


@dataclass(frozen=True)
class AssignCommand:
    user_id: str
    role: str


@dataclass(frozen=True)
class PauseCommand:
    until: date | None = None


@dataclass(frozen=True)
class ResumeCommand:
    pass


@dataclass(frozen=True)
class ScheduleCommand:
    pass


@dataclass(frozen=True)
class CloseCommand:
    outcome: str
    reason: str | None = None
    share_reason: bool = False  # `--share-reason`: the channel sees the reason too


Command = (
    StartCommand
    | StatusCommand
    | HelpCommand
    | AssignCommand
    | PauseCommand
    | ResumeCommand
    | ScheduleCommand
    | CloseCommand
)


@dataclass
class _Options:
    positional: list[str] = field(default_factory=list)
    options: dict[str, list[str]] = field(default_factory=dict)


def parse(text: str) -> Command:
    """Parse the text after `/onboard`; raise ParseError on a user mistake."""
    words = _split(text)
    if not words:
        return HelpCommand()
    name, rest = words[0].lower(), words[1:]
    if name not in SUBCOMMANDS:
        raise ParseError("parse.unknown_subcommand", name=_clip(words[0]))
    if name == "help":
        return HelpCommand(topic=rest[0].lower() if rest else None)
    if name == "start":
        return _parse_start(rest)
    if name == "assign":
        return _parse_assign(rest)
    if name == "pause":
        return _parse_pause(rest)
    if name == "close":
        return _parse_close(rest)
    if rest:
        raise ParseError("parse.unexpected_argument", command=name, argument=_clip(rest[0]))
    bare: dict[str, type[StatusCommand | ResumeCommand | ScheduleCommand]] = {
        "status": StatusCommand,
        "resume": ResumeCommand,
        "schedule": ScheduleCommand,
    }
    return bare[name]()


def _split(text: str) -> list[str]:
    normalised = text.replace("\u3000", " ").replace("“", '"').replace("”", '"').strip()
    try:
        return shlex.split(normalised)
    except ValueError:
        raise ParseError("parse.unbalanced_quote") from None


START_OPTIONS = {
    "--playbook": "playbook",
    "--kickoff": "kickoff",
    "--go-live": "go_live",
    "--champion": "champion",
    "--decision-maker": "decision_maker",
    "--csm": "csm",
    "--lang": "lang",
    "--member": "member",
    "--fiscal-year-end": "fiscal_year_end",
    "--channel": "channel",
}
START_FLAGS = {"--again": "again"}  # options without a value


def _parse_start(words: list[str]) -> StartCommand:
    if not words:
        return StartCommand()
    parsed = _options(words, allowed=START_OPTIONS, command="start", flags=START_FLAGS)
    name = " ".join(parsed.positional).strip()
    if not name:
        raise ParseError("parse.customer_name_missing")
    if len(name) > MAX_CUSTOMER_NAME:
        raise ParseError("parse.customer_name_too_long", max=MAX_CUSTOMER_NAME, length=len(name))
    opts = {key: values[-1] for key, values in parsed.options.items()}
    lang = opts.get("lang")
    if lang is not None and lang not in ("ja", "en"):
        raise ParseError("parse.bad_choice", option="--lang", value=_clip(lang), choices="ja, en")
    fy_end = None
    if "fiscal_year_end" in opts:
        value = opts["fiscal_year_end"]
        if not value.isdigit() or not 1 <= int(value) <= 12:
            raise ParseError("parse.bad_month", option="--fiscal-year-end", value=_clip(value))
        fy_end = int(value)
    channel = None
    if "channel" in opts:
        try:
            channel = chosen_channel_name(opts["channel"])
        except ValueError:
            raise ParseError(
                "parse.bad_channel_name", option="--channel", value=_clip(opts["channel"])
            ) from None
    return StartCommand(
        channel_name=channel,
        again="again" in parsed.options,
        fiscal_year_end_month=fy_end,
        customer_name=name,
        playbook=opts.get("playbook"),
        kickoff=_date(opts["kickoff"], option="--kickoff") if "kickoff" in opts else None,
        go_live=_date(opts["go_live"], option="--go-live") if "go_live" in opts else None,
        champion=_person(opts["champion"], option="--champion") if "champion" in opts else None,
        decision_maker=(
            _person(opts["decision_maker"], option="--decision-maker")
            if "decision_maker" in opts
            else None
        ),
        csm=_user(opts["csm"], option="--csm") if "csm" in opts else None,
        lang=lang,
        members=tuple(_person(v, option="--member") for v in parsed.options.get("member", [])),
    )


def _parse_assign(words: list[str]) -> AssignCommand:
    if len(words) != 2:
        raise ParseError("parse.assign_usage")
    person = _user(words[0], option="@user")
    role = ASSIGN_ROLES.get(words[1].lower())
    if role is None:
        raise ParseError(
            "parse.bad_choice",
            option="role",
            value=_clip(words[1]),
            choices=", ".join(ASSIGN_ROLES),
        )
    assert person.user_id is not None
    return AssignCommand(user_id=person.user_id, role=role)


def _parse_pause(words: list[str]) -> PauseCommand:
    if not words:
        return PauseCommand()
    if len(words) == 2 and words[0].lower() == "until":
        return PauseCommand(until=_date(words[1], option="until"))
    raise ParseError("parse.pause_usage")


def _parse_close(words: list[str]) -> CloseCommand:
    if not words or words[0].lower() not in CLOSE_OUTCOMES:
        raise ParseError("parse.close_usage")
    rest = words[1:]
    share = any(w.lower() == "--share-reason" for w in rest)
    reason = " ".join(w for w in rest if w.lower() != "--share-reason").strip() or None
    return CloseCommand(outcome=words[0].lower(), reason=reason, share_reason=share)


def _options(
    words: list[str], *, allowed: dict[str, str], command: str, flags: dict[str, str] | None = None
) -> _Options:
    out = _Options()
    i = 0
    while i < len(words):
        word = words[i]
        if word.lower() in (flags or {}):
            out.options.setdefault((flags or {})[word.lower()], []).append("")
        elif word.startswith("--"):
            flag, _, inline = word.partition("=")
            key = allowed.get(flag.lower())
            if key is None:
                raise ParseError("parse.unknown_option", command=command, option=_clip(flag))
            if inline:
                value = inline
            elif i + 1 < len(words) and not words[i + 1].startswith("--"):
                i += 1
                value = words[i]
            else:
                raise ParseError("parse.option_needs_value", option=flag.lower())
            out.options.setdefault(key, []).append(value)
        else:
            out.positional.append(word)
        i += 1
    return out


def _date(text: str, *, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ParseError("parse.bad_date", option=option, value=_clip(text)) from None


def _person(text: str, *, option: str) -> Person:
    if match := _MENTION.match(text):
        return Person(user_id=match.group(1))
    if match := _MAILTO.match(text):
        text = match.group(1)
    if _EMAIL.match(text):
        return Person(email=text.lower())
    raise ParseError("parse.bad_person", option=option, value=_clip(text))


def _user(text: str, *, option: str) -> Person:
    if match := _MENTION.match(text):
        return Person(user_id=match.group(1))
    raise ParseError("parse.bad_user", option=option, value=_clip(text))


def _clip(text: str, limit: int = 40) -> str:
    """User text quoted back in an error: short, so a huge input can't blow up the reply."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
