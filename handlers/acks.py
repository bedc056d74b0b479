"""Acks shared by listeners: a button's id parsed for the lazy part, a form's field errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.domain.start_form import FieldError
from bot.i18n import t
from handlers.payload import id_value


def id_pressed(*, gone: str = "error.task_not_found") -> Callable[..., None]:
    """An ack that stores the button's id as `parsed` (a bad id is refused with `gone`)."""

    def pressed(ack: Ack, action: dict[str, Any], context: BoltContext) -> None:
        ack()
        context["parsed"] = id_value(action, gone=gone)

    return pressed


def field_error(ack: Ack, field: StrEnum | str, text: str) -> None:
    """Answer a form submission with `text` under one field (the form stays open)."""
    ack(response_action="errors", errors={str(field): text})


def field_errors(ack: Ack, locale: str, errors: Iterable[FieldError]) -> None:
    """Answer a form submission with every wrong field named in it (the form stays open)."""
    ack(response_action="errors", errors={e.field: t(locale, e.key, **e.values) for e in errors})
