"""Validating the start modal's fields into a StartCommand. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.domain.channel_names import chosen_channel_name
from bot.domain.command_text import MAX_CUSTOMER_NAME, Person, StartCommand
from bot.domain.date_bounds import go_live_problem, kickoff_problem

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True)
class FieldError:
    field: str  # the input's block id
    key: str  # message key
    values: dict[str, object]


def start_command_from_form(
    fields: dict[str, str | None], *, playbooks: set[str], today: date
) -> StartCommand | list[FieldError]:
    """Turn the modal's raw values into a command, or name every field that is wrong.
    Dates must lie in the window `bot.domain.date_bounds` allows around `today`."""
    errors: list[FieldError] = []
    name = (fields.get("customer_name") or "").strip()
    if not name:
        errors.append(FieldError("customer_name", "form.required", {}))
    elif len(name) > MAX_CUSTOMER_NAME:
        errors.append(FieldError("customer_name", "form.too_long", {"max": MAX_CUSTOMER_NAME}))
    playbook = fields.get("playbook")
    if playbook not in playbooks:
        errors.append(FieldError("playbook", "form.required", {}))
    kickoff = _date(fields, "kickoff", errors, required=True)
    go_live = _date(fields, "go_live", errors, required=False)
    problem = kickoff_problem(kickoff, today=today) if kickoff else None
    if problem is not None:
        errors.append(FieldError("kickoff", *problem))
    elif kickoff and go_live and go_live <= kickoff:
        errors.append(FieldError("go_live", "form.go_live_before_kickoff", {}))
    elif kickoff and go_live and (problem := go_live_problem(go_live, kickoff=kickoff)):
        errors.append(FieldError("go_live", *problem))
    people = {}
    for key in ("champion", "decision_maker"):
        raw = (fields.get(key) or "").strip()
        if raw and not _EMAIL.match(raw):
            errors.append(FieldError(key, "form.bad_email", {}))
        people[key] = Person(email=raw.lower()) if raw else None
    lang = fields.get("lang") or None
    if lang not in (None, "ja", "en"):
        errors.append(FieldError("lang", "form.required", {}))
    channel = None
    if (fields.get("channel_name") or "").strip():
        try:
            channel = chosen_channel_name(fields["channel_name"] or "")
        except ValueError:
            errors.append(FieldError("channel_name", "form.bad_channel_name", {}))
    if errors:
        return errors
    csm = fields.get("csm")
    return StartCommand(
        customer_name=name,
        playbook=playbook,
        kickoff=kickoff,
        go_live=go_live,
        champion=people["champion"],
        decision_maker=people["decision_maker"],
        csm=Person(user_id=csm) if csm else None,
        lang=lang,
        channel_name=channel,
    )


def _date(
    fields: dict[str, str | None], key: str, errors: list[FieldError], *, required: bool
) -> date | None:
    raw = fields.get(key)
    if not raw:
        if required:
            errors.append(FieldError(key, "form.required", {}))
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(FieldError(key, "form.bad_date", {}))
        return None
