"""The 💤 button of a reminder DM, and its form."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.blocks.ids import ActionId, CallbackId, SnoozeField
from bot.deps import Deps
from bot.domain.schedule import parse_day
from bot.flows import snooze
from bot.flows.context import Caller
from bot.i18n import t
from handlers.acks import field_error
from handlers.errors import reported
from handlers.views.values import field_value


def register(app: App, deps: Deps) -> None:
    def pressed(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        ack()
        context["parsed"] = str(body.get("trigger_id") or "")

    def open_form(parsed: str, body: dict[str, Any], caller: Caller) -> None:
        snooze.open_form(deps, caller, trigger_id=parsed)

    def submitted(ack: Ack, view: dict[str, Any], caller: Caller, context: BoltContext) -> None:
        until = parse_day(field_value(view, SnoozeField.UNTIL))
        if until is None:
            field_error(ack, SnoozeField.UNTIL, t(caller.locale, "form.bad_date"))
            return
        problem = snooze.problem(deps, caller, until=until)
        if problem is not None:
            field_error(ack, SnoozeField.UNTIL, problem)
            return
        ack()
        context["parsed"] = until

    def snoozed(parsed: date, body: dict[str, Any], caller: Caller) -> None:
        snooze.submit(deps, caller, until=parsed)

    app.action(ActionId.REMINDER_SNOOZE)(ack=pressed, lazy=[reported(deps, open_form)])
    app.view(CallbackId.SNOOZE)(ack=submitted, lazy=[reported(deps, snoozed)])
