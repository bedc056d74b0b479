"""A `/onboard start` carried in a button's value, to start it again once confirmed. Pure.

When the customer already has a running project, the bot asks before it starts a second
one; its **Start another project** button carries the command (at most Slack's 2000
characters for a button value) and the projects the CSM saw, so a second click (or a project
someone started meanwhile) is noticed instead of starting a third.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from typing import Any

from bot.domain.channel_names import chosen_channel_name
from bot.domain.command_text import MAX_CUSTOMER_NAME, Person, StartCommand

BUTTON_VALUE_LIMIT = 2000
_USER = re.compile(r"[UW][A-Z0-9]{2,20}")
_EMAIL = re.compile(r"[^@\s<>]{1,64}@[^@\s<>]{1,189}\.[^@\s<>]+")


def encode(command: StartCommand, *, seen: tuple[int, ...]) -> str | None:
    """The button value for starting `command` beside the projects `seen`; None if too long."""
    data: dict[str, Any] = {
        "name": command.customer_name,
        "playbook": command.playbook,
        "kickoff": _iso(command.kickoff),
        "go_live": _iso(command.go_live),
        "champion": _person(command.champion),
        "decision_maker": _person(command.decision_maker),
        "csm": _person(command.csm),
        "lang": command.lang,
        "members": [_person(m) for m in command.members],
        "fy_end": command.fiscal_year_end_month,
        "channel": command.channel_name,
        "seen": list(seen),
    }
    value = json.dumps({k: v for k, v in data.items() if v not in (None, [])}, ensure_ascii=False)
    return value if len(value) <= BUTTON_VALUE_LIMIT else None


def decode(value: str) -> StartCommand:
    """The confirmed command (`again`, with the projects seen).

    A button value is whatever the request says, so it is checked like typed text: ValueError
    for anything `encode` would not have written.
    """
    try:
        data = json.loads(value)
        name = data["name"]
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_CUSTOMER_NAME:
            raise ValueError("customer name")
        lang, fy_end, channel = data.get("lang"), data.get("fy_end"), data.get("channel")
        if lang not in (None, "ja", "en"):
            raise ValueError("lang")
        if fy_end is not None and (type(fy_end) is not int or not 1 <= fy_end <= 12):
            raise ValueError("fiscal year-end")
        command = StartCommand(
            customer_name=name,
            playbook=_text(data.get("playbook")),
            kickoff=_day(data.get("kickoff")),
            go_live=_day(data.get("go_live")),
            champion=_from_person(data.get("champion")),
            decision_maker=_from_person(data.get("decision_maker")),
            csm=_from_person(data.get("csm")),
            lang=lang,
            members=tuple(p for p in map(_from_person, data.get("members", [])) if p),
            fiscal_year_end_month=fy_end,
            channel_name=chosen_channel_name(channel) if channel is not None else None,
        )
        seen = tuple(_id(pid) for pid in data.get("seen", []))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"not a start command: {exc}") from None
    return replace(command, again=True, seen_projects=seen)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 100:
        raise ValueError("text")
    return value


def _id(value: object) -> int:
    if type(value) is not int or not 1 <= value < 2**31:
        raise ValueError("project id")
    return value


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _day(text: object) -> date | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise ValueError("date")
    return date.fromisoformat(text)


def _person(person: Person | None) -> dict[str, str] | None:
    if person is None:
        return None
    return {k: v for k, v in (("user", person.user_id), ("email", person.email)) if v}


def _from_person(data: object) -> Person | None:
    if not data:
        return None
    if not isinstance(data, dict):
        raise ValueError("person")
    user, email = data.get("user"), data.get("email")
    if user is not None and not (isinstance(user, str) and _USER.fullmatch(user)):
        raise ValueError("user id")
    if email is not None and not (isinstance(email, str) and _EMAIL.fullmatch(email)):
        raise ValueError("e-mail")
    return Person(user_id=user, email=email)


def to_ask_about(command: StartCommand, running: list[int]) -> list[int]:
    """The customer's running projects the CSM must be asked about before starting.

    None when `--again` was typed; with the button's confirmation, only projects the CSM had
    not seen (one started meanwhile, or by the first of two clicks).
    """
    if not command.again:
        return list(running)
    if not command.seen_projects:
        return []
    return [pid for pid in running if pid not in command.seen_projects]
